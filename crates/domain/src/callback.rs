//! The callback-data codec: what a button carries back when it is pressed.
//!
//! Telegram allows 1-64 bytes of `callback_data`, and anyone can press any button
//! of any old message, so the data is a compact, versioned code of ids (never
//! names), decoded by this one codec. Authority never comes from the data: the
//! engine decides what a press may do from who pressed it and server-side state.
//!
//! Format, version 1: `"1"`, a kind letter, then the kind's fields:
//! `1h` home, `1o<node>` open, `1s<node>.<page>` section page,
//! `1p<node>.<part>` page part, `1g` language picker, `1l<lang>` language,
//! `1k<park>` / `1k-` choose or skip a park, `1d<dept>` / `1d-` a department,
//! `1j` skip the position, `1f` profile, `1e<field>` edit a profile field,
//! `1r` progress, `1Q` the list of checks, `1q<quiz>` start or resume a check,
//! `1c<attempt>.<pos>.<shown>` answer with the option shown at `shown`,
//! `1m<attempt>.<pos>.<mask>` tick options of a multiple-choice question,
//! `1y<attempt>.<pos>.<mask>` submit them (masks over shown positions),
//! `1n<attempt>.<pos>` next question, `1v` start a review, `1A<action>` an admin
//! panel action (`p` panel, `s` statistics, `a[<before>]` audit log, `x` log out,
//! `L<status>[.<after>]` people list, `c<id>` person card, `b<id>` / `u<id>` block /
//! unblock, `I…` / `R…` invites and access requests, see the `access` module, `B<op>`
//! broadcasts, see [`BroadcastAction`], `E` exports, `X<export>` one export,
//! `d<id>` a person's data, `e<id>` / `f<id>` erase a person / confirmed; `K<op>`
//! search, verify, most-read pages, move a person, see [`LookupAction`]; `T<op>`
//! content editing, see [`ContentAction`]), `1R` a
//! stranger asks for access, `1D` ask for one's data to be deleted.

mod access;
mod broadcast;
mod content;
mod lookup;
mod roles;

pub use access::AccessAction;
pub use broadcast::BroadcastAction;
pub use content::{ContentAction, QuestionFilter};
pub use lookup::{LookupAction, PeopleView};
pub use roles::RoleAction;

use crate::ids::NodeId;
use crate::lang::Lang;

/// Telegram's limit on `callback_data`, in bytes.
pub const MAX_BYTES: usize = 64;

const VERSION: char = '1';

/// A decoded button press.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Callback {
    /// The main menu.
    Home,
    /// Enter a section (its first screen of buttons) or a page (media first, then part 1).
    Open(NodeId),
    /// Another screen of a section's buttons, edited in place.
    SectionPage { node: NodeId, page: u16 },
    /// Another part of a long page, edited in place.
    PagePart { node: NodeId, part: u16 },
    /// The language picker.
    Languages,
    /// Onboarding or profile: this park (`None`: skip).
    Park(Option<Slug>),
    /// Onboarding or profile: this department (`None`: skip).
    Department(Option<Slug>),
    /// Onboarding: no position.
    SkipPosition,
    /// The profile screen.
    Profile,
    /// Change one profile field.
    EditProfile(ProfileFieldKind),
    /// "My progress".
    Progress,
    /// The list of knowledge checks.
    Quizzes,
    /// Start (or resume) a knowledge check.
    QuizStart(Slug),
    /// Answer a single-choice question with the option shown at `shown` (0 = the top
    /// button) in this attempt. Never an index into the quiz file: the engine maps it
    /// through the attempt's stored option order, so data copied from the file's
    /// order, or from another attempt, names nothing in particular.
    Answer {
        attempt: i64,
        position: u16,
        shown: u8,
    },
    /// A multiple-choice question with these options selected (bit i = the option
    /// shown at i in this attempt).
    Toggle {
        attempt: i64,
        position: u16,
        mask: u8,
    },
    /// Submit a multiple-choice answer (bit i = the option shown at i).
    Submit {
        attempt: i64,
        position: u16,
        mask: u8,
    },
    /// Show the question at `position` (after the feedback on the previous one).
    Next { attempt: i64, position: u16 },
    /// Start a spaced-review session.
    Review,
    /// An admin panel action; what it may do is decided by the admin guard.
    Admin(AdminAction),
    /// The person asks for their data to be deleted (from /privacy).
    RequestDeletion,
    /// Switch the interface language.
    Language(Lang),
    /// A stranger asks an admin to let them in (their name is typed next).
    RequestAccess,
}

/// An id from the content pack (park, department, quiz): 1-32 of `a-z 0-9 -`,
/// starting with a letter or digit (a lone `-` means "none" in the codec).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Slug {
    bytes: [u8; Slug::MAX],
    len: u8,
}

