//! The router's admin half: the one guard every admin button passes, and where
//! each admin button goes once it is let through.

use domain::callback::{AdminAction, Callback, LookupAction, PeopleView};
use domain::html::Html;
use domain::ids::UserId;

use crate::access::panel;
use crate::action::{Button, Keyboard};
use crate::admin_panel;
use crate::admin_rows::{back_to_panel, person_status};
use crate::broadcasts;
use crate::content_router;
use crate::dialogue::{self, Dialogue};
use crate::engine::Turn;
use crate::error::Served;
use crate::export_panel;
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::insight_charts;
use crate::insights;
use crate::lookup::{self, Placement, TYPING_WAIT};
use crate::people_panel::{self, REASON_WAIT};
use crate::ports::{MAX_QUERY_CHARS, PeopleFilter};
use crate::privacy;
use crate::rights::Admission;
use crate::roles;
use crate::screens::Rendered;

impl Turn<'_> {
    /// The one guard every admin button passes.
    pub(crate) async fn admin_guard(
        &mut self,
        action: AdminAction,
        message: Option<CallbackMessage>,
    ) -> Served {
        match self.admit_action(&action).await {
            Admission::Allowed => {}
            Admission::Expired => {
                self.cx.toast(t(self.cx.lang(), "admin-session-expired"));
                return Ok(());
            }
            Admission::Forbidden => {
                self.cx.toast(t(self.cx.lang(), "admin-forbidden"));
                return Ok(());
            }
        }
        if let AdminAction::Lookup(action) = action {
            return self.admin_lookup(action, message).await;
        }
        if let AdminAction::Content(action) = action {
            return content_router::admin_content(
                &mut self.cx,
                &self.engine.content_ports(),
                action,
                message,
            )
            .await;
        }
        match action {
            AdminAction::Panel => {
                let panel = admin_panel::admin_panel(&self.cx, &self.engine.panel_ports()).await;
                self.cx.show_rendered(message, panel);
            }
            AdminAction::Statistics => {
                admin_panel::admin_statistics(&mut self.cx, &self.engine.panel_ports(), message)
                    .await?
            }
            AdminAction::Audit { before } => {
                admin_panel::admin_audit(&mut self.cx, &self.engine.panel_ports(), before, message)
                    .await?
            }
            AdminAction::People { status, after } => {
                let view = PeopleView {
                    status,
                    park: None,
                    department: None,
                    after,
                };
                let filter = PeopleFilter {
                    status: person_status(status),
                    park: self.cx.scope().map(str::to_owned),
                    ..PeopleFilter::default()
                };
                people_panel::admin_people(
                    &mut self.cx,
                    &self.engine.people_ports(),
                    view,
                    filter,
                    message,
                )
                .await?
            }
            AdminAction::Person(id) => {
                people_panel::admin_person(
                    &mut self.cx,
                    &self.engine.people_ports(),
                    UserId(id),
                    message,
                )
                .await?
            }
            AdminAction::Block(id) => {
                dialogue::enter_dialogue_for(
                    &self.cx,
                    &*self.engine.state,
                    Dialogue::BlockReason { target: id },
                    REASON_WAIT,
                )
                .await;
                let back = Button::new(
                    t(self.cx.lang(), "btn-admin-back-person"),
                    Callback::Admin(AdminAction::Person(id)),
                );
                let keyboard = Keyboard::default().row(vec![back]);
                self.cx.show_rendered(
                    message,
                    Rendered {
                        text: html(self.cx.lang(), "admin-block-reason"),
                        keyboard,
                    },
                );
            }
            AdminAction::Unblock(id) => {
                people_panel::set_person_blocked(
                    &mut self.cx,
                    &self.engine.people_ports(),
                    UserId(id),
                    None,
                    message,
                )
                .await?
            }
            AdminAction::Broadcast(action) => {
                broadcasts::broadcast_action(
                    &mut self.cx,
                    &self.engine.broadcast_ports(),
                    action,
                    message,
                )
                .await?
            }
            AdminAction::Access(action) => {
                panel::admin_access(&mut self.cx, &self.engine.access_ports(), action, message)
                    .await?
            }
            AdminAction::Exports(format) => {
                export_panel::admin_exports(&mut self.cx, message, format)
            }
            AdminAction::Export(choice, format) => {
                export_panel::admin_export(
                    &mut self.cx,
                    &self.engine.export_ports(),
                    choice,
                    format,
                )
                .await?
            }
            AdminAction::ExportPerson(id, format) => {
                export_panel::admin_export_person(
                    &mut self.cx,
                    &self.engine.export_ports(),
                    UserId(id),
                    format,
                )
                .await?
            }
            AdminAction::Erase(id) => {
                let people = &*self.engine.storage.records;
                privacy::erase_confirm(&mut self.cx, people, UserId(id), message).await?
            }
            AdminAction::EraseConfirmed(id) => {
                let ports = self.engine.privacy_ports();
                privacy::erase(&mut self.cx, &ports, UserId(id), message).await?
            }
            AdminAction::Roles(action) => {
                roles::admin_roles(&mut self.cx, &self.engine.role_ports(), action, message).await?
            }
            AdminAction::Deletions { after } => {
                let ports = self.engine.privacy_ports();
                privacy::deletions(&mut self.cx, &ports, after, message).await?
            }
            // Dispatched above: look-ups and content answer the callback themselves.
            AdminAction::Lookup(_) | AdminAction::Content(_) => {}
            AdminAction::Logout => {
                let _ = self.engine.state.delete(&self.cx.key("session")).await;
                self.audit("logout", String::new()).await;
                self.cx.show_rendered(
                    message,
                    Rendered {
                        text: html(self.cx.lang(), "admin-logged-out"),
                        keyboard: Keyboard::default().row(vec![Button::new(
                            t(self.cx.lang(), "btn-home"),
                            Callback::Home,
                        )]),
                    },
                );
            }
        }
        Ok(())
    }

    /// A look-up button, after the admin guard let it through. It answers the
    /// callback itself, so that forged data can get the stale-menu answer.
    pub(crate) async fn admin_lookup(
        &mut self,
        action: LookupAction,
        message: Option<CallbackMessage>,
    ) -> Served {
        let lang = self.cx.lang();
        match action {
            LookupAction::Search | LookupAction::Verify => {
                let (dialogue, prompt) = match action {
                    LookupAction::Search => (Dialogue::AdminSearch, "admin-search-prompt"),
                    _ => (Dialogue::AdminVerify, "admin-verify-prompt"),
                };
                dialogue::enter_dialogue_for(&self.cx, &*self.engine.state, dialogue, TYPING_WAIT)
                    .await;
                let text = Html::escape(&t_args(lang, prompt, &[("max", MAX_QUERY_CHARS.into())]));
                let keyboard = Keyboard::default().row(back_to_panel(self.cx.lang()));
                self.cx.show_rendered(message, Rendered { text, keyboard });
            }
            LookupAction::TopPages => {
                insights::top_pages(&mut self.cx, &self.engine.stats_ports(), message).await?;
            }
            LookupAction::QuizStats => {
                insights::quiz_stats(&mut self.cx, &self.engine.stats_ports(), message).await?;
            }
            LookupAction::Overdue => {
                insights::overdue_screen(&mut self.cx, &self.engine.stats_ports(), message).await?;
            }
            LookupAction::ActivityParks => {
                insight_charts::activity_parks(&mut self.cx, message);
            }
            LookupAction::Funnel => {
                insight_charts::funnel_screen(&mut self.cx, &self.engine.stats_ports(), message)
                    .await?;
            }
            LookupAction::Daily => {
                insight_charts::daily_screen(&mut self.cx, &self.engine.stats_ports(), message)
                    .await?;
            }
            LookupAction::Activity(park) => {
                let Some(park) = self.cx.pack().park(park.as_str()).cloned() else {
                    return self.stale(message).await;
                };
                insight_charts::activity_screen(
                    &mut self.cx,
                    &self.engine.stats_ports(),
                    park,
                    message,
                )
                .await?;
            }
            LookupAction::ChoosePark(person) | LookupAction::ChooseDepartment(person) => {
                let placement = match action {
                    LookupAction::ChoosePark(_) => Placement::Park,
                    _ => Placement::Department,
                };
                lookup::choose_placement(
                    &mut self.cx,
                    &self.engine.lookup_ports(),
                    UserId(person),
                    placement,
                    message,
                )
                .await?;
            }
            LookupAction::People(view) => {
                let Some(filter) = lookup::people_filter(&self.cx, &view) else {
                    return self.stale(message).await;
                };
                people_panel::admin_people(
                    &mut self.cx,
                    &self.engine.people_ports(),
                    view,
                    filter,
                    message,
                )
                .await?;
            }
            LookupAction::ParkFilter(view) | LookupAction::DepartmentFilter(view) => {
                if lookup::people_filter(&self.cx, &view).is_none() {
                    return self.stale(message).await;
                }
                let placement = match action {
                    LookupAction::ParkFilter(_) => Placement::Park,
                    _ => Placement::Department,
                };
                lookup::choose_filter(&mut self.cx, view, placement, message);
            }
            LookupAction::SetPark(person, park) => {
                lookup::set_placement(
                    &mut self.cx,
                    &self.engine.lookup_ports(),
                    UserId(person),
                    Placement::Park,
                    park,
                    message,
                )
                .await?;
            }
            LookupAction::SetDepartment(person, department) => {
                lookup::set_placement(
                    &mut self.cx,
                    &self.engine.lookup_ports(),
                    UserId(person),
                    Placement::Department,
                    department,
                    message,
                )
                .await?;
            }
        }
        Ok(())
    }
}
