//! The callback-data codec: what a button carries back when it is pressed.
//!
//! Telegram allows 1-64 bytes of `callback_data`, and anyone can press any button
//! of any old message, so the data is a compact, versioned code of ids (never
//! names), decoded by this one codec. Authority never comes from the data: the
//! engine decides what a press may do from who pressed it and server-side state.
//!
//! Format, version 2: `"2"`, then the base64url (no padding) of the value's
//! serde form in postcard's compact binary: each enum's variant is its index in
//! the declaration, each integer a variable-length number, each id its text. So
//! the encoding follows the types and cannot drift from the decoding:
//! - a new variant goes at the end of its enum (an index never changes meaning;
//!   `v2_encodings_are_pinned` fails on a reordering);
//! - every value fits in 64 bytes, checked over every value the types can
//!   build (the tests' `walk` enumerates them), not over a hand-made list.
//!
//! Version-1 data, which the bot wrote until version 2, still decodes (see the
//! `v1` module): old messages keep their buttons.

mod access;
mod broadcast;
mod content;
mod lookup;
mod roles;
mod v1;
#[cfg(any(test, feature = "testing"))]
pub mod walk;

pub use access::AccessAction;
pub use broadcast::BroadcastAction;
pub use content::{ContentAction, QuestionFilter};
pub use lookup::{LookupAction, PeopleView};
pub use roles::RoleAction;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::ids::{NodeId, checked_text};
use crate::lang::Lang;
use v1::{id, numbers, optional_slug, small};

/// Telegram's limit on `callback_data`, in bytes.
pub const MAX_BYTES: usize = 64;

/// The version this codec writes.
const VERSION: char = '2';

/// A decoded button press.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
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

impl std::fmt::Debug for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl Serialize for Slug {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Slug, D::Error> {
        checked_text(deserializer, Slug::parse, "an id of a-z, 0-9 and -")
    }
}

/// What an admin panel button asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExportChoice {
    People,
    Activity(Period),
    QuizResults,
    Audit,
}

/// The period of an activity export, in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProfileFieldKind {
    Park,
    Department,
    Position,
}

impl ProfileFieldKind {
    #[cfg(test)]
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
    /// The data to put on a button: always 1-64 bytes (checked by a test over
    /// every value the types can build).
    pub fn encode(&self) -> String {
        let mut buffer = [0u8; MAX_BYTES];
        // A value needs at most 46 bytes (tests walk every one), so the buffer,
        // larger than that, never runs out.
        let binary = postcard::to_slice(self, &mut buffer).map_or(&[][..], |b| &b[..]);
        let mut data = String::with_capacity(MAX_BYTES);
        data.push(VERSION);
        URL_SAFE_NO_PAD.encode_string(binary, &mut data);
        data
    }

    /// Decodes data from a button press, of this version or of version 1.
    /// Never panics, whatever the input.
    pub fn decode(raw: &str) -> Result<Callback, DecodeError> {
        if raw.is_empty() || raw.len() > MAX_BYTES {
            return Err(DecodeError::Length);
        }
        match raw.split_at_checked(1) {
            Some(("2", body)) => Callback::decode_v2(body, raw),
            Some(("1", body)) => v1::decode(body),
            _ => Err(DecodeError::Version),
        }
    }

    /// Only the one encoding [`Callback::encode`] writes is accepted: not a
    /// longer form of a number, nor trailing bytes.
    fn decode_v2(body: &str, raw: &str) -> Result<Callback, DecodeError> {
        let mut binary = [0u8; MAX_BYTES];
        let len = URL_SAFE_NO_PAD
            .decode_slice(body, &mut binary)
            .map_err(|_| DecodeError::Malformed)?;
        let (cb, rest) = postcard::take_from_bytes::<Callback>(&binary[..len])
            .map_err(|_| DecodeError::Malformed)?;
        if !rest.is_empty() || cb.encode() != raw {
            return Err(DecodeError::Malformed);
        }
        Ok(cb)
    }

