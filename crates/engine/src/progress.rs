//! "My progress", the onboarding path's completion, and certificates.

use std::sync::Arc;

use domain::callback::Callback;
use domain::content::Department;
use domain::html::Html;
use domain::learning::{self, Progress};
use domain::start_link::StartLink;

use crate::action::{Action, Button, Keyboard};
use crate::engine::Turn;
use crate::error::{Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::people_rows;
use crate::ports::{Certificate, CertificateDocument};
use crate::rights::Rights;
use crate::screens::Rendered;

impl Turn<'_> {
    fn department(&self) -> Option<Department> {
        self.cx
            .staff
            .department
            .as_deref()
            .and_then(|d| self.cx.pack().department(d))
            .cloned()
    }

    /// Questions due for review now.
    pub(crate) async fn reviews_due(&self) -> usize {
        let now = self.cx.now();
        let people = &self.engine.people;
        let due_at = match people.reviews_due_at(self.cx.user.id) {
            Some(due_at) => due_at,
            None => match self.engine.storage.reviews(self.cx.user.id).await {
                Ok(items) => {
                    let due_at: Vec<_> = items.iter().map(|i| i.due_at).collect();
                    people.learnt_reviews(self.cx.user.id, due_at.clone());
                    due_at
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read reviews");
                    return 0;
                }
            },
        };
        due_at.iter().filter(|at| **at <= now).count()
    }

    /// Progress on the person's path; `extra_page` counts a page being opened right
    /// now (activity is written in batches, so storage may not have it yet).
    async fn path_progress(
        &self,
        department: &Department,
        extra_page: Option<&str>,
    ) -> Option<Progress> {
        let mut pages = self.engine.storage.pages_read(self.cx.user.id).await.ok()?;
        pages.extend(extra_page.map(str::to_owned));
        let passed = self.passed_quizzes().await;
        Some(learning::progress(
            self.cx.pack(),
            department,
            &pages,
            &passed,
            self.cx.user.first_seen,
        ))
    }

    pub(crate) async fn show_progress(&mut self, message: Option<CallbackMessage>) -> Served {
        let lang = self.cx.lang();
        let Some(department) = self.department() else {
            let keyboard = Keyboard::default().row(vec![
                Button::new(t(lang, "btn-profile"), Callback::Profile),
                Button::new(t(lang, "btn-home"), Callback::Home),
            ]);
            self.cx.show_rendered(
                message,
                Rendered {
                    text: html(lang, "progress-no-department"),
                    keyboard,
                },
            );
            return Ok(());
        };
        let Some(progress) = self.path_progress(&department, None).await else {
            return Err(unavailable("cannot compute progress", "storage"));
        };
        if progress.complete {
            self.check_completion(None).await;
        }
        let mut text = Html::bold(&Html::escape(&t_args(
            lang,
            "progress-title",
            &[("department", department.name.get(lang).clone().into())],
        )));
        text.push_text("\n\n");
        text.push_text(&t_args(
            lang,
            "progress-pages",
            &[
                ("read", progress.pages_read.into()),
                ("total", progress.pages_required.into()),
            ],
        ));
        text.push_text("\n");
        text.push_text(&t_args(
            lang,
            "progress-quizzes",
            &[
                ("passed", progress.quizzes_passed.len().into()),
                ("total", progress.quizzes_required.len().into()),
            ],
        ));
        for quiz_id in &progress.quizzes_required {
            let Some(quiz) = self.cx.pack().quiz(quiz_id) else {
                continue;
            };
            let best = self.best_result(quiz_id).await;
            let mark = if progress.quizzes_passed.contains(quiz_id) {
                "✅"
            } else {
                "⬜"
            };
            let score = best
                .map(|r| format!(" — {}%", learning::percent(r.score, r.max_score)))
                .unwrap_or_default();
            text.push_text(&format!("\n  {mark} {}{score}", quiz.title.get(lang)));
        }
        if let Some(deadline) = progress.deadline.filter(|_| !progress.complete) {
            let days = learning::days_left(deadline, self.cx.now(), self.cx.timezone());
            let date = learning::local_date(deadline, self.cx.timezone());
            text.push_text("\n");
            let key = if days >= 0 {
                "progress-deadline"
            } else {
                "progress-overdue"
            };
            text.push_text(&t_args(
                lang,
                key,
                &[("date", date.into()), ("days", days.abs().into())],
            ));
        }
        let due = self.reviews_due().await;
        if due > 0 {
            text.push_text("\n");
            text.push_text(&t_args(lang, "progress-reviews", &[("n", due.into())]));
        }
        if progress.complete {
            text.push_text("\n\n");
            text.push(&Html::bold(&html(lang, "progress-complete")));
            if let Ok(Some(cert)) = self
                .engine
                .storage
                .certificate_for(self.cx.user.id, &department.id)
                .await
            {
                text.push_text("\n");
                text.push_text(&t_args(
                    lang,
                    "progress-certificate",
                    &[("code", cert.code.into())],
                ));
            }
        }
        let mut keyboard =
            Keyboard::default().row(vec![Button::new(t(lang, "btn-quizzes"), Callback::Quizzes)]);
        if due > 0 {
            keyboard = keyboard.row(vec![Button::new(
                t_args(lang, "btn-review", &[("n", due.into())]),
                Callback::Review,
            )]);
        }
        keyboard = keyboard.row(vec![Button::new(t(lang, "btn-home"), Callback::Home)]);
        self.cx.show_rendered(message, Rendered { text, keyboard });
        Ok(())
    }

    /// When the person's path is complete and no certificate was issued yet, issues
    /// one and sends it.
    pub(crate) async fn check_completion(&mut self, extra_page: Option<&str>) {
        let Some(department) = self.department() else {
            return;
        };
        let storage = self.engine.storage.clone();
        match storage
            .certificate_for(self.cx.user.id, &department.id)
            .await
        {
            Ok(None) => {}
            Ok(Some(_)) => return,
            Err(e) => return tracing::warn!(error = %e, "cannot check certificates"),
        }
        let Some(progress) = self.path_progress(&department, extra_page).await else {
            return;
        };
        if !progress.complete {
            return;
        }
        let mut quizzes = Vec::new();
        for quiz in &department.required_quizzes {
            if let Some(best) = self.best_result(quiz).await {
                quizzes.push((quiz.clone(), learning::percent(best.score, best.max_score)));
            }
        }
        let full_name =
            people_rows::full_name(&self.cx.user.first_name, self.cx.user.last_name.as_deref());
        let certificate = Certificate {
            code: learning::certificate_code(rand::random()),
            user: self.cx.user.id,
            full_name,
            department: department.id.clone(),
            park: self.cx.staff.park.clone(),
            issued_at: self.cx.now(),
            quizzes,
        };
        if let Err(e) = storage.save_certificate(&certificate).await {
            return tracing::error!(error = %e, "cannot save a certificate");
        }
        // Another replica may have issued one at the same moment: send the stored one.
        let Ok(Some(certificate)) = storage
            .certificate_for(self.cx.user.id, &department.id)
            .await
        else {
            return;
        };
        metrics::counter!("trainbot_certificates_issued_total").increment(1);
        self.send_certificate(&certificate);
    }

    fn certificate_document(&self, c: &Certificate) -> CertificateDocument {
        let lang = self.cx.lang();
        let tz = self.cx.timezone();
        let department = self
            .cx
            .pack()
            .department(&c.department)
            .map_or(c.department.clone(), |d| d.name.get(lang).clone());
        let mut lines = vec![t_args(
            lang,
            "cert-department",
            &[("value", department.into())],
        )];
        if let Some(park) = c.park.as_deref().and_then(|p| self.cx.pack().park(p)) {
            lines.push(t_args(
                lang,
                "cert-park",
                &[("value", park.name.get(lang).clone().into())],
            ));
        }
        lines.push(t_args(
            lang,
            "cert-date",
            &[("value", learning::local_date(c.issued_at, tz).into())],
        ));
        let quizzes = c
            .quizzes
            .iter()
            .map(|(id, percent)| {
                let title = self
                    .cx
                    .pack()
                    .quiz(id)
                    .map_or(id.clone(), |q| q.title.get(lang).clone());
                (title, format!("{percent}%"))
            })
            .collect();
        CertificateDocument {
            title: t(lang, "cert-title"),
            full_name: c.full_name.clone(),
            lines,
            quizzes,
            code_label: t(lang, "cert-code"),
            code: c.code.clone(),
        }
    }

    fn send_certificate(&mut self, c: &Certificate) {
        let lang = self.cx.lang();
        let document = self.certificate_document(c);
        let check = StartLink::Certificate(c.code.clone()).url(self.engine.bot_username.as_deref());
        let caption = Html::escape(&t_args(
            lang,
            "cert-caption",
            &[("code", c.code.clone().into()), ("link", check.into())],
        ));
        let pdf = self
            .engine
            .documents
            .as_ref()
            .map(|d| d.certificate_pdf(&document));
        match pdf {
            Some(Ok(bytes)) => self.cx.actions.push(Action::SendDocument {
                chat: self.cx.chat,
                file_name: format!("certificate-{}.pdf", c.code),
                bytes: Arc::new(bytes),
                caption,
            }),
            other => {
                if let Some(Err(e)) = other {
                    tracing::error!(error = %e, "cannot draw a certificate; sending it as text");
                }
                let mut text = caption;
                text.push_text("\n\n");
                text.push_text(
                    &[vec![document.full_name.clone()], document.lines.clone()]
                        .concat()
                        .join("\n"),
                );
                self.cx.actions.push(Action::Send {
                    chat: self.cx.chat,
                    text,
                    keyboard: None,
                });
            }
        }
    }

    /// `/verify CODE` (admins, also from the panel with its `keyboard`): who holds
    /// the certificate with this code.
    pub(crate) async fn verify_certificate(
        &mut self,
        raw: &str,
        keyboard: Option<Keyboard>,
    ) -> Served {
        let lang = self.cx.lang();
        let text = match learning::parse_certificate_code(raw) {
            None => html(lang, "verify-usage"),
            Some(code) => match self.engine.storage.certificate(&code).await {
                // A park manager checks only their own people's certificates; any
                // other code reads as unknown, so no name of another park shows.
                Ok(Some(c))
                    if matches!(self.cx.rights, Rights::Park(_))
                        && !self.may_act_on(c.user).await =>
                {
                    Html::escape(&t_args(lang, "verify-not-found", &[("code", code.into())]))
                }
                Ok(Some(c)) => {
                    let document = self.certificate_document(&c);
                    let mut text = Html::bold(&Html::escape(&t_args(
                        lang,
                        "verify-found",
                        &[("code", c.code.clone().into())],
                    )));
                    text.push_text("\n");
                    text.push_text(
                        &[vec![document.full_name.clone()], document.lines.clone()]
                            .concat()
                            .join("\n"),
                    );
                    for (title, score) in &document.quizzes {
                        text.push_text(&format!("\n• {title}: {score}"));
                    }
                    text
                }
                Ok(None) => {
                    Html::escape(&t_args(lang, "verify-not-found", &[("code", code.into())]))
                }
                Err(e) => return Err(unavailable("cannot verify a certificate", e)),
            },
        };
        self.cx.actions.push(Action::Send {
            chat: self.cx.chat,
            text,
            keyboard,
        });
        Ok(())
    }
}