impl Slug {
    pub const MAX: usize = 32;

    pub fn parse(raw: &str) -> Option<Slug> {
        let ok = raw
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && raw.len() <= Slug::MAX
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return None;
        }
        let mut bytes = [0u8; Slug::MAX];
        bytes[..raw.len()].copy_from_slice(raw.as_bytes());
        Some(Slug {
            bytes,
            len: raw.len() as u8,
        })
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an admin panel button asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AdminAction {
    Panel,
    Statistics,
    /// The audit log, entries older than `before` (the newest when `None`).
    Audit {
        before: Option<i64>,
    },
    Logout,
    /// The people with `status`, ids above `after`.
    People {
        status: ListStatus,
        after: Option<i64>,
    },
    /// One person's card.
    Person(i64),
    /// Block a person (the reason is typed next).
    Block(i64),
    Unblock(i64),
    /// Broadcasts: compose, follow, pause, cancel, history.
    Broadcast(BroadcastAction),
    /// Invites and access requests.
    Access(AccessAction),
    /// The exports screen, its buttons writing files in this format.
    Exports(FileFormat),
    /// Send one export as a document in the format.
    Export(ExportChoice, FileFormat),
    /// Send everything stored about one person as a document in the format.
    ExportPerson(i64, FileFormat),
    /// Ask to confirm erasing a person.
    Erase(i64),
    /// Erase a person (the confirmation was pressed).
    EraseConfirmed(i64),
    /// Search, certificate check, most-read pages, moving a person.
    Lookup(LookupAction),
    /// Who holds a narrower role; giving and taking roles.
    Roles(RoleAction),
    /// People who asked for their data to be deleted, ids above `after`.
    Deletions {
        after: Option<i64>,
    },
    /// Browse and edit the content pack's pages, reload it from disk.
    Content(ContentAction),
}

/// Which table an admin exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportChoice {
    People,
    Activity(Period),
    QuizResults,
    Audit,
}

/// The period of an activity export, in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    /// Since 00:00 UTC today.
    Today,
    Last7Days,
    Last30Days,
    AllTime,
}

impl ExportChoice {
    pub const ALL: [ExportChoice; 7] = [
        ExportChoice::People,
        ExportChoice::Activity(Period::Today),
        ExportChoice::Activity(Period::Last7Days),
        ExportChoice::Activity(Period::Last30Days),
        ExportChoice::Activity(Period::AllTime),
        ExportChoice::QuizResults,
        ExportChoice::Audit,
    ];

    fn code(self) -> char {
        match self {
            ExportChoice::People => 'p',
            ExportChoice::Activity(Period::Today) => 'd',
            ExportChoice::Activity(Period::Last7Days) => 'w',
            ExportChoice::Activity(Period::Last30Days) => 'm',
            ExportChoice::Activity(Period::AllTime) => 'a',
            ExportChoice::QuizResults => 'q',
            ExportChoice::Audit => 'l',
        }
    }

    /// The choice's letter, then the format's.
    fn decode(code: &str) -> Option<(ExportChoice, FileFormat)> {
        let mut chars = code.chars();
        let letter = chars.next()?;
        let choice = ExportChoice::ALL.into_iter().find(|c| c.code() == letter)?;
        Some((choice, FileFormat::from_code(chars.as_str())?))
    }
}

/// The file an export is written as. On the wire a format is one letter after
/// the rest of its action, none for comma-separated CSV: buttons from before
/// there was a choice still mean what they meant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// CSV separated by commas (RFC 4180).
    #[default]
    Csv,
    /// CSV separated by semicolons, which Excel in a Russian locale expects.
    CsvSemicolon,
    /// An Excel workbook with typed cells.
    Xlsx,
}

impl FileFormat {
    pub const ALL: [FileFormat; 3] = [FileFormat::Csv, FileFormat::CsvSemicolon, FileFormat::Xlsx];

    fn code(self) -> &'static str {
        match self {
            FileFormat::Csv => "",
            FileFormat::CsvSemicolon => "s",
            FileFormat::Xlsx => "x",
        }
    }

    fn from_code(code: &str) -> Option<FileFormat> {
        FileFormat::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv | FileFormat::CsvSemicolon => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }
}

/// Which people a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListStatus {
    Any,
    Active,
    Blocked,
    Inactive,
}

impl ListStatus {
    pub const ALL: [ListStatus; 4] = [
        ListStatus::Any,
        ListStatus::Active,
        ListStatus::Blocked,
        ListStatus::Inactive,
    ];

