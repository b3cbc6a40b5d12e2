//! `Engine::handle` over in-memory ports (SQLite in memory, the memory state
//! store) for the main kinds of update (issue 14, docs/benchmarks.md): a page
//! view, a quiz started and its first question answered, and an admin's page of
//! the people list. `cargo bench -p engine`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use domain::callback::{AdminAction, Callback, ListStatus, Slug};
use domain::content::{ContentPack, NodeKind};
use domain::ids::{NodeId, UserId};
use domain::lang::Lang;
use engine::ports::{ProfileField, SystemClock, UserProfile};
use engine::{Action, ActivityRecorder, Engine, Inbound, Input};

#[path = "../tests/common/mod.rs"]
#[allow(dead_code)]
mod common;
#[path = "../tests/common/password.rs"]
mod password;
use common::{press_input, private_update};
use password::FixedPassword;
use state::MemoryState;

const ADMIN: i64 = 1;
const PASSWORD: &str = "a benchmark's password";
/// The person who reads pages; quiz takers are numbered from here on.
const STAFF: i64 = 1_000;

struct Bench {
    engine: Engine,
    storage: storage::SqlStorage,
    pack: Arc<ContentPack>,
    next_update: Cell<i64>,
}

impl Bench {
    async fn new() -> Bench {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content");
        let pack = Arc::new(ContentPack::load(&dir).expect("the sample pack loads"));
        let storage = storage::testing::fresh_sqlite()
            .await
            .expect("SQLite in memory");
        let shared = storage.ports();
        let (activity, _writer) =
            ActivityRecorder::spawn(shared.people.clone(), 500, Duration::from_secs(2));
        let engine = Engine::new(
            pack.clone(),
            shared,
            Arc::new(MemoryState::new()),
            Arc::new(SystemClock),
            activity,
        )
        .with_admins(vec![ADMIN])
        .with_admin_login(
            Arc::new(FixedPassword(PASSWORD)),
            Duration::from_secs(3_600),
        );
        let bench = Bench {
            engine,
            storage,
            pack,
            next_update: Cell::new(1),
        };
        // The people list has a few hundred people on it.
        for id in STAFF..STAFF + 300 {
            bench.enrol(id).await;
        }
        for text in ["/admin", PASSWORD] {
            bench.text(ADMIN, text).await;
        }
        bench
    }

    /// A person in the bar department of the first park, past onboarding.
    async fn enrol(&self, id: i64) {
        let profile = profile(id);
        self.storage
            .touch_user(&profile, Lang::En, time::OffsetDateTime::now_utc())
            .await
            .expect("stored");
        let park = self.pack.parks()[0].id.clone();
        for field in [
            ProfileField::Park(Some(park)),
            ProfileField::Department(Some("bar".to_owned())),
        ] {
            self.storage
                .set_profile_field(profile.id, field)
                .await
                .expect("stored");
        }
        self.storage
            .mark_onboarded(profile.id)
            .await
            .expect("stored");
    }

    fn inbound(&self, person: i64, input: Input) -> Inbound {
        let update_id = self.next_update.get();
        self.next_update.set(update_id + 1);
        private_update(
            update_id,
            person,
            &format!("Staff {person}"),
            "en",
            Some(update_id),
            input,
        )
    }

    async fn text(&self, person: i64, text: &str) -> Vec<Action> {
        let input = match text.strip_prefix('/') {
            Some(name) => Input::Command {
                name: name.to_owned(),
                args: String::new(),
            },
            None => Input::Text(text.to_owned()),
        };
        self.engine.handle(self.inbound(person, input)).await
    }

    async fn press(&self, person: i64, callback: Callback) -> Vec<Action> {
        let input = press_input(self.next_update.get(), callback, Some(1));
        self.engine.handle(self.inbound(person, input)).await
    }

    /// The bar section's first page.
    fn page(&self) -> NodeId {
        let bar = self
            .pack
            .top_level()
            .iter()
            .copied()
            .find(|id| self.pack.node(*id).is_some_and(|n| n.path == "bar"))
            .expect("a bar section");
        let Some(NodeKind::Section { children }) = self.pack.node(bar).map(|n| &n.kind) else {
            panic!("bar is a section");
        };
        children
            .iter()
            .copied()
            .find(|id| {
                matches!(
                    self.pack.node(*id).map(|n| &n.kind),
                    Some(NodeKind::Page(_))
                )
            })
            .expect("a page in the bar section")
    }

    fn quiz(&self) -> Slug {
        let quiz = self
            .pack
            .quizzes()
            .iter()
            .find(|q| q.section_path == "bar")
            .expect("the bar quiz");
        Slug::parse(&quiz.id).expect("a quiz id is a slug")
    }
}

fn profile(id: i64) -> UserProfile {
    UserProfile {
        id: UserId(id),
        first_name: format!("Staff {id}"),
        last_name: None,
        username: None,
        language_code: Some("en".to_owned()),
    }
}

/// The first answer button of a question screen.
fn first_answer(actions: &[Action]) -> Callback {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send { keyboard, .. } | Action::Edit { keyboard, .. } => keyboard.as_ref(),
            _ => None,
        })
        .flat_map(|k| k.rows.iter().flatten())
        .map(|b| b.callback)
        .find(|c| matches!(c, Callback::Answer { .. } | Callback::Toggle { .. }))
        .expect("a question with answer buttons")
}

fn handle(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let bench = runtime.block_on(Bench::new());
    let page = bench.page();
    let quiz = bench.quiz();

    c.bench_function("handle: page view", |b| {
        b.to_async(&runtime)
            .iter(|| bench.press(STAFF, Callback::Open(page)));
    });
    c.bench_function("handle: admin people list page", |b| {
        b.to_async(&runtime).iter(|| {
            bench.press(
                ADMIN,
                Callback::Admin(AdminAction::People {
                    status: ListStatus::Any,
                    after: None,
                }),
            )
        });
    });
    // Each take is a new person (a quiz has attempt limits); enrolling them is
    // not measured.
    let taker = Cell::new(STAFF + 10_000);
    c.bench_function("handle: quiz start and first answer", |b| {
        b.to_async(&runtime).iter_custom(|iters| {
            let (bench, quiz, taker) = (&bench, quiz, &taker);
            async move {
                let mut measured = Duration::ZERO;
                for _ in 0..iters {
                    let person = taker.get();
                    taker.set(person + 1);
                    bench.enrol(person).await;
                    let started = Instant::now();
                    let question = bench.press(person, Callback::QuizStart(quiz)).await;
                    bench.press(person, first_answer(&question)).await;
                    measured += started.elapsed();
                }
                measured
            }
        });
    });
}

criterion_group!(benches, handle);
criterion_main!(benches);
