//! Learning end to end: onboarding, knowledge checks, review, reminders and
//! certificates, through the real bot and fake-telegram, with a fake clock where
//! time matters.

use std::sync::Arc;
use std::time::Duration;

use domain::content::NodeKind;
use domain::content::quiz::{Question, QuestionKind};
use domain::ids::UserId;
use engine::ports::ManualClock;
use fake_telegram::{FakeConfig, MediaKind};
use time::macros::datetime;

use crate::helpers::{PATIENCE, Person, Stack, TestApp, buttons};

/// Noon in Moscow (09:00 UTC): outside quiet hours.
fn moscow_noon() -> time::OffsetDateTime {
    datetime!(2026-12-01 09:00 UTC)
}

/// Walks a person through onboarding: park, department, position.
async fn onboard(p: &Person<'_>, park: &str, department: &str, position: &str) {
    let first = p.sends("/start").await;
    assert!(first.text.unwrap().contains("В каком парке вы работаете?"));
    let second = p.presses(park).await;
    assert!(
        second.text.unwrap().contains("В каком отделе"),
        "step 2 asks the department"
    );
    let third = p.presses(department).await;
    assert!(
        third.text.unwrap().contains("Напишите вашу должность"),
        "step 3 asks the position"
    );
    let done = p.sends(position).await;
    assert!(done.text.unwrap().starts_with("Спасибо! Профиль заполнен"));
}

#[derive(Clone, Copy, PartialEq)]
enum Answering {
    Right,
    Wrong,
}

/// The question on screen, found by its text in the pack.
fn question_on_screen<'a>(app: &'a TestApp, quiz: &str, text: &str) -> &'a Question {
    let quiz = app.pack.quiz(quiz).expect("quiz in the pack");
    quiz.questions
        .iter()
        .find(|q| text.contains(q.text.ru.as_str()))
        .unwrap_or_else(|| panic!("no question of {} on screen: {text}", quiz.id))
}

/// Answers the question on screen right or wrong; returns the feedback screen.
async fn answer(
    app: &TestApp,
    p: &Person<'_>,
    quiz: &str,
    how: Answering,
) -> fake_telegram::MessageView {
    let screen = p.screen();
    let text = screen.text.clone().unwrap();
    let q = question_on_screen(app, quiz, &text);
    let picks: Vec<&str> = match how {
        Answering::Right => q
            .options
            .iter()
            .filter(|o| o.correct)
            .map(|o| o.text.ru.as_str())
            .collect(),
        Answering::Wrong => vec![
            q.options
                .iter()
                .find(|o| !o.correct)
                .expect("a wrong option")
                .text
                .ru
                .as_str(),
        ],
    };
    match q.kind {
        QuestionKind::Single => p.presses(picks[0]).await,
        QuestionKind::Multiple => {
            for pick in &picks {
                p.presses(&format!("⬜ {pick}")).await;
            }
            p.presses("✅ Ответить").await
        }
    }
}

/// Answers every remaining question; returns the result screen.
async fn finish_quiz(app: &TestApp, p: &Person<'_>, quiz: &str, how: Answering) -> String {
    loop {
        let feedback = answer(app, p, quiz, how).await;
        let text = feedback.text.unwrap();
        match how {
            Answering::Right => assert!(text.contains("✅ Верно!"), "{text}"),
            Answering::Wrong => assert!(
                text.contains("❌ Неверно.") && text.contains("Правильный ответ:"),
                "{text}"
            ),
        }
        if buttons(&p.screen()).contains(&"📋 Результат".to_owned()) {
            return p.presses("📋 Результат").await.text.unwrap();
        }
        p.presses("Следующий вопрос ▶️").await;
    }
}

async fn open_quiz(p: &Person<'_>, title: &str) -> String {
    p.sends("/quiz").await;
    let list = p.screen();
    let button = buttons(&list)
        .into_iter()
        .find(|b| b.ends_with(title))
        .expect("the quiz in the list");
    p.presses(&button).await.text.unwrap()
}

