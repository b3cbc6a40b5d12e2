//! The question analysis for content editors: the questions of the knowledge
//! checks most often answered wrong, with the share of each wrong answer, so an
//! editor can fix the training page or the question. Of everyone's answers, or
//! of the people now in one park or one department. Reached from the content
//! panel (the content editor's right); each view is audited
//! (`view_hard_questions`).

use std::collections::BTreeMap;

use domain::callback::{AdminAction, Callback, ContentAction, QuestionFilter};
use domain::content::{ContentPack, MESSAGE_LIMIT};
use domain::html::Html;
use domain::lang::Lang;

use crate::action::{Button, Keyboard};
use crate::audit::audit;
use crate::content_editor::ContentPorts;
use crate::context::Cx;
use crate::error::{OrUnavailable, Served};
use crate::i18n::{t, t_args};
use crate::inbound::CallbackMessage;
use crate::ports::{AnswerCount, AnswerFilter};
use crate::screens::Rendered;

/// Questions listed, hardest first.
const LISTED: usize = 10;
/// Wrong answers listed under a question, most given first.
const WRONG_LISTED: usize = 3;
/// Characters of a question's or an option's text on the list.
const TEXT_CHARS: usize = 80;
/// Characters kept free at the end of the list for its last line.
const ROOM: usize = 200;

/// How one question was answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QuestionReport {
    pub quiz_id: String,
    pub question_id: String,
    pub answers: u64,
    pub wrong: u64,
    /// Each wrong answer (chosen options, `"0,2"`) and how often, most first.
    pub wrong_answers: Vec<(String, u64)>,
}

impl QuestionReport {
    /// The share of answers that were wrong, in whole percent (rounded down).
    pub fn wrong_percent(&self) -> u64 {
        (self.wrong * 100).checked_div(self.answers).unwrap_or(0)
    }
}

/// The questions with at least one wrong answer, the highest share of wrong
/// answers first (then the most wrong answers, then by quiz and question).
pub(crate) fn hardest(counts: &[AnswerCount]) -> Vec<QuestionReport> {
    let mut questions: BTreeMap<(&str, &str), QuestionReport> = BTreeMap::new();
    for c in counts {
        let report = questions
            .entry((c.quiz_id.as_str(), c.question_id.as_str()))
            .or_insert_with(|| QuestionReport {
                quiz_id: c.quiz_id.clone(),
                question_id: c.question_id.clone(),
                answers: 0,
                wrong: 0,
                wrong_answers: Vec::new(),
            });
        report.answers += c.answers;
        if !c.correct {
            report.wrong += c.answers;
            report.wrong_answers.push((c.chosen.clone(), c.answers));
        }
    }
    let mut reports: Vec<QuestionReport> = questions
        .into_values()
        .filter(|r| r.wrong > 0)
        .map(|mut r| {
            r.wrong_answers
                .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            r
        })
        .collect();
    // Compare shares without rounding: a/b > c/d as a*d > c*b.
    reports.sort_by(|a, b| {
        (u128::from(b.wrong) * u128::from(a.answers))
            .cmp(&(u128::from(a.wrong) * u128::from(b.answers)))
            .then_with(|| b.wrong.cmp(&a.wrong))
            .then_with(|| (&a.quiz_id, &a.question_id).cmp(&(&b.quiz_id, &b.question_id)))
    });
    reports
}