    /// The version-1 form (tests check that old data still decodes).
    #[cfg(test)]
    fn encode_v1(&self) -> String {
        v1::encode(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_callback_round_trips_within_64_bytes() {
        let all = walk::every::<Callback>();
        assert!(all.len() > 1000, "{} values", all.len());
        for cb in all {
            let data = cb.encode();
            assert!(
                data.len() <= MAX_BYTES,
                "{cb:?} is {} bytes: {data}",
                data.len()
            );
            assert_eq!(Callback::decode(&data), Ok(cb), "{data}");
        }
    }

    #[test]
    fn every_callback_still_decodes_from_its_version_1_data() {
        // Version 1 wrote no negative numbers: ids come from the database.
        let negative = i64::MIN.to_string();
        for cb in walk::every::<Callback>() {
            let data = cb.encode_v1();
            if !data.contains(&negative) {
                assert_eq!(Callback::decode(&data), Ok(cb), "{data}");
            }
        }
    }

    /// Each variant's index is its meaning on old buttons: reordering an enum,
    /// or adding a variant anywhere but at its end, breaks them. The pins list
    /// one value of every variant, nested ones too, with its data. A new variant
    /// at an enum's end adds a line: `PIN=1 cargo test -p domain` writes the
    /// file again, and the diff must show only additions.
    #[test]
    fn v2_encodings_are_pinned() {
        let pins: String = walk::every_variant::<Callback>()
            .into_iter()
            .map(|cb| format!("{} {cb:?}\n", cb.encode()))
            .collect();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/callback/v2-pins.txt");
        if std::env::var_os("PIN").is_some() {
            std::fs::write(path, &pins).unwrap();
        }
        let pinned = std::fs::read_to_string(path).unwrap_or_default();
        for (line, (now, before)) in pins.lines().zip(pinned.lines()).enumerate() {
            assert_eq!(now, before, "line {}", line + 1);
        }
        assert_eq!(pins.lines().count(), pinned.lines().count());
    }

    proptest! {
        #[test]
        fn garbage_never_panics(raw in ".{0,100}") {
            let _ = Callback::decode(&raw);
        }

        #[test]
        fn garbage_after_the_version_never_panics(raw in "1[a-z].{0,70}") {
            if let Ok(cb) = Callback::decode(&raw) {
                // Anything accepted must be exactly what version 1 wrote.
                prop_assert_eq!(cb.encode_v1(), raw);
            }
        }

        #[test]
        fn version_2_data_has_one_form_per_value(raw in "2[A-Za-z0-9_-]{0,63}") {
            if let Ok(cb) = Callback::decode(&raw) {
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
            assert_eq!(cb.encode_v1(), wire, "{cb:?}");
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
            assert_eq!(cb.encode_v1(), wire, "{cb:?}");
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
            let wire = cb.encode_v1();
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
        assert_eq!(Callback::Home.encode_v1(), "1h");
        assert_eq!(Callback::Open(node).encode_v1(), "1oAb3dE6gH");
        assert_eq!(
            Callback::SectionPage { node, page: 2 }.encode_v1(),
            "1sAb3dE6gH.2"
        );
        assert_eq!(
            Callback::PagePart { node, part: 65535 }.encode_v1(),
            "1pAb3dE6gH.65535"
        );
        assert_eq!(Callback::Language(Lang::En).encode_v1(), "1len");
        assert_eq!(Callback::RequestDeletion.encode_v1(), "1D");
        let (attempt, position) = (12, 3);
        assert_eq!(
            Callback::Answer {
                attempt,
                position,
                shown: 2
            }
            .encode_v1(),
            "1c12.3.2"
        );
        assert_eq!(
            Callback::Toggle {
                attempt,
                position,
                mask: 5
            }
            .encode_v1(),
            "1m12.3.5"
        );
        assert_eq!(
            Callback::Submit {
                attempt,
                position,
                mask: 5
            }
            .encode_v1(),
            "1y12.3.5"
        );
        assert_eq!(
            Callback::Admin(AdminAction::Export(
                ExportChoice::Activity(Period::Last7Days),
                FileFormat::Csv
            ))
            .encode_v1(),
            "1AXw"
        );
        assert_eq!(
            Callback::Admin(AdminAction::Export(ExportChoice::People, FileFormat::Xlsx))
                .encode_v1(),
            "1AXpx"
        );
        assert_eq!(
            Callback::Admin(AdminAction::Exports(FileFormat::CsvSemicolon)).encode_v1(),
            "1AEs"
        );
        assert_eq!(
            Callback::Admin(AdminAction::EraseConfirmed(42)).encode_v1(),
            "1Af42"
        );
    }
}
