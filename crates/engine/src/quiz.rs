//! Knowledge checks, one question a screen (spaced review sessions, in `review`,
//! are attempts too and run through the same code).
//!
//! An attempt lives in storage, not in memory: a person who leaves in the middle
//! resumes where they stopped, after a restart or on another replica. Buttons carry
//! the attempt id, the question's position and the option's place on the screen
//! (never its index in the quiz file): the attempt's stored option order maps it back,
//! so the data holds no secret. A press counts only if it comes from the attempt's
//! owner, for an unfinished attempt's question being asked, once (the storage refuses
//! a second answer for a position), so double taps, stale buttons and data replayed
//! from another person's or another attempt's messages never count.

use domain::callback::{Callback, Slug};
use domain::content::quiz::Quiz;
use domain::html::Html;
use domain::learning::{self, PastAttempt, StartRefusal};
use time::OffsetDateTime;

use crate::action::{Button, Keyboard};
use crate::context::Cx;
use crate::error::{EngineError, OrUnavailable, Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::navigation::{self, NavPorts};
use crate::people::People;
use crate::ports::{
    AnswerRecord, Attempt, AttemptKind, AttemptQuestion, AttemptResult, LearningStore, NewAttempt,
    ReviewChange, StorageError,
};
use crate::progress::{self, ProgressPorts};
use crate::quiz_screens::{self, question};
use crate::screens::Rendered;

/// What the checks and reviews reach beyond the update's context.
pub(crate) struct QuizPorts<'a> {
    /// Attempts, answers, the review schedule.
    pub(crate) learning: &'a dyn LearningStore,
    /// The copies of people kept between updates (their open attempt, due reviews).
    pub(crate) cache: &'a People,
    /// For the answer to an out-of-date button.
    pub(crate) nav: NavPorts<'a>,
    /// For the certificate a finished path earns.
    pub(crate) progress: ProgressPorts<'a>,
}

