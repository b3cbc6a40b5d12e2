//! The engine with real in-memory ports (MemoryState, in-memory SQLite) and the
//! sample content pack: feed `Inbound`s, assert on `Action`s.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use domain::broadcast::{BroadcastState, Delivery, DeliveryCounts};
use domain::callback::Callback;
use domain::content::{ContentPack, MESSAGE_LIMIT, NodeKind};
use domain::ids::{ChatId, NodeId, UserId};
use domain::lang::Lang;
use engine::ports::{
    Activity, ActivityKind, AnswerRecord, Attempt, AttemptResult, AudienceFilter, Broadcast,
    BroadcastStore, Certificate, Learner, LearningStore, NewAttempt, NewBroadcast, ProfileField,
    ReviewItem, StaffProfile, Storage, StorageError, SystemClock, UserProfile, UserRecord,
};
use engine::screens::{Screen, Viewer, render};
use engine::{Action, ActivityRecorder, CallbackMessage, Engine, Inbound, Input};
use state::MemoryState;
use storage::SqlStorage;
use time::OffsetDateTime;

fn pack() -> Arc<ContentPack> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content");
    Arc::new(ContentPack::load(&dir).expect("sample pack"))
}

struct Fixture {
    engine: Engine,
    storage: SqlStorage,
    next_update: std::cell::Cell<i64>,
}

