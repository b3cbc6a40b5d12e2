//! Knowledge checks: a department's `_quiz.toml`, parsed and validated.
//!
//! The rules checked here are what the bot relies on when it shows a quiz: every
//! question has a correct option (exactly one for single choice), option texts fit
//! a button, ids are unique, and every text exists in every language.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use super::load::{LocalizedText, media_file, toml_problem};
use super::model::{Localized, Media, MediaKind};
use super::problem::Problem;

/// Longest option text, so it fits a button on a phone.
pub const OPTION_MAX_CHARS: usize = 60;
/// Longest question text.
pub const QUESTION_MAX_CHARS: usize = 300;
/// Longest explanation.
pub const EXPLANATION_MAX_CHARS: usize = 400;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    /// Exactly one option is correct.
    Single,
    /// One or more options are correct; all of them must be chosen.
    Multiple,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuizOption {
    pub text: Localized<String>,
    pub correct: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub points: u32,
    pub text: Localized<String>,
    pub explanation: Option<Localized<String>>,
    pub options: Vec<QuizOption>,
    /// A photo shown above the question.
    pub image: Option<Media>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quiz {
    pub id: String,
    /// The section the quiz file sits in (its path, `bar`).
    pub section_path: String,
    pub title: Localized<String>,
    pub pass_percent: u8,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub time_limit_minutes: Option<u32>,
    pub max_attempts: Option<u32>,
    pub cooldown_hours: Option<u32>,
    pub questions: Vec<Question>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuiz {
    id: String,
    pass_percent: u8,
    #[serde(default)]
    shuffle_questions: bool,
    #[serde(default)]
    shuffle_options: bool,
    time_limit_minutes: Option<u32>,
    max_attempts: Option<u32>,
    cooldown_hours: Option<u32>,
    title: LocalizedText,
    #[serde(default)]
    questions: Vec<RawQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    kind: QuestionKind,
    #[serde(default = "one")]
    points: u32,
    text: LocalizedText,
    explanation: Option<LocalizedText>,
    #[serde(default)]
    options: Vec<RawOption>,
    image: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    ru: Option<String>,
    en: Option<String>,
    #[serde(default)]
    correct: bool,
}

fn one() -> u32 {
    1
}

/// Quiz and question ids follow the codec's rule, since quiz ids travel in buttons.
fn is_id(s: &str) -> bool {
    crate::callback::Slug::parse(s).is_some()
}

/// Parses and validates one quiz file. `rel` is its path in the pack, `section_dir`
/// the folder it sits in (for resolving images), `section_path` that folder's path
/// in the pack.
pub(super) fn load_quiz(
    source: &str,
    rel: &Path,
    section_dir: &Path,
    section_path: &str,
    canonical_root: &Path,
    problems: &mut Vec<Problem>,
) -> Option<Quiz> {
    let raw: RawQuiz = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(e) => {
            problems.push(toml_problem(rel, source, 0, &e));
            return None;
        }
    };
    let before = problems.len();
    let mut report = |msg: String| problems.push(Problem::new(rel, None, msg));
    if !is_id(&raw.id) {
        report(format!(
            "quiz id `{}` must be 1-32 of a-z, 0-9 and -",
            raw.id
        ));
    }
    if raw.pass_percent == 0 || raw.pass_percent > 100 {
        report(format!(
            "pass_percent is {}; it must be 1-100",
            raw.pass_percent
        ));
    }
    if raw.questions.is_empty() {
        report("the quiz has no questions ([[questions]])".to_owned());
    }
    let title = raw.title.require("title", &mut report);
    let mut seen = HashSet::new();
    let mut questions = Vec::new();
    for q in raw.questions {
        let at = |what: &str| format!("question `{}`: {what}", q.id);
        if !is_id(&q.id) {
            report(at("id must be 1-32 of a-z, 0-9 and -"));
        }
        if !seen.insert(q.id.clone()) {
            report(at("this id is used twice in the quiz"));
        }
        if q.points == 0 {
            report(at("points must be at least 1"));
        }
        let text = q.text.require(&at("text"), &mut report);
        let explanation = q
            .explanation
            .and_then(|e| e.require(&at("explanation"), &mut report));
        for (what, value, max) in text
            .iter()
            .flat_map(|t| {
                [
                    ("text", &t.ru, QUESTION_MAX_CHARS),
                    ("text", &t.en, QUESTION_MAX_CHARS),
                ]
            })
            .chain(explanation.iter().flat_map(|e| {
                [
                    ("explanation", &e.ru, EXPLANATION_MAX_CHARS),
                    ("explanation", &e.en, EXPLANATION_MAX_CHARS),
                ]
            }))
        {
            let len = value.chars().count();
            if len > max {
                report(at(&format!("{what} has {len} characters; at most {max}")));
            }
        }
        if !(2..=6).contains(&q.options.len()) {
            report(at(&format!("has {} options; give 2-6", q.options.len())));
        }
        let correct = q.options.iter().filter(|o| o.correct).count();
        match q.kind {
            QuestionKind::Single if correct != 1 => report(at(&format!(
                "a single-choice question needs exactly one correct option, it has {correct}"
            ))),
            QuestionKind::Multiple if correct == 0 => report(at(
                "a multiple-choice question needs at least one correct option",
            )),
            _ => {}
        }
        let mut options = Vec::new();
        for (n, o) in q.options.into_iter().enumerate() {
            let label = at(&format!("option {}", n + 1));
            let text = LocalizedText { ru: o.ru, en: o.en }.require(&label, &mut report);
            if let Some(t) = &text {
                for value in [&t.ru, &t.en] {
                    let len = value.chars().count();
                    if len > OPTION_MAX_CHARS {
                        report(format!(
                            "{label}: `{value}` has {len} characters; a button fits {OPTION_MAX_CHARS}"
                        ));
                    }
                }
            }
            if let Some(text) = text {
                options.push(QuizOption {
                    text,
                    correct: o.correct,
                });
            }
        }
        let image = q.image.as_deref().and_then(|file| {
            let mut found = Vec::new();
            let media = media_file(
                MediaKind::Photo,
                file,
                section_dir,
                canonical_root,
                &mut |m| found.push(m),
            );
            for m in found {
                report(at(&format!("image: {m}")));
            }
            media
        });
        if let Some(text) = text {
            questions.push(Question {
                id: q.id,
                kind: q.kind,
                points: q.points,
                text,
                explanation,
                options,
                image,
            });
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(Quiz {
        id: raw.id,
        section_path: section_path.to_owned(),
        title: title?,
        pass_percent: raw.pass_percent,
        shuffle_questions: raw.shuffle_questions,
        shuffle_options: raw.shuffle_options,
        time_limit_minutes: raw.time_limit_minutes,
        max_attempts: raw.max_attempts,
        cooldown_hours: raw.cooldown_hours,
        questions,
    })
}