/// The list of knowledge checks: the person's required ones first.
pub(crate) async fn show_quizzes(
    cx: &mut Cx,
    ports: &QuizPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let required: Vec<String> = cx
        .staff
        .department
        .as_deref()
        .and_then(|d| cx.pack().department(d))
        .map(|d| d.required_quizzes.clone())
        .unwrap_or_default();
    let mut quizzes: Vec<&Quiz> = cx.pack().quizzes().iter().collect();
    quizzes.sort_by_key(|q| (!required.contains(&q.id), q.section_path.clone()));
    let passed = progress::passed_quizzes(cx, ports.learning).await;
    let mut rows = Vec::new();
    for quiz in quizzes {
        let mark = match (passed.contains(&quiz.id), required.contains(&quiz.id)) {
            (true, _) => "✅",
            (false, true) => "⭐",
            (false, false) => "📝",
        };
        if let Some(slug) = Slug::parse(&quiz.id) {
            rows.push(vec![Button::new(
                format!("{mark} {}", quiz.title.get(lang)),
                Callback::QuizStart(slug),
            )]);
        }
    }
    let mut text = Html::bold(&html(lang, "quizzes-title"));
    text.push_text("\n");
    text.push(&html(lang, "quizzes-hint"));
    let due = progress::reviews_due(cx, ports.learning, ports.cache).await;
    let mut keyboard = Keyboard { rows };
    if due > 0 {
        keyboard = keyboard.row(vec![Button::new(
            t_args(lang, "btn-review", &[("n", due.into())]),
            Callback::Review,
        )]);
    }
    keyboard = keyboard.row(vec![
        Button::new(t(lang, "btn-progress"), Callback::Progress),
        Button::new(t(lang, "btn-home"), Callback::Home),
    ]);
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

pub(crate) async fn quiz_start(
    cx: &mut Cx,
    ports: &QuizPorts<'_>,
    quiz_id: &str,
    message: Option<CallbackMessage>,
) -> Served {
    let Some(quiz) = cx.pack().quiz(quiz_id).cloned() else {
        return navigation::stale(cx, &ports.nav, message).await;
    };
    let storage = ports.learning;
    match open_attempt(cx, ports).await {
        Ok(Some(open)) => {
            if open.quiz_id != quiz.id {
                cx.toast(t(cx.lang(), "quiz-finish-first"));
            }
            return continue_attempt(cx, ports, open, message).await;
        }
        Ok(None) => {}
        Err(e) => return Err(unavailable("cannot read attempts", e)),
    }
    let past = storage
        .quiz_attempts(cx.user.id, &quiz.id)
        .await
        .or_unavailable("cannot read attempts")?;
    let past: Vec<PastAttempt> = past
        .iter()
        .map(|a| PastAttempt {
            started_at: a.started_at,
            finished_at: a.result.as_ref().map(|r| r.finished_at),
            passed: a.result.as_ref().map(|r| r.passed),
        })
        .collect();
    let now = cx.now();
    if let Err(refusal) = learning::may_start(&quiz, &past, now) {
        let text = match refusal {
            StartRefusal::AttemptsUsed { max } => {
                t_args(cx.lang(), "quiz-attempts-used", &[("max", max.into())])
            }
            StartRefusal::Cooldown { until } => {
                let when = learning::local_date_time(until, cx.timezone());
                t_args(cx.lang(), "quiz-cooldown", &[("when", when.into())])
            }
        };
        let keyboard = Keyboard::default().row(vec![
            Button::new(t(cx.lang(), "btn-quizzes"), Callback::Quizzes),
            Button::new(t(cx.lang(), "btn-home"), Callback::Home),
        ]);
        cx.show_rendered(
            message,
            Rendered {
                text: Html::escape(&text),
                keyboard,
            },
        );
        return Ok(());
    }
    let plan = learning::plan_attempt(&quiz, rand::random());
    let new = NewAttempt {
        user: cx.user.id,
        kind: AttemptKind::Quiz,
        quiz_id: quiz.id.clone(),
        questions: plan
            .into_iter()
            .map(|p| AttemptQuestion {
                quiz_id: quiz.id.clone(),
                question_id: p.question_id,
                option_order: p.option_order,
            })
            .collect(),
        started_at: now,
        deadline: learning::deadline_for(&quiz, now),
    };
    begin(cx, ports, new, message).await
}

/// The person's open attempt: from their copy in [`crate::people::People`]
/// when it knows, else from the database (and then the copy knows).
pub(crate) async fn open_attempt(
    cx: &Cx,
    ports: &QuizPorts<'_>,
) -> Result<Option<Attempt>, StorageError> {
    let people = ports.cache;
    if let Some(known) = people.open_attempt(cx.user.id) {
        return Ok(known);
    }
    let open = ports.learning.open_attempt(cx.user.id).await?;
    people.learnt_attempt(cx.user.id, open.clone());
    Ok(open)
}

pub(crate) async fn begin(
    cx: &mut Cx,
    ports: &QuizPorts<'_>,
    new: NewAttempt,
    message: Option<CallbackMessage>,
) -> Served {
    match ports.learning.start_attempt(&new).await {
        Ok(id) => {
            let attempt = Attempt {
                id,
                user: new.user,
                kind: new.kind,
                quiz_id: new.quiz_id,
                questions: new.questions,
                answers: Vec::new(),
                started_at: new.started_at,
                deadline: new.deadline,
                result: None,
            };
            ports
                .cache
                .attempt_changed(cx.user.id, Some(attempt.clone()), false)
                .await;
            show_question(cx, &attempt, 0, message);
        }
        Err(e) => return Err(unavailable("cannot start an attempt", e)),
    }
    Ok(())
}

/// Shows where an attempt stands: the next question, or the result.
pub(crate) async fn continue_attempt(
    cx: &mut Cx,
    ports: &QuizPorts<'_>,
    attempt: Attempt,
    message: Option<CallbackMessage>,
) -> Served {
    let position = attempt.answers.len();
    if attempt.result.is_some() || position >= attempt.questions.len() || out_of_time(cx, &attempt)
    {
        return finish(cx, ports, attempt, message).await;
    }
    if !show_question(cx, &attempt, position, message) {
        finish(cx, ports, attempt, message).await?;
    }
    Ok(())
}

fn out_of_time(cx: &Cx, attempt: &Attempt) -> bool {
    attempt.deadline.is_some_and(|d| cx.now() > d)
}

/// Shows a question afresh: its image first when it has one (a photo cannot be
/// edited into text, so the old screen goes and both arrive as new messages).
/// `false` if the question no longer exists in the pack.
fn show_question(
    cx: &mut Cx,
    attempt: &Attempt,
    position: usize,
    message: Option<CallbackMessage>,
) -> bool {
    let Some(screen) = quiz_screens::question_screen(cx, attempt, position, 0) else {
        return false;
    };
    let image = attempt
        .questions
        .get(position)
        .and_then(|asked| question(cx, &asked.quiz_id, &asked.question_id))
        .and_then(|q| q.image.clone());
    match image {
        Some(media) => {
            if let Some(m) = message {
                cx.actions.push(crate::Action::Delete {
                    chat: cx.chat,
                    message_id: m.id,
                });
            }
            let caption = Html::bold(&Html::escape(&t_args(
                cx.lang(),
                "quiz-progress",
                &[
                    ("n", (position + 1).into()),
                    ("total", attempt.questions.len().into()),
                ],
            )));
            cx.actions.push(crate::Action::SendMedia {
                chat: cx.chat,
                media,
                caption,
            });
            cx.send_rendered(None, screen);
        }
        None => cx.show_rendered(message, screen),
    }
    true
}

/// Loads an attempt for a press: it must exist and belong to the presser (data
/// copied from someone else's message is out of date, whatever it names).
async fn attempt_for_press(
    cx: &mut Cx,
    ports: &QuizPorts<'_>,
    attempt: i64,
    message: Option<CallbackMessage>,
) -> Result<Option<Attempt>, EngineError> {
    let kept = ports
        .cache
        .open_attempt(cx.user.id)
        .flatten()
        .filter(|open| open.id == attempt);
    let read = match kept {
        Some(open) => Ok(Some(open)),
        None => ports.learning.attempt(attempt).await,
    };
    match read {
        Ok(Some(a)) if a.user == cx.user.id => Ok(Some(a)),
        Ok(_) => {
            navigation::stale(cx, &ports.nav, message).await?;
            Ok(None)
        }
        Err(e) => {
            cx.toast(t(cx.lang(), "unavailable"));
            tracing::error!(error = %e, "cannot read an attempt");
            Ok(None)
        }
    }
}

/// Loads an unfinished attempt for an answer or a tick: a finished one's buttons
/// (the presser's earlier attempt) are out of date.
async fn open_attempt_for_press(
    cx: &mut Cx,
    ports: &QuizPorts<'_>,
    attempt: i64,
    message: Option<CallbackMessage>,
) -> Result<Option<Attempt>, EngineError> {
    let Some(attempt) = attempt_for_press(cx, ports, attempt, message).await? else {
        return Ok(None);
    };
    if attempt.result.is_some() {
        navigation::stale(cx, &ports.nav, message).await?;
        return Ok(None);
    }
    Ok(Some(attempt))
}

/// A press for a question that is not the one being asked: say so, show where
/// the attempt stands.
async fn not_current(
    cx: &mut Cx,
    ports: &QuizPorts<'_>,
    attempt: Attempt,
    message: Option<CallbackMessage>,
) -> Served {
    metrics::counter!("trainbot_quiz_repeated_presses_total").increment(1);
    cx.toast(t(cx.lang(), "quiz-already-answered"));
    continue_attempt(cx, ports, attempt, message).await
}

pub(crate) async fn quiz_toggle(
    cx: &mut Cx,
    ports: &QuizPorts<'_>,
    attempt: i64,
    position: u16,
    mask: u8,
    message: Option<CallbackMessage>,
) -> Served {
    let Some(attempt) = open_attempt_for_press(cx, ports, attempt, message).await? else {
        return Ok(());
    };
    if usize::from(position) != attempt.answers.len() {
        return not_current(cx, ports, attempt, message).await;
    }
    if let Some(screen) = quiz_screens::question_screen(cx, &attempt, usize::from(position), mask) {
        cx.show_rendered(message, screen);
    }
    Ok(())
}

pub(crate) async fn quiz_answer(
    cx: &mut Cx,
    ports: &QuizPorts<'_>,
    attempt: i64,
    position: u16,
    mask: Option<u8>,
    message: Option<CallbackMessage>,
) -> Served {
    let Some(mask) = mask else {
        return navigation::stale(cx, &ports.nav, message).await;
    };
    let Some(attempt) = open_attempt_for_press(cx, ports, attempt, message).await? else {
        return Ok(());
    };
    let at = usize::from(position);
    if at != attempt.answers.len() {
        return not_current(cx, ports, attempt, message).await;
    }
    if out_of_time(cx, &attempt) {
        cx.toast(t(cx.lang(), "quiz-time-up"));
        return finish(cx, ports, attempt, message).await;
    }
    let Some(asked) = attempt.questions.get(at).cloned() else {
        return navigation::stale(cx, &ports.nav, message).await;
    };
    let Some(question) = question(cx, &asked.quiz_id, &asked.question_id).cloned() else {
        return navigation::stale(cx, &ports.nav, message).await;
    };
    let Some(chosen) = learning::chosen_options(&asked.option_order, mask) else {
        return navigation::stale(cx, &ports.nav, message).await;
    };
    if chosen.is_empty() {
        cx.toast(t(cx.lang(), "quiz-choose-one"));
        return Ok(());
    }
    let grade = learning::grade(&question, &chosen);
    let now = cx.now();
    let shown_at = attempt
        .answers
        .last()
        .map_or(attempt.started_at, |a| a.answered_at);
    let record = AnswerRecord {
        position,
        quiz_id: asked.quiz_id.clone(),
        question_id: asked.question_id.clone(),
        chosen,
        correct: grade.correct,
        points: grade.points,
        answered_at: now,
        time_taken_ms: i64::try_from((now - shown_at).whole_milliseconds())
            .unwrap_or(i64::MAX)
            .max(0),
    };
    let review = review_change(cx, ports, &attempt, &asked, grade.correct, now).await;
    match ports
        .learning
        .record_answer(attempt.id, &record, review)
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            ports.cache.forget_attempt(cx.user.id);
            return not_current(cx, ports, attempt, message).await;
        }
        Err(e) => {
            ports.cache.forget_attempt(cx.user.id);
            cx.toast(t(cx.lang(), "unavailable"));
            tracing::error!(error = %e, "cannot record an answer");
            return Ok(());
        }
    }
    let mut attempt = attempt;
    attempt.answers.push(record);
    ports
        .cache
        .attempt_changed(cx.user.id, Some(attempt.clone()), true)
        .await;
    let screen = quiz_screens::feedback_screen(cx, &attempt, at, &question, grade.correct);
    cx.show_rendered(message, screen);
    Ok(())
}