fn clip(text: &str) -> String {
    if text.chars().count() > TEXT_CHARS {
        let mut cut: String = text.chars().take(TEXT_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        text.to_owned()
    }
}

/// A wrong answer as the options' texts in `lang` ("A + C"); "no answer" for
/// none; the indices as stored when the quiz no longer has those options.
fn answer_text(pack: &ContentPack, r: &QuestionReport, chosen: &str, lang: Lang) -> String {
    if chosen.is_empty() {
        return t(lang, "questions-no-answer");
    }
    let question = pack
        .quiz(&r.quiz_id)
        .and_then(|q| q.questions.iter().find(|q| q.id == r.question_id));
    let texts: Option<Vec<String>> = chosen
        .split(',')
        .map(|i| {
            let index: usize = i.parse().ok()?;
            Some(question?.options.get(index)?.text.get(lang).clone())
        })
        .collect();
    texts.map_or_else(|| format!("#{chosen}"), |t| clip(&t.join(" + ")))
}

fn nav(action: ContentAction) -> Callback {
    Callback::Admin(AdminAction::Content(action))
}

/// The hardest questions of the people `filter` names, with buttons to
/// choose a park or a department.
pub(crate) async fn hard_questions(
    cx: &mut Cx,
    ports: &ContentPorts<'_>,
    filter: QuestionFilter,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let pack = cx.content.clone();
    let (who, answer_filter) = match filter {
        QuestionFilter::Everyone => (t(lang, "questions-everyone"), AnswerFilter::default()),
        QuestionFilter::Park(park) => (
            pack.park(park.as_str())
                .map_or_else(|| park.as_str().to_owned(), |p| p.name.get(lang).clone()),
            AnswerFilter {
                park: Some(park.as_str().to_owned()),
                department: None,
            },
        ),
        QuestionFilter::Department(department) => (
            pack.department(department.as_str()).map_or_else(
                || department.as_str().to_owned(),
                |d| d.name.get(lang).clone(),
            ),
            AnswerFilter {
                park: None,
                department: Some(department.as_str().to_owned()),
            },
        ),
    };
    let counts = ports
        .lookup
        .answer_counts(&answer_filter)
        .await
        .or_unavailable("cannot count quiz answers")?;
    audit(cx, ports.audit, "view_hard_questions", who.clone()).await;
    let reports = hardest(&counts);
    let mut text = Html::bold(&Html::escape(&t_args(
        lang,
        "questions-title",
        &[("who", who.into())],
    )));
    if reports.is_empty() {
        text.push_text("\n\n");
        text.push_text(&t(lang, "questions-none"));
    }
    for (n, r) in reports.iter().take(LISTED).enumerate() {
        let quiz = pack
            .quiz(&r.quiz_id)
            .map_or_else(|| r.quiz_id.clone(), |q| q.title.get(lang).clone());
        let question = pack
            .quiz(&r.quiz_id)
            .and_then(|q| q.questions.iter().find(|q| q.id == r.question_id))
            .map_or_else(|| r.question_id.clone(), |q| clip(q.text.get(lang)));
        let mut block = Html::escape(&format!("\n\n{}. ", n + 1));
        block.push(&Html::bold(&Html::escape(&question)));
        block.push_text(&format!("\n{quiz} · "));
        block.push_text(&t_args(
            lang,
            "questions-wrong",
            &[
                ("percent", r.wrong_percent().into()),
                ("wrong", r.wrong.into()),
                ("answers", r.answers.into()),
            ],
        ));
        for (chosen, times) in r.wrong_answers.iter().take(WRONG_LISTED) {
            let share = (times * 100).checked_div(r.answers).unwrap_or(0);
            block.push_text(&format!(
                "\n   – «{}»: {share}%",
                answer_text(&pack, r, chosen, lang)
            ));
        }
        if text.text_len() + block.text_len() > MESSAGE_LIMIT - ROOM {
            break;
        }
        text.push(&block);
    }
    let button = |label: String, f: QuestionFilter| {
        let label = if f == filter {
            format!("✓ {label}")
        } else {
            label
        };
        Button::new(label, nav(ContentAction::Questions(f)))
    };
    let slug = domain::callback::Slug::parse;
    let parks = pack.parks().iter().filter_map(|p| {
        Some(button(
            p.name.get(lang).clone(),
            QuestionFilter::Park(slug(&p.id)?),
        ))
    });
    let departments = pack.departments().iter().filter_map(|d| {
        Some(button(
            d.name.get(lang).clone(),
            QuestionFilter::Department(slug(&d.id)?),
        ))
    });
    let keyboard = Keyboard::default()
        .row(vec![button(
            t(lang, "questions-everyone"),
            QuestionFilter::Everyone,
        )])
        .row(parks.collect())
        .row(departments.collect())
        .row(vec![Button::new(
            t(lang, "btn-back"),
            nav(ContentAction::Sections),
        )]);
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(question: &str, chosen: &str, correct: bool, answers: u64) -> AnswerCount {
        AnswerCount {
            quiz_id: "bar-basics".to_owned(),
            question_id: question.to_owned(),
            chosen: chosen.to_owned(),
            correct,
            answers,
        }
    }

    #[test]
    fn the_highest_share_of_wrong_answers_comes_first() {
        let counts = [
            // q1: 2 of 10 wrong (20%).
            count("q1", "0", true, 8),
            count("q1", "1", false, 2),
            // q2: 3 of 4 wrong (75%), two different wrong answers.
            count("q2", "0,1", false, 1),
            count("q2", "2", false, 2),
            count("q2", "3", true, 1),
            // q3: never wrong, so not listed.
            count("q3", "0", true, 5),
            // q4: 1 of 4 wrong (25%).
            count("q4", "", false, 1),
            count("q4", "1", true, 3),
        ];
        let reports = hardest(&counts);
        let order: Vec<&str> = reports.iter().map(|r| r.question_id.as_str()).collect();
        assert_eq!(order, ["q2", "q4", "q1"]);
        assert_eq!(reports[0].wrong_percent(), 75);
        assert_eq!(
            reports[0].wrong_answers,
            [("2".to_owned(), 2), ("0,1".to_owned(), 1)]
        );
        assert_eq!((reports[2].wrong, reports[2].answers), (2, 10));
    }

    #[test]
    fn equal_shares_rank_by_wrong_answers_then_by_id() {
        let counts = [
            count("a", "1", false, 1),
            count("a", "0", true, 1),
            count("b", "1", false, 5),
            count("b", "0", true, 5),
            count("c", "1", false, 1),
            count("c", "0", true, 1),
        ];
        let order: Vec<String> = hardest(&counts)
            .into_iter()
            .map(|r| r.question_id)
            .collect();
        assert_eq!(order, ["b", "a", "c"]);
        assert!(hardest(&[]).is_empty());
    }
}
