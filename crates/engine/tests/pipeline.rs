//! The engine with real in-memory ports (MemoryState, in-memory SQLite) and the
//! sample content pack: feed `Inbound`s, assert on `Action`s.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use domain::callback::{Callback, Slug};
use domain::content::quiz::{Question, QuestionKind};
use domain::content::{ContentPack, MESSAGE_LIMIT, NodeKind};
use domain::ids::{ChatId, NodeId, UserId};
use domain::lang::Lang;
use engine::ports::{
    Activity, ActivityKind, Attempt, AttemptQuestion, StateStore, SystemClock, UserProfile,
};
use engine::screens::{Screen, Viewer, render};
use engine::{
    Action, ActivityRecorder, Arrival, CallbackMessage, Engine, Inbound, Input, Keyboard, Marked,
};
use state::MemoryState;
use storage::SqlStorage;

fn pack() -> Arc<ContentPack> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content");
    Arc::new(ContentPack::load(&dir).expect("sample pack"))
}

struct Fixture {
    engine: Engine,
    storage: SqlStorage,
    state: Arc<MemoryState>,
    next_update: std::cell::Cell<i64>,
}

async fn fixture() -> Fixture {
    let storage = storage::testing::fresh_sqlite().await.unwrap();
    let state = Arc::new(MemoryState::new());
    Fixture {
        engine: engine_on(&storage, state.clone()),
        storage,
        state,
        next_update: std::cell::Cell::new(1),
    }
}

/// An engine on `storage` and `state`: the fixture's, another replica of it
/// (the same state store) or it restarted (a new one).
fn engine_on(storage: &SqlStorage, state: Arc<MemoryState>) -> Engine {
    let shared = storage.ports();
    let (activity, _writer) =
        ActivityRecorder::spawn(shared.people.clone(), 1, Duration::from_millis(10));
    Engine::new(pack(), shared, state, Arc::new(SystemClock), activity)
}

const ID: i64 = 6_000_000_000;

fn profile(lang: &str) -> UserProfile {
    UserProfile {
        id: UserId(ID),
        first_name: "Вера".into(),
        last_name: None,
        username: Some("vera".into()),
        language_code: Some(lang.into()),
    }
}

impl Fixture {
    fn inbound(&self, input: Input) -> Inbound {
        let id = self.next_update.get();
        self.next_update.set(id + 1);
        Inbound {
            update_id: id,
            chat: ChatId(ID),
            private_chat: true,
            from: Some(profile("ru")),
            message_id: None,
            input,
        }
    }

    /// What the transport does with an update: arrival (flood limits), then, if
    /// admitted, the pipeline.
    async fn deliver(&self, inbound: Inbound) -> Vec<Action> {
        match self.engine.arrive(&inbound).await {
            Arrival::Admit => self.engine.handle(inbound).await,
            Arrival::Drop(actions) => actions,
        }
    }

    async fn command(&self, name: &str) -> Vec<Action> {
        self.deliver(self.inbound(Input::Command {
            name: name.into(),
            args: String::new(),
        }))
        .await
    }

    async fn press(&self, data: &str, message: Option<CallbackMessage>) -> Vec<Action> {
        let input = Input::Callback {
            query_id: format!("q{}", self.next_update.get()),
            data: Some(data.into()),
            message,
        };
        self.deliver(self.inbound(input)).await
    }
}

const TEXT_MESSAGE: Option<CallbackMessage> = Some(CallbackMessage {
    id: 10,
    has_text: true,
    edited: None,
});

fn first_section(pack: &ContentPack) -> NodeId {
    pack.top_level()[0]
}

#[tokio::test]
async fn a_first_start_greets_by_name_asks_the_park_and_creates_the_person() {
    let f = fixture().await;
    let actions = f.command("start").await;
    let [
        Action::Send {
            text,
            keyboard: Some(kb),
            ..
        },
    ] = actions.as_slice()
    else {
        panic!("{actions:?}")
    };
    assert!(text.as_str().starts_with("Здравствуйте, Вера!"), "{text}");
    assert!(
        text.as_str().contains("В каком парке вы работаете?"),
        "{text}"
    );
    assert_eq!(
        kb.rows.len(),
        f.engine.content().parks().len() + 1,
        "a row per park and Skip"
    );
    let user = f.storage.user(UserId(ID)).await.unwrap().unwrap();
    assert_eq!(user.language, Lang::Ru);
    assert_eq!(user.username.as_deref(), Some("vera"));
}

#[tokio::test]
async fn a_repeated_update_is_handled_once() {
    let f = fixture().await;
    let inbound = f.inbound(Input::Command {
        name: "menu".into(),
        args: String::new(),
    });
    assert_eq!(f.engine.handle(inbound.clone()).await.len(), 1);
    f.engine
        .finish_update(inbound.update_id, Marked::BeforeMessage)
        .await;
    assert!(
        f.engine.handle(inbound).await.is_empty(),
        "the duplicate is dropped"
    );
}

