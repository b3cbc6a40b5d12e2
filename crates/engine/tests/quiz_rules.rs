//! The learning rules as the engine applies them (in-memory SQLite, MemoryState, a
//! manual clock, the sample pack): an answer is graded and scored, the attempt's
//! result and pass mark come from those scores, a wrong answer enters the review
//! schedule and comes back on the day it is due, and an answer after the time
//! limit is not counted. The rules themselves are tested in domain::learning; these
//! tests fail when the engine stops applying them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use domain::callback::{Callback, Slug};
use domain::content::ContentPack;
use domain::content::quiz::{Question, QuestionKind};
use domain::ids::{NodeId, UserId};
use domain::learning;
use engine::ports::{Attempt, AttemptKind, ManualClock, ProfileField, ReviewItem};
use engine::{Action, ActivityRecorder, Engine};
use state::MemoryState;

mod common;
use common::{press_input, private_update, texts};
use storage::SqlStorage;
use time::OffsetDateTime;

const ID: i64 = 6_100_000_000;
const QUIZ: &str = "general-basics";

struct Fixture {
    engine: Engine,
    /// Another replica: the same database, state store and clock.
    replica: Engine,
    storage: SqlStorage,
    clock: Arc<ManualClock>,
    pack: Arc<ContentPack>,
    next_update: std::cell::Cell<i64>,
}

fn start_time() -> OffsetDateTime {
    time::macros::datetime!(2026-06-01 09:00 UTC)
}

async fn fixture() -> Fixture {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content");
    let pack = Arc::new(ContentPack::load(&dir).unwrap());
    let storage = storage::testing::fresh_sqlite().await.unwrap();
    let shared = storage.ports();
    let (activity, _writer) =
        ActivityRecorder::spawn(shared.people.clone(), 1, Duration::from_millis(10));
    let clock = Arc::new(ManualClock::new(start_time()));
    let state = Arc::new(MemoryState::new());
    let engine = Engine::new(
        pack.clone(),
        shared.clone(),
        state.clone(),
        clock.clone(),
        activity.clone(),
    );
    let replica = Engine::new(pack.clone(), shared, state, clock.clone(), activity);
    Fixture {
        engine,
        replica,
        storage,
        clock,
        pack,
        next_update: std::cell::Cell::new(1),
    }
}

/// How a question is answered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answering {
    Right,
    Wrong,
}

impl Fixture {
    async fn press(&self, callback: Callback) -> Vec<Action> {
        self.press_on(&self.engine, callback).await
    }

    async fn press_on(&self, engine: &Engine, callback: Callback) -> Vec<Action> {
        let id = self.next_update.get();
        self.next_update.set(id + 1);
        let input = press_input(id, callback, None);
        let inbound = private_update(id, ID, "Вера", "ru", None, input);
        engine.handle(inbound).await
    }

