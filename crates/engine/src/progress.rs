//! "My progress", the onboarding path's completion, and certificates.

use std::sync::Arc;

use domain::callback::Callback;
use domain::content::Department;
use domain::html::Html;
use domain::learning::{self, Progress};
use domain::start_link::StartLink;

use crate::action::{Action, Button, Keyboard};
use crate::admin_rows;
use crate::admission::may_act_on;
use crate::context::Cx;
use crate::error::{Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::people::People;
use crate::ports::{
    AttemptResult, Certificate, CertificateDocument, DocumentRenderer, LearningStore, RoleStore,
};
use crate::rights::Rights;
use crate::screens::Rendered;

/// What the progress slice reaches beyond the update's context.
pub(crate) struct ProgressPorts<'a> {
    /// Pages read, checks taken, reviews and certificates.
    pub(crate) learning: &'a dyn LearningStore,
    /// With `admins`: whose certificates a park manager may look up.
    pub(crate) roles: &'a dyn RoleStore,
    pub(crate) admins: &'a [i64],
    /// The copies of people kept between updates (their due reviews).
    pub(crate) cache: &'a People,
    /// Draws a certificate as a PDF; without it, a certificate goes out as text.
    pub(crate) documents: Option<&'a dyn DocumentRenderer>,
    /// For the link that checks a certificate.
    pub(crate) bot_username: Option<&'a str>,
}

fn department(cx: &Cx) -> Option<Department> {
    cx.staff
        .department
        .as_deref()
        .and_then(|d| cx.pack().department(d))
        .cloned()
}