#[tokio::test]
async fn onboarding_with_answers_orders_the_menu_by_department() {
    let app = TestApp::spawn().await;
    let p = app.person(301, "Лена", "ru");
    onboard(&p, "Зеленопарк", "Бар", "бармен").await;
    let home = p.sends("/menu").await;
    let rows = buttons(&home);
    assert_eq!(
        rows[0], "⭐ Бар",
        "the person's department comes first and is required: {rows:?}"
    );
    assert!(rows.contains(&"⭐ Общая информация".to_owned()), "{rows:?}");
    assert!(
        rows.contains(&"Кухня".to_owned()),
        "other departments are not marked: {rows:?}"
    );
    let profile = p.sends("/profile").await.text.unwrap();
    for value in ["Лена", "Зеленопарк", "Бар", "бармен", "русский"] {
        assert!(profile.contains(value), "{value} missing from {profile}");
    }
    let staff = app
        .storage()
        .await
        .staff_profile(UserId(301))
        .await
        .unwrap();
    assert_eq!(staff.park.as_deref(), Some("zelenopark"));
    assert_eq!(staff.department.as_deref(), Some("bar"));
    assert_eq!(staff.position.as_deref(), Some("бармен"));
    assert!(staff.onboarded);
    app.assert_clean();
}

#[tokio::test]
async fn onboarding_can_be_skipped_and_filled_in_later() {
    let app = TestApp::spawn().await;
    let p = app.person(302, "Ким", "ru");
    p.sends("/start").await;
    p.presses("Пропустить ⏭").await;
    p.presses("Пропустить ⏭").await;
    let home = p.presses("Пропустить ⏭").await;
    assert!(home.text.unwrap().contains("Главное меню"));
    let profile = p.sends("/profile").await.text.unwrap();
    assert_eq!(profile.matches("не указано").count(), 3, "{profile}");
    // A too long position is refused with the limit; a good one is saved.
    p.presses("💼 Должность").await;
    let refused = p.sends(&"д".repeat(65)).await.text.unwrap();
    assert!(
        refused.contains("Слишком длинно: 65") && refused.contains("64"),
        "{refused}"
    );
    let saved = p.sends("  старший   кассир ").await.text.unwrap();
    assert!(
        saved.starts_with("Сохранено.") && saved.contains("старший кассир"),
        "{saved}"
    );
    p.presses("🧩 Отдел").await;
    let profile = p.presses("Кухня").await.text.unwrap();
    assert!(profile.contains("Кухня"), "{profile}");
    // A second /start greets and shows the menu: onboarding happens once.
    let again = p.sends("/start").await.text.unwrap();
    assert!(again.contains("Главное меню"), "{again}");
    app.assert_clean();
}

#[tokio::test]
async fn text_typed_at_an_onboarding_question_repeats_it_and_the_position_is_stored_clean() {
    let app = TestApp::spawn().await;
    let p = app.person(314, "Ника", "ru");
    let first = p.sends("/start").await;
    let again = p.sends("Зеленопарк").await;
    let text = again.text.unwrap();
    assert!(
        text.starts_with("Я понимаю кнопки и команды")
            && text.contains("В каком парке вы работаете?")
            && !text.contains("Главное меню"),
        "{text}"
    );
    assert_eq!(buttons(&p.screen()), buttons(&first), "the same question");
    let second = p.presses("Зеленопарк").await;
    assert!(second.text.unwrap().contains("В каком отделе"));
    p.presses("Бар").await;
    let done = p.sends("\u{202E}бар\u{200B}мен").await;
    assert!(done.text.unwrap().starts_with("Спасибо! Профиль заполнен"));
    let staff = app
        .storage()
        .await
        .staff_profile(UserId(314))
        .await
        .unwrap();
    assert_eq!(staff.park.as_deref(), Some("zelenopark"));
    assert_eq!(staff.department.as_deref(), Some("bar"));
    assert_eq!(staff.position.as_deref(), Some("бармен"));
    assert!(staff.onboarded);
    app.assert_clean();
}