    async fn open_attempt(&self) -> Attempt {
        self.storage
            .open_attempt(UserId(ID))
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

    fn question(&self, attempt: &Attempt, position: usize) -> &Question {
        let asked = &attempt.questions[position];
        self.pack
            .quiz(&asked.quiz_id)
            .unwrap()
            .questions
            .iter()
            .find(|q| q.id == asked.question_id)
            .unwrap()
    }

    /// Presses the buttons that answer the question at `position` right or wrong
    /// (through the attempt's own option order, as a person would).
    async fn answer(&self, attempt: &Attempt, position: usize, how: Answering) -> Vec<Action> {
        self.answer_on(&self.engine, attempt, position, how).await
    }

    async fn answer_on(
        &self,
        engine: &Engine,
        attempt: &Attempt,
        position: usize,
        how: Answering,
    ) -> Vec<Action> {
        let question = self.question(attempt, position);
        let order = &attempt.questions[position].option_order;
        let shown_at = |option: usize| {
            order
                .iter()
                .position(|&o| usize::from(o) == option)
                .unwrap() as u8
        };
        let picks: Vec<u8> = match how {
            Answering::Right => question
                .options
                .iter()
                .enumerate()
                .filter(|(_, o)| o.correct)
                .map(|(i, _)| shown_at(i))
                .collect(),
            Answering::Wrong => {
                let wrong = question.options.iter().position(|o| !o.correct).unwrap();
                vec![shown_at(wrong)]
            }
        };
        let position = u16::try_from(position).unwrap();
        let callback = match question.kind {
            QuestionKind::Single => Callback::Answer {
                attempt: attempt.id,
                position,
                shown: picks[0],
            },
            QuestionKind::Multiple => Callback::Submit {
                attempt: attempt.id,
                position,
                mask: picks.iter().fold(0, |m, p| m | (1 << p)),
            },
        };
        self.press_on(engine, callback).await
    }

    /// Answers the questions from `from` on (`how` for each), pressing "next"
    /// after each, which finishes the attempt after the last one.
    async fn answer_rest(&self, attempt: &Attempt, from: usize, how: impl Fn(usize) -> Answering) {
        for position in from..attempt.questions.len() {
            self.answer(attempt, position, how(position)).await;
            self.press(Callback::Next {
                attempt: attempt.id,
                position: u16::try_from(position + 1).unwrap(),
            })
            .await;
        }
    }
}

fn slug(s: &str) -> Slug {
    Slug::parse(s).unwrap()
}

#[tokio::test]
async fn an_answer_given_on_another_replica_is_seen_by_this_ones_copy_of_the_attempt() {
    let f = fixture().await;
    f.press(Callback::QuizStart(slug(QUIZ))).await;
    let attempt = f.open_attempt().await;
    // This replica keeps the attempt it started; the first answer reaches another.
    let screen = f.answer_on(&f.replica, &attempt, 0, Answering::Right).await;
    assert!(texts(&screen).contains("Верно"), "{}", texts(&screen));
    // "Next" comes back here: the second question, not a stale menu.
    let next = f
        .press(Callback::Next {
            attempt: attempt.id,
            position: 1,
        })
        .await;
    assert!(texts(&next).contains("Вопрос 2 из"), "{}", texts(&next));
    // And the second answer here counts, after the first.
    let screen = f.answer(&attempt, 1, Answering::Wrong).await;
    assert!(texts(&screen).contains("Неверно"), "{}", texts(&screen));
    let recorded = f.attempt(attempt.id).await.answers;
    assert_eq!(
        recorded.iter().map(|a| a.position).collect::<Vec<_>>(),
        [0, 1]
    );
    // A double tap of the first answer, on either replica, changes nothing.
    for engine in [&f.engine, &f.replica] {
        let again = f.answer_on(engine, &attempt, 0, Answering::Wrong).await;
        assert!(texts(&again).contains("уже"), "{}", texts(&again));
    }
    assert_eq!(f.attempt(attempt.id).await.answers.len(), 2);
}

#[tokio::test]
async fn answers_are_graded_and_scored_and_the_result_uses_the_pass_mark() {
    let f = fixture().await;
    f.press(Callback::QuizStart(slug(QUIZ))).await;
    let attempt = f.open_attempt().await;
    assert_eq!(attempt.kind, AttemptKind::Quiz);
    let quiz = f.pack.quiz(QUIZ).unwrap();
    assert_eq!(attempt.deadline, learning::deadline_for(quiz, start_time()));

    // Right on the first question (its points), wrong on the second (none).
    let screen = f.answer(&attempt, 0, Answering::Right).await;
    assert!(texts(&screen).contains("Верно"), "{}", texts(&screen));
    let screen = f.answer(&attempt, 1, Answering::Wrong).await;
    assert!(texts(&screen).contains("Неверно"), "{}", texts(&screen));
    let recorded = f.attempt(attempt.id).await.answers;
    let first = f.question(&attempt, 0);
    let second = f.question(&attempt, 1);
    assert!(first.points > 0 && second.points > 0);
    assert_eq!(
        recorded
            .iter()
            .map(|a| (a.correct, a.points))
            .collect::<Vec<_>>(),
        vec![(true, first.points), (false, 0)]
    );

    // The rest wrong too: one right answer is far below the pass mark.
    f.press(Callback::Next {
        attempt: attempt.id,
        position: 2,
    })
    .await;
    f.answer_rest(&attempt, 2, |_| Answering::Wrong).await;
    let result = f.attempt(attempt.id).await.result.expect("finished");
    let max = learning::max_points(quiz);
    assert_eq!((result.score, result.max_score), (first.points, max));
    assert!(
        !result.passed,
        "{}/{max} is below the pass mark",
        first.points
    );
    assert_eq!(result.finished_at, start_time());
}

#[tokio::test]
async fn wrong_answers_down_to_the_pass_mark_still_pass() {
    let f = fixture().await;
    f.press(Callback::QuizStart(slug(QUIZ))).await;
    let attempt = f.open_attempt().await;
    let quiz = f.pack.quiz(QUIZ).unwrap();
    let max = learning::max_points(quiz);
    // As many one-point questions wrong as the pass mark allows (2 of the sample
    // quiz's 12 points: 83%), right on all the others.
    let allowed_to_miss = (0..max)
        .take_while(|m| learning::percent(max - m, max) >= u32::from(quiz.pass_percent))
        .last()
        .unwrap();
    assert!(allowed_to_miss > 0, "the sample quiz allows a miss");
    let mut missed = 0;
    let mut plan = Vec::new();
    for position in 0..attempt.questions.len() {
        let q = f.question(&attempt, position);
        if q.points == 1 && missed < allowed_to_miss {
            missed += 1;
            plan.push(Answering::Wrong);
        } else {
            plan.push(Answering::Right);
        }
    }
    assert_eq!(missed, allowed_to_miss);
    f.answer_rest(&attempt, 0, |p| plan[p]).await;
    let result = f.attempt(attempt.id).await.result.expect("finished");
    assert_eq!((result.score, result.max_score), (max - missed, max));
    assert!(
        result.passed,
        "{}/{max} reaches the pass mark",
        result.score
    );
}

#[tokio::test]
async fn a_wrong_answer_comes_back_when_due_and_leaves_when_answered_right() {
    let f = fixture().await;
    f.press(Callback::QuizStart(slug(QUIZ))).await;
    let attempt = f.open_attempt().await;
    // The first question wrong, the rest right: one question in review.
    f.answer_rest(&attempt, 0, |p| {
        if p == 0 {
            Answering::Wrong
        } else {
            Answering::Right
        }
    })
    .await;
    let asked = attempt.questions[0].clone();
    let reviews = f.storage.reviews(UserId(ID)).await.unwrap();
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    assert_eq!(
        (
            reviews[0].quiz_id.as_str(),
            reviews[0].question_id.as_str(),
            reviews[0].stage
        ),
        (asked.quiz_id.as_str(), asked.question_id.as_str(), 0)
    );
    let due = start_time() + time::Duration::days(1);
    assert_eq!(reviews[0].due_at, due);

    // A second before it is due there is nothing to review.
    f.clock.set(due - time::Duration::seconds(1));
    let refused = f.press(Callback::Review).await;
    assert!(
        f.storage.open_attempt(UserId(ID)).await.unwrap().is_none(),
        "no review before it is due: {}",
        texts(&refused)
    );

    // Due: a review of that one question; wrong again moves it to stage 1, 3 days.
    f.clock.set(due);
    f.press(Callback::Review).await;
    let review = f.open_attempt().await;
    assert_eq!(review.kind, AttemptKind::Review);
    assert_eq!(
        review
            .questions
            .iter()
            .map(|q| (q.quiz_id.as_str(), q.question_id.as_str()))
            .collect::<Vec<_>>(),
        vec![(asked.quiz_id.as_str(), asked.question_id.as_str())]
    );
    f.answer_rest(&review, 0, |_| Answering::Wrong).await;
    let result = f.attempt(review.id).await.result.expect("finished");
    assert!(!result.passed, "a review with a wrong answer is not passed");
    let reviews = f.storage.reviews(UserId(ID)).await.unwrap();
    assert_eq!(
        reviews
            .iter()
            .map(|r| (r.stage, r.due_at))
            .collect::<Vec<_>>(),
        vec![(1, due + time::Duration::days(3))]
    );

    // Answered right in the next review: out of the schedule, and the review passed.
    f.clock.set(due + time::Duration::days(3));
    f.press(Callback::Review).await;
    let review = f.open_attempt().await;
    f.answer_rest(&review, 0, |_| Answering::Right).await;
    let result = f.attempt(review.id).await.result.expect("finished");
    assert!(result.passed, "every review question right");
    assert!(f.storage.reviews(UserId(ID)).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_answer_after_the_time_limit_is_not_counted() {
    let f = fixture().await;
    f.press(Callback::QuizStart(slug(QUIZ))).await;
    let attempt = f.open_attempt().await;
    let deadline = attempt.deadline.expect("the sample quiz has a time limit");

    // At the deadline itself an answer still counts.
    f.clock.set(deadline);
    f.answer(&attempt, 0, Answering::Right).await;
    assert_eq!(f.attempt(attempt.id).await.answers.len(), 1);
    f.press(Callback::Next {
        attempt: attempt.id,
        position: 1,
    })
    .await;

    // A second later it does not: the attempt ends with what it had.
    f.clock.set(deadline + time::Duration::seconds(1));
    let screen = f.answer(&attempt, 1, Answering::Right).await;
    let finished = f.attempt(attempt.id).await;
    assert_eq!(finished.answers.len(), 1, "{}", texts(&screen));
    let result = finished.result.expect("finished at the time-up");
    assert_eq!(result.score, f.question(&attempt, 0).points);
    assert!(!result.passed);
}

#[tokio::test]
async fn each_reviewed_question_moves_on_from_its_own_stage() {
    let f = fixture().await;
    f.press(Callback::Quizzes).await;
    // Two questions of one quiz in review, at different stages, both due, and
    // an older item of the same quiz whose question the pack no longer has.
    let quiz = f.pack.quiz(QUIZ).unwrap();
    let (first, second) = (&quiz.questions[0], &quiz.questions[1]);
    let retired = "a-retired-question".to_owned();
    let hour_ago = start_time() - time::Duration::hours(1);
    for (question, stage, due_at) in [
        (&retired, 2, hour_ago),
        (&first.id, 1, start_time()),
        (&second.id, 0, start_time()),
    ] {
        let item = ReviewItem {
            quiz_id: QUIZ.into(),
            question_id: question.clone(),
            stage,
            due_at,
        };
        f.storage.schedule_review(UserId(ID), &item).await.unwrap();
    }
    f.press(Callback::Review).await;
    let review = f.open_attempt().await;
    assert_eq!(review.questions.len(), 2);
    f.answer_rest(&review, 0, |_| Answering::Wrong).await;
    let mut stages: Vec<(String, u8, OffsetDateTime)> = f
        .storage
        .reviews(UserId(ID))
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.question_id, r.stage, r.due_at))
        .collect();
    stages.sort();
    let mut expected = vec![
        (retired, 2, hour_ago),
        (first.id.clone(), 2, start_time() + time::Duration::days(7)),
        (second.id.clone(), 1, start_time() + time::Duration::days(3)),
    ];
    expected.sort();
    assert_eq!(
        stages, expected,
        "wrong again: each one stage on from its own"
    );
}

#[tokio::test]
async fn passing_the_last_required_quiz_completes_the_path_and_failing_does_not() {
    let f = fixture().await;
    f.press(Callback::Home).await;
    let department = f.pack.department("general").unwrap().clone();
    assert_eq!(department.required_quizzes, [QUIZ]);
    for field in [
        ProfileField::Department(Some(department.id.clone())),
        ProfileField::Park(Some(f.pack.parks()[0].id.clone())),
    ] {
        f.storage
            .set_profile_field(UserId(ID), field)
            .await
            .unwrap();
    }
    f.storage.mark_onboarded(UserId(ID)).await.unwrap();
    // As every writer of people does, so that no replica keeps its copy.
    f.engine.people().changed(UserId(ID)).await;
    // Every required page read: the activity recorder writes them in batches.
    let pages: Vec<NodeId> = f
        .pack
        .nodes()
        .filter(|n| {
            department
                .required_sections
                .iter()
                .any(|s| f.pack.pages_under(*s).contains(&n.path.as_str()))
        })
        .map(|n| n.id)
        .collect();
    assert!(!pages.is_empty());
    for page in &pages {
        f.press(Callback::Open(*page)).await;
    }
    for _ in 0..500 {
        if f.storage.pages_read(UserId(ID)).await.unwrap().len() == pages.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        f.storage.pages_read(UserId(ID)).await.unwrap().len(),
        pages.len()
    );
    let certificate = || async {
        f.storage
            .certificate_for(UserId(ID), &department.id)
            .await
            .unwrap()
    };

    f.press(Callback::QuizStart(slug(QUIZ))).await;
    let failed = f.open_attempt().await;
    f.answer_rest(&failed, 0, |_| Answering::Wrong).await;
    assert!(!f.attempt(failed.id).await.result.unwrap().passed);
    assert_eq!(
        certificate().await,
        None,
        "a failed check completes nothing"
    );

    let cooldown = f.pack.quiz(QUIZ).unwrap().cooldown_hours.unwrap_or(0);
    f.clock.advance(time::Duration::hours(i64::from(cooldown)));
    f.press(Callback::QuizStart(slug(QUIZ))).await;
    let passed = f.open_attempt().await;
    assert_ne!(passed.id, failed.id);
    f.answer_rest(&passed, 0, |_| Answering::Right).await;
    assert!(f.attempt(passed.id).await.result.unwrap().passed);
    let issued = certificate().await.expect("the pass completes the path");
    assert_eq!(issued.quizzes, [(QUIZ.to_owned(), 100)]);
    assert_eq!(issued.full_name, "Вера");
}
