//! Hostile and odd input never crashes the bot, never breaks Telegram's rules, and
//! always gets a calm answer.

use domain::callback::Callback;
use domain::content::NodeKind;
use serde_json::json;

use crate::helpers::{Person, Stack, TestApp, buttons};

#[tokio::test]
async fn markup_in_names_is_shown_literally() {
    let app = TestApp::spawn().await;
    let name = "<b>Boss</b> & <script>alert(1)</script> &amp;";
    let p = app.person(41, name, "en");
    let home = p.sends("/start").await;
    let text = home.text.unwrap();
    assert!(text.starts_with(&format!("Hello, {name}!")), "{text}");
    app.assert_clean();
}

#[tokio::test]
async fn hostile_text_and_commands_get_calm_answers() {
    let app = TestApp::spawn().await;
    let p = app.person(42, "Eve", "en");
    p.sends("/start").await;
    let long_markup = "<>&\"'".repeat(900);
    let inputs = [
        "/",
        "//",
        "/ menu",
        "/UNKNOWN",
        "/menu@some_other_bot",
        "/start extra args here",
        "/help me",
        "'; DROP TABLE users; --",
        "<b>not bold</b> <a href=\"javascript:alert(1)\">x</a>",
        long_markup.as_str(),
        "\u{202E}txt.exe\u{200B}\u{0000}",
        "Z̷̡̢̛̛̖̗̘̙̜̝̞̟̠̣̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼͇͈͉͍͎ͅa̸l̶g̷o̵",
        "🙂🙃🙂🙃",
        "   ",
    ];
    let before = p.messages().iter().filter(|m| m.from_bot).count();
    for input in inputs {
        let screen = p.sends(input).await;
        assert!(
            !screen.keyboard.is_empty(),
            "{input:?} left the person without a menu"
        );
    }
    let after = p.messages().iter().filter(|m| m.from_bot).count();
    assert!(after >= before + inputs.len(), "every input got an answer");
    let unknown = p.sends("/definitely_not_a_command").await;
    assert!(
        unknown
            .text
            .unwrap()
            .starts_with("There is no such command")
    );
    app.assert_clean();
}

#[tokio::test]
async fn forged_and_stale_buttons_get_a_fresh_main_menu() {
    let app = TestApp::spawn().await;
    let p = app.person(43, "Mallory", "en");
    let home = p.sends("/menu").await;
    let forged = [
        "garbage".to_owned(),
        "1o00000000".to_owned(), // a page that does not exist
        "1s00000000.0".to_owned(),
        "2h".to_owned(), // a future version
        "1h;DROP TABLE users".to_owned(),
        "x".repeat(64),
        "1l../../etc/passwd".to_owned(),
        "Ё".repeat(32), // 64 bytes of Cyrillic
    ];
    for data in &forged {
        let update = app.fake.press_on(p.id, home.message_id, data);
        app.handled(update).await;
        let screen = p.screen();
        assert!(
            screen
                .text
                .as_deref()
                .unwrap_or_default()
                .starts_with("Main menu"),
            "{data}: {screen:?}"
        );
    }
    // A real section's button pressed for a page index past its end.
    let section = app.pack.top_level()[0];
    let update = app
        .fake
        .press_on(p.id, home.message_id, &format!("1s{section}.999"));
    app.handled(update).await;
    // A press on a message the bot never sent, and on a message id from another chat.
    let update = app.fake.press_on(p.id, 999_999, "1h");
    app.handled(update).await;
    let answers = app.toasts();
    assert!(
        answers.iter().filter(|t| t.contains("out of date")).count() > forged.len(),
        "{answers:?}"
    );
    app.assert_clean();
}