#[tokio::test]
async fn with_claims_in_the_database_only_an_answer_with_a_message_is_marked() {
    let mut f = fixture().await;
    let claims = f.storage.claims();
    f.engine = f.engine.with_update_claims(claims);
    let menu = f.inbound(Input::Command {
        name: "menu".into(),
        args: String::new(),
    });
    assert_eq!(f.engine.handle(menu.clone()).await.len(), 1);
    // An answer without a new message: not marked, so a delivery after a crash
    // is handled again (its repeat goes unseen).
    f.engine
        .finish_update(menu.update_id, Marked::AfterAll)
        .await;
    assert_eq!(f.engine.handle(menu.clone()).await.len(), 1);
    // Before a new message: marked, so it is never sent twice.
    f.engine
        .finish_update(menu.update_id, Marked::BeforeMessage)
        .await;
    assert!(f.engine.handle(menu).await.is_empty());
}

#[tokio::test]
async fn with_claims_in_the_database_a_restart_skips_what_was_marked_and_writes_no_new_claim() {
    let mut f = fixture().await;
    let claims = f.storage.claims();
    f.engine = f.engine.with_update_claims(claims.clone());
    let menu = f.inbound(Input::Command {
        name: "menu".into(),
        args: String::new(),
    });
    assert_eq!(f.engine.handle(menu.clone()).await.len(), 1);
    f.engine
        .finish_update(menu.update_id, Marked::BeforeMessage)
        .await;
    // The process restarts: its state store is new, the database is not.
    let restarted =
        engine_on(&f.storage, Arc::new(MemoryState::new())).with_update_claims(claims.clone());
    assert!(
        restarted.handle(menu.clone()).await.is_empty(),
        "marked before the restart, it is a duplicate after it"
    );
    // A newer update cannot have been handled before the restart: it is claimed
    // in memory, and an answer without a new message writes no claim at all.
    let press = f.inbound(Input::Callback {
        query_id: "q".into(),
        data: Some(Callback::Home.encode()),
        message: TEXT_MESSAGE,
    });
    assert!(!restarted.handle(press.clone()).await.is_empty());
    restarted
        .finish_update(press.update_id, Marked::AfterAll)
        .await;
    assert_eq!(claims.last_claimed().await.unwrap(), Some(menu.update_id));
}

#[tokio::test]
async fn with_claims_in_the_database_updates_handled_out_of_order_are_new_and_claim_nothing() {
    let mut f = fixture().await;
    let claims = f.storage.claims();
    f.engine = f.engine.with_update_claims(claims.clone());
    let menu = || Input::Command {
        name: "menu".into(),
        args: String::new(),
    };
    let (older, newer) = (f.inbound(menu()), f.inbound(menu()));
    // Other chats' updates are handled side by side: the newer one first.
    for update in [newer, older.clone()] {
        let id = update.update_id;
        assert_eq!(f.engine.handle(update).await.len(), 1);
        f.engine.finish_update(id, Marked::AfterAll).await;
    }
    assert_eq!(claims.last_claimed().await.unwrap(), None);
    // The older one delivered again is a repeat: claimed, so marked from now on.
    assert_eq!(f.engine.handle(older.clone()).await.len(), 1);
    assert_eq!(claims.last_claimed().await.unwrap(), Some(older.update_id));
}

#[tokio::test]
async fn a_change_to_a_person_on_one_replica_reaches_the_copy_of_another() {
    let f = fixture().await;
    f.command("start").await;
    f.command("menu").await;
    // Another replica blocks her (the same database and state store).
    let other = engine_on(&f.storage, f.state.clone());
    f.storage.set_blocked(UserId(ID), true).await.unwrap();
    other.people().changed(UserId(ID)).await;
    let actions = f.command("menu").await;
    let [Action::Send { text, .. }] = actions.as_slice() else {
        panic!("{actions:?}")
    };
    assert!(text.as_str().contains("Доступ к боту закрыт"), "{text}");
}