pub(crate) async fn quiz_next(
    cx: &mut Cx,
    ports: &QuizPorts<'_>,
    attempt: i64,
    position: u16,
    message: Option<CallbackMessage>,
) -> Served {
    let Some(attempt) = attempt_for_press(cx, ports, attempt, message).await? else {
        return Ok(());
    };
    if usize::from(position) > attempt.answers.len() {
        return navigation::stale(cx, &ports.nav, message).await;
    }
    continue_attempt(cx, ports, attempt, message).await
}

/// Finishes an attempt (if it is not already) and shows its result.
async fn finish(
    cx: &mut Cx,
    ports: &QuizPorts<'_>,
    attempt: Attempt,
    message: Option<CallbackMessage>,
) -> Served {
    let result = match attempt.result.clone() {
        Some(result) => result,
        None => {
            let score: u32 = attempt.answers.iter().map(|a| a.points).sum();
            let max: u32 = attempt
                .questions
                .iter()
                .filter_map(|q| question(cx, &q.quiz_id, &q.question_id))
                .map(|q| q.points)
                .sum();
            let passed = match (attempt.kind, cx.pack().quiz(&attempt.quiz_id)) {
                (AttemptKind::Quiz, Some(quiz)) => learning::passed(quiz, score, max),
                _ => score == max,
            };
            let result = AttemptResult {
                score,
                max_score: max,
                passed,
                finished_at: cx.now(),
            };
            match ports.learning.finish_attempt(attempt.id, &result).await {
                Ok(true) => {
                    ports.cache.attempt_changed(cx.user.id, None, false).await;
                    metrics::counter!("trainbot_attempts_finished_total", "passed" => passed.to_string()).increment(1);
                    if passed && attempt.kind == AttemptKind::Quiz {
                        progress::check_completion(cx, &ports.progress, None).await;
                    }
                }
                Ok(false) => ports.cache.forget_attempt(cx.user.id),
                Err(e) => {
                    ports.cache.forget_attempt(cx.user.id);
                    return Err(unavailable("cannot finish an attempt", e));
                }
            }
            result
        }
    };
    let screen = quiz_screens::result_screen(cx, &attempt, &result);
    cx.show_rendered(message, screen);
    Ok(())
}

/// What an answer does to the spaced-review schedule.
pub(crate) async fn review_change(
    cx: &Cx,
    ports: &QuizPorts<'_>,
    attempt: &Attempt,
    asked: &AttemptQuestion,
    correct: bool,
    now: OffsetDateTime,
) -> ReviewChange {
    let stage = match attempt.kind {
        // In a check, a wrong answer (re)starts the schedule; a right one ends it.
        AttemptKind::Quiz => None,
        AttemptKind::Review => ports
            .learning
            .reviews(cx.user.id)
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
