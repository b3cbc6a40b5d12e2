//! The rights table: what each admin button needs, and whose person or park it
//! touches. Every match here names every variant, down to the last sub-action,
//! with no wildcard: a new button does not compile until someone has decided who
//! may press it and whether a park manager's park limits it. The one guard that
//! applies it is `Turn::admit` (`admission.rs`).

use domain::callback::{
    AccessAction, AdminAction, BroadcastAction, ContentAction, ExportChoice, LookupAction,
    RoleAction, Slug,
};

use crate::ports::{Role, RoleGrant};

/// What the person pressing an admin button may do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum Rights {
    /// No admin rights (also every turn's value before the guard has looked).
    #[default]
    None,
    /// An allow-listed admin: everything.
    Full,
    /// A park manager: statistics, people, exports and progress of this park.
    Park(String),
    /// A content editor: content only.
    Content,
}

/// What an admin action needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Need {
    /// The panel itself and logging out: any role.
    Panel,
    /// Statistics, people, look-ups and exports: a park manager (within their
    /// park) or a full admin.
    People,
    /// Content: a content editor or a full admin.
    Content,
    /// The audit log, broadcasts, access, erasure, roles and moving people between
    /// parks: full admins only.
    Full,
}

impl Rights {
    pub(crate) fn allow(&self, need: Need) -> bool {
        match (self, need) {
            (Rights::None, _) => false,
            (Rights::Full, _) | (_, Need::Panel) => true,
            (Rights::Park(_), Need::People) | (Rights::Content, Need::Content) => true,
            (Rights::Park(_), Need::Content | Need::Full)
            | (Rights::Content, Need::People | Need::Full) => false,
        }
    }

    pub(crate) fn of(grant: &RoleGrant) -> Rights {
        match &grant.role {
            Role::ParkManager { park } => Rights::Park(park.clone()),
            Role::ContentEditor => Rights::Content,
        }
    }
}

/// What the guard decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    Allowed,
    /// Not an admin, no live session, or logged out.
    Expired,
    /// Logged in, but the role does not allow it.
    Forbidden,
}

/// One row of the table: what a button needs, and the person or park it acts on
/// (a park manager may act only on their own park's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rule<'a> {
    need: Need,
    person: Option<i64>,
    park: Option<&'a Slug>,
}

impl Rule<'_> {
    const fn needs(need: Need) -> Rule<'static> {
        Rule {
            need,
            person: None,
            park: None,
        }
    }

    const fn on_person(need: Need, person: i64) -> Rule<'static> {
        Rule {
            need,
            person: Some(person),
            park: None,
        }
    }
}

fn rule(action: &AdminAction) -> Rule<'_> {
    match action {
        AdminAction::Panel | AdminAction::Logout => Rule::needs(Need::Panel),
        AdminAction::Statistics | AdminAction::People { .. } | AdminAction::Exports(_) => {
            Rule::needs(Need::People)
        }
        AdminAction::Person(id)
        | AdminAction::Block(id)
        | AdminAction::Unblock(id)
        | AdminAction::ExportPerson(id, _) => Rule::on_person(Need::People, *id),
        AdminAction::Export(choice, _) => Rule::needs(export_need(*choice)),
        AdminAction::Erase(id) | AdminAction::EraseConfirmed(id) => {
            Rule::on_person(Need::Full, *id)
        }
        AdminAction::Audit { .. } | AdminAction::Deletions { .. } => Rule::needs(Need::Full),
        AdminAction::Broadcast(action) => Rule::needs(broadcast_need(action)),
        AdminAction::Access(action) => Rule::needs(access_need(action)),
        AdminAction::Content(action) => Rule::needs(content_need(action)),
        AdminAction::Roles(action) => roles_rule(action),
        AdminAction::Lookup(action) => lookup_rule(action),
    }
}

fn export_need(choice: ExportChoice) -> Need {
    match choice {
        ExportChoice::People | ExportChoice::Activity(_) | ExportChoice::QuizResults => {
            Need::People
        }
        ExportChoice::Audit => Need::Full,
    }
}

fn broadcast_need(action: &BroadcastAction) -> Need {
    match action {
        BroadcastAction::History { .. }
        | BroadcastAction::New
        | BroadcastAction::PickPark
        | BroadcastAction::PickDepartment
        | BroadcastAction::PickActivity
        | BroadcastAction::Audiences
        | BroadcastAction::Audience(_)
        | BroadcastAction::Schedule
        | BroadcastAction::Confirm
        | BroadcastAction::Discard
        | BroadcastAction::Status(_)
        | BroadcastAction::Pause(_)
        | BroadcastAction::Resume(_)
        | BroadcastAction::Cancel(_)
        | BroadcastAction::CancelConfirmed(_) => Need::Full,
    }
}

fn access_need(action: &AccessAction) -> Need {
    match action {
        AccessAction::Invites
        | AccessAction::NewInvite
        | AccessAction::InvitePark(_)
        | AccessAction::InviteDepartment(_)
        | AccessAction::InviteDays(_)
        | AccessAction::InviteUses(_)
        | AccessAction::Revoke(_)
        | AccessAction::Requests
        | AccessAction::Approve(_)
        | AccessAction::Reject(_) => Need::Full,
    }
}

fn content_need(action: &ContentAction) -> Need {
    match action {
        ContentAction::Sections
        | ContentAction::Section { .. }
        | ContentAction::Page(_)
        | ContentAction::EditText { .. }
        | ContentAction::AttachMedia(_)
        | ContentAction::RemoveMedia(_)
        | ContentAction::Qr(_)
        | ContentAction::Questions(_)
        | ContentAction::History { .. }
        | ContentAction::Revert { .. }
        | ContentAction::Restore { .. }
        | ContentAction::Confirm
        | ContentAction::Cancel
        | ContentAction::Reload => Need::Content,
    }
}