#[tokio::test]
async fn a_quiz_passed_and_a_quiz_failed_are_stored_and_reviewed() {
    let app = TestApp::spawn().await;
    let p = app.person(303, "Ира", "ru");
    onboard(&p, "Колумбус", "Бар", "бармен").await;
    let title = app.pack.quiz("bar-basics").unwrap().title.ru.clone();
    let first = open_quiz(&p, &title).await;
    assert!(first.contains("Вопрос 1 из 10"), "{first}");
    let result = finish_quiz(&app, &p, "bar-basics", Answering::Right).await;
    let max: u32 = app
        .pack
        .quiz("bar-basics")
        .unwrap()
        .questions
        .iter()
        .map(|q| q.points)
        .sum();
    assert!(
        result.contains(&format!("Результат: {max} из {max} (100%)"))
            && result.contains("✅ Зачтено"),
        "{result}"
    );

    let photos = app
        .fake
        .messages(303)
        .into_iter()
        .filter(|m| m.media.as_ref().is_some_and(|x| x.kind == MediaKind::Photo));
    assert_eq!(
        photos.count(),
        1,
        "the bar check's one question with an image shows it"
    );

    let title = app.pack.quiz("kitchen-basics").unwrap().title.ru.clone();
    open_quiz(&p, &title).await;
    let result = finish_quiz(&app, &p, "kitchen-basics", Answering::Wrong).await;
    let max: u32 = app
        .pack
        .quiz("kitchen-basics")
        .unwrap()
        .questions
        .iter()
        .map(|q| q.points)
        .sum();
    assert!(
        result.contains(&format!("Результат: 0 из {max} (0%)"))
            && result.contains("❌ Не зачтено: нужно 80%"),
        "{result}"
    );
    assert!(
        result.contains("Ошибки:"),
        "the mistakes are reviewed: {result}"
    );
    assert!(buttons(&p.screen()).contains(&"🔁 Пройти ещё раз".to_owned()));

    let storage = app.storage().await;
    let bar = storage
        .quiz_attempts(UserId(303), "bar-basics")
        .await
        .unwrap();
    assert_eq!(bar.len(), 1);
    assert_eq!(bar[0].answers.len(), 10);
    assert!(
        bar[0]
            .answers
            .iter()
            .all(|a| a.correct && a.time_taken_ms >= 0)
    );
    assert!(bar[0].result.as_ref().unwrap().passed);
    let kitchen = storage
        .quiz_attempts(UserId(303), "kitchen-basics")
        .await
        .unwrap();
    assert!(!kitchen[0].result.as_ref().unwrap().passed);
    let reviews = storage.reviews(UserId(303)).await.unwrap();
    assert_eq!(
        reviews.len(),
        10,
        "every wrong answer comes back for review"
    );
    assert!(
        reviews
            .iter()
            .all(|r| r.quiz_id == "kitchen-basics" && r.stage == 0)
    );
    app.assert_clean();
}

#[tokio::test]
async fn a_quiz_resumes_where_it_stopped_after_a_restart() {
    let mut app = TestApp::spawn().await;
    let title = app.pack.quiz("general-basics").unwrap().title.ru.clone();
    {
        let p = app.person(304, "Оля", "ru");
        open_quiz(&p, &title).await;
        for _ in 0..3 {
            answer(&app, &p, "general-basics", Answering::Right).await;
            p.presses("Следующий вопрос ▶️").await;
        }
    }
    app.stop().await;
    app.start().await;
    let p = app.person(304, "Оля", "ru");
    let resumed = open_quiz(&p, &title).await;
    assert!(resumed.contains("Вопрос 4 из 10"), "{resumed}");
    let result = finish_quiz(&app, &p, "general-basics", Answering::Right).await;
    assert!(result.contains("✅ Зачтено"), "{result}");
    let attempts = app
        .storage()
        .await
        .quiz_attempts(UserId(304), "general-basics")
        .await
        .unwrap();
    assert_eq!(attempts.len(), 1, "the same attempt continued");
    app.assert_clean();
}

#[tokio::test]
async fn a_double_tap_and_a_stale_button_never_count_twice() {
    let app = TestApp::spawn().await;
    let p = app.person(305, "Ян", "ru");
    let title = app.pack.quiz("sales-basics").unwrap().title.ru.clone();
    let question = open_quiz(&p, &title).await;
    let q = question_on_screen(&app, "sales-basics", &question);
    let option = q.options.iter().find(|o| !o.correct).unwrap();
    // Questions are shuffled: a single-choice question is answered by its option's
    // button, a multiple-choice one by "Answer" once the option is ticked.
    let answer_label = match q.kind {
        QuestionKind::Single => option.text.ru.clone(),
        QuestionKind::Multiple => {
            p.presses(&format!("⬜ {}", option.text.ru)).await;
            "✅ Ответить".to_owned()
        }
    };
    let screen = p.screen();
    let data = screen
        .keyboard
        .iter()
        .flatten()
        .find(|b| b.text == answer_label)
        .and_then(|b| b.callback_data.clone())
        .expect("the answer button");
    // Two taps on the same answer, the second arriving before the first is shown.
    let one = app.fake.press_on(305, screen.message_id, &data);
    let two = app.fake.press_on(305, screen.message_id, &data);
    app.handled(one).await;
    app.handled(two).await;
    let toasts = app.toasts();
    assert!(
        toasts
            .iter()
            .any(|t| t == "На этот вопрос вы уже ответили."),
        "{toasts:?}"
    );
    let open = app
        .storage()
        .await
        .open_attempt(UserId(305))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(open.answers.len(), 1, "the double tap counted once");
    // Much later, the same old button again.
    let three = app.fake.press_on(305, screen.message_id, &data);
    app.handled(three).await;
    let open = app
        .storage()
        .await
        .open_attempt(UserId(305))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(open.answers.len(), 1);
    app.assert_clean();
}

