//! The admin panel's look-ups and corrections: search people by id, @username or
//! name; verify a certificate code; move a person to another park or department;
//! and the dispatch of the statistics sub-screens (in `insights`).
//!
//! Every button here arrives through [`Turn::admin_guard`], and every typed text
//! (a search, a code) through [`Turn::typed_input_allowed`]; each action is written
//! to the audit log. A park or department must exist in the current content pack:
//! anything else in the data is answered as a stale menu. A moved person is not
//! told (see ADR 0013).

use std::time::Duration;

use domain::callback::{AdminAction, Callback, LookupAction, PeopleView, Slug};
use domain::html::Html;
use domain::ids::UserId;
use domain::learning;

use crate::action::{Action, Button, Keyboard};
use crate::admin_rows::back_to_panel;
use crate::admin_rows::person_button;
use crate::dialogue::{self, Dialogue};
use crate::engine::Turn;
use crate::error::{OrUnavailable, Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::insight_charts;
use crate::insights;
use crate::navigation;
use crate::people_panel::person_status;
use crate::ports::{MAX_QUERY_CHARS, PeopleFilter, PeopleQuery, ProfileField, QueryError};
use crate::progress;
use crate::rights::Need;
use crate::screens::Rendered;

/// People shown for one search; more means "refine your search".
const SEARCH_RESULTS: u32 = 10;
/// How long the bot waits for a search text or a certificate code.
const TYPING_WAIT: Duration = Duration::from_secs(5 * 60);

/// Which of a person's two placements an admin changes.
#[derive(Clone, Copy)]
enum Placement {
    Park,
    Department,
}

impl Placement {
    fn audit_action(self) -> &'static str {
        match self {
            Placement::Park => "change_park",
            Placement::Department => "change_department",
        }
    }
}

