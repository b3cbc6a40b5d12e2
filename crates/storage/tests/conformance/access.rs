//! The access chapter of the story: grants, invites (with the use limit under
//! concurrent redemption) and access requests. Its people have ids from 60 000,
//! created here; no other chapter grants access or files requests.

use std::sync::Arc;

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{NewInvite, Redemption, RequestStatus};
use storage::SqlStorage;
use time::Duration;

use super::{profile, t0};

pub(crate) async fn story(s: &SqlStorage) {
    grants(s).await;
    invites(s).await;
    forged_codes_change_nothing(s).await;
    the_use_limit_holds_under_concurrent_redemption(s).await;
    requests(s).await;
}

async fn person(s: &SqlStorage, id: i64, name: &str) -> UserId {
    s.touch_user(&profile(id, name), Lang::Ru, t0())
        .await
        .unwrap();
    UserId(id)
}

fn new_invite(code: &str, max_uses: Option<u32>) -> NewInvite {
    NewInvite {
        code: code.to_owned(),
        park: None,
        department: None,
        created_by: UserId(9),
        created_at: t0(),
        expires_at: t0() + Duration::days(7),
        max_uses,
    }
}

async fn grants(s: &SqlStorage) {
    let anna = person(s, 60_001, "Anna").await;
    assert!(
        !s.has_access(anna).await.unwrap(),
        "nobody is let in by default"
    );
    s.grant_access(anna, "open", t0()).await.unwrap();
    assert!(s.has_access(anna).await.unwrap());
    // A second grant is harmless.
    s.grant_access(anna, "approved by 9", t0() + Duration::hours(1))
        .await
        .unwrap();
    assert!(s.has_access(anna).await.unwrap());
    assert!(!s.has_access(UserId(60_999)).await.unwrap());
}

async fn invites(s: &SqlStorage) {
    let bound = NewInvite {
        park: Some("zelenopark".to_owned()),
        department: Some("bar".to_owned()),
        max_uses: Some(2),
        ..new_invite("Bound_code-0123456789", None)
    };
    let created = s.create_invite(&bound).await.unwrap();
    assert!(created.id > 0);
    assert_eq!(created.code, bound.code);
    assert_eq!(created.park.as_deref(), Some("zelenopark"));
    assert_eq!(created.department.as_deref(), Some("bar"));
    assert_eq!(created.created_by, UserId(9));
    assert_eq!(created.created_at, t0());
    assert_eq!(created.expires_at, t0() + Duration::days(7));
    assert_eq!(
        (created.max_uses, created.uses, created.revoked),
        (Some(2), 0, false)
    );
    assert!(
        s.create_invite(&bound).await.is_err(),
        "a code is unique: a clash is an error, not a second invite"
    );
    let open = s
        .create_invite(&new_invite("Unlimited_code_0123456789", None))
        .await
        .unwrap();
    let short_lived = s
        .create_invite(&NewInvite {
            expires_at: t0() + Duration::hours(1),
            ..new_invite("Short_lived_0123456789", Some(10))
        })
        .await
        .unwrap();
    let ids = |list: Vec<engine::ports::Invite>| list.iter().map(|i| i.id).collect::<Vec<_>>();
    assert_eq!(
        ids(s.active_invites(t0(), 10).await.unwrap()),
        [short_lived.id, open.id, created.id],
        "newest first"
    );
    assert_eq!(ids(s.active_invites(t0(), 2).await.unwrap()).len(), 2);
    let later = t0() + Duration::hours(1);
    assert_eq!(
        ids(s.active_invites(later, 10).await.unwrap()),
        [open.id, created.id],
        "expired at its expiry time"
    );

    // Redemption: two people use the bound invite, the third finds it used up.
    let (b1, b2, b3) = (
        person(s, 60_011, "B1").await,
        person(s, 60_012, "B2").await,
        person(s, 60_013, "B3").await,
    );
    let Redemption::Admitted(after) = s.redeem_invite(&bound.code, b1, t0()).await.unwrap() else {
        panic!("a fresh invite admits");
    };
    assert_eq!(after.uses, 1);
    assert_eq!(after.park.as_deref(), Some("zelenopark"));
    assert!(s.has_access(b1).await.unwrap());
    assert!(matches!(
        s.redeem_invite(&bound.code, b2, t0()).await.unwrap(),
        Redemption::Admitted(i) if i.uses == 2
    ));
    assert_eq!(
        s.redeem_invite(&bound.code, b3, t0()).await.unwrap(),
        Redemption::UsedUp
    );
    assert!(
        !s.has_access(b3).await.unwrap(),
        "a refused use grants nothing"
    );
    assert_eq!(
        ids(s.active_invites(t0(), 10).await.unwrap()),
        [short_lived.id, open.id],
        "a used-up invite is no longer listed"
    );

    // Expired and revoked invites refuse, and say so.
    assert_eq!(
        s.redeem_invite(&short_lived.code, b3, later).await.unwrap(),
        Redemption::Expired
    );
    assert!(s.revoke_invite(open.id, t0()).await.unwrap());
    assert!(!s.revoke_invite(open.id, t0()).await.unwrap(), "only once");
    assert!(
        !s.revoke_invite(i64::MAX, t0()).await.unwrap(),
        "no such invite"
    );
    assert_eq!(
        s.redeem_invite(&open.code, b3, t0()).await.unwrap(),
        Redemption::Revoked
    );
    assert_eq!(
        s.redeem_invite("No_such_code_0123456789", b3, t0())
            .await
            .unwrap(),
        Redemption::Unknown
    );
    assert!(!s.has_access(b3).await.unwrap());
    assert_eq!(
        ids(s.active_invites(t0(), 10).await.unwrap()),
        [short_lived.id]
    );
    let revoked = s
        .active_invites(t0() - Duration::days(1), 10)
        .await
        .unwrap();
    assert!(revoked.iter().all(|i| i.id != open.id));
}

