//! The screens of a knowledge check: a question, the feedback on an answer, the
//! result with the mistakes.

use domain::callback::{Callback, Slug};
use domain::content::quiz::{Question, QuestionKind};
use domain::html::Html;
use domain::learning;

use crate::action::{Button, Keyboard};
use crate::context::Cx;
use crate::i18n::{html, t, t_args};
use crate::ports::{AnswerRecord, Attempt, AttemptKind, AttemptResult};
use crate::screens::Rendered;

/// Room left for the buttons' sake when listing mistakes on the result screen.
const RESULT_TEXT_BUDGET: usize = 3600;

pub(crate) fn attempt_title(cx: &Cx, attempt: &Attempt) -> String {
    match attempt.kind {
        AttemptKind::Review => t(cx.lang(), "review-title"),
        AttemptKind::Quiz => cx.pack().quiz(&attempt.quiz_id).map_or_else(
            || attempt.quiz_id.clone(),
            |q| q.title.get(cx.lang()).clone(),
        ),
    }
}

/// One question, with its options as buttons (`mask`: options ticked so far).
pub(crate) fn question_screen(
    cx: &Cx,
    attempt: &Attempt,
    position: usize,
    mask: u8,
) -> Option<Rendered> {
    let lang = cx.lang();
    let asked = attempt.questions.get(position)?;
    let question = question(cx, &asked.quiz_id, &asked.question_id)?;
    let mut text = Html::bold(&Html::escape(&attempt_title(cx, attempt)));
    text.push_text("\n");
    text.push(&Html::italic(&Html::escape(&t_args(
        lang,
        "quiz-progress",
        &[
            ("n", (position + 1).into()),
            ("total", attempt.questions.len().into()),
        ],
    ))));
    if let Some(deadline) = attempt.deadline {
        text.push_text("\n");
        let when = learning::local_date_time(deadline, cx.timezone());
        text.push_text(&t_args(lang, "quiz-deadline", &[("when", when.into())]));
    }
    text.push_text("\n\n");
    text.push_text(question.text.get(lang));
    let id = attempt.id;
    let at = u16::try_from(position).unwrap_or(u16::MAX);
    let mut keyboard = Keyboard::default();
    match question.kind {
        QuestionKind::Single => {
            for (shown, &option) in shown_options(&asked.option_order) {
                let Some(o) = question.options.get(usize::from(option)) else {
                    continue;
                };
                let cb = Callback::Answer {
                    attempt: id,
                    position: at,
                    shown,
                };
                keyboard = keyboard.row(vec![Button::new(o.text.get(lang).clone(), cb)]);
            }
        }
        QuestionKind::Multiple => {
            text.push_text("\n\n");
            text.push(&Html::italic(&html(lang, "quiz-choose-all")));
            for (shown, &option) in shown_options(&asked.option_order) {
                let Some(o) = question.options.get(usize::from(option)) else {
                    continue;
                };
                let bit = 1u8 << shown;
                let ticked = mask & bit != 0;
                let label = format!("{} {}", if ticked { "☑️" } else { "⬜" }, o.text.get(lang));
                let cb = Callback::Toggle {
                    attempt: id,
                    position: at,
                    mask: mask ^ bit,
                };
                keyboard = keyboard.row(vec![Button::new(label, cb)]);
            }
            let submit = Callback::Submit {
                attempt: id,
                position: at,
                mask,
            };
            keyboard = keyboard.row(vec![Button::new(t(lang, "btn-submit"), submit)]);
        }
    }
    keyboard = keyboard.row(vec![Button::new(t(lang, "btn-home"), Callback::Home)]);
    Some(Rendered { text, keyboard })
}

pub(crate) fn feedback_screen(
    cx: &Cx,
    attempt: &Attempt,
    position: usize,
    question: &Question,
    correct: bool,
) -> Rendered {
    let lang = cx.lang();
    let mut text = Html::bold(&Html::escape(&attempt_title(cx, attempt)));
    text.push_text("\n\n");
    text.push_text(question.text.get(lang));
    text.push_text("\n\n");
    if correct {
        text.push(&Html::bold(&html(lang, "quiz-correct")));
    } else {
        text.push(&Html::bold(&html(lang, "quiz-wrong")));
        text.push_text("\n");
        text.push_text(&t_args(
            lang,
            "quiz-right-answer",
            &[("answer", correct_options(question, lang).into())],
        ));
    }
    if let Some(explanation) = &question.explanation {
        text.push_text("\n\n");
        text.push(&Html::italic(&Html::escape(explanation.get(lang))));
    }
    let next = u16::try_from(position + 1).unwrap_or(u16::MAX);
    let label = if position + 1 >= attempt.questions.len() {
        "btn-result"
    } else {
        "btn-next-question"
    };
    let keyboard = Keyboard::default().row(vec![Button::new(
        t(lang, label),
        Callback::Next {
            attempt: attempt.id,
            position: next,
        },
    )]);
    Rendered { text, keyboard }
}

