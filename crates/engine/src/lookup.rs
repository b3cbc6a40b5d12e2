//! The admin panel's look-ups and corrections: search people by id, @username or
//! name; verify a certificate code; move a person to another park or department.
//!
//! Every button here arrives through `Turn::admin_guard` (whose
//! `admin_lookup` also dispatches the statistics sub-screens), and every typed
//! text (a search, a code) passes the same guard in the router; each action is written
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
use crate::admin_rows::lookup;
use crate::admin_rows::person_button;
use crate::admin_rows::person_status;
use crate::audit::audit;
use crate::context::Cx;
use crate::dialogue::{self, Dialogue};
use crate::error::{OrUnavailable, Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::navigation::{self, NavPorts};
use crate::people_panel::{self, PeoplePorts};
use crate::ports::{MAX_QUERY_CHARS, PeopleFilter, PeopleQuery, ProfileField, QueryError};
use crate::progress::{self, ProgressPorts};
use crate::screens::Rendered;

/// What the look-ups reach beyond the update's context: the people screens'
/// ports, and moving between screens and checking certificates.
pub(crate) struct LookupPorts<'a> {
    pub(crate) people: PeoplePorts<'a>,
    pub(crate) nav: NavPorts<'a>,
    pub(crate) progress: ProgressPorts<'a>,
}

/// People shown for one search; more means "refine your search".
const SEARCH_RESULTS: u32 = 10;
/// How long the bot waits for a search text or a certificate code.
pub(crate) const TYPING_WAIT: Duration = Duration::from_secs(5 * 60);

/// Which of a person's two placements an admin changes.
#[derive(Clone, Copy)]
pub(crate) enum Placement {
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

/// A typed search (the router's guard let it through): people whose id is the number typed, or whose name or
/// username contains the text (case-insensitive, `%` and `_` literal).
pub(crate) async fn search_typed(cx: &mut Cx, ports: &LookupPorts<'_>, text: &str) -> Served {
    let lang = cx.lang();
    let query = match PeopleQuery::parse(text) {
        Ok(q) => q,
        Err(e) => {
            dialogue::enter_dialogue_for(
                cx,
                ports.people.state,
                Dialogue::AdminSearch,
                TYPING_WAIT,
            )
            .await;
            let key = match e {
                QueryError::Empty => "admin-search-empty",
                QueryError::TooLong => "admin-search-too-long",
            };
            let hint = Html::escape(&t_args(lang, key, &[("max", MAX_QUERY_CHARS.into())]));
            cx.actions.push(Action::Send {
                chat: cx.chat,
                text: hint,
                keyboard: None,
            });
            return Ok(());
        }
    };
    let found = ports
        .people
        .lookup
        .search_people(&query, cx.scope(), SEARCH_RESULTS + 1)
        .await
        .or_unavailable("cannot search people")?;
    audit(cx, ports.people.audit, "search", query.needle().to_owned()).await;
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
        .row(back_to_panel(cx.lang()));
    cx.actions.push(Action::Send {
        chat: cx.chat,
        text,
        keyboard: Some(keyboard),
    });
    Ok(())
}

/// A typed certificate code (the router's guard let it through): the same answer as `/verify CODE`, audited; a
/// text that cannot be a code is asked for again.
pub(crate) async fn verify_typed(cx: &mut Cx, ports: &LookupPorts<'_>, text: &str) -> Served {
    let Some(code) = learning::parse_certificate_code(text) else {
        dialogue::enter_dialogue_for(cx, ports.people.state, Dialogue::AdminVerify, TYPING_WAIT)
            .await;
        cx.actions.push(Action::Send {
            chat: cx.chat,
            text: html(cx.lang(), "admin-verify-format"),
            keyboard: None,
        });
        return Ok(());
    };
    audit(cx, ports.people.audit, "verify_certificate", code.clone()).await;
    let keyboard = Keyboard::default()
        .row(vec![Button::new(
            t(cx.lang(), "btn-admin-verify-again"),
            lookup(LookupAction::Verify),
        )])
        .row(back_to_panel(cx.lang()));
    progress::verify_certificate(cx, &ports.progress, &code, Some(keyboard)).await
}

/// The storage filter of a list view; `None` when its park or department index
/// is past the end of the pack's lists (data from an older pack, or forged).
pub(crate) fn people_filter(cx: &Cx, view: &PeopleView) -> Option<PeopleFilter> {
    let pack = cx.pack();
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
        park: cx.scope().map(str::to_owned).or(park),
        department,
    })
}

