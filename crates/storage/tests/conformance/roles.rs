//! The roles chapter of the story: granting, replacing and revoking a role, the
//! holder's password set once, and erasure taking the role away. Its people have
//! ids from 90 000 on.

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{Activity, ActivityFilter, ActivityKind, PeopleQuery, ProfileField, Role};
use storage::SqlStorage;
use time::Duration;

use super::{profile, t0};

pub(crate) async fn story(s: &SqlStorage) {
    grants(s).await;
    park_scoped_reads(s).await;
}

/// A park manager's reads see their park's people and nobody else: counts, search,
/// the people export, activity and most-read pages.
async fn park_scoped_reads(s: &SqlStorage) {
    let (north, south) = ("rl-north", "rl-south");
    for (id, name, park) in [
        (90_101, "Rolanda North", north),
        (90_102, "Roland North", north),
        (90_103, "Rolf South", south),
    ] {
        s.touch_user(&profile(id, name), Lang::Ru, t0())
            .await
            .unwrap();
        s.set_profile_field(UserId(id), ProfileField::Park(Some(park.to_owned())))
            .await
            .unwrap();
    }
    let stats = s.people_stats(t0(), Some(north)).await.unwrap();
    assert_eq!(stats.total, 2);
    assert_eq!(stats.by_park, vec![(north.to_owned(), 2)]);
    assert_eq!(
        s.people_stats(t0(), Some("rl-none")).await.unwrap().total,
        0
    );

    let query = PeopleQuery::parse("rol").unwrap();
    let found: Vec<i64> = s
        .search_people(&query, Some(south), 10)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id.0)
        .collect();
    assert_eq!(found, [90_103]);
    let query = PeopleQuery::parse("90101").unwrap();
    assert!(
        s.search_people(&query, Some(south), 10)
            .await
            .unwrap()
            .is_empty(),
        "an id from another park is not found"
    );

    let exported: Vec<i64> = s
        .export_people(Some(north), None, 100)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id.0)
        .collect();
    assert_eq!(exported, [90_101, 90_102]);

    let view = |user: i64, page: &str| Activity {
        user: UserId(user),
        kind: ActivityKind::PageView,
        subject: Some(page.to_owned()),
        at: t0(),
    };
    s.record_activity(&[
        view(90_101, "rl/only-north.md"),
        view(90_102, "rl/only-north.md"),
        view(90_103, "rl/only-south.md"),
    ])
    .await
    .unwrap();
    let filter = ActivityFilter {
        park: Some(south.to_owned()),
        ..ActivityFilter::default()
    };
    let activity = s.export_activity(&filter, None, 100).await.unwrap();
    assert_eq!(
        activity
            .iter()
            .map(|a| a.node.as_deref())
            .collect::<Vec<_>>(),
        [Some("rl/only-south.md")]
    );
    let top: Vec<(String, u64)> = s
        .top_pages(10, Some(north))
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.path, p.readers))
        .collect();
    assert_eq!(top, [("rl/only-north.md".to_owned(), 2)]);
    let quizzes = s.quiz_stats(Some(north)).await.unwrap();
    assert!(quizzes.by_quiz.is_empty() && quizzes.by_park.is_empty());
}

async fn grants(s: &SqlStorage) {
    let manager = UserId(90_001);
    let editor = UserId(90_002);
    for (id, name) in [(manager, "Marina"), (editor, "Egor")] {
        s.touch_user(&profile(id.0, name), Lang::Ru, t0())
            .await
            .unwrap();
    }
    assert_eq!(
        s.role_of(manager).await.unwrap(),
        None,
        "nobody has a role by default"
    );
    let park = Role::ParkManager {
        park: "zelenopark".to_owned(),
    };
    s.grant_role(manager, &park, UserId(9), t0()).await.unwrap();
    s.grant_role(editor, &Role::ContentEditor, UserId(9), t0())
        .await
        .unwrap();
    let grant = s.role_of(manager).await.unwrap().unwrap();
    assert_eq!(
        (
            grant.role.clone(),
            grant.password_hash.clone(),
            grant.granted_by,
            grant.granted_at
        ),
        (park.clone(), None, UserId(9), t0())
    );

    // The password is set once: a second first login does not overwrite it.
    assert!(
        s.set_role_password(manager, "$argon2id$first")
            .await
            .unwrap()
    );
    assert!(
        !s.set_role_password(manager, "$argon2id$second")
            .await
            .unwrap()
    );
    assert_eq!(
        s.role_of(manager)
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$argon2id$first")
    );
    assert!(
        !s.set_role_password(UserId(90_999), "$argon2id$x")
            .await
            .unwrap(),
        "no role, no password"
    );

    // A changed role clears the password: the holder chooses a new one.
    let other_park = Role::ParkManager {
        park: "kosmopark".to_owned(),
    };
    let later = t0() + Duration::hours(1);
    s.grant_role(manager, &other_park, UserId(10), later)
        .await
        .unwrap();
    let grant = s.role_of(manager).await.unwrap().unwrap();
    assert_eq!(
        (
            grant.role,
            grant.password_hash,
            grant.granted_by,
            grant.granted_at
        ),
        (other_park, None, UserId(10), later)
    );

    let holders: Vec<_> = s
        .role_holders()
        .await
        .unwrap()
        .into_iter()
        .map(|g| (g.user, g.role))
        .collect();
    assert_eq!(
        holders,
        vec![
            (
                manager,
                Role::ParkManager {
                    park: "kosmopark".to_owned()
                }
            ),
            (editor, Role::ContentEditor)
        ]
    );

    assert!(s.revoke_role(manager).await.unwrap());
    assert!(!s.revoke_role(manager).await.unwrap(), "already revoked");
    assert_eq!(s.role_of(manager).await.unwrap(), None);

    // Erasing a person takes their role away with them.
    s.erase_person(editor, later).await.unwrap().unwrap();
    assert_eq!(s.role_of(editor).await.unwrap(), None);
    assert!(s.role_holders().await.unwrap().is_empty());
}
