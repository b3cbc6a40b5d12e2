//! Telegram's answer to a reply is lost after Telegram carried the request out (a
//! connection reset mid-answer, a 5xx from a proxy): a new message is never sent
//! twice, while an edit, harmless to repeat, is.

use fake_telegram::LostAnswer;
use time::OffsetDateTime;

use crate::helpers::{Person, TestApp, buttons};

/// Requests of `method` to `chat` so far.
fn tries(app: &TestApp, method: &str, chat: i64) -> usize {
    app.fake
        .requests()
        .iter()
        .filter(|r| r.method == method)
        .filter(|r| r.params.get("chat_id").and_then(|c| c.as_i64()) == Some(chat))
        .count()
}

#[tokio::test]
async fn a_reply_whose_answer_is_lost_is_never_sent_twice_but_an_edit_is_retried() {
    const ID: i64 = 7_400_000_001;
    let app = TestApp::spawn().await;
    app.enrol(
        [ID],
        Some("columbus"),
        Some("bar"),
        OffsetDateTime::now_utc(),
    )
    .await;
    let person = Person { app: &app, id: ID };

    app.fake
        .deliver_then_fail_next("sendMessage", Some(ID), LostAnswer::Reset);
    let menu = person.sends("/menu").await;
    assert!(menu.text.unwrap().starts_with("Main menu"));
    let menus = person.messages().iter().filter(|m| m.from_bot).count();
    assert_eq!(menus, 1, "one menu, although its answer was lost");
    assert_eq!(
        tries(&app, "sendMessage", ID),
        1,
        "the send is not repeated"
    );

    let section = buttons(&person.screen())[0].clone();
    app.fake
        .deliver_then_fail_next("editMessageText", Some(ID), LostAnswer::Reset);
    let shown = person.presses(&section).await;
    assert_eq!(
        tries(&app, "editMessageText", ID),
        2,
        "the edit is tried again"
    );
    assert!(
        !shown.text.unwrap().starts_with("Main menu"),
        "the section is shown"
    );
    app.assert_clean();
}