    fn code(self) -> char {
        match self {
            ListStatus::Any => 'a',
            ListStatus::Active => 'c',
            ListStatus::Blocked => 'b',
            ListStatus::Inactive => 'i',
        }
    }

    fn from_code(code: char) -> Option<ListStatus> {
        ListStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Which profile field a person wants to change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProfileFieldKind {
    Park,
    Department,
    Position,
}

impl ProfileFieldKind {
    fn code(self) -> char {
        match self {
            ProfileFieldKind::Park => 'p',
            ProfileFieldKind::Department => 'd',
            ProfileFieldKind::Position => 'j',
        }
    }

    fn from_code(code: &str) -> Option<ProfileFieldKind> {
        match code {
            "p" => Some(ProfileFieldKind::Park),
            "d" => Some(ProfileFieldKind::Department),
            "j" => Some(ProfileFieldKind::Position),
            _ => None,
        }
    }
}

/// Why data did not decode. Shown to nobody: any of these means "this menu is out of date".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("callback data is empty or longer than {MAX_BYTES} bytes")]
    Length,
    #[error("callback data has an unknown version")]
    Version,
    #[error("callback data is malformed")]
    Malformed,
}

impl Callback {
    /// The data to put on a button; always 1-64 bytes (checked by tests over every variant).
    pub fn encode(&self) -> String {
        match self {
            Callback::Home => format!("{VERSION}h"),
            Callback::Open(node) => format!("{VERSION}o{node}"),
            Callback::SectionPage { node, page } => format!("{VERSION}s{node}.{page}"),
            Callback::PagePart { node, part } => format!("{VERSION}p{node}.{part}"),
            Callback::Languages => format!("{VERSION}g"),
            Callback::Park(p) => format!("{VERSION}k{}", p.as_ref().map_or("-", Slug::as_str)),
            Callback::Department(d) => {
                format!("{VERSION}d{}", d.as_ref().map_or("-", Slug::as_str))
            }
            Callback::SkipPosition => format!("{VERSION}j"),
            Callback::Profile => format!("{VERSION}f"),
            Callback::EditProfile(field) => format!("{VERSION}e{}", field.code()),
            Callback::Progress => format!("{VERSION}r"),
            Callback::Quizzes => format!("{VERSION}Q"),
            Callback::QuizStart(quiz) => format!("{VERSION}q{quiz}"),
            Callback::Answer {
                attempt,
                position,
                shown,
            } => format!("{VERSION}c{attempt}.{position}.{shown}"),
            Callback::Toggle {
                attempt,
                position,
                mask,
            } => format!("{VERSION}m{attempt}.{position}.{mask}"),
            Callback::Submit {
                attempt,
                position,
                mask,
            } => format!("{VERSION}y{attempt}.{position}.{mask}"),
            Callback::Next { attempt, position } => format!("{VERSION}n{attempt}.{position}"),
            Callback::Review => format!("{VERSION}v"),
            Callback::Admin(action) => match action {
                AdminAction::Panel => format!("{VERSION}Ap"),
                AdminAction::Statistics => format!("{VERSION}As"),
                AdminAction::Audit { before: None } => format!("{VERSION}Aa"),
                AdminAction::Audit { before: Some(id) } => format!("{VERSION}Aa{id}"),
                AdminAction::Logout => format!("{VERSION}Ax"),
                AdminAction::People {
                    status,
                    after: None,
                } => format!("{VERSION}AL{}", status.code()),
                AdminAction::People {
                    status,
                    after: Some(id),
                } => format!("{VERSION}AL{}.{id}", status.code()),
                AdminAction::Person(id) => format!("{VERSION}Ac{id}"),
                AdminAction::Block(id) => format!("{VERSION}Ab{id}"),
                AdminAction::Unblock(id) => format!("{VERSION}Au{id}"),
                AdminAction::Broadcast(b) => format!("{VERSION}AB{}", b.encode()),
                AdminAction::Access(action) => format!("{VERSION}A{}", action.encode()),
                AdminAction::Exports(format) => format!("{VERSION}AE{}", format.code()),
                AdminAction::Export(choice, format) => {
                    format!("{VERSION}AX{}{}", choice.code(), format.code())
                }
                AdminAction::ExportPerson(id, format) => {
                    format!("{VERSION}Ad{}{id}", format.code())
                }
                AdminAction::Erase(id) => format!("{VERSION}Ae{id}"),
                AdminAction::EraseConfirmed(id) => format!("{VERSION}Af{id}"),
                AdminAction::Lookup(action) => format!("{VERSION}AK{}", action.encode()),
                AdminAction::Roles(action) => format!("{VERSION}A{}", action.encode()),
                AdminAction::Deletions { after: None } => format!("{VERSION}AD"),
                AdminAction::Deletions { after: Some(id) } => format!("{VERSION}AD{id}"),
                AdminAction::Content(action) => format!("{VERSION}AT{}", action.encode()),
            },
            Callback::RequestAccess => format!("{VERSION}R"),
            Callback::Language(lang) => format!("{VERSION}l{}", lang.code()),
            Callback::RequestDeletion => format!("{VERSION}D"),
        }
    }

