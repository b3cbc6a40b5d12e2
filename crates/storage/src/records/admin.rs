//! Rows of the admin port (audit entries and people counts) and their checked
//! conversion into the port's records.

use domain::ids::UserId;
use engine::ports::{AuditEntry, PeopleStats, PersonStatus, PersonSummary, StorageError};
use time::{Duration, OffsetDateTime};

use crate::error::corrupt;
use crate::stamp::Stamp;

/// An `audit_log` row, in the column order of `AUDIT_ENTRIES`.
#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub id: i64,
    pub at: Stamp,
    pub actor: i64,
    pub action: String,
    pub detail: String,
}

impl AuditRow {
    pub fn into_entry(self) -> Result<AuditEntry, StorageError> {
        Ok(AuditEntry {
            id: self.id,
            at: self.at.0,
            actor: UserId(self.actor),
            action: self.action,
            detail: self.detail,
        })
    }
}

/// The bound of `AUDIT_ENTRIES`: below `before`, or everything.
pub(crate) fn audit_bound(before: Option<i64>) -> i64 {
    before.unwrap_or(i64::MAX)
}

/// The times `PEOPLE_COUNTS` binds, in order: now, then now minus 24 hours, 7 days
/// and 30 days (saturating at the earliest representable time).
pub(crate) fn stats_windows(now: OffsetDateTime) -> [OffsetDateTime; 4] {
    let back = |d: Duration| {
        now.checked_sub(d)
            .unwrap_or(time::PrimitiveDateTime::MIN.assume_utc())
    };
    [
        now,
        back(Duration::days(1)),
        back(Duration::days(7)),
        back(Duration::days(30)),
    ]
}

/// The code `sql::admin::PEOPLE` and `COUNT_PEOPLE` bind as `$1`.
pub(crate) fn status_code(status: PersonStatus) -> &'static str {
    match status {
        PersonStatus::Any => "any",
        PersonStatus::Active => "active",
        PersonStatus::Blocked => "blocked",
        PersonStatus::Inactive => "inactive",
    }
}

/// The inclusive lower bound of `PEOPLE`: every id, or the ids above `after`;
/// `None` when nothing is above `after` (it is `i64::MAX`).
pub(crate) fn people_bound(after: Option<UserId>) -> Option<i64> {
    match after {
        None => Some(i64::MIN),
        Some(UserId(id)) => id.checked_add(1),
    }
}

/// A `users` row, in the column order of `PEOPLE`.
#[derive(sqlx::FromRow)]
pub(crate) struct PersonRow {
    pub id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub park: Option<String>,
    pub department: Option<String>,
    pub blocked: bool,
    pub inactive: bool,
    pub last_seen: Stamp,
}

impl PersonRow {
    pub fn into_summary(self) -> Result<PersonSummary, StorageError> {
        Ok(PersonSummary {
            id: UserId(self.id),
            first_name: self.first_name,
            last_name: self.last_name,
            username: self.username,
            park: self.park,
            department: self.department,
            blocked: self.blocked,
            inactive: self.inactive,
            last_seen: self.last_seen.0,
        })
    }
}

/// The single row of `PEOPLE_COUNTS`.
#[derive(sqlx::FromRow)]
pub(crate) struct CountsRow {
    pub total: i64,
    pub active_today: i64,
    pub active_7d: i64,
    pub active_30d: i64,
    pub new_7d: i64,
    pub blocked: i64,
    pub inactive: i64,
}

/// A row of `PEOPLE_BY_PARK` / `PEOPLE_BY_DEPARTMENT`.
#[derive(sqlx::FromRow)]
pub(crate) struct GroupRow {
    pub name: String,
    pub people: i64,
}

pub(crate) fn count(what: &str, n: i64) -> Result<u64, StorageError> {
    u64::try_from(n).map_err(|_| corrupt(format!("{what} count {n} is negative")))
}

/// Most people first; equal counts by id, byte by byte (the same on every
/// backend, whatever its collation).
fn groups(what: &str, rows: Vec<GroupRow>) -> Result<Vec<(String, u64)>, StorageError> {
    let mut groups = rows
        .into_iter()
        .map(|row| Ok((row.name, count(what, row.people)?)))
        .collect::<Result<Vec<_>, StorageError>>()?;
    groups.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(groups)
}

pub(crate) fn people_stats(
    counts: CountsRow,
    parks: Vec<GroupRow>,
    departments: Vec<GroupRow>,
) -> Result<PeopleStats, StorageError> {
    Ok(PeopleStats {
        total: count("user", counts.total)?,
        active_today: count("active today", counts.active_today)?,
        active_7d: count("active 7 days", counts.active_7d)?,
        active_30d: count("active 30 days", counts.active_30d)?,
        new_7d: count("new 7 days", counts.new_7d)?,
        blocked: count("blocked", counts.blocked)?,
        inactive: count("inactive", counts.inactive)?,
        by_park: groups("park", parks)?,
        by_department: groups("department", departments)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, people: i64) -> GroupRow {
        GroupRow {
            name: name.to_owned(),
            people,
        }
    }

    #[test]
    fn groups_sort_by_count_then_bytes() {
        let sorted = groups(
            "park",
            vec![
                row("b", 2),
                row("", 5),
                row("a", 2),
                row("B", 2),
                row("z", 9),
            ],
        )
        .unwrap();
        let names: Vec<&str> = sorted.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["z", "", "B", "a", "b"]);
        assert!(groups("park", vec![row("x", -1)]).is_err());
    }

    #[test]
    fn people_bounds() {
        assert_eq!(people_bound(None), Some(i64::MIN));
        assert_eq!(people_bound(Some(UserId(i64::MIN))), Some(i64::MIN + 1));
        assert_eq!(people_bound(Some(UserId(-1))), Some(0));
        assert_eq!(people_bound(Some(UserId(i64::MAX - 1))), Some(i64::MAX));
        assert_eq!(people_bound(Some(UserId(i64::MAX))), None);
    }

    #[test]
    fn windows_saturate() {
        let min = time::PrimitiveDateTime::MIN.assume_utc();
        assert_eq!(stats_windows(min), [min; 4]);
        let now = time::macros::datetime!(2031-03-15 12:00 UTC);
        assert_eq!(
            stats_windows(now),
            [
                now,
                time::macros::datetime!(2031-03-14 12:00 UTC),
                time::macros::datetime!(2031-03-08 12:00 UTC),
                time::macros::datetime!(2031-02-13 12:00 UTC),
            ]
        );
    }
}