impl Turn<'_> {
    /// The panel row that leads here.
    pub(crate) fn lookup_panel_row(&self) -> Vec<Button> {
        let lang = self.cx.lang();
        vec![
            Button::new(t(lang, "btn-admin-search"), lookup(LookupAction::Search)),
            Button::new(t(lang, "btn-admin-verify"), lookup(LookupAction::Verify)),
        ]
    }

    /// The person card's row for moving the person.
    pub(crate) fn placement_row(&self, person: UserId) -> Vec<Button> {
        let lang = self.cx.lang();
        vec![
            Button::new(
                t(lang, "btn-admin-change-park"),
                lookup(LookupAction::ChoosePark(person.0)),
            ),
            Button::new(
                t(lang, "btn-admin-change-department"),
                lookup(LookupAction::ChooseDepartment(person.0)),
            ),
        ]
    }

    /// A look-up button, after the admin guard let it through. It answers the
    /// callback itself, so that forged data can get the stale-menu answer.
    pub(crate) async fn admin_lookup(
        &mut self,
        query_id: String,
        action: LookupAction,
        message: Option<CallbackMessage>,
    ) -> Served {
        let lang = self.cx.lang();
        match action {
            LookupAction::Search | LookupAction::Verify => {
                self.cx.answer(query_id, None);
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
                self.cx.answer(query_id, None);
                insights::top_pages(&mut self.cx, &self.engine.stats_ports(), message).await?;
            }
            LookupAction::QuizStats => {
                self.cx.answer(query_id, None);
                insights::quiz_stats(&mut self.cx, &self.engine.stats_ports(), message).await?;
            }
            LookupAction::Overdue => {
                self.cx.answer(query_id, None);
                insights::overdue_screen(&mut self.cx, &self.engine.stats_ports(), message).await?;
            }
            LookupAction::ActivityParks => {
                self.cx.answer(query_id, None);
                insight_charts::activity_parks(&mut self.cx, message);
            }
            LookupAction::Funnel => {
                self.cx.answer(query_id, None);
                insight_charts::funnel_screen(&mut self.cx, &self.engine.stats_ports(), message)
                    .await?;
            }
            LookupAction::Daily => {
                self.cx.answer(query_id, None);
                insight_charts::daily_screen(&mut self.cx, &self.engine.stats_ports(), message)
                    .await?;
            }
            LookupAction::Activity(park) => {
                let Some(park) = self.cx.pack().park(park.as_str()).cloned() else {
                    return navigation::stale(
                        &mut self.cx,
                        &self.engine.nav_ports(),
                        query_id,
                        message,
                    )
                    .await;
                };
                self.cx.answer(query_id, None);
                insight_charts::activity_screen(
                    &mut self.cx,
                    &self.engine.stats_ports(),
                    park,
                    message,
                )
                .await?;
            }
            LookupAction::ChoosePark(person) => {
                self.cx.answer(query_id, None);
                self.choose_placement(UserId(person), Placement::Park, message)
                    .await?;
            }
            LookupAction::ChooseDepartment(person) => {
                self.cx.answer(query_id, None);
                self.choose_placement(UserId(person), Placement::Department, message)
                    .await?;
            }
            LookupAction::People(view) => {
                let Some(filter) = self.people_filter(&view) else {
                    return navigation::stale(
                        &mut self.cx,
                        &self.engine.nav_ports(),
                        query_id,
                        message,
                    )
                    .await;
                };
                self.cx.answer(query_id, None);
                self.admin_people(view, filter, message).await?;
            }
            LookupAction::ParkFilter(view) | LookupAction::DepartmentFilter(view) => {
                if self.people_filter(&view).is_none() {
                    return navigation::stale(
                        &mut self.cx,
                        &self.engine.nav_ports(),
                        query_id,
                        message,
                    )
                    .await;
                }
                self.cx.answer(query_id, None);
                let placement = match action {
                    LookupAction::ParkFilter(_) => Placement::Park,
                    _ => Placement::Department,
                };
                self.choose_filter(view, placement, message);
            }
            LookupAction::SetPark(person, park) => {
                self.set_placement(query_id, UserId(person), Placement::Park, park, message)
                    .await?;
            }
            LookupAction::SetDepartment(person, department) => {
                self.set_placement(
                    query_id,
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

    /// A typed search: people whose id is the number typed, or whose name or
    /// username contains the text (case-insensitive, `%` and `_` literal).
    pub(crate) async fn search_typed(&mut self, text: &str) -> Served {
        dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
        if !self.typed_input_allowed("search", Need::People, None).await {
            return Ok(());
        }
        let lang = self.cx.lang();
        let query = match PeopleQuery::parse(text) {
            Ok(q) => q,
            Err(e) => {
                dialogue::enter_dialogue_for(
                    &self.cx,
                    &*self.engine.state,
                    Dialogue::AdminSearch,
                    TYPING_WAIT,
                )
                .await;
                let key = match e {
                    QueryError::Empty => "admin-search-empty",
                    QueryError::TooLong => "admin-search-too-long",
                };
                let hint = Html::escape(&t_args(lang, key, &[("max", MAX_QUERY_CHARS.into())]));
                self.cx.actions.push(Action::Send {
                    chat: self.cx.chat,
                    text: hint,
                    keyboard: None,
                });
                return Ok(());
            }
        };
        let found = self
            .engine
            .storage
            .search_people(&query, self.cx.scope(), SEARCH_RESULTS + 1)
            .await
            .or_unavailable("cannot search people")?;
        self.audit("search", query.needle().to_owned()).await;
        let shown = &found[..found.len().min(SEARCH_RESULTS as usize)];
        let mut text = Html::bold(&Html::escape(&t_args(
            lang,
            "admin-search-title",
            &[("query", query.needle().to_owned().into())],
        )));
        text.push_text("\n");
        if shown.is_empty() {
            text.push(&html(lang, "admin-search-none"));
        } else if found.len() > shown.len() {
            text.push_text(&t_args(
                lang,
                "admin-search-refine",
                &[("n", SEARCH_RESULTS.into())],
            ));
        } else {
            text.push_text(&t_args(
                lang,
                "admin-search-found",
                &[("n", shown.len().into())],
            ));
        }
        let mut keyboard = Keyboard::default();
        for person in shown {
            keyboard = keyboard.row(vec![person_button(person)]);
        }
        keyboard = keyboard
            .row(vec![Button::new(
                t(lang, "btn-admin-search-again"),
                lookup(LookupAction::Search),
            )])
            .row(back_to_panel(self.cx.lang()));
        self.cx.actions.push(Action::Send {
            chat: self.cx.chat,
            text,
            keyboard: Some(keyboard),
        });
        Ok(())
    }

    /// A typed certificate code: the same answer as `/verify CODE`, audited; a
    /// text that cannot be a code is asked for again.
    pub(crate) async fn verify_typed(&mut self, text: &str) -> Served {
        dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
        if !self
            .typed_input_allowed("verify_certificate", Need::People, None)
            .await
        {
            return Ok(());
        }
        let Some(code) = learning::parse_certificate_code(text) else {
            dialogue::enter_dialogue_for(
                &self.cx,
                &*self.engine.state,
                Dialogue::AdminVerify,
                TYPING_WAIT,
            )
            .await;
            self.cx.actions.push(Action::Send {
                chat: self.cx.chat,
                text: html(self.cx.lang(), "admin-verify-format"),
                keyboard: None,
            });
            return Ok(());
        };
        self.audit("verify_certificate", code.clone()).await;
        let keyboard = Keyboard::default()
            .row(vec![Button::new(
                t(self.cx.lang(), "btn-admin-verify-again"),
                lookup(LookupAction::Verify),
            )])
            .row(back_to_panel(self.cx.lang()));
        let ports = self.engine.progress_ports();
        progress::verify_certificate(&mut self.cx, &ports, &code, Some(keyboard)).await
    }

    /// The storage filter of a list view; `None` when its park or department index
    /// is past the end of the pack's lists (data from an older pack, or forged).
    pub(crate) fn people_filter(&self, view: &PeopleView) -> Option<PeopleFilter> {
        let pack = self.cx.pack();
        let park = match view.park {
            None => None,
            Some(i) => Some(pack.parks().get(usize::from(i))?.id.clone()),
        };
        let department = match view.department {
            None => None,
            Some(i) => Some(pack.departments().get(usize::from(i))?.id.clone()),
        };
        Some(PeopleFilter {
            status: person_status(view.status),
            // A park manager's list is their park's, whatever the button says.
            park: self.cx.scope().map(str::to_owned).or(park),
            department,
        })
    }

    /// The people list's buttons for its park and department filters.
    pub(crate) fn placement_filter_row(
        &self,
        view: PeopleView,
        filter: &PeopleFilter,
    ) -> Vec<Button> {
        let lang = self.cx.lang();
        let pack = self.cx.pack();
        let park = filter
            .park
            .as_deref()
            .and_then(|p| pack.park(p))
            .map_or_else(
                || t(lang, "btn-admin-any-park"),
                |p| p.name.get(lang).clone(),
            );
        let department = filter
            .department
            .as_deref()
            .and_then(|d| pack.department(d))
            .map_or_else(
                || t(lang, "btn-admin-any-department"),
                |d| d.name.get(lang).clone(),
            );
        let view = PeopleView {
            after: None,
            ..view
        };
        vec![
            Button::new(
                t_args(lang, "btn-admin-filter-park", &[("name", park.into())]),
                lookup(LookupAction::ParkFilter(view)),
            ),
            Button::new(
                t_args(
                    lang,
                    "btn-admin-filter-department",
                    &[("name", department.into())],
                ),
                lookup(LookupAction::DepartmentFilter(view)),
            ),
        ]
    }

    /// The parks (or departments) to filter the people list by, and "any".
    fn choose_filter(
        &mut self,
        view: PeopleView,
        placement: Placement,
        message: Option<CallbackMessage>,
    ) {
        let lang = self.cx.lang();
        let view = PeopleView {
            after: None,
            ..view
        };
        let names: Vec<String> = match placement {
            Placement::Park => self
                .cx
                .pack()
                .parks()
                .iter()
                .map(|p| p.name.get(lang).clone())
                .collect(),
            Placement::Department => self
                .cx
                .pack()
                .departments()
                .iter()
                .map(|d| d.name.get(lang).clone())
                .collect(),
        };
        let with = |index: Option<u8>| match placement {
            Placement::Park => PeopleView {
                park: index,
                ..view
            },
            Placement::Department => PeopleView {
                department: index,
                ..view
            },
        };
        let (title, any) = match placement {
            Placement::Park => ("admin-filter-choose-park", "btn-admin-any-park"),
            Placement::Department => ("admin-filter-choose-department", "btn-admin-any-department"),
        };
        let mut keyboard = Keyboard::default();
        // Indices are one byte in the callback data; a pack with more than 256
        // parks shows the first 256.
        let indexed: Vec<(u8, String)> = names
            .into_iter()
            .enumerate()
            .filter_map(|(i, name)| Some((u8::try_from(i).ok()?, name)))
            .collect();
        for chunk in indexed.chunks(2) {
            keyboard = keyboard.row(
                chunk
                    .iter()
                    .map(|(i, name)| {
                        Button::new(name.clone(), lookup(LookupAction::People(with(Some(*i)))))
                    })
                    .collect(),
            );
        }
        keyboard = keyboard
            .row(vec![Button::new(
                t(lang, any),
                lookup(LookupAction::People(with(None))),
            )])
            .row(vec![Button::new(
                t(lang, "btn-admin-people"),
                lookup(LookupAction::People(view)),
            )]);
        let text = html(lang, title);
        self.cx.show_rendered(message, Rendered { text, keyboard });
    }

    /// The pack's parks (or departments) to move the person to.
    async fn choose_placement(
        &mut self,
        person: UserId,
        placement: Placement,
        message: Option<CallbackMessage>,
    ) -> Served {
        let lang = self.cx.lang();
        let name = match self.engine.storage.user(person).await {
            Ok(Some(p)) => crate::admin_rows::list_name(&p.first_name, p.last_name.as_deref()),
            Ok(None) => {
                self.cx.say("admin-person-unknown");
                return Ok(());
            }
            Err(e) => return Err(unavailable("cannot read a person", e)),
        };
        let choices: Vec<(String, String)> = match placement {
            Placement::Park => self
                .cx
                .pack()
                .parks()
                .iter()
                .map(|p| (p.id.clone(), p.name.get(lang).clone()))
                .collect(),
            Placement::Department => self
                .cx
                .pack()
                .departments()
                .iter()
                .map(|d| (d.id.clone(), d.name.get(lang).clone()))
                .collect(),
        };
        let key = match placement {
            Placement::Park => "admin-choose-park",
            Placement::Department => "admin-choose-department",
        };
        let text = Html::escape(&t_args(lang, key, &[("name", name.into())]));
        let mut keyboard = Keyboard::default();
        for chunk in choices.chunks(2) {
            let row = chunk
                .iter()
                .filter_map(|(id, label)| {
                    let slug = Slug::parse(id)?;
                    let action = match placement {
                        Placement::Park => LookupAction::SetPark(person.0, slug),
                        Placement::Department => LookupAction::SetDepartment(person.0, slug),
                    };
                    Some(Button::new(label.clone(), lookup(action)))
                })
                .collect();
            keyboard = keyboard.row(row);
        }
        keyboard = keyboard.row(vec![Button::new(
            t(lang, "btn-admin-back-person"),
            Callback::Admin(AdminAction::Person(person.0)),
        )]);
        self.cx.show_rendered(message, Rendered { text, keyboard });
        Ok(())
    }

    /// Stores the new park (or department), audits old → new, shows the card.
    async fn set_placement(
        &mut self,
        query_id: String,
        person: UserId,
        placement: Placement,
        slug: Slug,
        message: Option<CallbackMessage>,
    ) -> Served {
        let known = match placement {
            Placement::Park => self.cx.pack().park(slug.as_str()).is_some(),
            Placement::Department => self.cx.pack().department(slug.as_str()).is_some(),
        };
        if !known {
            return navigation::stale(&mut self.cx, &self.engine.nav_ports(), query_id, message)
                .await;
        }
        self.cx.answer(query_id, None);
        let storage = self.engine.storage.clone();
        let old = match (
            storage.user(person).await,
            storage.staff_profile(person).await,
        ) {
            (Ok(Some(_)), Ok(staff)) => match placement {
                Placement::Park => staff.park,
                Placement::Department => staff.department,
            },
            (Ok(None), _) => {
                self.cx.say("admin-person-unknown");
                return Ok(());
            }
            (Err(e), _) | (_, Err(e)) => return Err(unavailable("cannot read a person", e)),
        };
        let new = slug.as_str().to_owned();
        let field = match placement {
            Placement::Park => ProfileField::Park(Some(new.clone())),
            Placement::Department => ProfileField::Department(Some(new.clone())),
        };
        let moved = storage.set_profile_field(person, field).await;
        self.engine.people.changed(person).await;
        if let Err(e) = moved {
            return Err(unavailable("cannot move a person", e));
        }
        self.audit(
            placement.audit_action(),
            format!("{person}: {} → {new}", old.as_deref().unwrap_or("-")),
        )
        .await;
        self.admin_person(person, message).await
    }
}

fn lookup(action: LookupAction) -> Callback {
    Callback::Admin(AdminAction::Lookup(action))
}
