//! The admin panel itself: its main screen (what each role may open), the
//! statistics and the audit log.

use domain::callback::{
    AdminAction, BroadcastAction, Callback, FileFormat, ListStatus, RoleAction,
};
use domain::html::Html;
use domain::learning;

use crate::access::panel::{self, AccessPorts};
use crate::action::{Button, Keyboard};
use crate::admin_rows::back_to_panel;
use crate::audit::audit;
use crate::content_editor;
use crate::context::Cx;
use crate::error::{OrUnavailable, Served};
use crate::i18n::{html, t};
use crate::inbound::CallbackMessage;
use crate::insights;
use crate::lookup;
use crate::ports::AdminStore;
use crate::screens::Rendered;

/// What the admin panel's front screen, its statistics and the audit log reach.
pub(crate) struct PanelPorts<'a> {
    /// The counts, the audit log.
    pub(crate) admin: &'a dyn AdminStore,
    /// The access panel's row (how many requests wait).
    pub(crate) access: AccessPorts<'a>,
}

/// Audit entries on one screen.
const AUDIT_PAGE: u32 = 10;

pub(crate) async fn admin_panel(cx: &Cx, ports: &PanelPorts<'_>) -> Rendered {
    let lang = cx.lang();
    let access = panel::access_panel_row(cx, &ports.access).await;
    let keyboard = Keyboard::default()
        .row(vec![
            Button::new(
                t(lang, "btn-admin-stats"),
                Callback::Admin(AdminAction::Statistics),
            ),
            Button::new(
                t(lang, "btn-admin-audit"),
                Callback::Admin(AdminAction::Audit { before: None }),
            ),
        ])
        .row(vec![
            Button::new(
                t(lang, "btn-admin-people"),
                Callback::Admin(AdminAction::People {
                    status: ListStatus::Any,
                    after: None,
                }),
            ),
            Button::new(
                t(lang, "btn-admin-broadcasts"),
                Callback::Admin(AdminAction::Broadcast(BroadcastAction::History {
                    before: None,
                })),
            ),
        ])
        .row(vec![
            Button::new(
                t(lang, "btn-admin-exports"),
                Callback::Admin(AdminAction::Exports(FileFormat::default())),
            ),
            Button::new(
                t(lang, "btn-admin-deletions"),
                Callback::Admin(AdminAction::Deletions { after: None }),
            ),
        ])
        .row(access)
        .row(lookup::lookup_panel_row(cx))
        .row(content_editor::content_panel_row(cx))
        .row(vec![Button::new(
            t(lang, "btn-admin-roles"),
            Callback::Admin(AdminAction::Roles(RoleAction::Holders)),
        )])
        .row(vec![Button::new(
            t(lang, "btn-admin-logout"),
            Callback::Admin(AdminAction::Logout),
        )]);
    Rendered {
        text: Html::bold(&html(lang, "admin-panel-title")),
        keyboard,
    }
}

pub(crate) async fn admin_statistics(
    cx: &mut Cx,
    ports: &PanelPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let stats = ports
        .admin
        .people_stats(cx.now(), cx.scope())
        .await
        .or_unavailable("cannot read statistics")?;
    audit(cx, ports.admin, "view_stats", String::new()).await;
    let mut text = Html::bold(&html(lang, "admin-stats-title"));
    for (key, n) in [
        ("admin-stats-total", stats.total),
        ("admin-stats-today", stats.active_today),
        ("admin-stats-7d", stats.active_7d),
        ("admin-stats-30d", stats.active_30d),
        ("admin-stats-new", stats.new_7d),
        ("admin-stats-blocked", stats.blocked),
        ("admin-stats-inactive", stats.inactive),
    ] {
        text.push_text(&format!("\n{}: {n}", t(lang, key)));
    }
    let unset = t(lang, "profile-unset");
    text.push_text("\n\n");
    text.push(&Html::bold(&html(lang, "admin-stats-by-park")));
    for (park, n) in &stats.by_park {
        let name = cx
            .pack()
            .park(park)
            .map_or(unset.clone(), |p| p.name.get(lang).clone());
        text.push_text(&format!("\n• {name}: {n}"));
    }
    text.push_text("\n\n");
    text.push(&Html::bold(&html(lang, "admin-stats-by-department")));
    for (department, n) in &stats.by_department {
        let name = cx
            .pack()
            .department(department)
            .map_or(unset.clone(), |d| d.name.get(lang).clone());
        text.push_text(&format!("\n• {name}: {n}"));
    }
    let keyboard = insights::statistics_rows(cx)
        .into_iter()
        .fold(Keyboard::default(), Keyboard::row)
        .row(back_to_panel(cx.lang()));
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

pub(crate) async fn admin_audit(
    cx: &mut Cx,
    ports: &PanelPorts<'_>,
    before: Option<i64>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let entries = ports
        .admin
        .audit_entries(before, AUDIT_PAGE)
        .await
        .or_unavailable("cannot read the audit log")?;
    audit(
        cx,
        ports.admin,
        "view_audit",
        before.map(|b| format!("before {b}")).unwrap_or_default(),
    )
    .await;
    let mut text = Html::bold(&html(lang, "admin-audit-title"));
    if entries.is_empty() {
        text.push_text("\n");
        text.push(&html(lang, "admin-audit-empty"));
    }
    for e in &entries {
        let when = learning::local_date_time(e.at, cx.timezone());
        text.push_text(&format!("\n{when} · {} · ", e.actor));
        text.push(&Html::bold(&Html::escape(&e.action)));
        if !e.detail.is_empty() {
            text.push_text(&format!(" · {}", e.detail));
        }
    }
    let mut keyboard = Keyboard::default();
    if entries.len() == AUDIT_PAGE as usize
        && let Some(last) = entries.last()
    {
        let older = Callback::Admin(AdminAction::Audit {
            before: Some(last.id),
        });
        keyboard = keyboard.row(vec![Button::new(t(lang, "btn-admin-older"), older)]);
    }
    keyboard = keyboard.row(back_to_panel(cx.lang()));
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}