async fn fixture() -> Fixture {
    let storage = storage::testing::fresh_sqlite().await.unwrap();
    let shared: Arc<dyn Storage> = Arc::new(storage.clone());
    let (activity, _writer) = ActivityRecorder::spawn(shared.clone(), 1, Duration::from_millis(10));
    let engine = Engine::new(
        pack(),
        shared,
        Arc::new(MemoryState::new()),
        Arc::new(SystemClock),
        activity,
    );
    Fixture {
        engine,
        storage,
        next_update: std::cell::Cell::new(1),
    }
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

    async fn command(&self, name: &str) -> Vec<Action> {
        self.engine
            .handle(self.inbound(Input::Command {
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
        self.engine.handle(self.inbound(input)).await
    }
}

const TEXT_MESSAGE: Option<CallbackMessage> = Some(CallbackMessage {
    id: 10,
    has_text: true,
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
    assert!(
        f.engine.handle(inbound).await.is_empty(),
        "the duplicate is dropped"
    );
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

/// A storage that is down: the person is told to try later, nothing panics.
struct DownStorage;

#[async_trait]
impl Storage for DownStorage {
    async fn touch_user(
        &self,
        _: &UserProfile,
        _: Lang,
        _: OffsetDateTime,
    ) -> Result<UserRecord, StorageError> {
        Err(down())
    }
    async fn user(&self, _: UserId) -> Result<Option<UserRecord>, StorageError> {
        Err(down())
    }
    async fn set_language(&self, _: UserId, _: Lang) -> Result<(), StorageError> {
        Err(down())
    }
    async fn set_inactive(&self, _: UserId, _: bool) -> Result<(), StorageError> {
        Err(down())
    }
    async fn set_blocked(&self, _: UserId, _: bool) -> Result<(), StorageError> {
        Err(down())
    }
    async fn count_users(&self) -> Result<u64, StorageError> {
        Err(down())
    }
    async fn record_activity(&self, _: &[Activity]) -> Result<(), StorageError> {
        Err(down())
    }
    async fn recent_activity(&self, _: UserId, _: u32) -> Result<Vec<Activity>, StorageError> {
        Err(down())
    }
    async fn media_file_id(&self, _: &str) -> Result<Option<String>, StorageError> {
        Err(down())
    }
    async fn save_media_file_id(&self, _: &str, _: &str) -> Result<(), StorageError> {
        Err(down())
    }
    async fn ping(&self) -> Result<(), StorageError> {
        Err(down())
    }
}

#[async_trait]
impl LearningStore for DownStorage {
    async fn staff_profile(&self, _: UserId) -> Result<StaffProfile, StorageError> {
        Err(down())
    }
    async fn set_profile_field(&self, _: UserId, _: ProfileField) -> Result<(), StorageError> {
        Err(down())
    }
    async fn mark_onboarded(&self, _: UserId) -> Result<(), StorageError> {
        Err(down())
    }
    async fn pages_read(&self, _: UserId) -> Result<Vec<String>, StorageError> {
        Err(down())
    }
    async fn start_attempt(&self, _: &NewAttempt) -> Result<i64, StorageError> {
        Err(down())
    }
    async fn attempt(&self, _: i64) -> Result<Option<Attempt>, StorageError> {
        Err(down())
    }
    async fn open_attempt(&self, _: UserId) -> Result<Option<Attempt>, StorageError> {
        Err(down())
    }
    async fn record_answer(&self, _: i64, _: &AnswerRecord) -> Result<bool, StorageError> {
        Err(down())
    }
    async fn finish_attempt(&self, _: i64, _: &AttemptResult) -> Result<bool, StorageError> {
        Err(down())
    }
    async fn quiz_attempts(&self, _: UserId, _: &str) -> Result<Vec<Attempt>, StorageError> {
        Err(down())
    }
    async fn schedule_review(&self, _: UserId, _: &ReviewItem) -> Result<(), StorageError> {
        Err(down())
    }
    async fn reviews(&self, _: UserId) -> Result<Vec<ReviewItem>, StorageError> {
        Err(down())
    }
    async fn clear_review(&self, _: UserId, _: &str, _: &str) -> Result<(), StorageError> {
        Err(down())
    }
    async fn learners(&self) -> Result<Vec<Learner>, StorageError> {
        Err(down())
    }
    async fn mark_reminded(&self, _: UserId, _: OffsetDateTime) -> Result<(), StorageError> {
        Err(down())
    }
    async fn save_certificate(&self, _: &Certificate) -> Result<(), StorageError> {
        Err(down())
    }
    async fn certificate(&self, _: &str) -> Result<Option<Certificate>, StorageError> {
        Err(down())
    }
    async fn certificate_for(
        &self,
        _: UserId,
        _: &str,
    ) -> Result<Option<Certificate>, StorageError> {
        Err(down())
    }
}

#[async_trait]
impl engine::ports::AdminStore for DownStorage {
    async fn record_audit(&self, _: &engine::ports::AuditEntry) -> Result<(), StorageError> {
        Err(down())
    }
    async fn audit_entries(
        &self,
        _: Option<i64>,
        _: u32,
    ) -> Result<Vec<engine::ports::AuditEntry>, StorageError> {
        Err(down())
    }
    async fn people_stats(
        &self,
        _: OffsetDateTime,
        _: Option<&str>,
    ) -> Result<engine::ports::PeopleStats, StorageError> {
        Err(down())
    }
    async fn people(
        &self,
        _: engine::ports::PersonStatus,
        _: Option<UserId>,
        _: u32,
    ) -> Result<Vec<engine::ports::PersonSummary>, StorageError> {
        Err(down())
    }
    async fn count_people(&self, _: engine::ports::PersonStatus) -> Result<u64, StorageError> {
        Err(down())
    }
}

#[async_trait]
impl engine::ports::LookupStore for DownStorage {
    async fn search_people(
        &self,
        _: &engine::ports::PeopleQuery,
        _: Option<&str>,
        _: u32,
    ) -> Result<Vec<engine::ports::PersonSummary>, StorageError> {
        Err(down())
    }
    async fn top_pages(
        &self,
        _: u32,
        _: Option<&str>,
    ) -> Result<Vec<engine::ports::PageReaders>, StorageError> {
        Err(down())
    }
    async fn filtered_people(
        &self,
        _: &engine::ports::PeopleFilter,
        _: Option<UserId>,
        _: u32,
    ) -> Result<Vec<engine::ports::PersonSummary>, StorageError> {
        Err(down())
    }
    async fn count_filtered_people(
        &self,
        _: &engine::ports::PeopleFilter,
    ) -> Result<u64, StorageError> {
        Err(down())
    }
    async fn quiz_stats(&self, _: Option<&str>) -> Result<engine::ports::QuizStats, StorageError> {
        Err(down())
    }
    async fn page_views_by_slot(
        &self,
        _: &str,
        _: OffsetDateTime,
    ) -> Result<Vec<engine::ports::ViewsAt>, StorageError> {
        Err(down())
    }
    async fn overdue(
        &self,
        _: &[engine::ports::PathDeadline],
        _: Option<&str>,
    ) -> Result<Vec<engine::ports::OverdueLearner>, StorageError> {
        Err(down())
    }
}

#[async_trait]
impl engine::ports::ContentStore for DownStorage {
    async fn add_page_version(
        &self,
        _: &engine::ports::NewPageVersion,
    ) -> Result<i64, StorageError> {
        Err(down())
    }
    async fn current_overrides(&self) -> Result<Vec<domain::content::PageOverride>, StorageError> {
        Err(down())
    }
    async fn page_versions(
        &self,
        _: &str,
        _: Option<i64>,
        _: u32,
    ) -> Result<Vec<engine::ports::PageVersion>, StorageError> {
        Err(down())
    }
    async fn page_version(
        &self,
        _: i64,
    ) -> Result<Option<engine::ports::PageVersion>, StorageError> {
        Err(down())
    }
    async fn record_content_reload(
        &self,
        _: UserId,
        _: OffsetDateTime,
    ) -> Result<i64, StorageError> {
        Err(down())
    }
    async fn content_generation(&self) -> Result<engine::ports::ContentGeneration, StorageError> {
        Err(down())
    }
}

#[async_trait]
impl engine::ports::AccessStore for DownStorage {
    async fn has_access(&self, _: UserId) -> Result<bool, StorageError> {
        Err(down())
    }
    async fn grant_access(
        &self,
        _: UserId,
        _: &str,
        _: OffsetDateTime,
    ) -> Result<(), StorageError> {
        Err(down())
    }
    async fn create_invite(
        &self,
        _: &engine::ports::NewInvite,
    ) -> Result<engine::ports::Invite, StorageError> {
        Err(down())
    }
    async fn active_invites(
        &self,
        _: OffsetDateTime,
        _: u32,
    ) -> Result<Vec<engine::ports::Invite>, StorageError> {
        Err(down())
    }
    async fn revoke_invite(&self, _: i64, _: OffsetDateTime) -> Result<bool, StorageError> {
        Err(down())
    }
    async fn redeem_invite(
        &self,
        _: &str,
        _: UserId,
        _: OffsetDateTime,
    ) -> Result<engine::ports::Redemption, StorageError> {
        Err(down())
    }
    async fn request_access(
        &self,
        _: UserId,
        _: &str,
        _: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        Err(down())
    }
    async fn access_request(
        &self,
        _: UserId,
    ) -> Result<Option<engine::ports::AccessRequest>, StorageError> {
        Err(down())
    }
    async fn pending_requests(
        &self,
        _: u32,
    ) -> Result<Vec<engine::ports::AccessRequest>, StorageError> {
        Err(down())
    }
    async fn count_pending_requests(&self) -> Result<u64, StorageError> {
        Err(down())
    }
    async fn decide_request(
        &self,
        _: UserId,
        _: bool,
        _: UserId,
        _: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        Err(down())
    }
}

fn down() -> StorageError {
    StorageError::Unavailable("connection refused".into())
}

#[tokio::test]
async fn an_unreachable_database_gets_a_try_later_answer() {
    let storage: Arc<dyn Storage> = Arc::new(DownStorage);
    let (activity, _w) = ActivityRecorder::spawn(storage.clone(), 1, Duration::from_millis(10));
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
async fn free_text_is_limited_per_minute() {
    let f = fixture().await;
    let answered = {
        let mut n = 0;
        for i in 0..25 {
            if !f
                .engine
                .handle(f.inbound(Input::Text(format!("hello {i}"))))
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

#[async_trait]
impl BroadcastStore for DownStorage {
    async fn create_broadcast(&self, _: &NewBroadcast) -> Result<i64, StorageError> {
        Err(down())
    }
    async fn broadcast(&self, _: i64) -> Result<Option<Broadcast>, StorageError> {
        Err(down())
    }
    async fn broadcasts(&self, _: Option<i64>, _: u32) -> Result<Vec<Broadcast>, StorageError> {
        Err(down())
    }
    async fn set_broadcast_state(
        &self,
        _: i64,
        _: &[BroadcastState],
        _: BroadcastState,
        _: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        Err(down())
    }
    async fn due_broadcasts(&self, _: OffsetDateTime) -> Result<Vec<Broadcast>, StorageError> {
        Err(down())
    }
    async fn start_broadcast(
        &self,
        _: i64,
        _: &[UserId],
        _: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        Err(down())
    }
    async fn running_broadcasts(&self) -> Result<Vec<Broadcast>, StorageError> {
        Err(down())
    }
    async fn claim_recipients(
        &self,
        _: i64,
        _: u32,
        _: OffsetDateTime,
    ) -> Result<Vec<UserId>, StorageError> {
        Err(down())
    }
    async fn record_delivery(
        &self,
        _: i64,
        _: UserId,
        _: Delivery,
        _: Option<&str>,
        _: OffsetDateTime,
    ) -> Result<(), StorageError> {
        Err(down())
    }
    async fn abandon_in_flight(&self, _: OffsetDateTime) -> Result<u64, StorageError> {
        Err(down())
    }
    async fn finish_if_complete(&self, _: i64, _: OffsetDateTime) -> Result<bool, StorageError> {
        Err(down())
    }
    async fn delivery_counts(&self, _: i64) -> Result<DeliveryCounts, StorageError> {
        Err(down())
    }
    async fn sent_since(&self, _: i64, _: OffsetDateTime) -> Result<u64, StorageError> {
        Err(down())
    }
    async fn audience(&self, _: &AudienceFilter) -> Result<Vec<UserId>, StorageError> {
        Err(down())
    }
    async fn acquire_lease(
        &self,
        _: &str,
        _: &str,
        _: OffsetDateTime,
        _: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        Err(down())
    }
    async fn release_lease(&self, _: &str, _: &str) -> Result<(), StorageError> {
        Err(down())
    }
}

#[async_trait]
impl engine::ports::RoleStore for DownStorage {
    async fn role_of(&self, _: UserId) -> Result<Option<engine::ports::RoleGrant>, StorageError> {
        Err(down())
    }
    async fn grant_role(
        &self,
        _: UserId,
        _: &engine::ports::Role,
        _: UserId,
        _: OffsetDateTime,
    ) -> Result<(), StorageError> {
        Err(down())
    }
    async fn revoke_role(&self, _: UserId) -> Result<bool, StorageError> {
        Err(down())
    }
    async fn set_role_password(&self, _: UserId, _: &str) -> Result<bool, StorageError> {
        Err(down())
    }
    async fn role_holders(&self) -> Result<Vec<engine::ports::RoleGrant>, StorageError> {
        Err(down())
    }
}

#[async_trait]
impl engine::ports::PersonalDataStore for DownStorage {
    async fn pending_deletions(
        &self,
        _: Option<UserId>,
        _: u32,
    ) -> Result<Vec<engine::ports::PersonSummary>, StorageError> {
        Err(down())
    }
    async fn export_people(
        &self,
        _: Option<&str>,
        _: Option<UserId>,
        _: u32,
    ) -> Result<Vec<engine::ports::PersonExport>, StorageError> {
        Err(down())
    }
    async fn export_activity(
        &self,
        _: &engine::ports::ActivityFilter,
        _: Option<i64>,
        _: u32,
    ) -> Result<Vec<engine::ports::ActivityExport>, StorageError> {
        Err(down())
    }
    async fn export_attempts(
        &self,
        _: &engine::ports::AttemptFilter,
        _: Option<i64>,
        _: u32,
    ) -> Result<Vec<engine::ports::AttemptExport>, StorageError> {
        Err(down())
    }
    async fn export_answers(
        &self,
        _: UserId,
        _: Option<(i64, u16)>,
        _: u32,
    ) -> Result<Vec<engine::ports::AnswerExport>, StorageError> {
        Err(down())
    }
    async fn certificates_of(&self, _: UserId) -> Result<Vec<Certificate>, StorageError> {
        Err(down())
    }
    async fn stored_counts(&self, _: UserId) -> Result<engine::ports::StoredCounts, StorageError> {
        Err(down())
    }
    async fn request_deletion(&self, _: UserId, _: OffsetDateTime) -> Result<bool, StorageError> {
        Err(down())
    }
    async fn deletion_requested(&self, _: UserId) -> Result<Option<OffsetDateTime>, StorageError> {
        Err(down())
    }
    async fn erase_person(
        &self,
        _: UserId,
        _: OffsetDateTime,
    ) -> Result<Option<engine::ports::Erasure>, StorageError> {
        Err(down())
    }
}