pub(crate) fn result_screen(cx: &Cx, attempt: &Attempt, result: &AttemptResult) -> Rendered {
    let lang = cx.lang();
    let percent = learning::percent(result.score, result.max_score);
    let mut text = Html::bold(&Html::escape(&attempt_title(cx, attempt)));
    text.push_text("\n\n");
    text.push_text(&t_args(
        lang,
        "quiz-score",
        &[
            ("score", result.score.into()),
            ("max", result.max_score.into()),
            ("percent", percent.into()),
        ],
    ));
    text.push_text("\n");
    match (attempt.kind, cx.pack().quiz(&attempt.quiz_id)) {
        (AttemptKind::Quiz, Some(quiz)) => {
            let key = if result.passed {
                "quiz-passed"
            } else {
                "quiz-failed"
            };
            text.push(&Html::bold(&Html::escape(&t_args(
                lang,
                key,
                &[("need", quiz.pass_percent.into())],
            ))));
        }
        _ => text.push(&html(lang, "review-done")),
    }
    let mistakes: Vec<&AnswerRecord> = attempt.answers.iter().filter(|a| !a.correct).collect();
    let unanswered = attempt
        .questions
        .len()
        .saturating_sub(attempt.answers.len());
    if !mistakes.is_empty() {
        text.push_text("\n\n");
        text.push(&Html::bold(&html(lang, "quiz-mistakes")));
        for (shown, answer) in mistakes.iter().enumerate() {
            let Some(q) = question(cx, &answer.quiz_id, &answer.question_id) else {
                continue;
            };
            let mut line = Html::escape(&format!("\n• {}\n  ", q.text.get(lang)));
            line.push(&Html::italic(&Html::escape(&t_args(
                lang,
                "quiz-right-answer",
                &[("answer", correct_options(q, lang).into())],
            ))));
            if text.text_len() + line.text_len() > RESULT_TEXT_BUDGET {
                let more = mistakes.len() - shown;
                text.push_text("\n");
                text.push_text(&t_args(lang, "quiz-more-mistakes", &[("n", more.into())]));
                break;
            }
            text.push(&line);
        }
    }
    if unanswered > 0 {
        text.push_text("\n\n");
        text.push_text(&t_args(
            lang,
            "quiz-unanswered",
            &[("n", unanswered.into())],
        ));
    }
    let mut keyboard = Keyboard::default();
    if attempt.kind == AttemptKind::Quiz
        && !result.passed
        && let Some(slug) = Slug::parse(&attempt.quiz_id)
    {
        keyboard = keyboard.row(vec![Button::new(
            t(lang, "btn-retry"),
            Callback::QuizStart(slug),
        )]);
    }
    keyboard = keyboard
        .row(vec![
            Button::new(t(lang, "btn-progress"), Callback::Progress),
            Button::new(t(lang, "btn-quizzes"), Callback::Quizzes),
        ])
        .row(vec![Button::new(t(lang, "btn-home"), Callback::Home)]);
    Rendered { text, keyboard }
}

/// Each option of a question with its place on the screen (at most 8: a mask holds
/// 8 bits, and a valid pack has at most 6 options).
pub(crate) fn shown_options(option_order: &[u8]) -> impl Iterator<Item = (u8, &u8)> {
    (0..8u8).zip(option_order)
}

/// The correct options of a question, joined.
pub(crate) fn correct_options(question: &Question, lang: domain::lang::Lang) -> String {
    question
        .options
        .iter()
        .filter(|o| o.correct)
        .map(|o| o.text.get(lang).as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

pub(crate) fn question<'c>(cx: &'c Cx, quiz: &str, question: &str) -> Option<&'c Question> {
    cx.pack()
        .quiz(quiz)?
        .questions
        .iter()
        .find(|q| q.id == question)
}
