//! The admin chapter of the story: the audit log and the people statistics. It
//! runs after the other chapters, so the statistics are checked at a time (2031)
//! far from theirs: every window count is exact, and the totals, flags and groups
//! are the earlier chapters' (read first) plus exactly this chapter's people, whose
//! ids start at 50 000.

use std::collections::HashMap;

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{AdminStore, AuditEntry, LearningStore, PeopleStats, ProfileField, Storage};
use storage::SqlStorage;
use time::macros::{datetime, offset};
use time::{Duration, OffsetDateTime};

use super::{profile, t0};

pub(crate) async fn story(s: &SqlStorage) {
    audit_round_trip_and_paging(s).await;
    people_stats(s).await;
}

fn entry(at: OffsetDateTime, actor: i64, action: &str, detail: &str) -> AuditEntry {
    AuditEntry {
        id: 0,
        at,
        actor: UserId(actor),
        action: action.to_owned(),
        detail: detail.to_owned(),
    }
}

async fn audit_round_trip_and_paging(s: &SqlStorage) {
    assert!(s.audit_entries(None, 10).await.unwrap().is_empty());

    let written = [
        entry(t0(), 1, "login_failed", "attempt 1 of 5"),
        entry(
            t0() + Duration::microseconds(1),
            1,
            "login",
            "O'Brien \"quoted\" `tick` '; DELETE FROM audit_log; --",
        ),
        entry(
            datetime!(2026-11-28 12:00:00.654_321 +03:00),
            i64::MAX,
            "view_stats",
            "Просмотр статистики: Ёлкина Наталья 😀",
        ),
        entry(
            t0() + Duration::minutes(5),
            -1_001_234_567_890,
            "denied",
            "<script>alert('x')</script> &amp; \\ % _ $1 ?",
        ),
        // Written later but dated earlier: the log is ordered by writing.
        entry(t0() - Duration::days(400), 7, "lockout", ""),
        entry(
            t0() + Duration::hours(2),
            7,
            "view_audit",
            "  spaces kept  \n",
        ),
        entry(
            t0() + Duration::hours(3),
            1,
            "logout",
            "line 1\nline 2\ttab",
        ),
    ];
    for e in &written {
        s.record_audit(e).await.unwrap();
    }

    let all = s.audit_entries(None, 100).await.unwrap();
    assert_eq!(all.len(), written.len());
    assert!(all.iter().all(|e| e.id > 0), "ids are assigned");
    assert!(
        all.windows(2).all(|w| w[0].id > w[1].id),
        "newest first, ids distinct"
    );
    // Everything but the id reads back as written, newest first; another offset
    // reads back as the same instant, in UTC.
    let read: Vec<AuditEntry> = all
        .iter()
        .map(|e| AuditEntry { id: 0, ..e.clone() })
        .collect();
    let expected: Vec<AuditEntry> = written.iter().rev().cloned().collect();
    assert_eq!(read, expected);
    assert_eq!(all[4].at, datetime!(2026-11-28 09:00:00.654_321 UTC));
    assert_eq!(all[4].at.offset(), time::UtcOffset::UTC);
    assert_eq!(all[0].action, "logout");
    assert_eq!(all[6].action, "login_failed");

    // Pages of three, each starting below the last id of the page before.
    let ids: Vec<i64> = all.iter().map(|e| e.id).collect();
    let first = s.audit_entries(None, 3).await.unwrap();
    assert_eq!(first, all[0..3]);
    let second = s.audit_entries(Some(first[2].id), 3).await.unwrap();
    assert_eq!(second, all[3..6]);
    let third = s.audit_entries(Some(second[2].id), 3).await.unwrap();
    assert_eq!(third, all[6..7]);
    assert!(
        s.audit_entries(Some(third[0].id), 3)
            .await
            .unwrap()
            .is_empty()
    );

    // `before` is exclusive and need not be an existing id.
    assert_eq!(s.audit_entries(Some(ids[1]), 100).await.unwrap(), all[2..]);
    assert_eq!(s.audit_entries(Some(ids[0] + 1), 100).await.unwrap(), all);
    assert_eq!(s.audit_entries(Some(i64::MAX), 2).await.unwrap(), all[0..2]);
    assert!(s.audit_entries(Some(ids[6]), 100).await.unwrap().is_empty());
    assert!(
        s.audit_entries(Some(i64::MIN), 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.audit_entries(None, 0).await.unwrap().is_empty());

    // The id of a new entry is the storage's to assign; later entries come first.
    s.record_audit(&AuditEntry {
        id: 1,
        ..entry(t0(), 2, "login", "again")
    })
    .await
    .unwrap();
    let newest = s.audit_entries(None, 1).await.unwrap();
    assert_eq!(newest.len(), 1);
    assert!(newest[0].id > ids[0]);
    assert_eq!(newest[0].detail, "again");
    assert_eq!(s.audit_entries(Some(newest[0].id), 100).await.unwrap(), all);
}

/// The statistics' "now": after every time the earlier chapters wrote, except a
/// `last_seen` in 2100, which counts in no window.
fn now() -> OffsetDateTime {
    datetime!(2031-03-15 12:00:00 UTC)
}

/// `extra` added to `base`'s groups, ordered as the port promises.
fn merged(base: &[(String, u64)], extra: &[(&str, u64)]) -> Vec<(String, u64)> {
    let mut counts: HashMap<String, u64> = base.iter().cloned().collect();
    for (name, n) in extra {
        *counts.entry((*name).to_owned()).or_default() += n;
    }
    let mut groups: Vec<(String, u64)> = counts.into_iter().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    groups
}

/// (id, first_seen, last_seen, park, department)
type Person = (
    i64,
    OffsetDateTime,
    OffsetDateTime,
    Option<&'static str>,
    Option<&'static str>,
);

fn position(groups: &[(String, u64)], name: &str) -> usize {
    groups.iter().position(|(n, _)| n == name).unwrap()
}

async fn people_stats(s: &SqlStorage) {
    let n = now();
    let base = s.people_stats(n).await.unwrap();
    assert_eq!(base.total, s.count_users().await.unwrap());
    assert!(base.total > 20, "the earlier chapters' people are counted");
    assert_eq!(
        (
            base.active_today,
            base.active_7d,
            base.active_30d,
            base.new_7d
        ),
        (0, 0, 0, 0),
        "nobody earlier was seen near 2031 (the 2100 one is after now)"
    );
    // t0 is 2026-11-28: the earlier people (all but the one from 1999 and the one
    // from 2100) were first and last seen within a few days of it.
    let at_t0 = s.people_stats(t0() + Duration::days(1)).await.unwrap();
    assert!(at_t0.active_today > 0 && at_t0.active_7d >= at_t0.active_today);
    assert!(at_t0.active_30d < base.total, "1999 and 2100 are outside");
    assert_eq!(at_t0.total, base.total);

    let us = Duration::microseconds(1);
    // Each is touched at first_seen, halfway and last_seen.
    let people: [Person; 8] = [
        // Seen right now; an old-timer.
        (
            50_000,
            n - Duration::days(60),
            n,
            Some("adm-north"),
            Some("adm-bar"),
        ),
        // New an hour ago.
        (
            50_001,
            n - Duration::hours(2),
            n - Duration::hours(1),
            Some("adm-north"),
            Some("adm-bar"),
        ),
        // Exactly on the edges of "today" and "new".
        (
            50_002,
            n - Duration::days(7),
            n - Duration::days(1),
            Some("adm-north"),
            None,
        ),
        // A microsecond beyond them.
        (
            50_003,
            n - Duration::days(7) - us,
            n - Duration::days(1) - us,
            Some("adm-south"),
            Some("adm-кухня"),
        ),
        // Exactly on the edge of 30 days.
        (
            50_004,
            n - Duration::days(40),
            n - Duration::days(30),
            Some("adm-south"),
            Some("adm-кухня"),
        ),
        // A microsecond beyond it.
        (
            50_005,
            n - Duration::days(400),
            n - Duration::days(30) - us,
            Some("Adm-East"),
            Some("adm-bar"),
        ),
        // First and last seen after now: in no window.
        (
            50_006,
            n + Duration::hours(1),
            n + Duration::hours(2),
            Some("Adm-East"),
            None,
        ),
        // An empty park is no park.
        (
            50_007,
            n - Duration::days(100),
            n - Duration::days(100),
            Some(""),
            None,
        ),
    ];
    for (id, first, last, park, department) in people {
        s.touch_user(&profile(id, "S"), Lang::Ru, first)
            .await
            .unwrap();
        // A visit in between: first_seen stays, last_seen moves on.
        s.touch_user(&profile(id, "S"), Lang::Ru, first + (last - first) / 2)
            .await
            .unwrap();
        s.touch_user(&profile(id, "S"), Lang::Ru, last)
            .await
            .unwrap();
        s.set_profile_field(UserId(id), ProfileField::Park(park.map(str::to_owned)))
            .await
            .unwrap();
        s.set_profile_field(
            UserId(id),
            ProfileField::Department(department.map(str::to_owned)),
        )
        .await
        .unwrap();
    }
    // Blocked and inactive people still count as seen.
    s.set_blocked(UserId(50_001), true).await.unwrap();
    s.set_blocked(UserId(50_003), true).await.unwrap();
    s.set_inactive(UserId(50_004), true).await.unwrap();

    let stats = s.people_stats(n).await.unwrap();
    let expected = PeopleStats {
        total: base.total + 8,
        active_today: 3, // 50 000, 50 001, 50 002
        active_7d: 4,    // and 50 003
        active_30d: 5,   // and 50 004
        new_7d: 2,       // 50 001, 50 002
        blocked: base.blocked + 2,
        inactive: base.inactive + 1,
        by_park: merged(
            &base.by_park,
            &[("adm-north", 3), ("adm-south", 2), ("Adm-East", 2), ("", 1)],
        ),
        by_department: merged(
            &base.by_department,
            &[("adm-bar", 3), ("adm-кухня", 2), ("", 3)],
        ),
    };
    assert_eq!(stats, expected);
    // The order, spelt out: most first; equal counts by id, byte by byte.
    assert!(position(&stats.by_park, "adm-north") < position(&stats.by_park, "Adm-East"));
    assert_eq!(
        position(&stats.by_park, "Adm-East") + 1,
        position(&stats.by_park, "adm-south")
    );
    assert_eq!(stats.by_park[position(&stats.by_park, "adm-north")].1, 3);
    assert_eq!(
        stats
            .by_park
            .iter()
            .filter(|(name, _)| name.is_empty())
            .count(),
        1,
        "no park and an empty park are one group"
    );
    assert!(
        stats
            .by_park
            .windows(2)
            .all(|w| w[0].1 > w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0))
    );
    assert!(
        stats
            .by_department
            .windows(2)
            .all(|w| w[0].1 > w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0))
    );
    assert_eq!(
        stats.by_park.iter().map(|(_, c)| c).sum::<u64>(),
        stats.total
    );
    assert_eq!(
        stats.by_department.iter().map(|(_, c)| c).sum::<u64>(),
        stats.total
    );

    // The same instant in another offset gives the same numbers.
    assert_eq!(
        s.people_stats(n.to_offset(offset!(+3))).await.unwrap(),
        expected
    );

    // A microsecond later the edges are passed.
    let later = s.people_stats(n + us).await.unwrap();
    assert_eq!(
        (
            later.active_today,
            later.active_7d,
            later.active_30d,
            later.new_7d
        ),
        (2, 4, 4, 1)
    );
    // A microsecond earlier 50 000's visit is in the future, and the next people
    // are on the edges.
    let earlier = s.people_stats(n - us).await.unwrap();
    assert_eq!(
        (
            earlier.active_today,
            earlier.active_7d,
            earlier.active_30d,
            earlier.new_7d
        ),
        (3, 3, 5, 3)
    );
    // Counts that do not depend on now do not change with it.
    assert_eq!(
        (
            later.total,
            later.blocked,
            later.inactive,
            later.by_park,
            later.by_department
        ),
        (
            expected.total,
            expected.blocked,
            expected.inactive,
            expected.by_park.clone(),
            expected.by_department.clone()
        )
    );

    // Unblocking, writing again and moving parks show at once.
    s.set_blocked(UserId(50_001), false).await.unwrap();
    s.touch_user(&profile(50_004, "S"), Lang::Ru, n - Duration::hours(3))
        .await
        .unwrap();
    s.set_profile_field(
        UserId(50_007),
        ProfileField::Park(Some("adm-north".to_owned())),
    )
    .await
    .unwrap();
    let after = s.people_stats(n).await.unwrap();
    assert_eq!(
        after,
        PeopleStats {
            active_today: 4,
            active_7d: 5,
            blocked: base.blocked + 1,
            inactive: base.inactive,
            by_park: merged(
                &base.by_park,
                &[("adm-north", 4), ("adm-south", 2), ("Adm-East", 2)],
            ),
            ..expected
        }
    );
}