#[tokio::test]
async fn forged_or_replayed_answer_data_does_not_score_and_the_buttons_shown_still_pass() {
    let app = TestApp::spawn().await;
    let zoya = app.person(312, "Зоя", "ru");
    let lev = app.person(313, "Лев", "ru");
    let title = app.pack.quiz("bar-basics").unwrap().title.ru.clone();
    open_quiz(&zoya, &title).await;
    open_quiz(&lev, &title).await;
    let storage = app.storage().await;
    let hers = storage.open_attempt(UserId(312)).await.unwrap().unwrap();
    let his = storage.open_attempt(UserId(313)).await.unwrap().unwrap();
    let stale = "Это меню устарело. Открываю главное меню.";
    let toasts_before = app.toasts().len();

    // Data naming options by their index in the quiz file (the old format), for her
    // own attempt: whatever index, it is out of date.
    let mut forged: Vec<String> = (0..4)
        .flat_map(|i| {
            [
                format!("1a{}.0.{i}", hers.id),
                format!("1u{}.0.{}", hers.id, 1 << i),
            ]
        })
        .collect();
    // Lev's answer buttons, replayed by Zoya.
    forged.extend(
        lev.screen()
            .keyboard
            .iter()
            .flatten()
            .filter_map(|b| b.callback_data.clone())
            .filter(|d| {
                matches!(
                    domain::callback::Callback::decode(d),
                    Ok(domain::callback::Callback::Answer { .. }
                        | domain::callback::Callback::Toggle { .. }
                        | domain::callback::Callback::Submit { .. })
                )
            }),
    );
    assert!(forged.len() > 8, "{forged:?}");
    for data in &forged {
        let update = app.fake.press_on(312, zoya.screen().message_id, data);
        app.handled(update).await;
    }
    let toasts = app.toasts();
    assert_eq!(toasts.len() - toasts_before, forged.len(), "{toasts:?}");
    assert!(
        toasts[toasts_before..].iter().all(|t| t == stale),
        "{toasts:?}"
    );
    for id in [hers.id, his.id] {
        let attempt = storage.attempt(id).await.unwrap().unwrap();
        assert!(
            attempt.answers.is_empty(),
            "attempt {id} scored: {attempt:?}"
        );
    }

    // The buttons on her screen, pressed by what they show, still pass.
    let resumed = open_quiz(&zoya, &title).await;
    assert!(resumed.contains("Вопрос 1 из 10"), "{resumed}");
    let result = finish_quiz(&app, &zoya, "bar-basics", Answering::Right).await;
    assert!(result.contains("✅ Зачтено"), "{result}");
    let his = storage.attempt(his.id).await.unwrap().unwrap();
    assert!(his.answers.is_empty() && his.result.is_none());
    app.assert_clean();
}

#[tokio::test]
async fn attempt_limit_and_cooldown_are_enforced() {
    let clock = Arc::new(ManualClock::new(moscow_noon()));
    let app = TestApp::spawn_at(clock.clone()).await;
    let p = app.person(306, "Пётр", "ru");
    let quiz = app.pack.quiz("sport-basics").unwrap();
    let (title, max) = (quiz.title.ru.clone(), quiz.max_attempts.unwrap());
    for attempt in 1..=max {
        open_quiz(&p, &title).await;
        let result = finish_quiz(&app, &p, "sport-basics", Answering::Wrong).await;
        assert!(
            result.contains("❌ Не зачтено"),
            "attempt {attempt}: {result}"
        );
        if attempt < max {
            let refused = p.presses("🔁 Пройти ещё раз").await.text.unwrap();
            assert!(
                refused.starts_with("Следующая попытка будет доступна 02.12.2026"),
                "{refused}"
            );
            clock.advance(time::Duration::hours(12));
        }
    }
    clock.advance(time::Duration::days(2));
    let refused = open_quiz(&p, &title).await;
    assert!(
        refused.starts_with("Все попытки использованы (3)"),
        "{refused}"
    );
    app.assert_clean();
}