async fn forged_codes_change_nothing(s: &SqlStorage) {
    let eve = person(s, 60_021, "Eve").await;
    let before = s.active_invites(t0(), 100).await.unwrap();
    for code in [
        "' OR '1'='1",
        "x'; UPDATE invites SET uses = 0; --",
        "%",
        "_",
        "",
        "Short_lived_0123456789 ",
        "short_lived_0123456789",
    ] {
        assert_eq!(
            s.redeem_invite(code, eve, t0()).await.unwrap(),
            Redemption::Unknown,
            "{code:?}"
        );
    }
    assert_eq!(s.active_invites(t0(), 100).await.unwrap(), before);
    assert!(!s.has_access(eve).await.unwrap());
}

async fn the_use_limit_holds_under_concurrent_redemption(s: &SqlStorage) {
    const LIMIT: u32 = 5;
    const CROWD: i64 = 24;
    let invite = s
        .create_invite(&new_invite("Crowd_code_0123456789", Some(LIMIT)))
        .await
        .unwrap();
    let s = Arc::new(s.clone());
    let mut people = Vec::new();
    for i in 0..CROWD {
        people.push(person(&s, 60_100 + i, "Crowd").await);
    }
    let tasks: Vec<_> = people
        .iter()
        .map(|&p| {
            let s = s.clone();
            tokio::spawn(async move { s.redeem_invite("Crowd_code_0123456789", p, t0()).await })
        })
        .collect();
    let mut admitted = 0;
    for task in tasks {
        match task.await.unwrap().unwrap() {
            Redemption::Admitted(i) => {
                assert!(i.uses <= LIMIT);
                admitted += 1;
            }
            other => assert_eq!(other, Redemption::UsedUp),
        }
    }
    assert_eq!(admitted, LIMIT, "exactly the limit got in");
    let mut let_in = 0;
    for p in &people {
        let_in += u32::from(s.has_access(*p).await.unwrap());
    }
    assert_eq!(let_in, LIMIT, "and only they hold a grant");
    let listed = s.active_invites(t0(), 100).await.unwrap();
    assert!(listed.iter().all(|i| i.id != invite.id), "used up");
}

