//! The admin chapter of the story: the audit log and the people statistics. It
//! runs after the other chapters, so the statistics are checked at a time (2031)
//! far from theirs: every window count is exact, and the totals, flags and groups
//! are the earlier chapters' (read first) plus exactly this chapter's people, whose
//! ids start at 50 000. The people list is checked against every person's own
//! record, read one by one, plus this chapter's people of every status.

use std::collections::HashMap;

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{AuditEntry, PeopleStats, PersonStatus, PersonSummary, ProfileField};
use storage::SqlStorage;
use time::macros::{datetime, offset};
use time::{Duration, OffsetDateTime};

use super::{profile, t0};

pub(crate) async fn story(s: &SqlStorage) {
    audit_round_trip_and_paging(s).await;
    people_stats(s).await;
    people_list(s).await;
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
    let base = s.people_stats(n, None).await.unwrap();
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
    let at_t0 = s
        .people_stats(t0() + Duration::days(1), None)
        .await
        .unwrap();
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

    let stats = s.people_stats(n, None).await.unwrap();
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
        s.people_stats(n.to_offset(offset!(+3)), None)
            .await
            .unwrap(),
        expected
    );

    // A microsecond later the edges are passed.
    let later = s.people_stats(n + us, None).await.unwrap();
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
    let earlier = s.people_stats(n - us, None).await.unwrap();
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
    let after = s.people_stats(n, None).await.unwrap();
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

const STATUSES: [PersonStatus; 4] = [
    PersonStatus::Any,
    PersonStatus::Active,
    PersonStatus::Blocked,
    PersonStatus::Inactive,
];

fn has_status(p: &PersonSummary, status: PersonStatus) -> bool {
    match status {
        PersonStatus::Any => true,
        PersonStatus::Active => !p.blocked && !p.inactive,
        PersonStatus::Blocked => p.blocked,
        PersonStatus::Inactive => p.inactive,
    }
}

/// Everyone as the port's own per-person reads describe them, by ascending id:
/// the list's expected content, independent of the list itself.
async fn everyone(s: &SqlStorage, ids: &[UserId]) -> Vec<PersonSummary> {
    let mut people = Vec::new();
    for &id in ids {
        let user = s.user(id).await.unwrap().unwrap();
        let staff = s.staff_profile(id).await.unwrap();
        people.push(PersonSummary {
            id,
            first_name: user.first_name,
            last_name: user.last_name,
            username: user.username,
            park: staff.park,
            department: staff.department,
            blocked: user.blocked,
            inactive: user.inactive,
            last_seen: user.last_seen,
        });
    }
    people.sort_by_key(|p| p.id);
    people
}

/// Every page of `status`, `size` at a time, each starting above the last id of
/// the page before, until an empty page.
async fn walk(s: &SqlStorage, status: PersonStatus, size: u32) -> Vec<Vec<PersonSummary>> {
    let mut pages: Vec<Vec<PersonSummary>> = Vec::new();
    loop {
        let after = pages.last().map(|page| page.last().unwrap().id);
        let page = s.people(status, after, size).await.unwrap();
        assert!(
            page.len() <= size as usize,
            "{status:?}: a page of {} with limit {size}",
            page.len()
        );
        if page.is_empty() {
            return pages;
        }
        pages.push(page);
        assert!(pages.len() <= 10_000, "{status:?}: paging does not end");
    }
}

