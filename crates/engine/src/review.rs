//! Spaced review: the questions a person got wrong come back after growing
//! intervals, a few at a time, as a review session (an attempt of its own kind).

use domain::learning;

use crate::context::Cx;
use crate::error::{Served, unavailable};
use crate::i18n::t;
use crate::inbound::CallbackMessage;
use crate::ports::{AttemptKind, AttemptQuestion, NewAttempt, ReviewItem};
use crate::quiz::{self, QuizPorts};

/// Questions in one review session at most.
const REVIEW_SIZE: usize = 10;
/// The quiz id stored for review sessions.
const REVIEW_ID: &str = "review";

/// Starts a spaced-review session of the questions that are due.
pub(crate) async fn review_start(
    cx: &mut Cx,
    ports: &QuizPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let storage = ports.learning;
    if let Ok(Some(open)) = quiz::open_attempt(cx, ports).await {
        cx.toast(t(cx.lang(), "quiz-finish-first"));
        return quiz::continue_attempt(cx, ports, open, message).await;
    }
    let now = cx.now();
    let due: Vec<ReviewItem> = match storage.reviews(cx.user.id).await {
        Ok(items) => items
            .into_iter()
            .filter(|i| i.due_at <= now)
            .take(REVIEW_SIZE)
            .collect(),
        Err(e) => return Err(unavailable("cannot read reviews", e)),
    };
    let questions: Vec<AttemptQuestion> = due
        .iter()
        .filter_map(|item| {
            let quiz = cx.pack().quiz(&item.quiz_id)?;
            let question = quiz.questions.iter().find(|q| q.id == item.question_id)?;
            let seed = rand::random();
            Some(AttemptQuestion {
                quiz_id: item.quiz_id.clone(),
                question_id: item.question_id.clone(),
                option_order: learning::option_order(question, quiz.shuffle_options, seed),
            })
        })
        .collect();
    if questions.is_empty() {
        cx.toast(t(cx.lang(), "review-nothing"));
        return quiz::show_quizzes(cx, ports, message).await;
    }
    let new = NewAttempt {
        user: cx.user.id,
        kind: AttemptKind::Review,
        quiz_id: REVIEW_ID.to_owned(),
        questions,
        started_at: now,
        deadline: None,
    };
    quiz::begin(cx, ports, new, message).await
}
