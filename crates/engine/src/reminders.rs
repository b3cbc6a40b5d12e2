//! The reminder job: nudges people who are behind on their onboarding path or have
//! questions due for review. At most one reminder a day, never in the quiet hours
//! of the park's time zone, and none once the path is complete and nothing is due.
//!
//! [`Engine::remind_once`] is one pass, driven by the server's timer in production
//! and step by step, with a fake clock, in tests. Its messages go out through the
//! paced, unsolicited sending lane, never ahead of people who are using the bot.

use domain::callback::Callback;
use domain::content::Department;
use domain::html::Html;
use domain::ids::{ChatId, UserId};
use domain::learning::{self, Progress, QuietHours};

use crate::action::{Action, Button, Keyboard};
use crate::context::DEFAULT_TIMEZONE;
use crate::engine::Engine;
use crate::i18n::{t, t_args};
use crate::ports::{Learner, StorageError};

/// One pass's outcome.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReminderPass {
    /// Who is reminded, with the message to send each of them.
    pub reminders: Vec<(UserId, Action)>,
    /// People looked at.
    pub considered: usize,
}

impl Engine {
    /// Decides who gets a reminder now and records it as sent.
    pub async fn remind_once(&self) -> Result<ReminderPass, StorageError> {
        let now = self.clock.now();
        let pack = self.content();
        let learners = self.storage.learning.learners().await?;
        let mut pass = ReminderPass {
            considered: learners.len(),
            ..ReminderPass::default()
        };
        for learner in learners {
            let tz = learner
                .profile
                .park
                .as_deref()
                .and_then(|p| pack.park(p))
                .map_or(DEFAULT_TIMEZONE, |p| p.timezone.as_str())
                .to_owned();
            if !learning::reminder_due(now, &tz, learner.last_reminded_at, QuietHours::default()) {
                continue;
            }
            let Some(message) = self.reminder_for(&learner, &tz, now).await? else {
                continue;
            };
            self.storage.learning.mark_reminded(learner.id, now).await?;
            pass.reminders.push((learner.id, message));
        }
        metrics::counter!("trainbot_reminders_total").increment(pass.reminders.len() as u64);
        Ok(pass)
    }

    /// How far a person is along their department's onboarding path.
    pub(crate) async fn path_progress(
        &self,
        learner: &Learner,
        department: &Department,
    ) -> Result<Progress, StorageError> {
        let pages = self.storage.learning.pages_read(learner.id).await?;
        let mut passed = Vec::new();
        for quiz in &department.required_quizzes {
            let attempts = self
                .storage
                .learning
                .quiz_attempts(learner.id, quiz)
                .await?;
            if attempts
                .iter()
                .any(|a| a.result.as_ref().is_some_and(|r| r.passed))
            {
                passed.push(quiz.clone());
            }
        }
        Ok(learning::progress(
            &self.content(),
            department,
            &pages,
            &passed,
            learner.registered_at,
        ))
    }

    /// The reminder for one person, or `None` when they need none.
    async fn reminder_for(
        &self,
        learner: &Learner,
        tz: &str,
        now: time::OffsetDateTime,
    ) -> Result<Option<Action>, StorageError> {
        let lang = learner.language;
        let pack = self.content();
        let due = self
            .storage
            .learning
            .reviews(learner.id)
            .await?
            .iter()
            .filter(|i| i.due_at <= now)
            .count();
        let department = learner
            .profile
            .department
            .as_deref()
            .and_then(|d| pack.department(d));
        let mut lines = Vec::new();
        if let Some(department) = department {
            let progress = self.path_progress(learner, department).await?;
            if !progress.complete {
                lines.push(t_args(
                    lang,
                    "reminder-behind",
                    &[
                        (
                            "pages",
                            progress
                                .pages_required
                                .saturating_sub(progress.pages_read)
                                .into(),
                        ),
                        (
                            "quizzes",
                            (progress.quizzes_required.len() - progress.quizzes_passed.len())
                                .into(),
                        ),
                    ],
                ));
                if let Some(deadline) = progress.deadline {
                    let days = learning::days_left(deadline, now, tz);
                    let key = if days >= 0 {
                        "reminder-deadline"
                    } else {
                        "reminder-overdue"
                    };
                    lines.push(t_args(lang, key, &[("days", days.abs().into())]));
                }
            }
        }
        if due > 0 {
            lines.push(t_args(lang, "reminder-reviews", &[("n", due.into())]));
        }
        if lines.is_empty() {
            return Ok(None);
        }
        let mut text = Html::bold(&Html::escape(&t(lang, "reminder-title")));
        text.push_text("\n");
        text.push_text(&lines.join("\n"));
        let mut row = vec![Button::new(t(lang, "btn-progress"), Callback::Progress)];
        if due > 0 {
            row.push(Button::new(
                t_args(lang, "btn-review", &[("n", due.into())]),
                Callback::Review,
            ));
        }
        let keyboard = Keyboard::default().row(row);
        Ok(Some(Action::Send {
            chat: ChatId(learner.id.0),
            text,
            keyboard: Some(keyboard),
        }))
    }
}
