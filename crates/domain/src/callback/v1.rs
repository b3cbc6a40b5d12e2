//! Version 1 of the callback data, as the bot wrote it until version 2: `"1"`,
//! a kind letter, then the kind's fields as text. Old messages keep their
//! buttons, so this data still decodes; the bot no longer writes it.
//!
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

use super::{
    AccessAction, AdminAction, BroadcastAction, Callback, ContentAction, DecodeError, ExportChoice,
    FileFormat, ListStatus, LookupAction, ProfileFieldKind, RoleAction, Slug,
};
use crate::ids::NodeId;
use crate::lang::Lang;

#[cfg(test)]
const VERSION: char = '1';

/// The version-1 data of a button, as the bot wrote it before version 2: the
/// tests check that every value still decodes from it.
#[cfg(test)]
pub(super) fn encode(cb: &Callback) -> String {
    match cb {
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

/// Decodes version-1 data after its version character. Never panics, whatever
/// the input.
pub(super) fn decode(body: &str) -> Result<Callback, DecodeError> {
    let mut chars = body.chars();
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

pub(super) fn optional_slug(rest: &str) -> Result<Option<Slug>, DecodeError> {
    if rest == "-" {
        Ok(None)
    } else {
        Slug::parse(rest).map(Some).ok_or(DecodeError::Malformed)
    }
}

/// `N` dot-separated unsigned decimal numbers, exactly as `encode` writes them.
pub(super) fn numbers<const N: usize>(rest: &str) -> Result<[u64; N], DecodeError> {
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

pub(super) fn id(n: u64) -> Result<i64, DecodeError> {
    i64::try_from(n).map_err(|_| DecodeError::Malformed)
}

pub(super) fn small<T: TryFrom<u64>>(n: u64) -> Result<T, DecodeError> {
    T::try_from(n).map_err(|_| DecodeError::Malformed)
}