    /// Decodes data from a button press. Never panics, whatever the input.
    pub fn decode(raw: &str) -> Result<Callback, DecodeError> {
        if raw.is_empty() || raw.len() > MAX_BYTES {
            return Err(DecodeError::Length);
        }
        let mut chars = raw.chars();
        if chars.next() != Some(VERSION) {
            return Err(DecodeError::Version);
        }
        let kind = chars.next().ok_or(DecodeError::Malformed)?;
        let rest = chars.as_str();
        let node = |s: &str| NodeId::parse(s).ok_or(DecodeError::Malformed);
        let node_and_index = |s: &str| -> Result<(NodeId, u16), DecodeError> {
            let (n, i) = s.split_once('.').ok_or(DecodeError::Malformed)?;
            // Canonical digits only, as for every other number: no '+' (which
            // `u16::from_str` accepts) and no leading zeros, which encode never writes.
            let [index] = numbers::<1>(i)?;
            Ok((node(n)?, small(index)?))
        };
        match kind {
            'h' if rest.is_empty() => Ok(Callback::Home),
            'g' if rest.is_empty() => Ok(Callback::Languages),
            'j' if rest.is_empty() => Ok(Callback::SkipPosition),
            'f' if rest.is_empty() => Ok(Callback::Profile),
            'r' if rest.is_empty() => Ok(Callback::Progress),
            'Q' if rest.is_empty() => Ok(Callback::Quizzes),
            'v' if rest.is_empty() => Ok(Callback::Review),
            'R' if rest.is_empty() => Ok(Callback::RequestAccess),
            'D' if rest.is_empty() => Ok(Callback::RequestDeletion),
            'A' => match rest {
                "p" => Ok(Callback::Admin(AdminAction::Panel)),
                "s" => Ok(Callback::Admin(AdminAction::Statistics)),
                "x" => Ok(Callback::Admin(AdminAction::Logout)),
                "a" => Ok(Callback::Admin(AdminAction::Audit { before: None })),
                _ if rest.starts_with(['I', 'R']) => {
                    AccessAction::decode(rest).map(|a| Callback::Admin(AdminAction::Access(a)))
                }
                _ if rest.starts_with('E') => FileFormat::from_code(&rest[1..])
                    .map(|f| Callback::Admin(AdminAction::Exports(f)))
                    .ok_or(DecodeError::Malformed),
                "D" => Ok(Callback::Admin(AdminAction::Deletions { after: None })),
                _ if rest.starts_with('G') => {
                    RoleAction::decode(rest).map(|a| Callback::Admin(AdminAction::Roles(a)))
                }
                _ => admin_with_arguments(rest).map(Callback::Admin),
            },
            'k' => optional_slug(rest).map(Callback::Park),
            'd' => optional_slug(rest).map(Callback::Department),
            'e' => ProfileFieldKind::from_code(rest)
                .map(Callback::EditProfile)
                .ok_or(DecodeError::Malformed),
            'q' => Slug::parse(rest)
                .map(Callback::QuizStart)
                .ok_or(DecodeError::Malformed),
            // `a`, `t` and `u` once carried options as indices into the quiz file, which
            // anyone could forge; buttons still showing them are out of date.
            'c' => {
                let [attempt, position, shown] = numbers::<3>(rest)?;
                Ok(Callback::Answer {
                    attempt: id(attempt)?,
                    position: small(position)?,
                    shown: small(shown)?,
                })
            }
            'm' | 'y' => {
                let [attempt, position, mask] = numbers::<3>(rest)?;
                let (attempt, position, mask) = (id(attempt)?, small(position)?, small(mask)?);
                Ok(if kind == 'm' {
                    Callback::Toggle {
                        attempt,
                        position,
                        mask,
                    }
                } else {
                    Callback::Submit {
                        attempt,
                        position,
                        mask,
                    }
                })
            }
            'n' => {
                let [attempt, position] = numbers::<2>(rest)?;
                Ok(Callback::Next {
                    attempt: id(attempt)?,
                    position: small(position)?,
                })
            }
            'o' => Ok(Callback::Open(node(rest)?)),
            's' => node_and_index(rest).map(|(node, page)| Callback::SectionPage { node, page }),
            'p' => node_and_index(rest).map(|(node, part)| Callback::PagePart { node, part }),
            'l' => Lang::from_code(rest)
                .map(Callback::Language)
                .ok_or(DecodeError::Malformed),
            _ => Err(DecodeError::Malformed),
        }
    }
}

/// Admin actions that carry arguments: `a<before>`, `L<status>[.<after>]`,
/// `c<id>`, `b<id>`, `u<id>`, `X<export>`, `d<id>`, `e<id>`, `f<id>`, `D<after>`.
fn admin_with_arguments(rest: &str) -> Result<AdminAction, DecodeError> {
    let mut chars = rest.chars();
    let kind = chars.next().ok_or(DecodeError::Malformed)?;
    let args = chars.as_str();
    let one_id = |s: &str| -> Result<i64, DecodeError> {
        let [n] = numbers::<1>(s)?;
        id(n)
    };
    match kind {
        'a' => Ok(AdminAction::Audit {
            before: Some(one_id(args)?),
        }),
        'c' => Ok(AdminAction::Person(one_id(args)?)),
        'b' => Ok(AdminAction::Block(one_id(args)?)),
        'u' => Ok(AdminAction::Unblock(one_id(args)?)),
        'B' => BroadcastAction::decode(args).map(AdminAction::Broadcast),
        'd' => {
            let digits = args
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(args.len());
            let format = FileFormat::from_code(&args[..digits]).ok_or(DecodeError::Malformed)?;
            Ok(AdminAction::ExportPerson(one_id(&args[digits..])?, format))
        }
        'e' => Ok(AdminAction::Erase(one_id(args)?)),
        'f' => Ok(AdminAction::EraseConfirmed(one_id(args)?)),
        'D' => Ok(AdminAction::Deletions {
            after: Some(one_id(args)?),
        }),
        'X' => ExportChoice::decode(args)
            .map(|(choice, format)| AdminAction::Export(choice, format))
            .ok_or(DecodeError::Malformed),
        'K' => LookupAction::decode(args).map(AdminAction::Lookup),
        'T' => ContentAction::decode(args).map(AdminAction::Content),
        'L' => {
            let mut chars = args.chars();
            let status = chars
                .next()
                .and_then(ListStatus::from_code)
                .ok_or(DecodeError::Malformed)?;
            match chars.as_str() {
                "" => Ok(AdminAction::People {
                    status,
                    after: None,
                }),
                more => {
                    let after = more.strip_prefix('.').ok_or(DecodeError::Malformed)?;
                    Ok(AdminAction::People {
                        status,
                        after: Some(one_id(after)?),
                    })
                }
            }
        }
        _ => Err(DecodeError::Malformed),
    }
}

fn optional_slug(rest: &str) -> Result<Option<Slug>, DecodeError> {
    if rest == "-" {
        Ok(None)
    } else {
        Slug::parse(rest).map(Some).ok_or(DecodeError::Malformed)
    }
}

/// `N` dot-separated unsigned decimal numbers, exactly as `encode` writes them.
fn numbers<const N: usize>(rest: &str) -> Result<[u64; N], DecodeError> {
    let mut out = [0u64; N];
    let mut parts = rest.split('.');
    for slot in out.iter_mut() {
        let part = parts.next().ok_or(DecodeError::Malformed)?;
        let canonical = !part.is_empty()
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part == "0" || !part.starts_with('0'));
        if !canonical {
            return Err(DecodeError::Malformed);
        }
        *slot = part.parse().map_err(|_| DecodeError::Malformed)?;
    }
    if parts.next().is_some() {
        return Err(DecodeError::Malformed);
    }
    Ok(out)
}