#[tokio::test]
async fn odd_updates_are_ignored_and_the_bot_keeps_working() {
    let app = TestApp::spawn().await;
    let p = app.person(44, "Odd", "ru");
    let from = json!({"id": 44, "is_bot": false, "first_name": "Odd"});
    let chat = json!({"id": 44, "type": "private", "first_name": "Odd"});
    let group = json!({"id": -1001234567890_i64, "type": "supergroup", "title": "Staff"});
    let odd = [
        json!({"edited_message": {"message_id": 1, "date": 0, "chat": chat, "from": from, "text": "edited"}}),
        json!({"message": {"message_id": 2, "date": 0, "chat": group, "from": from, "text": "/start"}}),
        json!({"message": {"message_id": 3, "date": 0, "chat": chat, "text": "no sender"}}),
        json!({"message": {"message_id": 4, "date": 0, "chat": chat, "from": from, "new_chat_title": "x"}}),
        json!({"my_chat_member": {"chat": chat, "from": from, "date": 0,
            "old_chat_member": {"status": "member", "user": from},
            "new_chat_member": {"status": "kicked", "user": from, "until_date": 0}}}),
        json!({"some_future_update_kind": {"x": 1}}),
    ];
    for update in odd {
        let id = app.fake.push_raw_update(update);
        app.handled(id).await;
    }
    assert!(
        p.messages().iter().all(|m| !m.from_bot),
        "odd updates get no answer"
    );
    assert!(
        app.fake
            .messages(-1001234567890)
            .iter()
            .all(|m| !m.from_bot),
        "groups are not served"
    );
    let photo = app.fake.send_photo(44);
    app.handled(photo).await;
    let reply = p.screen().text.unwrap();
    assert!(
        reply.starts_with("Файлы и фото я не обрабатываю"),
        "{reply}"
    );
    let home = p.sends("/menu").await;
    assert!(buttons(&home).len() > 1, "the bot still works");
    app.assert_clean();
}

#[tokio::test]
async fn a_person_who_blocked_the_bot_is_marked_inactive() {
    let app = TestApp::spawn().await;
    let p = app.person(45, "Gone", "ru");
    p.sends("/start").await;
    app.fake.set_blocked(45, true);
    let update = app.fake.send_text(45, "/menu");
    app.handled(update).await;
    let storage = storage::SqlStorage::connect(secrecy::ExposeSecret::expose_secret(
        &app.config().database_url,
    ))
    .await
    .unwrap();
    let user = storage
        .user(domain::ids::UserId(45))
        .await
        .unwrap()
        .unwrap();
    assert!(user.inactive, "403 marks the person inactive");
    app.fake.set_blocked(45, false);
    p.sends("/menu").await;
    let user = storage
        .user(domain::ids::UserId(45))
        .await
        .unwrap()
        .unwrap();
    assert!(!user.inactive, "writing again makes them active");
    app.assert_clean();
}

