//! The admin panel's look-ups and corrections: `1AK<op>[args]`.
//!
//! `f` search people (the text is typed next), `v` verify a certificate (the code
//! is typed next), `t` the most-read pages, `q` quiz results, `o` overdue people,
//! `a` / `A<park>` page views by weekday and hour (choose a park / in that park's
//! time zone), `k<id>` / `d<id>` choose a new park /
//! department for person `id`, `K<id>.<park>` / `D<id>.<department>` set it; the
//! people list filtered by park and department: `L<view>`, and the choice of its
//! park `P<view>` or department `E<view>`, where a view is
//! `<status><park>.<department>[.<after>]` (see [`PeopleView`]). Slugs or indices,
//! never names, so the longest (`1AKD` + 19 digits + `.` + 32) is 56 bytes.

use super::{DecodeError, ListStatus, Slug, id, numbers};

/// The people list with its filters. Park and department are indices into the
/// content pack's lists, not slugs: two slugs of up to 32 bytes and a paging id
/// would not fit in 64 bytes. A reload that reorders the pack can make an old
/// button filter by another park; the filter grants nothing, and an index past
/// the end is answered as a stale menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct PeopleView {
    pub status: ListStatus,
    pub park: Option<u8>,
    pub department: Option<u8>,
    /// Ids above this one (keyset paging); `None` for the first page.
    pub after: Option<i64>,
}

impl PeopleView {
    #[cfg(test)]
    fn encode(&self) -> String {
        let index = |i: Option<u8>| i.map_or("-".to_owned(), |i| i.to_string());
        let mut out = format!(
            "{}{}.{}",
            self.status.code(),
            index(self.park),
            index(self.department)
        );
        if let Some(after) = self.after {
            out.push_str(&format!(".{after}"));
        }
        out
    }

    fn decode(raw: &str) -> Result<PeopleView, DecodeError> {
        let mut chars = raw.chars();
        let status = chars
            .next()
            .and_then(ListStatus::from_code)
            .ok_or(DecodeError::Malformed)?;
        let mut parts = chars.as_str().split('.');
        let mut index = || -> Result<Option<u8>, DecodeError> {
            match parts.next().ok_or(DecodeError::Malformed)? {
                "-" => Ok(None),
                n => {
                    let [n] = numbers::<1>(n)?;
                    u8::try_from(n)
                        .map(Some)
                        .map_err(|_| DecodeError::Malformed)
                }
            }
        };
        let park = index()?;
        let department = index()?;
        let after = match parts.next() {
            None => None,
            Some(n) => {
                let [n] = numbers::<1>(n)?;
                Some(id(n)?)
            }
        };
        if parts.next().is_some() {
            return Err(DecodeError::Malformed);
        }
        Ok(PeopleView {
            status,
            park,
            department,
            after,
        })
    }
}

/// What a look-up or correction button asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum LookupAction {
    /// Ask for a search text.
    Search,
    /// Ask for a certificate code.
    Verify,
    /// The most-read pages.
    TopPages,
    /// Pass rates and average scores by quiz, department and park.
    QuizStats,
    /// People past their onboarding deadline.
    Overdue,
    /// The parks to see activity for.
    ActivityParks,
    /// Page views by weekday and hour in this park's time zone.
    Activity(Slug),
    /// The onboarding funnel: started, read, passed, certified.
    Funnel,
    /// Page views per day over the last 30 days.
    Daily,
    /// The parks to move person `.0` to.
    ChoosePark(i64),
    /// The departments to move person `.0` to.
    ChooseDepartment(i64),
    SetPark(i64, Slug),
    SetDepartment(i64, Slug),
    /// The people list with park and department filters.
    People(PeopleView),
    /// Choose the park filter of this view.
    ParkFilter(PeopleView),
    /// Choose the department filter of this view.
    DepartmentFilter(PeopleView),
}