/// Questions due for review now.
pub(crate) async fn reviews_due(cx: &Cx, learning: &dyn LearningStore, cache: &People) -> usize {
    let now = cx.now();
    let people = cache;
    let due_at = match people.reviews_due_at(cx.user.id) {
        Some(due_at) => due_at,
        None => match learning.reviews(cx.user.id).await {
            Ok(items) => {
                let due_at: Vec<_> = items.iter().map(|i| i.due_at).collect();
                people.learnt_reviews(cx.user.id, due_at.clone());
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
    cx: &Cx,
    ports: &ProgressPorts<'_>,
    department: &Department,
    extra_page: Option<&str>,
) -> Option<Progress> {
    let mut pages = ports.learning.pages_read(cx.user.id).await.ok()?;
    pages.extend(extra_page.map(str::to_owned));
    let passed = passed_quizzes(cx, ports.learning).await;
    Some(learning::progress(
        cx.pack(),
        department,
        &pages,
        &passed,
        cx.user.first_seen,
    ))
}

pub(crate) async fn show(
    cx: &mut Cx,
    ports: &ProgressPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let Some(department) = department(cx) else {
        let keyboard = Keyboard::default().row(vec![
            Button::new(t(lang, "btn-profile"), Callback::Profile),
            Button::new(t(lang, "btn-home"), Callback::Home),
        ]);
        cx.show_rendered(
            message,
            Rendered {
                text: html(lang, "progress-no-department"),
                keyboard,
            },
        );
        return Ok(());
    };
    let Some(progress) = path_progress(cx, ports, &department, None).await else {
        return Err(unavailable("cannot compute progress", "storage"));
    };
    if progress.complete {
        check_completion(cx, ports, None).await;
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
        let Some(quiz) = cx.pack().quiz(quiz_id) else {
            continue;
        };
        let best = best_result(cx, ports.learning, quiz_id).await;
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
        let days = learning::days_left(deadline, cx.now(), cx.timezone());
        let date = learning::local_date(deadline, cx.timezone());
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
    let due = reviews_due(cx, ports.learning, ports.cache).await;
    if due > 0 {
        text.push_text("\n");
        text.push_text(&t_args(lang, "progress-reviews", &[("n", due.into())]));
    }
    if progress.complete {
        text.push_text("\n\n");
        text.push(&Html::bold(&html(lang, "progress-complete")));
        if let Ok(Some(cert)) = ports
            .learning
            .certificate_for(cx.user.id, &department.id)
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
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

/// When the person's path is complete and no certificate was issued yet, issues
/// one and sends it.
pub(crate) async fn check_completion(
    cx: &mut Cx,
    ports: &ProgressPorts<'_>,
    extra_page: Option<&str>,
) {
    let Some(department) = department(cx) else {
        return;
    };
    match ports
        .learning
        .certificate_for(cx.user.id, &department.id)
        .await
    {
        Ok(None) => {}
        Ok(Some(_)) => return,
        Err(e) => return tracing::warn!(error = %e, "cannot check certificates"),
    }
    let Some(progress) = path_progress(cx, ports, &department, extra_page).await else {
        return;
    };
    if !progress.complete {
        return;
    }
    let mut quizzes = Vec::new();
    for quiz in &department.required_quizzes {
        if let Some(best) = best_result(cx, ports.learning, quiz).await {
            quizzes.push((quiz.clone(), learning::percent(best.score, best.max_score)));
        }
    }
    let full_name = admin_rows::full_name(&cx.user.first_name, cx.user.last_name.as_deref());
    let certificate = Certificate {
        code: learning::certificate_code(rand::random()),
        user: cx.user.id,
        full_name,
        department: department.id.clone(),
        park: cx.staff.park.clone(),
        issued_at: cx.now(),
        quizzes,
    };
    if let Err(e) = ports.learning.save_certificate(&certificate).await {
        return tracing::error!(error = %e, "cannot save a certificate");
    }
    // Another replica may have issued one at the same moment: send the stored one.
    let Ok(Some(certificate)) = ports
        .learning
        .certificate_for(cx.user.id, &department.id)
        .await
    else {
        return;
    };
    metrics::counter!("trainbot_certificates_issued_total").increment(1);
    send_certificate(cx, ports, &certificate);
}

fn certificate_document(cx: &Cx, c: &Certificate) -> CertificateDocument {
    let lang = cx.lang();
    let tz = cx.timezone();
    let department = cx
        .pack()
        .department(&c.department)
        .map_or(c.department.clone(), |d| d.name.get(lang).clone());
    let mut lines = vec![t_args(
        lang,
        "cert-department",
        &[("value", department.into())],
    )];
    if let Some(park) = c.park.as_deref().and_then(|p| cx.pack().park(p)) {
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
            let title = cx
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

fn send_certificate(cx: &mut Cx, ports: &ProgressPorts<'_>, c: &Certificate) {
    let lang = cx.lang();
    let document = certificate_document(cx, c);
    let check = StartLink::Certificate(c.code.clone()).url(ports.bot_username);
    let caption = Html::escape(&t_args(
        lang,
        "cert-caption",
        &[("code", c.code.clone().into()), ("link", check.into())],
    ));
    let pdf = ports.documents.map(|d| d.certificate_pdf(&document));
    match pdf {
        Some(Ok(bytes)) => cx.actions.push(Action::SendDocument {
            chat: cx.chat,
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
            cx.actions.push(Action::Send {
                chat: cx.chat,
                text,
                keyboard: None,
            });
        }
    }
}

/// `/verify CODE` (admins, also from the panel with its `keyboard`): who holds
/// the certificate with this code.
pub(crate) async fn verify_certificate(
    cx: &mut Cx,
    ports: &ProgressPorts<'_>,
    raw: &str,
    keyboard: Option<Keyboard>,
) -> Served {
    let lang = cx.lang();
    let text = match learning::parse_certificate_code(raw) {
        None => html(lang, "verify-usage"),
        Some(code) => match ports.learning.certificate(&code).await {
            // A park manager checks only their own people's certificates; any
            // other code reads as unknown, so no name of another park shows.
            Ok(Some(c))
                if matches!(cx.rights, Rights::Park(_))
                    && !may_act_on(cx, ports.admins, ports.learning, ports.roles, c.user).await =>
            {
                Html::escape(&t_args(lang, "verify-not-found", &[("code", code.into())]))
            }
            Ok(Some(c)) => {
                let document = certificate_document(cx, &c);
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
            Ok(None) => Html::escape(&t_args(lang, "verify-not-found", &[("code", code.into())])),
            Err(e) => return Err(unavailable("cannot verify a certificate", e)),
        },
    };
    cx.actions.push(Action::Send {
        chat: cx.chat,
        text,
        keyboard,
    });
    Ok(())
}

/// The quizzes the person has passed at least once (none if storage cannot
/// say: the marks of a list are not worth refusing the list for).
pub(crate) async fn passed_quizzes(cx: &Cx, learning: &dyn LearningStore) -> Vec<String> {
    learning
        .passed_quizzes(cx.user.id)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot read the passed quizzes");
            Vec::new()
        })
}

/// The person's best finished result for `quiz`.
pub(crate) async fn best_result(
    cx: &Cx,
    learning: &dyn LearningStore,
    quiz: &str,
) -> Option<AttemptResult> {
    let attempts = learning.quiz_attempts(cx.user.id, quiz).await.ok()?;
    attempts
        .into_iter()
        .filter_map(|a| a.result)
        .max_by_key(|r| (r.passed, learning::percent(r.score, r.max_score)))
}