#[tokio::test]
async fn wrong_answers_come_back_for_review_on_schedule() {
    let clock = Arc::new(ManualClock::new(moscow_noon()));
    let app = TestApp::spawn_at(clock.clone()).await;
    let p = app.person(307, "Аня", "ru");
    let title = app.pack.quiz("general-basics").unwrap().title.ru.clone();
    open_quiz(&p, &title).await;
    // One wrong answer, then right to the end.
    answer(&app, &p, "general-basics", Answering::Wrong).await;
    p.presses("Следующий вопрос ▶️").await;
    finish_quiz(&app, &p, "general-basics", Answering::Right).await;
    let home = p.sends("/menu").await;
    assert!(
        !buttons(&home)
            .iter()
            .any(|b| b.starts_with("🔁 Повторение")),
        "nothing due yet"
    );

    clock.advance(time::Duration::days(1));
    let home = p.sends("/menu").await;
    assert!(
        buttons(&home).contains(&"🔁 Повторение (1)".to_owned()),
        "{:?}",
        buttons(&home)
    );
    p.presses("🔁 Повторение (1)").await;
    answer(&app, &p, "general-basics", Answering::Wrong).await;
    let done = p.presses("📋 Результат").await.text.unwrap();
    assert!(done.contains("Повторение завершено"), "{done}");
    let storage = app.storage().await;
    let items = storage.reviews(UserId(307)).await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].stage, 1, "wrong again: the next interval");
    assert_eq!(items[0].due_at, clock_now(&clock) + time::Duration::days(3));

    clock.advance(time::Duration::days(3));
    p.sends("/menu").await;
    p.presses("🔁 Повторение (1)").await;
    answer(&app, &p, "general-basics", Answering::Right).await;
    p.presses("📋 Результат").await;
    assert!(
        storage.reviews(UserId(307)).await.unwrap().is_empty(),
        "answered right: removed"
    );
    app.assert_clean();
}

fn clock_now(clock: &ManualClock) -> time::OffsetDateTime {
    engine::ports::Clock::now(clock)
}

/// How many reminders person `id` has had.
fn reminders_in(app: &TestApp, id: i64) -> usize {
    app.fake
        .messages(id)
        .into_iter()
        .filter(|m| {
            m.from_bot
                && m.text
                    .as_deref()
                    .is_some_and(|t| t.starts_with("🔔 Напоминание"))
        })
        .count()
}

#[tokio::test]
async fn reminders_reach_the_right_people_once_a_day_outside_quiet_hours() {
    let clock = Arc::new(ManualClock::new(moscow_noon()));
    let app = TestApp::spawn_at(clock.clone()).await;
    let behind = app.person(308, "Влад", "ru");
    onboard(&behind, "Зеленопарк", "Кухня", "повар").await;
    let not_onboarded = app.person(309, "Гость", "ru");
    not_onboarded.sends("/menu").await;
    let blocked = app.person(310, "Миша", "ru");
    onboard(&blocked, "Колумбус", "Бар", "бармен").await;
    app.storage()
        .await
        .set_blocked(UserId(310), true)
        .await
        .unwrap();

    let reminders_of = |id: i64| reminders_in(&app, id);
    let learners = app.storage().await.learners().await.unwrap();
    let ids: Vec<i64> = learners.iter().map(|l| l.id.0).collect();
    assert_eq!(ids, vec![308], "learners");
    assert_eq!(
        app.remind().await,
        1,
        "only the onboarded, active person who is behind"
    );
    assert_eq!(reminders_of(308), 1);
    let text = app.fake.last_bot_message(308).unwrap().text.unwrap();
    assert!(
        text.contains("Осталось прочитать страниц") && text.contains("До срока 14 дней"),
        "{text}"
    );
    assert_eq!((reminders_of(309), reminders_of(310)), (0, 0));

    clock.advance(time::Duration::hours(3)); // 15:00 the same day
    assert_eq!(app.remind().await, 0, "at most one a day");
    clock.set(datetime!(2026-12-01 19:30 UTC)); // 22:30 in Moscow, the next... still the same local day
    assert_eq!(app.remind().await, 0);
    clock.set(datetime!(2026-12-02 04:00 UTC)); // 07:00 in Moscow: a new day, but quiet hours
    assert_eq!(app.remind().await, 0, "never in quiet hours");
    clock.set(datetime!(2026-12-02 06:00 UTC)); // 09:00 in Moscow
    // Every pass counts as a run, with or without reminders to send. (The
    // recorder is the process's: other tests may add runs, never take any.)
    let runs = || async {
        app.metrics()
            .await
            .lines()
            .find_map(|l| l.strip_prefix("trainbot_reminder_runs_total{outcome=\"ran\"} "))
            .map_or(0, |n| n.parse::<u64>().unwrap())
    };
    let before = runs().await;
    assert_eq!(app.remind().await, 1);
    assert!(runs().await > before, "the pass is counted");
    assert_eq!(reminders_of(308), 2);
    app.assert_clean();
}

