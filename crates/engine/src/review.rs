//! Spaced review: the questions a person got wrong come back after growing
//! intervals, a few at a time, as a review session (an attempt of its own kind).

use domain::learning;
use time::OffsetDateTime;

use crate::engine::Turn;
use crate::error::{Served, unavailable};
use crate::i18n::t;
use crate::inbound::CallbackMessage;
use crate::ports::{Attempt, AttemptKind, AttemptQuestion, NewAttempt, ReviewChange, ReviewItem};

/// Questions in one review session at most.
const REVIEW_SIZE: usize = 10;
/// The quiz id stored for review sessions.
const REVIEW_ID: &str = "review";

impl Turn<'_> {
    /// Starts a spaced-review session of the questions that are due.
    pub(crate) async fn review_start(
        &mut self,
        query_id: String,
        message: Option<CallbackMessage>,
    ) -> Served {
        let storage = self.engine.storage.clone();
        if let Ok(Some(open)) = self.open_attempt().await {
            self.cx
                .answer(query_id, Some(t(self.cx.lang(), "quiz-finish-first")));
            return self.continue_attempt(open, message).await;
        }
        let now = self.cx.now();
        let due: Vec<ReviewItem> = match storage.reviews(self.cx.user.id).await {
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
                let quiz = self.cx.pack().quiz(&item.quiz_id)?;
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
            self.cx
                .answer(query_id, Some(t(self.cx.lang(), "review-nothing")));
            return self.show_quizzes(message).await;
        }
        let new = NewAttempt {
            user: self.cx.user.id,
            kind: AttemptKind::Review,
            quiz_id: REVIEW_ID.to_owned(),
            questions,
            started_at: now,
            deadline: None,
        };
        self.begin(query_id, new, message).await
    }

    /// What an answer does to the spaced-review schedule.
    pub(crate) async fn review_change(
        &self,
        attempt: &Attempt,
        asked: &AttemptQuestion,
        correct: bool,
        now: OffsetDateTime,
    ) -> ReviewChange {
        let stage = match attempt.kind {
            // In a check, a wrong answer (re)starts the schedule; a right one ends it.
            AttemptKind::Quiz => None,
            AttemptKind::Review => self
                .engine
                .storage
                .reviews(self.cx.user.id)
                .await
                .ok()
                .and_then(|items| {
                    items
                        .into_iter()
                        .find(|i| i.quiz_id == asked.quiz_id && i.question_id == asked.question_id)
                        .map(|i| i.stage)
                }),
        };
        match learning::review_after(stage, correct, now) {
            Some((stage, due_at)) => ReviewChange::Schedule { stage, due_at },
            None => ReviewChange::Clear,
        }
    }
}