impl LookupAction {
    #[cfg(test)]
    pub(super) fn encode(&self) -> String {
        match self {
            LookupAction::Search => "f".to_owned(),
            LookupAction::Verify => "v".to_owned(),
            LookupAction::TopPages => "t".to_owned(),
            LookupAction::QuizStats => "q".to_owned(),
            LookupAction::Overdue => "o".to_owned(),
            LookupAction::ActivityParks => "a".to_owned(),
            LookupAction::Activity(park) => format!("A{park}"),
            LookupAction::Funnel => "n".to_owned(),
            LookupAction::Daily => "y".to_owned(),
            LookupAction::ChoosePark(person) => format!("k{person}"),
            LookupAction::ChooseDepartment(person) => format!("d{person}"),
            LookupAction::SetPark(person, park) => format!("K{person}.{park}"),
            LookupAction::SetDepartment(person, d) => format!("D{person}.{d}"),
            LookupAction::People(view) => format!("L{}", view.encode()),
            LookupAction::ParkFilter(view) => format!("P{}", view.encode()),
            LookupAction::DepartmentFilter(view) => format!("E{}", view.encode()),
        }
    }

    pub(super) fn decode(rest: &str) -> Result<LookupAction, DecodeError> {
        let mut chars = rest.chars();
        let op = chars.next().ok_or(DecodeError::Malformed)?;
        let args = chars.as_str();
        let person = |s: &str| -> Result<i64, DecodeError> {
            let [n] = numbers::<1>(s)?;
            id(n)
        };
        let person_and_slug = |s: &str| -> Result<(i64, Slug), DecodeError> {
            let (p, slug) = s.split_once('.').ok_or(DecodeError::Malformed)?;
            Ok((person(p)?, Slug::parse(slug).ok_or(DecodeError::Malformed)?))
        };
        match op {
            'f' if args.is_empty() => Ok(LookupAction::Search),
            'v' if args.is_empty() => Ok(LookupAction::Verify),
            't' if args.is_empty() => Ok(LookupAction::TopPages),
            'q' if args.is_empty() => Ok(LookupAction::QuizStats),
            'o' if args.is_empty() => Ok(LookupAction::Overdue),
            'a' if args.is_empty() => Ok(LookupAction::ActivityParks),
            'n' if args.is_empty() => Ok(LookupAction::Funnel),
            'y' if args.is_empty() => Ok(LookupAction::Daily),
            'A' => Slug::parse(args)
                .map(LookupAction::Activity)
                .ok_or(DecodeError::Malformed),
            'k' => person(args).map(LookupAction::ChoosePark),
            'd' => person(args).map(LookupAction::ChooseDepartment),
            'K' => person_and_slug(args).map(|(p, s)| LookupAction::SetPark(p, s)),
            'D' => person_and_slug(args).map(|(p, s)| LookupAction::SetDepartment(p, s)),
            'L' => PeopleView::decode(args).map(LookupAction::People),
            'P' => PeopleView::decode(args).map(LookupAction::ParkFilter),
            'E' => PeopleView::decode(args).map(LookupAction::DepartmentFilter),
            _ => Err(DecodeError::Malformed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AdminAction, Callback};
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn lookup_garbage_never_panics(raw in "1AK.{0,60}") {
            if let Ok(cb) = Callback::decode(&raw) {
                prop_assert_eq!(cb.encode_v1(), raw);
            }
        }
    }

    #[test]
    fn refuses_forged_lookups() {
        for raw in [
            "1AK",
            "1AKf1",
            "1AKz",
            "1AKk",
            "1AKk-1",
            "1AKk01",
            "1AKK5",
            "1AKK5.",
            "1AKK5.Zelenopark",
            "1AKK5.park;DROP",
            "1AKD.bar",
            "1AKD99999999999999999999.bar",
            "1AKq1",
            "1AKa-",
            "1AKA",
            "1AKAZelenopark",
            "1AKL",
            "1AKLa",
            "1AKLa-",
            "1AKLz-.-",
            "1AKLa256.-",
            "1AKLa01.-",
            "1AKLa-.-.",
            "1AKLa-.-.5.6",
            "1AKLazelenopark.-",
            "1AKPa-.--",
        ] {
            assert!(Callback::decode(raw).is_err(), "{raw:?} decoded");
        }
        let longest = Callback::Admin(AdminAction::Lookup(LookupAction::SetDepartment(
            i64::MAX,
            Slug::parse(&"a".repeat(32)).unwrap(),
        )))
        .encode_v1();
        assert_eq!(longest.len(), 56);
    }
}