#[tokio::test]
async fn three_replicas_send_an_intervals_reminders_once_production_stack() {
    let clock = Arc::new(ManualClock::new(moscow_noon()));
    let Some(first) =
        TestApp::spawn_full(Stack::Production, clock, &[], FakeConfig::default()).await
    else {
        return;
    };
    let second = first.same_bot_replica().await;
    let third = first.same_bot_replica().await;
    let behind = first.person(320, "Влад", "ru");
    onboard(&behind, "Зеленопарк", "Кухня", "повар").await;

    // The three replicas' timers fire together: one takes the interval.
    let (a, b, c) = tokio::join!(
        first.remind_in_turn(),
        second.remind_in_turn(),
        third.remind_in_turn()
    );
    let ran: Vec<usize> = [a, b, c].into_iter().flatten().collect();
    assert_eq!(ran, vec![1], "one pass ran, and sent the one reminder");
    assert_eq!(reminders_in(&first, 320), 1);
    for app in [&first, &second, &third] {
        app.assert_clean();
    }
}

#[tokio::test]
async fn completing_the_path_delivers_a_pdf_certificate() {
    let app = TestApp::spawn().await;
    let p = app.person(311, "Анна", "ru");
    onboard(&p, "Зеленопарк", "Общая информация", "администратор").await;
    let department = app.pack.department("general").unwrap().clone();
    // Read every required page.
    let mut pages = Vec::new();
    for section in &department.required_sections {
        pages.extend(
            app.pack
                .pages_under(*section)
                .into_iter()
                .map(str::to_owned),
        );
    }
    let home = p.sends("/menu").await;
    for node in app.pack.nodes().filter(|n| pages.contains(&n.path)) {
        assert!(matches!(node.kind, NodeKind::Page(_)));
        let update = app.fake.press_on(
            311,
            home.message_id,
            &domain::callback::Callback::Open(node.id).encode(),
        );
        app.handled(update).await;
    }
    // Activity is written in batches: wait until storage has every page.
    let storage = app.storage().await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while storage.pages_read(UserId(311)).await.unwrap().len() < pages.len() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "page views were not recorded"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let title = app.pack.quiz("general-basics").unwrap().title.ru.clone();
    open_quiz(&p, &title).await;
    finish_quiz(&app, &p, "general-basics", Answering::Right).await;

    let certificate = storage
        .certificate_for(UserId(311), "general")
        .await
        .unwrap()
        .expect("a certificate");
    let is_certificate = |m: &fake_telegram::MessageView| {
        m.media
            .as_ref()
            .is_some_and(|media| media.kind == MediaKind::Document)
            && m.caption.as_deref().is_some_and(|c| c.starts_with("🎓"))
    };
    let document = app
        .fake
        .messages(311)
        .into_iter()
        .find(is_certificate)
        .expect("the certificate arrives as a document");
    assert!(document.caption.unwrap().contains(&certificate.code));
    let pdf = app
        .fake
        .file_content(&document.media.unwrap().file_id)
        .expect("the PDF bytes");
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_extract::extract_text_from_mem(&pdf).expect("text in the PDF");
    assert!(text.contains("Анна"), "{text}");
    assert!(text.contains(&certificate.code), "{text}");
    let progress = p.sends("/progress").await.text.unwrap();
    assert!(
        progress.contains("Обучение пройдено") && progress.contains(&certificate.code),
        "{progress}"
    );
    // It is issued once.
    p.sends("/progress").await;
    assert_eq!(
        app.fake
            .messages(311)
            .iter()
            .filter(|m| is_certificate(m))
            .count(),
        1,
        "issued once"
    );
    app.assert_clean();
}