fn roles_rule(action: &RoleAction) -> Rule<'static> {
    match action {
        RoleAction::Holders => Rule::needs(Need::Full),
        RoleAction::Choose(id)
        | RoleAction::ParkManager(id, _)
        | RoleAction::ContentEditor(id)
        | RoleAction::Revoke(id) => Rule::on_person(Need::Full, *id),
    }
}

fn lookup_rule(action: &LookupAction) -> Rule<'_> {
    match action {
        LookupAction::Search
        | LookupAction::Verify
        | LookupAction::TopPages
        | LookupAction::QuizStats
        | LookupAction::Overdue
        | LookupAction::ActivityParks
        | LookupAction::Funnel
        | LookupAction::Daily
        | LookupAction::People(_)
        | LookupAction::DepartmentFilter(_) => Rule::needs(Need::People),
        LookupAction::Activity(park) => Rule {
            need: Need::People,
            person: None,
            park: Some(park),
        },
        LookupAction::ChooseDepartment(id) | LookupAction::SetDepartment(id, _) => {
            Rule::on_person(Need::People, *id)
        }
        LookupAction::ChoosePark(id) | LookupAction::SetPark(id, _) => {
            Rule::on_person(Need::Full, *id)
        }
        LookupAction::ParkFilter(_) => Rule::needs(Need::Full),
    }
}

/// What `action` needs (see [`Need`]).
pub(crate) fn need(action: &AdminAction) -> Need {
    rule(action).need
}

/// The person `action` is about: a park manager may act only on their park's people.
pub(crate) fn subject(action: &AdminAction) -> Option<i64> {
    rule(action).person
}

/// The park `action` is about, when it names one (the activity of a park).
pub(crate) fn park_named(action: &AdminAction) -> Option<&Slug> {
    rule(action).park
}

#[cfg(test)]
mod tests {
    use domain::callback::{FileFormat, ListStatus, Period};

    use super::*;

    fn slug(s: &str) -> Slug {
        Slug::parse(s).unwrap()
    }

    /// Which of the three roles may press each kind of admin button.
    #[test]
    fn each_role_may_press_exactly_its_buttons() {
        let cases = [
            (AdminAction::Panel, [true, true, true]),
            (AdminAction::Logout, [true, true, true]),
            (AdminAction::Statistics, [true, true, false]),
            (
                AdminAction::People {
                    status: ListStatus::Any,
                    after: None,
                },
                [true, true, false],
            ),
            (AdminAction::Person(5), [true, true, false]),
            (AdminAction::Block(5), [true, true, false]),
            (
                AdminAction::Export(ExportChoice::People, FileFormat::Csv),
                [true, true, false],
            ),
            (
                AdminAction::Export(ExportChoice::Activity(Period::Today), FileFormat::Xlsx),
                [true, true, false],
            ),
            (
                AdminAction::Export(ExportChoice::Audit, FileFormat::CsvSemicolon),
                [true, false, false],
            ),
            (
                AdminAction::Lookup(LookupAction::Search),
                [true, true, false],
            ),
            (
                AdminAction::Lookup(LookupAction::ChooseDepartment(5)),
                [true, true, false],
            ),
            (
                AdminAction::Lookup(LookupAction::ChoosePark(5)),
                [true, false, false],
            ),
            (
                AdminAction::Lookup(LookupAction::SetPark(5, slug("columbus"))),
                [true, false, false],
            ),
            (AdminAction::Audit { before: None }, [true, false, false]),
            (
                AdminAction::Broadcast(BroadcastAction::History { before: None }),
                [true, false, false],
            ),
            (
                AdminAction::Access(AccessAction::Invites),
                [true, false, false],
            ),
            (AdminAction::Erase(5), [true, false, false]),
            (
                AdminAction::Roles(RoleAction::Holders),
                [true, false, false],
            ),
            (AdminAction::Deletions { after: None }, [true, false, false]),
            (
                AdminAction::Content(ContentAction::Sections),
                [true, false, true],
            ),
        ];
        let rights = [
            Rights::Full,
            Rights::Park("zelenopark".to_owned()),
            Rights::Content,
        ];
        for (action, allowed) in cases {
            for (r, expected) in rights.iter().zip(allowed) {
                assert_eq!(
                    r.allow(need(&action)),
                    expected,
                    "{r:?} pressing {action:?}"
                );
            }
            assert!(
                !Rights::None.allow(need(&action)),
                "{action:?} without rights"
            );
        }
    }

    #[test]
    fn actions_on_a_person_or_a_park_name_them_for_the_park_check() {
        assert_eq!(subject(&AdminAction::Person(7)), Some(7));
        assert_eq!(
            subject(&AdminAction::ExportPerson(7, FileFormat::Xlsx)),
            Some(7)
        );
        assert_eq!(
            subject(&AdminAction::Lookup(LookupAction::SetDepartment(
                7,
                slug("bar")
            ))),
            Some(7)
        );
        assert_eq!(subject(&AdminAction::Roles(RoleAction::Revoke(7))), Some(7));
        assert_eq!(subject(&AdminAction::Statistics), None);
        assert_eq!(
            park_named(&AdminAction::Lookup(LookupAction::Activity(slug(
                "columbus"
            ))))
            .map(Slug::as_str),
            Some("columbus")
        );
        assert_eq!(park_named(&AdminAction::Statistics), None);
    }
}