#[tokio::test]
async fn a_known_persons_last_seen_is_written_off_the_update_path() {
    let f = fixture().await;
    f.command("start").await;
    let first = f.storage.user(UserId(ID)).await.unwrap().unwrap().last_seen;
    tokio::time::sleep(Duration::from_millis(5)).await;
    f.command("menu").await;
    let mut seen = first;
    for _ in 0..500 {
        seen = f.storage.user(UserId(ID)).await.unwrap().unwrap().last_seen;
        if seen > first {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(seen > first, "last seen {seen} not moved on from {first}");
}

#[tokio::test]
async fn an_update_whose_attempt_never_finished_is_handled_again() {
    let f = fixture().await;
    let inbound = f.inbound(Input::Command {
        name: "menu".into(),
        args: String::new(),
    });
    // Handled, but its answer never sent: the process died before finishing it.
    assert_eq!(f.engine.handle(inbound.clone()).await.len(), 1);
    assert_eq!(
        f.engine.handle(inbound.clone()).await.len(),
        1,
        "delivered again, it is answered rather than dropped"
    );
    f.engine
        .finish_update(inbound.update_id, Marked::BeforeMessage)
        .await;
    assert!(f.engine.handle(inbound).await.is_empty());
}

#[tokio::test]
async fn a_press_answers_first_then_edits_in_place() {
    let f = fixture().await;
    f.command("start").await;
    let section = first_section(&f.engine.content());
    let actions = f
        .press(&Callback::Open(section).encode(), TEXT_MESSAGE)
        .await;
    match actions.as_slice() {
        [
            Action::AnswerCallback { text: None, .. },
            Action::Edit {
                message_id: 10,
                keyboard: Some(_),
                ..
            },
        ] => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_media_page_replaces_the_menu_with_the_media_then_the_page() {
    let f = fixture().await;
    let pack = f.engine.content();
    let page = pack
        .nodes()
        .find(|n| matches!(&n.kind, NodeKind::Page(p) if p.media.is_some()))
        .expect("the pack has media pages");
    let actions = f
        .press(&Callback::Open(page.id).encode(), TEXT_MESSAGE)
        .await;
    match actions.as_slice() {
        [
            Action::AnswerCallback { .. },
            Action::Delete { message_id: 10, .. },
            Action::SendMedia { caption, .. },
            Action::Send {
                keyboard: Some(_), ..
            },
        ] => assert!(caption.as_str().contains(page.title.ru.as_str())),
        other => panic!("{other:?}"),
    }
    // Pressing Back on a media message (it has no text) sends a new screen.
    let media_message = Some(CallbackMessage {
        id: 11,
        has_text: false,
        edited: None,
    });
    let actions = f.press(&Callback::Home.encode(), media_message).await;
    assert!(
        matches!(
            actions.as_slice(),
            [
                Action::AnswerCallback { .. },
                Action::Delete { message_id: 11, .. },
                Action::Send { .. }
            ]
        ),
        "{actions:?}"
    );
}

#[tokio::test]
async fn stale_or_forged_data_gets_a_calm_answer_and_the_main_menu() {
    let f = fixture().await;
    let section = first_section(&f.engine.content());
    for data in [
        "nonsense",
        "1oZZZZZZZZ",
        &Callback::SectionPage {
            node: section,
            page: 999,
        }
        .encode(),
        "",
    ] {
        let actions = f.press(data, TEXT_MESSAGE).await;
        let [
            Action::AnswerCallback {
                text: Some(toast), ..
            },
            Action::Edit { text, .. },
        ] = actions.as_slice()
        else {
            panic!("{data:?}: {actions:?}")
        };
        assert!(toast.contains("устарело"), "{toast}");
        assert!(text.as_str().contains("Главное меню"));
    }
    let no_data = Input::Callback {
        query_id: "x".into(),
        data: None,
        message: None,
    };
    let actions = f.engine.handle(f.inbound(no_data)).await;
    assert!(
        matches!(
            actions.as_slice(),
            [
                Action::AnswerCallback { text: Some(_), .. },
                Action::Send { .. }
            ]
        ),
        "{actions:?}"
    );
}

#[tokio::test]
async fn switching_language_is_stored_and_shown_at_once() {
    let f = fixture().await;
    f.command("start").await;
    let actions = f
        .press(&Callback::Language(Lang::En).encode(), TEXT_MESSAGE)
        .await;
    let [
        Action::AnswerCallback {
            text: Some(toast), ..
        },
        Action::Edit { text, .. },
    ] = actions.as_slice()
    else {
        panic!("{actions:?}")
    };
    assert_eq!(toast, "Language: English");
    assert!(text.as_str().contains("Main menu"));
    assert_eq!(
        f.storage.user(UserId(ID)).await.unwrap().unwrap().language,
        Lang::En
    );
}

#[tokio::test]
async fn a_blocked_person_gets_one_clear_message_and_nothing_else() {
    let f = fixture().await;
    f.command("start").await;
    f.storage.set_blocked(UserId(ID), true).await.unwrap();
    // As every writer of people does, so that no replica keeps its copy.
    f.engine.people().changed(UserId(ID)).await;
    let actions = f.command("menu").await;
    let [
        Action::Send {
            text,
            keyboard: None,
            ..
        },
    ] = actions.as_slice()
    else {
        panic!("{actions:?}")
    };
    assert!(text.as_str().contains("Доступ к боту закрыт"));
    let actions = f.press(&Callback::Home.encode(), TEXT_MESSAGE).await;
    assert!(
        matches!(
            actions.as_slice(),
            [Action::AnswerCallback { text: Some(_), .. }]
        ),
        "{actions:?}"
    );
}

#[tokio::test]
async fn groups_and_unsupported_updates_get_no_answer() {
    let f = fixture().await;
    let mut group = f.inbound(Input::Command {
        name: "start".into(),
        args: String::new(),
    });
    group.private_chat = false;
    assert!(f.engine.handle(group).await.is_empty());
    assert!(
        f.engine
            .handle(f.inbound(Input::Unsupported))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn free_text_brings_the_person_back_where_they_were() {
    let f = fixture().await;
    let section = first_section(&f.engine.content());
    f.press(&Callback::Open(section).encode(), TEXT_MESSAGE)
        .await;
    let actions = f
        .engine
        .handle(f.inbound(Input::Text("где я?".into())))
        .await;
    let [Action::Send { text, .. }] = actions.as_slice() else {
        panic!("{actions:?}")
    };
    let section_title = f.engine.content().node(section).unwrap().title.ru.clone();
    assert!(
        text.as_str().starts_with("Я понимаю кнопки и команды"),
        "{text}"
    );
    assert!(text.as_str().contains(section_title.as_str()), "{text}");
}

#[tokio::test]
async fn page_views_are_recorded_off_the_update_path() {
    let f = fixture().await;
    let pack = f.engine.content();
    let page = pack
        .nodes()
        .find(|n| matches!(n.kind, NodeKind::Page(ref p) if p.media.is_none()))
        .unwrap();
    f.press(&Callback::Open(page.id).encode(), TEXT_MESSAGE)
        .await;
    let mut recorded = Vec::new();
    for _ in 0..200 {
        recorded = f.storage.recent_activity(UserId(ID), 10).await.unwrap();
        if !recorded.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let [
        Activity {
            kind: ActivityKind::PageView,
            subject: Some(path),
            ..
        },
    ] = recorded.as_slice()
    else {
        panic!("{recorded:?}")
    };
    assert_eq!(path, &page.path);
}

/// Every screen of the sample pack, in both languages, fits Telegram's limits.
#[test]
fn every_screen_fits_telegrams_limits() {
    let pack = pack();
    let mut screens = vec![Screen::Home, Screen::Languages];
    for node in pack.nodes() {
        match &node.kind {
            NodeKind::Section { children } => {
                for page in 0..ContentPack::section_pages(children.len()) {
                    screens.push(Screen::Section {
                        node: node.id,
                        page: page as u16,
                    });
                }
            }
            NodeKind::Page(p) => {
                for part in 0..p.parts.ru.len().max(p.parts.en.len()) {
                    screens.push(Screen::Page {
                        node: node.id,
                        part: part as u16,
                    });
                }
            }
        }
    }
    let mut rendered = 0;
    for lang in Lang::ALL {
        for screen in &screens {
            let Some(r) = render(&pack, *screen, &Viewer::anonymous(lang)) else {
                continue;
            };
            rendered += 1;
            assert!(
                r.text.text_len() <= MESSAGE_LIMIT,
                "{screen:?} {lang}: {} chars",
                r.text.text_len()
            );
            assert!(r.keyboard.buttons().count() <= 100);
            assert!(
                r.keyboard
                    .rows
                    .iter()
                    .all(|row| !row.is_empty() && row.len() <= 8)
            );
            for b in r.keyboard.buttons() {
                assert!(b.callback.encode().len() <= 64);
                assert!(!b.text.trim().is_empty());
            }
        }
    }
    assert!(rendered > 2 * pack.page_count());
}

#[tokio::test]
async fn an_outage_that_begins_and_ends_mid_conversation_stops_only_what_needs_the_database() {
    let f = fixture().await;
    let section = first_section(&f.engine.content());
    let open = Callback::Open(section).encode();
    let unavailable = engine::i18n::t(Lang::Ru, "unavailable");
    let told_unavailable = |actions: &[Action]| {
        actions.iter().any(
            |a| matches!(a, Action::Send { text, keyboard: None, .. } if text.as_str() == unavailable),
        )
    };
    let page_shown = |actions: &[Action]| {
        matches!(
            actions,
            [
                Action::AnswerCallback { text: None, .. },
                Action::Edit { .. }
            ]
        )
    };
    assert!(page_shown(&f.press(&open, TEXT_MESSAGE).await));

    f.storage.set_outage(true);
    // A page view needs no database: the person's copy and the screen are in
    // memory, and the visit is recorded in the next batch.
    let during = f.press(&open, TEXT_MESSAGE).await;
    assert!(page_shown(&during), "{during:?}");
    // So does the list of checks, whose results are in the person's copy.
    let quizzes = Callback::Quizzes.encode();
    let list = f.press(&quizzes, TEXT_MESSAGE).await;
    assert!(matches!(list.last(), Some(Action::Edit { .. })), "{list:?}");
    // Starting a check writes an attempt: "temporarily unavailable", once.
    let start = Callback::QuizStart(Slug::parse("general-basics").unwrap()).encode();
    let refused = f.press(&start, TEXT_MESSAGE).await;
    assert!(told_unavailable(&refused), "{refused:?}");
    let sent = |actions: &[Action]| {
        actions
            .iter()
            .filter(|a| matches!(a, Action::Send { .. }))
            .count()
    };
    assert_eq!(sent(&refused), 1, "{refused:?}");

    f.storage.set_outage(false);
    let started = f.press(&start, TEXT_MESSAGE).await;
    assert!(!told_unavailable(&started), "{started:?}");
    assert!(
        started.iter().any(|a| matches!(
            a,
            Action::Send {
                keyboard: Some(_),
                ..
            } | Action::Edit {
                keyboard: Some(_),
                ..
            }
        )),
        "the first question: {started:?}"
    );
}

#[tokio::test]
async fn an_unreachable_database_gets_a_try_later_answer() {
    let storage = storage::testing::unreachable().await.unwrap().ports();
    let (activity, _w) =
        ActivityRecorder::spawn(storage.people.clone(), 1, Duration::from_millis(10));
    let engine = Engine::new(
        pack(),
        storage,
        Arc::new(MemoryState::new()),
        Arc::new(SystemClock),
        activity,
    );
    let inbound = |id, input| Inbound {
        update_id: id,
        chat: ChatId(ID),
        private_chat: true,
        from: Some(profile("en")),
        message_id: None,
        input,
    };
    let actions = engine.handle(inbound(1, Input::Text("hi".into()))).await;
    let [Action::Send { text, .. }] = actions.as_slice() else {
        panic!("{actions:?}")
    };
    assert!(text.as_str().contains("temporarily unavailable"), "{text}");
    let press = Input::Callback {
        query_id: "q".into(),
        data: Some("1h".into()),
        message: TEXT_MESSAGE,
    };
    let actions = engine.handle(inbound(2, press)).await;
    assert!(
        matches!(
            actions.as_slice(),
            [Action::AnswerCallback { text: Some(_), .. }]
        ),
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_flood_from_one_account_is_dropped_quietly() {
    let f = fixture().await;
    let section = first_section(&f.engine.content());
    let mut edits = 0;
    let mut quiet = 0;
    for _ in 0..40 {
        let actions = f
            .press(&Callback::Open(section).encode(), TEXT_MESSAGE)
            .await;
        match actions.as_slice() {
            [
                Action::AnswerCallback { text: None, .. },
                Action::Edit { .. },
            ] => edits += 1,
            [Action::AnswerCallback { text: None, .. }] => quiet += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        (edits, quiet),
        (30, 10),
        "30 in 10 s pass, the rest only stop the spinner"
    );
}

#[tokio::test]
async fn a_poller_counts_flood_limits_itself_and_leaves_the_shared_store_alone() {
    let mut f = fixture().await;
    let counts = Arc::new(MemoryState::new());
    f.engine = engine_on(&f.storage, f.state.clone()).with_arrival_counts(counts.clone());
    let section = first_section(&f.engine.content());
    let mut quiet = 0;
    for _ in 0..40 {
        let actions = f
            .press(&Callback::Open(section).encode(), TEXT_MESSAGE)
            .await;
        if let [Action::AnswerCallback { text: None, .. }] = actions.as_slice() {
            quiet += 1;
        }
    }
    assert_eq!(quiet, 10, "the same limit: 30 in 10 s pass");
    let key = format!("flood:{ID}");
    assert_eq!(counts.get(&key).await.unwrap().as_deref(), Some("40"));
    assert_eq!(
        f.state.get(&key).await.unwrap(),
        None,
        "no round trip for it"
    );
}

#[tokio::test]
async fn flood_limits_count_updates_as_they_arrive_not_as_they_are_handled() {
    let f = fixture().await;
    let section = first_section(&f.engine.content());
    // 40 presses arrive before any is handled (as when they queue behind a slow
    // chat): the limit is counted on arrival, so the burst is cut there.
    let mut admitted = Vec::new();
    let mut dropped = 0;
    for _ in 0..40 {
        let input = Input::Callback {
            query_id: format!("q{}", f.next_update.get()),
            data: Some(Callback::Open(section).encode()),
            message: TEXT_MESSAGE,
        };
        let inbound = f.inbound(input);
        match f.engine.arrive(&inbound).await {
            Arrival::Admit => admitted.push(inbound),
            Arrival::Drop(actions) => {
                assert!(
                    matches!(
                        actions.as_slice(),
                        [Action::AnswerCallback { text: None, .. }]
                    ),
                    "a dropped press only stops its spinner: {actions:?}"
                );
                dropped += 1;
            }
        }
    }
    assert_eq!((admitted.len(), dropped), (30, 10));
    // The admitted ones are handled in full later; nothing counts them again.
    for inbound in admitted {
        let actions = f.engine.handle(inbound).await;
        assert!(
            matches!(
                actions.first(),
                Some(Action::AnswerCallback { text: None, .. })
            ),
            "{actions:?}"
        );
    }
    // Over the limit, a text costs nothing at all.
    let text = f.inbound(Input::Text("hello".into()));
    assert_eq!(f.engine.arrive(&text).await, Arrival::Drop(Vec::new()));
}

#[tokio::test]
async fn updates_that_need_no_answer_are_dropped_on_arrival_without_counting() {
    let f = fixture().await;
    let mut group = f.inbound(Input::Text("hi all".into()));
    group.private_chat = false;
    let unsupported = f.inbound(Input::Unsupported);
    for _ in 0..40 {
        assert_eq!(f.engine.arrive(&group).await, Arrival::Drop(Vec::new()));
        assert_eq!(
            f.engine.arrive(&unsupported).await,
            Arrival::Drop(Vec::new())
        );
    }
    assert_eq!(
        f.command("menu").await.len(),
        1,
        "the person is not limited"
    );
}

#[tokio::test]
async fn free_text_is_limited_per_minute() {
    let f = fixture().await;
    let answered = {
        let mut n = 0;
        for i in 0..25 {
            if !f
                .deliver(f.inbound(Input::Text(format!("hello {i}"))))
                .await
                .is_empty()
            {
                n += 1;
            }
        }
        n
    };
    assert_eq!(answered, 20);
}

// --- Knowledge checks: answer data names what was shown, not the file ----------

const OTHER: i64 = 6_000_000_001;

impl Fixture {
    /// A press by someone else, in their own private chat.
    async fn press_as(&self, who: i64, data: &str) -> Vec<Action> {
        let mut inbound = self.inbound(Input::Callback {
            query_id: format!("q{who}-{}", self.next_update.get()),
            data: Some(data.into()),
            message: TEXT_MESSAGE,
        });
        inbound.chat = ChatId(who);
        inbound.from = Some(UserProfile {
            id: UserId(who),
            first_name: "Олег".into(),
            username: None,
            ..profile("ru")
        });
        self.engine.handle(inbound).await
    }

    async fn open_attempt(&self, who: i64) -> Attempt {
        self.storage
            .open_attempt(UserId(who))
            .await
            .unwrap()
            .expect("an open attempt")
    }

    async fn attempt(&self, id: i64) -> Attempt {
        self.storage
            .attempt(id)
            .await
            .unwrap()
            .expect("the attempt")
    }

    fn question(&self, asked: &AttemptQuestion) -> Question {
        let pack = self.engine.content();
        let quiz = pack.quiz(&asked.quiz_id).expect("the quiz");
        let found = quiz.questions.iter().find(|q| q.id == asked.question_id);
        found.expect("the question").clone()
    }
}

const BAR_CHECK: &str = "bar-basics";

/// A check takes dozens of presses, more than flood control lets through in 10 s.
async fn quiz_fixture() -> Fixture {
    let mut f = fixture().await;
    f.engine = f.engine.with_limits(engine::Limits {
        updates_per_10s: 1000,
        ..engine::Limits::default()
    });
    f
}

fn start_bar_check() -> String {
    Callback::QuizStart(Slug::parse(BAR_CHECK).unwrap()).encode()
}

/// The keyboard of the last screen among `actions`.
fn keyboard(actions: &[Action]) -> Keyboard {
    actions
        .iter()
        .rev()
        .find_map(|a| match a {
            Action::Send {
                keyboard: Some(k), ..
            }
            | Action::Edit {
                keyboard: Some(k), ..
            } => Some(k.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no keyboard in {actions:?}"))
}

fn toast(actions: &[Action]) -> Option<&str> {
    actions.iter().find_map(|a| match a {
        Action::AnswerCallback { text, .. } => text.as_deref(),
        _ => None,
    })
}

/// The buttons of a question screen that answer or tick options.
fn option_buttons(actions: &[Action]) -> Vec<Callback> {
    keyboard(actions)
        .buttons()
        .map(|b| b.callback)
        .filter(|c| {
            matches!(
                c,
                Callback::Answer { .. } | Callback::Toggle { .. } | Callback::Submit { .. }
            )
        })
        .collect()
}

fn correct_options(q: &Question) -> Vec<usize> {
    (0..q.options.len())
        .filter(|&i| q.options[i].correct)
        .collect()
}

/// Answers the question on `screen` by pressing the buttons labelled with its file
/// options `picks`, as a person reading the screen would; returns the feedback.
async fn press_options(
    f: &Fixture,
    screen: &[Action],
    asked: &AttemptQuestion,
    picks: &[usize],
) -> Vec<Action> {
    let q = f.question(asked);
    let shown_at = |pick: usize| {
        let at = asked
            .option_order
            .iter()
            .position(|&o| usize::from(o) == pick);
        u8::try_from(at.expect("every option is shown")).unwrap()
    };
    let mut kb = keyboard(screen);
    match q.kind {
        QuestionKind::Single => {
            let label = &q.options[picks[0]].text.ru;
            let button = kb.buttons().find(|b| &b.text == label).expect("the option");
            let Callback::Answer { shown, .. } = button.callback else {
                panic!("{button:?}")
            };
            assert_eq!(shown, shown_at(picks[0]), "the data names the place shown");
            f.press(&button.callback.encode(), TEXT_MESSAGE).await
        }
        QuestionKind::Multiple => {
            for &pick in picks {
                let label = format!("⬜ {}", q.options[pick].text.ru);
                let button = kb.buttons().find(|b| b.text == label).expect("the option");
                let tick = button.callback.encode();
                kb = keyboard(&f.press(&tick, TEXT_MESSAGE).await);
            }
            let submit = kb
                .buttons()
                .find(|b| matches!(b.callback, Callback::Submit { .. }))
                .expect("the submit button");
            let Callback::Submit { mask, .. } = submit.callback else {
                panic!("{submit:?}")
            };
            let shown_mask = picks.iter().fold(0u8, |m, &p| m | 1 << shown_at(p));
            assert_eq!(mask, shown_mask, "the mask is over places shown");
            f.press(&submit.callback.encode(), TEXT_MESSAGE).await
        }
    }
}

/// Answers the open check of the fixture's person from `screen` to its result,
/// pressing the options `pick` chooses; returns the finished attempt.
async fn run_quiz(
    f: &Fixture,
    mut screen: Vec<Action>,
    pick: fn(&Question) -> Vec<usize>,
) -> Attempt {
    loop {
        let attempt = f.open_attempt(ID).await;
        let at = attempt.answers.len();
        let asked = attempt.questions[at].clone();
        let picks = pick(&f.question(&asked));
        let feedback = press_options(f, &screen, &asked, &picks).await;
        let stored = f.attempt(attempt.id).await;
        assert_eq!(stored.answers.len(), at + 1, "{feedback:?}");
        let mut chosen: Vec<usize> = stored.answers[at]
            .chosen
            .iter()
            .map(|&c| c.into())
            .collect();
        chosen.sort_unstable();
        assert_eq!(chosen, picks, "the options pressed are the ones recorded");
        let next = keyboard(&feedback)
            .buttons()
            .find(|b| matches!(b.callback, Callback::Next { .. }))
            .expect("the next button")
            .callback;
        screen = f.press(&next.encode(), TEXT_MESSAGE).await;
        if at + 1 == attempt.questions.len() {
            return f.attempt(attempt.id).await;
        }
    }
}

#[tokio::test]
async fn a_quiz_answered_by_the_buttons_shown_passes() {
    let f = quiz_fixture().await;
    let first = f.press(&start_bar_check(), TEXT_MESSAGE).await;
    let done = run_quiz(&f, first, correct_options).await;
    let result = done.result.expect("finished");
    assert!(
        result.passed && result.score == result.max_score,
        "{result:?}"
    );
}

#[tokio::test]
async fn quiz_answers_naming_the_first_file_option_everywhere_do_not_pass() {
    let f = quiz_fixture().await;
    let first = f.press(&start_bar_check(), TEXT_MESSAGE).await;
    let attempt = f.open_attempt(ID).await;
    // The old data named options by their index in the file: out of date, whatever
    // index it names, and nothing is recorded.
    for option in 0..6 {
        for data in [
            format!("1a{}.0.{option}", attempt.id),
            format!("1u{}.0.{}", attempt.id, 1 << option),
        ] {
            let actions = f.press(&data, TEXT_MESSAGE).await;
            assert!(
                toast(&actions).is_some_and(|t| t.contains("устарело")),
                "{actions:?}"
            );
        }
    }
    assert!(f.open_attempt(ID).await.answers.is_empty());
    // Pressing the button that shows the file's first option, every time.
    let done = run_quiz(&f, first, |_| vec![0]).await;
    let result = done.result.expect("finished");
    assert!(!result.passed, "{result:?}");
}

#[tokio::test]
async fn quiz_answer_data_replayed_from_another_person_or_attempt_does_not_score() {
    let f = quiz_fixture().await;
    let mine = f.press(&start_bar_check(), TEXT_MESSAGE).await;
    let theirs = f.press_as(OTHER, &start_bar_check()).await;
    let their_attempt = f.open_attempt(OTHER).await;
    // Another person's buttons, pressed by Vera: out of date, nobody's answer counts.
    for cb in option_buttons(&theirs) {
        let actions = f.press(&cb.encode(), TEXT_MESSAGE).await;
        assert!(
            toast(&actions).is_some_and(|t| t.contains("устарело")),
            "{actions:?}"
        );
    }
    assert!(f.attempt(their_attempt.id).await.answers.is_empty());
    assert!(f.open_attempt(ID).await.answers.is_empty());

    // Vera's own finished attempt: its buttons mean nothing in her next one.
    let earlier = run_quiz(&f, mine.clone(), correct_options).await;
    assert!(earlier.result.as_ref().is_some_and(|r| r.passed));
    f.press(&start_bar_check(), TEXT_MESSAGE).await;
    let next = f.open_attempt(ID).await;
    assert_ne!(next.id, earlier.id);
    for cb in option_buttons(&mine) {
        let actions = f.press(&cb.encode(), TEXT_MESSAGE).await;
        assert!(
            toast(&actions).is_some_and(|t| t.contains("устарело")),
            "{actions:?}"
        );
    }
    assert!(f.attempt(next.id).await.answers.is_empty());
    assert_eq!(
        f.attempt(earlier.id).await,
        earlier,
        "the finished one is unchanged"
    );
    assert!(f.attempt(their_attempt.id).await.answers.is_empty());
}

// --- Onboarding -------------------------------------------------------------

/// The one message of `actions` and its keyboard's buttons' texts.
fn sent(actions: &[Action]) -> (String, Vec<String>) {
    let [Action::Send { text, keyboard, .. }] = actions else {
        panic!("{actions:?}")
    };
    let buttons = keyboard
        .iter()
        .flat_map(|k| k.buttons().map(|b| b.text.clone()))
        .collect();
    (text.as_str().to_owned(), buttons)
}

async fn typed(f: &Fixture, text: &str) -> Vec<Action> {
    f.engine.handle(f.inbound(Input::Text(text.into()))).await
}

#[tokio::test]
async fn onboarding_text_typed_at_a_question_gets_a_hint_and_the_same_question() {
    let f = fixture().await;
    let pack = f.engine.content();
    let park = &pack.parks()[0];
    let department = &pack.departments()[0];
    let (_, park_buttons) = sent(&f.command("start").await);

    let (text, buttons) = sent(&typed(&f, &park.name.ru).await);
    assert!(text.starts_with("Я понимаю кнопки и команды"), "{text}");
    assert!(text.contains("В каком парке вы работаете?"), "{text}");
    assert!(!text.contains("Главное меню"), "{text}");
    assert_eq!(buttons, park_buttons, "the same question");

    let next = f
        .press(
            &Callback::Park(Slug::parse(&park.id)).encode(),
            TEXT_MESSAGE,
        )
        .await;
    let [_, Action::Edit { text, .. }] = next.as_slice() else {
        panic!("{next:?}")
    };
    assert!(text.as_str().contains("В каком отделе"), "{text}");
    let (text, _) = sent(&typed(&f, "бар").await);
    assert!(
        text.starts_with("Я понимаю кнопки и команды") && text.contains("В каком отделе"),
        "{text}"
    );
    let photo = Input::Media {
        file: None,
        caption: None,
    };
    let (text, _) = sent(&f.engine.handle(f.inbound(photo)).await);
    assert!(
        text.starts_with("Файлы и фото я не обрабатываю") && text.contains("В каком отделе"),
        "{text}"
    );

    let slug = Slug::parse(&department.id);
    f.press(&Callback::Department(slug).encode(), TEXT_MESSAGE)
        .await;
    let (done, _) = sent(&typed(&f, "бармен").await);
    assert!(done.starts_with("Спасибо! Профиль заполнен"), "{done}");
    let staff = f.storage.staff_profile(UserId(ID)).await.unwrap();
    assert_eq!(staff.park.as_deref(), Some(park.id.as_str()));
    assert_eq!(staff.department.as_deref(), Some(department.id.as_str()));
    assert_eq!(staff.position.as_deref(), Some("бармен"));
    assert!(staff.onboarded);
}

#[tokio::test]
async fn a_position_with_bidi_overrides_and_zero_width_characters_is_stored_clean() {
    let f = fixture().await;
    f.command("start").await;
    f.press(&Callback::Park(None).encode(), TEXT_MESSAGE).await;
    f.press(&Callback::Department(None).encode(), TEXT_MESSAGE)
        .await;
    let (done, _) = sent(&typed(&f, "\u{202E}бар\u{200B}мен \u{2066}старший\u{2069}").await);
    assert!(done.starts_with("Спасибо! Профиль заполнен"), "{done}");
    let staff = f.storage.staff_profile(UserId(ID)).await.unwrap();
    assert_eq!(staff.position.as_deref(), Some("бармен старший"));

    // The same from /profile; only invisible characters is no position at all.
    f.command("profile").await;
    let edit = Callback::EditProfile(domain::callback::ProfileFieldKind::Position);
    f.press(&edit.encode(), TEXT_MESSAGE).await;
    let (refused, _) = sent(&typed(&f, "\u{200B}\u{202E}").await);
    assert!(refused.contains("Напишите вашу должность"), "{refused}");
    let (saved, _) = sent(&typed(&f, "кассир\u{202E}\u{200B}").await);
    assert!(
        saved.starts_with("Сохранено.") && saved.contains("кассир"),
        "{saved}"
    );
    let staff = f.storage.staff_profile(UserId(ID)).await.unwrap();
    assert_eq!(staff.position.as_deref(), Some("кассир"));
}