async fn people_list(s: &SqlStorage) {
    // The earlier chapters' people, read whole; their ids are checked below
    // against the per-person reads and the user count.
    let before = s.people(PersonStatus::Any, None, 100_000).await.unwrap();
    assert_eq!(before.len() as u64, s.count_users().await.unwrap());
    assert!(before.len() > 20, "the earlier chapters' people are listed");
    let before_ids: Vec<UserId> = before.iter().map(|p| p.id).collect();
    assert_eq!(before, everyone(s, &before_ids).await);
    assert!(before.windows(2).all(|w| w[0].id < w[1].id));
    // The earlier chapters left some of each kind, and the extreme ids.
    assert_eq!(before.first().unwrap().id, UserId(i64::MIN));
    assert_eq!(before.last().unwrap().id, UserId(i64::MAX));

    let at = datetime!(2031-04-01 08:30:00.123_456 UTC);
    // (id, blocked, inactive): every combination, around 2^32 and below zero.
    let added: [(i64, bool, bool); 10] = [
        (-(1_i64 << 40) - 60_001, false, false),
        (-(1_i64 << 32) - 60_002, true, false),
        (-60_003, false, true),
        (-60_004, true, true),
        (60_005, false, false),
        (60_006, true, false),
        ((1_i64 << 32) + 60_007, false, true),
        ((1_i64 << 32) - 60_008, false, false),
        ((1_i64 << 33) + 60_009, true, true),
        ((1_i64 << 40) + 60_010, false, false),
    ];
    let mut expected_added = Vec::new();
    for (n, (id, blocked, inactive)) in added.into_iter().enumerate() {
        let n = n as i64;
        let p = engine::ports::UserProfile {
            id: UserId(id),
            first_name: format!("List {n} 'x'"),
            last_name: (n % 2 == 0).then(|| format!("Фамилия {n}")),
            username: (n % 3 != 0).then(|| format!("list_{n}")),
            language_code: None,
        };
        let last_seen = at + Duration::minutes(n);
        s.touch_user(&p, Lang::En, at - Duration::days(n))
            .await
            .unwrap();
        s.touch_user(&p, Lang::En, last_seen).await.unwrap();
        let park = (n % 2 == 1).then(|| format!("list-park-{n}"));
        let department = (n % 4 != 0).then(|| format!("list-dep-{n}"));
        s.set_profile_field(UserId(id), ProfileField::Park(park.clone()))
            .await
            .unwrap();
        s.set_profile_field(UserId(id), ProfileField::Department(department.clone()))
            .await
            .unwrap();
        s.set_blocked(UserId(id), blocked).await.unwrap();
        s.set_inactive(UserId(id), inactive).await.unwrap();
        expected_added.push(PersonSummary {
            id: UserId(id),
            first_name: p.first_name,
            last_name: p.last_name,
            username: p.username,
            park,
            department,
            blocked,
            inactive,
            last_seen,
        });
    }

    let mut all: Vec<PersonSummary> = before.iter().cloned().chain(expected_added).collect();
    all.sort_by_key(|p| p.id);
    // What was written is what the per-person reads give.
    let all_ids: Vec<UserId> = all.iter().map(|p| p.id).collect();
    assert_eq!(all, everyone(s, &all_ids).await);
    assert_eq!(all.len(), before.len() + added.len(), "no id collided");
    let earlier = |status| before.iter().filter(|p| has_status(p, status)).count();
    // This chapter's people of each status, counted by hand.
    let added_counts = [10, 4, 4, 4];
    for (status, added_count) in STATUSES.into_iter().zip(added_counts) {
        let expected: Vec<PersonSummary> = all
            .iter()
            .filter(|p| has_status(p, status))
            .cloned()
            .collect();
        assert_eq!(expected.len(), earlier(status) + added_count, "{status:?}");
        assert!(!expected.is_empty());

        // The whole list, and its count.
        let listed = s.people(status, None, 100_000).await.unwrap();
        assert_eq!(listed, expected, "{status:?}");
        assert_eq!(
            s.count_people(status).await.unwrap(),
            expected.len() as u64,
            "{status:?}"
        );

        // Pages of two visit everyone once, in id order; only the last is short.
        let pages = walk(s, status, 2).await;
        assert_eq!(pages.len(), expected.len().div_ceil(2), "{status:?}");
        assert!(pages[..pages.len() - 1].iter().all(|page| page.len() == 2));
        let walked: Vec<PersonSummary> = pages.into_iter().flatten().collect();
        assert_eq!(walked, expected, "{status:?}");

        // `after` is exclusive and need not be an existing id.
        let last = expected.last().unwrap().id;
        assert!(s.people(status, Some(last), 10).await.unwrap().is_empty());
        assert!(
            s.people(status, Some(UserId(i64::MAX)), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let first = expected[0].id;
        assert_eq!(
            s.people(status, Some(first), 100_000).await.unwrap(),
            expected[1..],
            "{status:?}"
        );
        assert_eq!(
            s.people(status, Some(UserId(expected[1].id.0 - 1)), 3)
                .await
                .unwrap(),
            expected[1..4],
            "{status:?}"
        );
        assert!(s.people(status, None, 0).await.unwrap().is_empty());
        assert!(s.people(status, Some(first), 0).await.unwrap().is_empty());
    }

    // Paging from the middle: only ids above -60 004 (itself blocked).
    let after_negative = s
        .people(PersonStatus::Blocked, Some(UserId(-60_004)), 2)
        .await
        .unwrap();
    let blocked_above: Vec<PersonSummary> = all
        .iter()
        .filter(|p| p.blocked && p.id.0 > -60_004)
        .take(2)
        .cloned()
        .collect();
    assert_eq!(blocked_above.len(), 2);
    assert_eq!(after_negative, blocked_above);

    // A change of status shows at once in lists and counts.
    let id = UserId((1_i64 << 32) + 60_007);
    let inactive = s.count_people(PersonStatus::Inactive).await.unwrap();
    let active = s.count_people(PersonStatus::Active).await.unwrap();
    s.touch_user(&profile(id.0, "Back"), Lang::En, at)
        .await
        .unwrap();
    assert_eq!(
        s.count_people(PersonStatus::Inactive).await.unwrap(),
        inactive - 1
    );
    assert_eq!(
        s.count_people(PersonStatus::Active).await.unwrap(),
        active + 1
    );
    let around = s
        .people(PersonStatus::Active, Some(UserId(id.0 - 1)), 1)
        .await
        .unwrap();
    assert_eq!(around.len(), 1);
    assert_eq!(around[0].id, id);
    assert_eq!(around[0].first_name, "Back");
    assert!(!around[0].inactive);
    assert_eq!(
        s.count_people(PersonStatus::Any).await.unwrap(),
        all.len() as u64
    );
}