async fn requests(s: &SqlStorage) {
    let (olga, ivan, petr) = (
        person(s, 60_201, "Olga").await,
        person(s, 60_202, "Ivan").await,
        person(s, 60_203, "Petr").await,
    );
    assert_eq!(s.access_request(olga).await.unwrap(), None);
    assert_eq!(s.count_pending_requests().await.unwrap(), 0);
    assert!(s.pending_requests(10).await.unwrap().is_empty());

    let name = "Ольга Ёлкина <b>&amp;</b> '; DROP TABLE access_requests; --";
    assert!(s.request_access(olga, name, t0()).await.unwrap());
    assert!(
        !s.request_access(olga, "Someone Else", t0() + Duration::minutes(1))
            .await
            .unwrap(),
        "one pending request per person"
    );
    let filed = s.access_request(olga).await.unwrap().unwrap();
    assert_eq!(filed.name, name, "kept verbatim, the first one");
    assert_eq!(filed.requested_at, t0());
    assert_eq!(filed.status, RequestStatus::Pending);
    assert_eq!((filed.user, filed.first_name.as_str()), (olga, "Olga"));
    assert!(
        s.request_access(ivan, "Ivan Petrov", t0() + Duration::minutes(5))
            .await
            .unwrap()
    );
    assert!(
        s.request_access(petr, "Petr", t0() - Duration::minutes(5))
            .await
            .unwrap()
    );
    let pending: Vec<UserId> = s
        .pending_requests(10)
        .await
        .unwrap()
        .iter()
        .map(|r| r.user)
        .collect();
    assert_eq!(pending, [petr, olga, ivan], "oldest first");
    assert_eq!(s.pending_requests(1).await.unwrap().len(), 1);
    assert_eq!(s.count_pending_requests().await.unwrap(), 3);

    // Approval grants access in the same step; a second decision changes nothing.
    let admin = UserId(9);
    assert!(s.decide_request(olga, true, admin, t0()).await.unwrap());
    assert!(s.has_access(olga).await.unwrap());
    assert!(!s.decide_request(olga, false, admin, t0()).await.unwrap());
    assert_eq!(
        s.access_request(olga).await.unwrap().unwrap().status,
        RequestStatus::Approved
    );
    assert!(s.has_access(olga).await.unwrap());

    // Rejection grants nothing; a rejected person may ask again, and it is pending.
    assert!(s.decide_request(ivan, false, admin, t0()).await.unwrap());
    assert!(!s.has_access(ivan).await.unwrap());
    assert_eq!(
        s.access_request(ivan).await.unwrap().unwrap().status,
        RequestStatus::Rejected
    );
    assert_eq!(s.count_pending_requests().await.unwrap(), 1);
    let again = t0() + Duration::days(1);
    assert!(s.request_access(ivan, "Ivan P.", again).await.unwrap());
    let renewed = s.access_request(ivan).await.unwrap().unwrap();
    assert_eq!(
        (renewed.name.as_str(), renewed.requested_at, renewed.status),
        ("Ivan P.", again, RequestStatus::Pending)
    );
    assert!(
        !s.decide_request(UserId(60_299), true, admin, t0())
            .await
            .unwrap(),
        "nobody to decide"
    );
    assert!(!s.has_access(UserId(60_299)).await.unwrap());
    assert_eq!(s.count_pending_requests().await.unwrap(), 2);
}

/// People who used the bot before access control existed keep using it: the
/// migration grants everyone already in `users`.
#[tokio::test]
async fn sqlite_people_from_before_the_migration_keep_access() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let mut before = sqlx::migrate::Migrator::new(migrations).await.unwrap();
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < 5)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = sqlx::SqlitePool::connect_with(options.create_if_missing(true))
        .await
        .unwrap();
    before.run(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO users (id, first_name, language, first_seen, last_seen) \
         VALUES (70001, 'Old timer', 'ru', 0, 1000)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let s = SqlStorage::connect(&url).await.unwrap();
    s.migrate().await.unwrap();
    assert!(s.has_access(UserId(70001)).await.unwrap());
    let newcomer = person(&s, 70002, "New").await;
    assert!(
        !s.has_access(newcomer).await.unwrap(),
        "only those already there"
    );
}