fn id(n: u64) -> Result<i64, DecodeError> {
    i64::try_from(n).map_err(|_| DecodeError::Malformed)
}

fn small<T: TryFrom<u64>>(n: u64) -> Result<T, DecodeError> {
    T::try_from(n).map_err(|_| DecodeError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_node() -> impl Strategy<Value = NodeId> {
        ".{0,40}".prop_map(|p| NodeId::from_path(&p))
    }

    fn any_slug() -> impl Strategy<Value = Slug> {
        "[a-z0-9][a-z0-9-]{0,31}".prop_map(|s| Slug::parse(&s).unwrap())
    }

    fn any_format() -> impl Strategy<Value = FileFormat> {
        prop::sample::select(FileFormat::ALL.to_vec())
    }

    fn any_broadcast_action() -> impl Strategy<Value = BroadcastAction> {
        prop_oneof![
            proptest::option::of(0..i64::MAX)
                .prop_map(|before| BroadcastAction::History { before }),
            Just(BroadcastAction::New),
            Just(BroadcastAction::PickPark),
            Just(BroadcastAction::PickDepartment),
            Just(BroadcastAction::PickActivity),
            Just(BroadcastAction::Audiences),
            crate::broadcast::tests::audiences().prop_map(BroadcastAction::Audience),
            Just(BroadcastAction::Schedule),
            Just(BroadcastAction::Confirm),
            Just(BroadcastAction::Discard),
            (0..i64::MAX).prop_map(BroadcastAction::Status),
            (0..i64::MAX).prop_map(BroadcastAction::Pause),
            (0..i64::MAX).prop_map(BroadcastAction::Resume),
            (0..i64::MAX).prop_map(BroadcastAction::Cancel),
            (0..i64::MAX).prop_map(BroadcastAction::CancelConfirmed),
        ]
    }

    fn any_callback() -> impl Strategy<Value = Callback> {
        prop_oneof![
            Just(Callback::Home),
            Just(Callback::Languages),
            any_node().prop_map(Callback::Open),
            (any_node(), any::<u16>())
                .prop_map(|(node, page)| Callback::SectionPage { node, page }),
            (any_node(), any::<u16>()).prop_map(|(node, part)| Callback::PagePart { node, part }),
            prop::sample::select(Lang::ALL.to_vec()).prop_map(Callback::Language),
            proptest::option::of(any_slug()).prop_map(Callback::Park),
            proptest::option::of(any_slug()).prop_map(Callback::Department),
            Just(Callback::SkipPosition),
            Just(Callback::Profile),
            prop::sample::select(vec![
                ProfileFieldKind::Park,
                ProfileFieldKind::Department,
                ProfileFieldKind::Position
            ])
            .prop_map(Callback::EditProfile),
            Just(Callback::Progress),
            Just(Callback::Quizzes),
            any_slug().prop_map(Callback::QuizStart),
            (0..i64::MAX, any::<u16>(), any::<u8>()).prop_map(|(attempt, position, shown)| {
                Callback::Answer {
                    attempt,
                    position,
                    shown,
                }
            }),
            (0..i64::MAX, any::<u16>(), any::<u8>()).prop_map(|(attempt, position, mask)| {
                Callback::Toggle {
                    attempt,
                    position,
                    mask,
                }
            }),
            (0..i64::MAX, any::<u16>(), any::<u8>()).prop_map(|(attempt, position, mask)| {
                Callback::Submit {
                    attempt,
                    position,
                    mask,
                }
            }),
            (0..i64::MAX, any::<u16>())
                .prop_map(|(attempt, position)| Callback::Next { attempt, position }),
            Just(Callback::Review),
            Just(Callback::RequestDeletion),
            prop_oneof![
                Just(AdminAction::Panel),
                Just(AdminAction::Statistics),
                Just(AdminAction::Logout),
                proptest::option::of(0..i64::MAX).prop_map(|before| AdminAction::Audit { before }),
                (
                    prop::sample::select(ListStatus::ALL.to_vec()),
                    proptest::option::of(0..i64::MAX)
                )
                    .prop_map(|(status, after)| AdminAction::People { status, after }),
                (0..i64::MAX).prop_map(AdminAction::Person),
                (0..i64::MAX).prop_map(AdminAction::Block),
                (0..i64::MAX).prop_map(AdminAction::Unblock),
                any_broadcast_action().prop_map(AdminAction::Broadcast),
                access::tests::any_access_action().prop_map(AdminAction::Access),
                any_format().prop_map(AdminAction::Exports),
                (
                    prop::sample::select(ExportChoice::ALL.to_vec()),
                    any_format()
                )
                    .prop_map(|(choice, format)| AdminAction::Export(choice, format)),
                (0..i64::MAX, any_format())
                    .prop_map(|(id, format)| AdminAction::ExportPerson(id, format)),
                (0..i64::MAX).prop_map(AdminAction::Erase),
                (0..i64::MAX).prop_map(AdminAction::EraseConfirmed),
                lookup::tests::any_lookup_action().prop_map(AdminAction::Lookup),
                roles::tests::any_role_action().prop_map(AdminAction::Roles),
                proptest::option::of(0..i64::MAX)
                    .prop_map(|after| AdminAction::Deletions { after }),
                content::tests::any_content_action().prop_map(AdminAction::Content),
            ]
            .prop_map(Callback::Admin),
            Just(Callback::RequestAccess),
        ]
    }

    proptest! {
        // Enough cases that every variant of the nested strategy is drawn on every
        // run (each costs microseconds); 256 left some to chance.
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn every_callback_round_trips_within_64_bytes(cb in any_callback()) {
            let data = cb.encode();
            prop_assert!(!data.is_empty() && data.len() <= MAX_BYTES, "{data} is {} bytes", data.len());
            prop_assert_eq!(Callback::decode(&data), Ok(cb));
        }

        #[test]
        fn garbage_never_panics(raw in ".{0,100}") {
            let _ = Callback::decode(&raw);
        }

        #[test]
        fn garbage_after_the_version_never_panics(raw in "1[a-z].{0,70}") {
            if let Ok(cb) = Callback::decode(&raw) {
                // Anything accepted must be exactly what encode would write.
                prop_assert_eq!(cb.encode(), raw);
            }
        }
    }

    #[test]
    fn admin_actions_on_one_person_have_one_wire_form_each() {
        // Deterministic, unlike the property test, which may not draw each of them.
        let cases = [
            (AdminAction::Person(42), "1Ac42"),
            (AdminAction::Block(42), "1Ab42"),
            (AdminAction::Unblock(42), "1Au42"),
            (AdminAction::ExportPerson(42, FileFormat::Csv), "1Ad42"),
            (AdminAction::ExportPerson(42, FileFormat::Xlsx), "1Adx42"),
            (
                AdminAction::ExportPerson(42, FileFormat::CsvSemicolon),
                "1Ads42",
            ),
            (AdminAction::Erase(42), "1Ae42"),
            (AdminAction::EraseConfirmed(42), "1Af42"),
            (AdminAction::Audit { before: Some(42) }, "1Aa42"),
            (AdminAction::Deletions { after: Some(42) }, "1AD42"),
            (
                AdminAction::Broadcast(BroadcastAction::History { before: Some(42) }),
                "1ABh42",
            ),
            (
                AdminAction::Broadcast(BroadcastAction::History { before: None }),
                "1ABh",
            ),
        ];
        for (action, wire) in cases {
            let cb = Callback::Admin(action);
            assert_eq!(cb.encode(), wire, "{cb:?}");
            assert_eq!(Callback::decode(wire), Ok(cb), "{wire}");
        }
    }

    #[test]
    fn broadcast_actions_have_one_wire_form_each() {
        use crate::broadcast::Audience;
        let cases = [
            (BroadcastAction::New, "1ABn"),
            (BroadcastAction::PickPark, "1ABP"),
            (BroadcastAction::PickDepartment, "1ABD"),
            (BroadcastAction::PickActivity, "1ABR"),
            (BroadcastAction::Audiences, "1ABA"),
            (BroadcastAction::Audience(Audience::Everyone), "1ABae"),
            (BroadcastAction::Schedule, "1ABs"),
            (BroadcastAction::Confirm, "1ABg"),
            (BroadcastAction::Discard, "1ABk"),
            (BroadcastAction::Status(7), "1ABv7"),
            (BroadcastAction::Pause(7), "1ABz7"),
            (BroadcastAction::Resume(7), "1ABr7"),
            (BroadcastAction::Cancel(7), "1ABc7"),
            (BroadcastAction::CancelConfirmed(7), "1ABC7"),
        ];
        for (action, wire) in cases {
            let cb = Callback::Admin(AdminAction::Broadcast(action));
            assert_eq!(cb.encode(), wire, "{cb:?}");
            assert_eq!(Callback::decode(wire), Ok(cb), "{wire}");
        }
    }

    #[test]
    fn buttons_without_arguments_refuse_any() {
        let bare = [
            Callback::Home,
            Callback::Languages,
            Callback::SkipPosition,
            Callback::Profile,
            Callback::Progress,
            Callback::Quizzes,
            Callback::Review,
            Callback::RequestAccess,
            Callback::RequestDeletion,
            Callback::Admin(AdminAction::Lookup(LookupAction::Search)),
            Callback::Admin(AdminAction::Lookup(LookupAction::Verify)),
            Callback::Admin(AdminAction::Lookup(LookupAction::TopPages)),
            Callback::Admin(AdminAction::Lookup(LookupAction::QuizStats)),
            Callback::Admin(AdminAction::Lookup(LookupAction::Overdue)),
            Callback::Admin(AdminAction::Lookup(LookupAction::ActivityParks)),
            Callback::Admin(AdminAction::Content(ContentAction::Confirm)),
            Callback::Admin(AdminAction::Content(ContentAction::Cancel)),
            Callback::Admin(AdminAction::Content(ContentAction::Reload)),
            Callback::Admin(AdminAction::Broadcast(BroadcastAction::Audience(
                crate::broadcast::Audience::Everyone,
            ))),
            Callback::Admin(AdminAction::Broadcast(BroadcastAction::Audience(
                crate::broadcast::Audience::Behind,
            ))),
        ];
        for cb in bare {
            let wire = cb.encode();
            assert_eq!(Callback::decode(&wire), Ok(cb), "{wire}");
            for extra in ["x", "1", "-"] {
                let forged = format!("{wire}{extra}");
                assert!(Callback::decode(&forged).is_err(), "{forged}");
            }
        }
    }

    #[test]
    fn data_up_to_telegrams_64_bytes_is_read_and_longer_is_refused() {
        let at_limit = format!("1{}", "x".repeat(63));
        assert_eq!(Callback::decode(&at_limit), Err(DecodeError::Malformed));
        let over = format!("1{}", "x".repeat(64));
        assert_eq!(Callback::decode(&over), Err(DecodeError::Length));
    }

    #[test]
    fn refuses_data_the_bot_never_issued() {
        let node = NodeId::from_path("bar/menu.md");
        for raw in [
            "",
            "h",
            "2h",
            "1",
            "1x",
            "1h?",
            "1gx",
            "1c1.2",
            "1c1.2.3.4",
            "1c01.2.3",
            "1c1.2.256",
            "1c99999999999999999999.0.0",
            "1k",
            "1kZelenopark",
            "1q",
            "1q../x",
            "1ex",
            "1m1.1.-1",
            "1y1.1.256",
            "1A",
            "1Az",
            "1Aa-1",
            "1Aa01",
            "1Apx",
            "1AL",
            "1ALz",
            "1ALf1",
            "1ALvx",
            "1ALa5",
            "1ALa.",
            "1Ac",
            "1Ac-5",
            "1Ab1.2",
            "1AE1",
            "1AX",
            "1AXz",
            "1AXpp",
            "1Ad",
            "1Ae-1",
            "1Af01",
            "1Dx",
            "1o",
            "1oabc",
            "1s12345678",
            "1s12345678.",
            "1s12345678.+1",
            "1s12345678.-1",
            "1p12345678.99999",
            "1pAb3dE6gH.035",
            "1sAb3dE6gH.00",
            "1lde",
            "1lRU",
            "menu:bar",
            "1oабвгдежз",
        ] {
            assert!(Callback::decode(raw).is_err(), "{raw:?} decoded");
        }
        let too_long = format!("1o{}", "a".repeat(70));
        assert_eq!(Callback::decode(&too_long), Err(DecodeError::Length));
        assert_eq!(
            Callback::decode(&Callback::Open(node).encode()),
            Ok(Callback::Open(node))
        );
    }

    #[test]
    fn answers_of_the_retired_file_index_format_are_out_of_date() {
        // Version-1 answer, tick and submit data that named options by their index in
        // the quiz file: old messages still carry them; they decode to nothing.
        for raw in ["1a5.0.0", "1a12.3.2", "1t5.1.3", "1u5.1.3", "1u7.0.1"] {
            assert_eq!(Callback::decode(raw), Err(DecodeError::Malformed), "{raw}");
        }
    }

    #[test]
    fn encodings_are_compact_and_fixed() {
        let node = NodeId::parse("Ab3dE6gH").unwrap();
        assert_eq!(Callback::Home.encode(), "1h");
        assert_eq!(Callback::Open(node).encode(), "1oAb3dE6gH");
        assert_eq!(
            Callback::SectionPage { node, page: 2 }.encode(),
            "1sAb3dE6gH.2"
        );
        assert_eq!(
            Callback::PagePart { node, part: 65535 }.encode(),
            "1pAb3dE6gH.65535"
        );
        assert_eq!(Callback::Language(Lang::En).encode(), "1len");
        assert_eq!(Callback::RequestDeletion.encode(), "1D");
        let (attempt, position) = (12, 3);
        assert_eq!(
            Callback::Answer {
                attempt,
                position,
                shown: 2
            }
            .encode(),
            "1c12.3.2"
        );
        assert_eq!(
            Callback::Toggle {
                attempt,
                position,
                mask: 5
            }
            .encode(),
            "1m12.3.5"
        );
        assert_eq!(
            Callback::Submit {
                attempt,
                position,
                mask: 5
            }
            .encode(),
            "1y12.3.5"
        );
        assert_eq!(
            Callback::Admin(AdminAction::Export(
                ExportChoice::Activity(Period::Last7Days),
                FileFormat::Csv
            ))
            .encode(),
            "1AXw"
        );
        assert_eq!(
            Callback::Admin(AdminAction::Export(ExportChoice::People, FileFormat::Xlsx)).encode(),
            "1AXpx"
        );
        assert_eq!(
            Callback::Admin(AdminAction::Exports(FileFormat::CsvSemicolon)).encode(),
            "1AEs"
        );
        assert_eq!(
            Callback::Admin(AdminAction::EraseConfirmed(42)).encode(),
            "1Af42"
        );
    }
}