/// The parks (or departments) to filter the people list by, and "any".
pub(crate) fn choose_filter(
    cx: &mut Cx,
    view: PeopleView,
    placement: Placement,
    message: Option<CallbackMessage>,
) {
    let lang = cx.lang();
    let view = PeopleView {
        after: None,
        ..view
    };
    let names: Vec<String> = match placement {
        Placement::Park => cx
            .pack()
            .parks()
            .iter()
            .map(|p| p.name.get(lang).clone())
            .collect(),
        Placement::Department => cx
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
    cx.show_rendered(message, Rendered { text, keyboard });
}

/// The pack's parks (or departments) to move the person to.
pub(crate) async fn choose_placement(
    cx: &mut Cx,
    ports: &LookupPorts<'_>,
    person: UserId,
    placement: Placement,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let name = match ports.people.records.user(person).await {
        Ok(Some(p)) => crate::admin_rows::list_name(&p.first_name, p.last_name.as_deref()),
        Ok(None) => {
            cx.say("admin-person-unknown");
            return Ok(());
        }
        Err(e) => return Err(unavailable("cannot read a person", e)),
    };
    let choices: Vec<(String, String)> = match placement {
        Placement::Park => cx
            .pack()
            .parks()
            .iter()
            .map(|p| (p.id.clone(), p.name.get(lang).clone()))
            .collect(),
        Placement::Department => cx
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
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

/// Stores the new park (or department), audits old → new, shows the card.
pub(crate) async fn set_placement(
    cx: &mut Cx,
    ports: &LookupPorts<'_>,
    person: UserId,
    placement: Placement,
    slug: Slug,
    message: Option<CallbackMessage>,
) -> Served {
    let known = match placement {
        Placement::Park => cx.pack().park(slug.as_str()).is_some(),
        Placement::Department => cx.pack().department(slug.as_str()).is_some(),
    };
    if !known {
        return navigation::stale(cx, &ports.nav, message).await;
    }
    let old = match (
        ports.people.records.user(person).await,
        ports.people.learning.staff_profile(person).await,
    ) {
        (Ok(Some(_)), Ok(staff)) => match placement {
            Placement::Park => staff.park,
            Placement::Department => staff.department,
        },
        (Ok(None), _) => {
            cx.say("admin-person-unknown");
            return Ok(());
        }
        (Err(e), _) | (_, Err(e)) => return Err(unavailable("cannot read a person", e)),
    };
    let new = slug.as_str().to_owned();
    let field = match placement {
        Placement::Park => ProfileField::Park(Some(new.clone())),
        Placement::Department => ProfileField::Department(Some(new.clone())),
    };
    let moved = ports.people.learning.set_profile_field(person, field).await;
    ports.people.cache.changed(person).await;
    if let Err(e) = moved {
        return Err(unavailable("cannot move a person", e));
    }
    audit(
        cx,
        ports.people.audit,
        placement.audit_action(),
        format!("{person}: {} → {new}", old.as_deref().unwrap_or("-")),
    )
    .await;
    people_panel::admin_person(cx, &ports.people, person, message).await
}

/// The panel row that leads here.
pub(crate) fn lookup_panel_row(cx: &Cx) -> Vec<Button> {
    let lang = cx.lang();
    vec![
        Button::new(t(lang, "btn-admin-search"), lookup(LookupAction::Search)),
        Button::new(t(lang, "btn-admin-verify"), lookup(LookupAction::Verify)),
    ]
}