/// Telegram's flood control and outages: the bot waits exactly `retry_after`,
/// retries a 503 (Telegram did not handle the request) with backoff, and the
/// person still gets their answer. (A 502 or 504 may follow a delivered message,
/// so a send is not repeated after one: see `lost_answers`.)
#[tokio::test]
async fn flood_control_and_server_errors_are_waited_out() {
    let app = TestApp::spawn().await;
    let p = app.person(46, "Patient", "en");
    p.sends("/menu").await;
    app.fake.fail_next(
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
        Some(1),
    );
    app.fake
        .fail_next("sendMessage", 503, "Service Unavailable", None);
    let before = p.messages().iter().filter(|m| m.from_bot).count();
    let reply = p.sends("/help").await;
    assert!(reply.text.unwrap().starts_with("How to use the bot"));
    assert_eq!(
        p.messages().iter().filter(|m| m.from_bot).count(),
        before + 1,
        "one answer, not three"
    );
    let sends: Vec<_> = app
        .fake
        .requests()
        .into_iter()
        .filter(|r| {
            r.method == "sendMessage"
                && r.params["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("How to use"))
        })
        .collect();
    assert_eq!(sends.len(), 3, "refused twice, then delivered");
    let waited = sends[1].at - sends[0].at;
    assert!(
        waited >= std::time::Duration::from_secs(1),
        "retry_after was honoured: {waited:?}"
    );
    assert!(!sends[0].ok && !sends[1].ok && sends[2].ok);
    app.assert_clean();
}

/// Under Telegram's own flood control (1 message a second per chat after a burst of
/// 3), a person tapping fast still gets every answer, and the bot never retries
/// before `retry_after`.
#[tokio::test]
async fn under_flood_control_the_bot_never_retries_early() {
    let app = TestApp::spawn_flood_controlled(fake_telegram::FloodControl::default()).await;
    let p = app.person(47, "Quick", "en");
    let home = p.sends("/menu").await;
    let section = app.pack.top_level()[0];
    let open = domain::callback::Callback::Open(section).encode();
    let mut last = 0;
    for _ in 0..6 {
        last = app.fake.press_on(47, home.message_id, &open);
        let back = app.fake.press_on(47, home.message_id, "1h");
        last = last.max(back);
    }
    app.handled(last).await;
    assert!(
        app.fake.flood_refusals() > 0,
        "the taps were fast enough to meet flood control"
    );
    assert!(
        app.fake.retry_after_ignored().is_empty(),
        "{:?}",
        app.fake.retry_after_ignored()
    );
    assert_eq!(
        p.screen().text.unwrap().lines().next(),
        Some("Main menu"),
        "the last tap's screen arrives"
    );
    app.assert_clean();
}

/// A forged update says that B pressed a button on A's menu. The press belongs to
/// B's own chat: A's chat is not touched, and B's press is answered.
#[tokio::test]
async fn a_press_naming_another_persons_message_never_touches_their_chat() {
    let app = TestApp::spawn().await;
    let a = app.person(61, "Alice", "en");
    let b = app.person(62, "Bob", "en");
    let a_menu = a.sends("/menu").await;
    b.sends("/menu").await;
    let data = a_menu
        .keyboard
        .iter()
        .flatten()
        .find_map(|button| button.callback_data.clone())
        .expect("A's menu has a button");
    let before = a.messages();
    let requests_before = app.fake.requests().len();
    let forged = json!({"callback_query": {
        "id": "forged-press",
        "from": {"id": b.id, "is_bot": false, "first_name": "Bob", "language_code": "en"},
        "chat_instance": "forged",
        "data": data,
        "message": {
            "message_id": a_menu.message_id,
            "date": 0,
            "chat": {"id": a.id, "type": "private", "first_name": "Alice"},
            "from": {"id": 123456, "is_bot": true, "first_name": "trainbot"},
            "text": a_menu.text.clone().unwrap_or_default(),
        },
    }});
    let update = app.fake.push_raw_update(forged);
    app.handled(update).await;
    assert_eq!(a.messages(), before, "A's chat is unchanged");
    let to_a = app.fake.requests()[requests_before..]
        .iter()
        .filter(|r| r.params.get("chat_id").and_then(|c| c.as_i64()) == Some(a.id))
        .count();
    assert_eq!(to_a, 0, "no request named A's chat");
    assert_eq!(
        app.fake.callback_answers("forged-press"),
        1,
        "B's press answered once"
    );
    assert!(
        app.toasts()
            .last()
            .is_some_and(|t| t.contains("out of date")),
        "{:?}",
        app.toasts()
    );
    app.assert_clean();
}

const BOSS: i64 = 9_000_000_077;

/// The callback data of every button a message shows.
fn data_of(m: &fake_telegram::MessageView) -> Vec<String> {
    m.keyboard
        .iter()
        .flatten()
        .filter_map(|b| b.callback_data.clone())
        .collect()
}

/// The admin panel's "Log out".
const LOG_OUT: &str = "1Ax";

/// Presses every button of `person`'s current screen once (but "Log out"),
/// coming back with `back` after each, and returns the data of every button
/// seen on the way.
async fn buttons_one_level_deep(app: &TestApp, person: &Person<'_>, back: &str) -> Vec<String> {
    let start = person.screen();
    let mut seen = data_of(&start);
    seen.retain(|d| d != LOG_OUT);
    for data in seen.clone() {
        let update = app
            .fake
            .press_on(person.id, person.screen().message_id, &data);
        app.handled(update).await;
        seen.extend(data_of(&person.screen()));
        let update = app
            .fake
            .press_on(person.id, person.screen().message_id, back);
        app.handled(update).await;
    }
    seen.retain(|d| d != LOG_OUT);
    seen.sort();
    seen.dedup();
    seen
}

/// Presses `data` twice on `message_id` without waiting between the two, as a
/// double tap does, and waits for both.
async fn double_tap(app: &TestApp, user: i64, message_id: i64, data: &str) {
    let first = app.fake.press_on(user, message_id, data);
    let second = app.fake.press_on(user, message_id, data);
    app.handled(first).await;
    app.handled(second).await;
}

/// Every request the bot made that Telegram refused, benign ones ("message is
/// not modified") included.
fn failed_calls(app: &TestApp) -> Vec<String> {
    app.fake
        .requests()
        .into_iter()
        .filter(|r| !r.ok)
        .map(|r| format!("{} {}", r.method, r.params))
        .collect()
}

#[tokio::test]
async fn a_hostile_run_costs_no_failed_bot_api_call() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[BOSS])
        .await
        .expect("embedded stack");
    let boss = app.admin(BOSS).await;
    let admin_data = buttons_one_level_deep(&app, &boss, "1Ap").await;
    let mallory = app.person(48, "Mallory", "en");
    let victim = app.person(49, "Victim", "en");
    let first_home = mallory.sends("/menu").await;
    let staff_data = buttons_one_level_deep(&app, &mallory, "1h").await;
    let victims_home = victim.sends("/menu").await;
    let home = mallory.sends("/menu").await;
    assert_ne!(first_home.message_id, home.message_id);
    let media_page = app
        .pack
        .nodes()
        .find(|n| matches!(&n.kind, NodeKind::Page(p) if p.media.is_some()))
        .expect("the sample pack has a page with media")
        .id;
    let mut hostile: Vec<String> = staff_data.clone();
    hostile.extend(admin_data.iter().cloned());
    hostile.extend(
        [
            "garbage",
            "2h",
            "1h;DROP TABLE users",
            "1s00000000.999",
            "1o99999999",
        ]
        .map(str::to_owned),
    );
    hostile.push(Callback::Open(media_page).encode());
    for data in &hostile {
        // On the screen the person looks at, on an older screen, and on a
        // message the bot never sent: each twice at once.
        double_tap(&app, mallory.id, mallory.screen().message_id, data).await;
        double_tap(&app, mallory.id, first_home.message_id, data).await;
        double_tap(&app, mallory.id, 999_999, data).await;
    }
    // A button of another person's message, pressed by Mallory.
    let foreign = app.fake.push_raw_update(json!({"callback_query": {
        "id": "48000000777",
        "from": {"id": 48, "is_bot": false, "first_name": "Mallory", "language_code": "en"},
        "message": {"message_id": victims_home.message_id, "date": 1,
            "chat": {"id": 49, "type": "private", "first_name": "Victim"}, "text": "Main menu"},
        "chat_instance": "-1",
        "data": staff_data[0],
    }}));
    app.handled(foreign).await;
    // The admin's own buttons, pressed twice on the panel, then on it after logging out.
    let panel = boss.screen();
    for data in admin_data.iter().chain([&LOG_OUT.to_owned()]) {
        double_tap(&app, BOSS, boss.screen().message_id, data).await;
    }
    for data in &admin_data {
        double_tap(&app, BOSS, panel.message_id, data).await;
    }
    let failed = failed_calls(&app);
    assert!(failed.is_empty(), "failed Bot API calls: {failed:#?}");
    assert!(
        victim.messages().iter().filter(|m| m.from_bot).count() == 1,
        "nothing reached the victim's chat"
    );
    app.assert_clean();
}
