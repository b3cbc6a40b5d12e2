//! Stopping the bot (as SIGTERM does) in the middle of work loses nothing and
//! repeats nothing: in-flight updates are finished and the offset confirmed.

use crate::helpers::{PATIENCE, Stack, TestApp};

const PEOPLE: i64 = 30;

async fn restart_mid_work(mut app: TestApp) {
    let people: Vec<i64> = (1..=PEOPLE).map(|i| 7_000_000_000 + i).collect();
    for (n, id) in people.iter().enumerate() {
        app.person(*id, &format!("P{n}"), "ru");
    }
    let mut last_update = 0;
    for id in &people {
        last_update = app.fake.send_text(*id, "/start");
    }
    // Stop as soon as the bot has started answering: the batch is then in flight.
    let first = people[0];
    app.fake
        .wait_for(PATIENCE, |f| f.messages(first).iter().any(|m| m.from_bot))
        .await
        .expect("the bot starts answering");
    app.stop().await;

    // While the bot is down, everybody writes again.
    for id in &people {
        last_update = app.fake.send_text(*id, "/menu");
    }
    app.start().await;
    app.handled(last_update).await;

    for id in &people {
        let replies: Vec<String> = app
            .fake
            .messages(*id)
            .into_iter()
            .filter(|m| m.from_bot)
            .map(|m| m.text.unwrap_or_default())
            .collect();
        assert_eq!(replies.len(), 2, "person {id} got {replies:#?}");
        assert!(
            replies[0].starts_with("Здравствуйте"),
            "the /start reply comes first: {replies:?}"
        );
        assert!(
            replies[1].starts_with("Главное меню"),
            "then the /menu reply: {replies:?}"
        );
    }
    app.assert_clean();
}

#[tokio::test]
async fn restart_loses_and_repeats_nothing_embedded() {
    restart_mid_work(TestApp::spawn().await).await;
}

#[tokio::test]
async fn restart_loses_and_repeats_nothing_production_stack() {
    if let Some(app) = TestApp::spawn_on(Stack::Production).await {
        restart_mid_work(app).await;
    }
}

#[tokio::test]
async fn the_menu_position_survives_a_restart() {
    let Some(mut app) = TestApp::spawn_on(Stack::Production).await else {
        return;
    };
    let p = app.person(31, "Ира", "ru");
    p.sends("/menu").await;
    let first = app
        .pack
        .node(app.pack.top_level()[0])
        .unwrap()
        .title
        .ru
        .clone();
    let section = p.presses(&first).await;
    app.stop().await;
    app.start().await;
    let p = app.person(31, "Ира", "ru");
    let resumed = p.sends("привет").await;
    let text = resumed.text.unwrap();
    assert!(text.starts_with("Я понимаю кнопки и команды"), "{text}");
    assert!(
        text.ends_with(section.text.as_deref().unwrap()),
        "the person is back where they were: {text}"
    );
    app.assert_clean();
}

/// Kills the bot (as `kill -9` would) while it answers a crowd, then starts a new
/// one on the same database: Telegram delivers the unconfirmed updates again, and
/// none of them is answered twice.
async fn crash_mid_work(mut app: TestApp) {
    let people: Vec<i64> = (1..=PEOPLE).map(|i| 7_200_000_000 + i).collect();
    for (n, id) in people.iter().enumerate() {
        app.person(*id, &format!("P{n}"), "ru");
    }
    for id in &people {
        app.fake.send_text(*id, "/start");
    }
    // Crash once some have been answered: others are then in flight or queued,
    // and the answered ones are not all confirmed yet.
    app.fake
        .wait_for(PATIENCE, |f| {
            people
                .iter()
                .filter(|id| f.messages(**id).iter().any(|m| m.from_bot))
                .count()
                >= 3
        })
        .await
        .expect("the bot starts answering");
    app.crash().await;
    let unconfirmed = app.fake.pending_updates();
    app.start().await;
    let mut last_update = 0;
    for id in &people {
        last_update = app.fake.send_text(*id, "/menu");
    }
    app.handled(last_update).await;

    for id in &people {
        let replies: Vec<String> = app
            .fake
            .messages(*id)
            .into_iter()
            .filter(|m| m.from_bot)
            .map(|m| m.text.unwrap_or_default())
            .collect();
        let greetings = replies
            .iter()
            .filter(|r| r.starts_with("Здравствуйте"))
            .count();
        // At most once: an update claimed when the crash came may go unanswered.
        assert!(
            greetings <= 1,
            "person {id} was greeted twice: {replies:#?}"
        );
        assert!(
            replies
                .last()
                .is_some_and(|r| r.starts_with("Главное меню")),
            "the bot works after the crash: {replies:?}"
        );
    }
    println!("crash: {unconfirmed} updates were unconfirmed when the bot was killed");
    app.assert_clean();
}

#[tokio::test]
async fn a_crash_repeats_no_answer_embedded() {
    crash_mid_work(TestApp::spawn().await).await;
}

#[tokio::test]
async fn a_crash_repeats_no_answer_production_stack() {
    if let Some(app) = TestApp::spawn_on(Stack::Production).await {
        crash_mid_work(app).await;
    }
}
