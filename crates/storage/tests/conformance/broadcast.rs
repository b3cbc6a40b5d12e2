//! The broadcast chapter: jobs, recipients, delivery states and the lease. Its
//! people have ids from 70 000 and parks of their own (`bc-…`), and its times are
//! in 2036, after every other chapter's, so each audience is known exactly.

use std::collections::HashSet;
use std::sync::Arc;

use domain::broadcast::{Audience, BroadcastState, Delivery};
use domain::callback::Slug;
use domain::content::MediaKind;
use domain::ids::UserId;
use domain::lang::Lang;
use engine::Attachment;
use engine::ports::{AudienceFilter, NewBroadcast, PersonStatus, ProfileField};
use storage::SqlStorage;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::profile;

pub(crate) async fn story(s: &SqlStorage) {
    audiences(s).await;
    a_broadcast_from_start_to_finish(s).await;
    a_crash_leaves_unknowns_and_cancel_stops(s).await;
    concurrent_claims_never_overlap(s).await;
    the_lease(s).await;
}

fn t() -> OffsetDateTime {
    datetime!(2036-03-01 10:00:00.250_000 UTC)
}

fn job(source: &str, audience: Audience, media: Option<Attachment>) -> NewBroadcast {
    NewBroadcast {
        created_by: UserId(42),
        created_at: t(),
        source: source.to_owned(),
        media,
        audience,
        start_at: t() + Duration::minutes(5),
        status_message: Some(12_345),
    }
}

async fn person(s: &SqlStorage, id: i64, park: Option<&str>, department: Option<&str>) {
    s.touch_user(&profile(id, "Broadcast"), Lang::Ru, t())
        .await
        .unwrap();
    if let Some(p) = park {
        s.set_profile_field(UserId(id), ProfileField::Park(Some(p.to_owned())))
            .await
            .unwrap();
    }
    if let Some(d) = department {
        s.set_profile_field(UserId(id), ProfileField::Department(Some(d.to_owned())))
            .await
            .unwrap();
    }
}

fn ids(raw: &[i64]) -> Vec<UserId> {
    raw.iter().copied().map(UserId).collect()
}

async fn audiences(s: &SqlStorage) {
    person(s, 70_001, Some("bc-north"), Some("bc-bar")).await;
    person(s, 70_002, Some("bc-north"), Some("bc-kitchen")).await;
    person(s, 70_003, Some("bc-south"), Some("bc-bar")).await;
    person(s, 70_004, Some("bc-north"), Some("bc-bar")).await;
    s.set_blocked(UserId(70_004), true).await.unwrap();
    person(s, 70_005, Some("bc-north"), Some("bc-bar")).await;
    s.set_inactive(UserId(70_005), true).await.unwrap();
    // Seen a year later than everyone else in the story.
    s.touch_user(
        &profile(70_006, "Later"),
        Lang::En,
        t() + Duration::days(3650),
    )
    .await
    .unwrap();

    let park = |p: &str| AudienceFilter {
        park: Some(p.to_owned()),
        ..AudienceFilter::default()
    };
    assert_eq!(
        s.audience(&park("bc-north")).await.unwrap(),
        ids(&[70_001, 70_002]),
        "blocked and inactive people are never recipients"
    );
    assert_eq!(
        s.audience(&AudienceFilter {
            department: Some("bc-bar".into()),
            ..AudienceFilter::default()
        })
        .await
        .unwrap(),
        ids(&[70_001, 70_003])
    );
    // (The times chapter has someone seen in 2100, too.)
    let recent: Vec<UserId> = s
        .audience(&AudienceFilter {
            seen_since: Some(t() + Duration::days(3000)),
            ..AudienceFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.0 >= 70_000)
        .collect();
    assert_eq!(recent, ids(&[70_006]));
    assert!(s.audience(&park("bc-nowhere")).await.unwrap().is_empty());
    // A park id that looks like SQL is just a park id nobody has.
    assert!(s.audience(&park("x' OR '1'='1")).await.unwrap().is_empty());

    let everyone = s.audience(&AudienceFilter::default()).await.unwrap();
    assert_eq!(
        everyone.len() as u64,
        s.count_people(PersonStatus::Active).await.unwrap()
    );
    assert!(everyone.windows(2).all(|w| w[0] < w[1]), "ascending ids");
    for id in [70_001, 70_002, 70_003, 70_006] {
        assert!(everyone.contains(&UserId(id)));
    }
    for id in [70_004, 70_005] {
        assert!(!everyone.contains(&UserId(id)));
    }
}

async fn a_broadcast_from_start_to_finish(s: &SqlStorage) {
    let north = Audience::Park(Slug::parse("bc-north").unwrap());
    let photo = Attachment {
        kind: MediaKind::Photo,
        file_id: "AgAC-file-id".into(),
    };
    let with_photo = job("**Hello** <b>\u{202e}", north, Some(photo));
    let id = s.create_broadcast(&with_photo).await.unwrap();
    let stored = s.broadcast(id).await.unwrap().unwrap();
    assert_eq!(stored.job, with_photo, "stored verbatim");
    assert_eq!(stored.state, BroadcastState::Scheduled);
    assert_eq!((stored.started_at, stored.finished_at), (None, None));
    assert_eq!(s.broadcast(id + 1000).await.unwrap(), None);

    // Not due before its start time; due at it.
    assert!(
        s.due_broadcasts(t())
            .await
            .unwrap()
            .iter()
            .all(|b| b.id != id)
    );
    let due = s.due_broadcasts(with_photo.start_at).await.unwrap();
    assert!(due.iter().any(|b| b.id == id));

    let start = with_photo.start_at;
    let recipients = ids(&[70_002, 70_001, 70_003, 70_001]);
    assert!(s.start_broadcast(id, &recipients, start).await.unwrap());
    assert!(
        !s.start_broadcast(id, &ids(&[70_006]), start).await.unwrap(),
        "started once only"
    );
    let running = s.broadcast(id).await.unwrap().unwrap();
    assert_eq!(running.state, BroadcastState::Running);
    assert_eq!(running.started_at, Some(start));
    let counts = s.delivery_counts(id).await.unwrap();
    assert_eq!(
        (counts.pending, counts.total()),
        (3, 3),
        "one row per person"
    );
    assert!(
        s.running_broadcasts()
            .await
            .unwrap()
            .iter()
            .any(|b| b.id == id)
    );

    let first = s.claim_recipients(id, 2, start).await.unwrap();
    assert_eq!(first, ids(&[70_001, 70_002]), "by ascending id");
    let counts = s.delivery_counts(id).await.unwrap();
    assert_eq!((counts.pending, counts.sending), (1, 2));

    // Paused: nothing more is claimed until it resumes.
    let paused = s
        .set_broadcast_state(
            id,
            &[BroadcastState::Running],
            BroadcastState::Paused,
            start,
        )
        .await
        .unwrap();
    assert!(paused);
    assert!(s.claim_recipients(id, 10, start).await.unwrap().is_empty());
    assert!(
        !s.set_broadcast_state(
            id,
            &[BroadcastState::Running],
            BroadcastState::Paused,
            start
        )
        .await
        .unwrap(),
        "not running any more"
    );
    assert!(
        s.set_broadcast_state(
            id,
            &[BroadcastState::Paused],
            BroadcastState::Running,
            start
        )
        .await
        .unwrap()
    );
    assert_eq!(
        s.claim_recipients(id, 10, start).await.unwrap(),
        ids(&[70_003])
    );
    assert!(s.claim_recipients(id, 10, start).await.unwrap().is_empty());

    let later = start + Duration::seconds(30);
    s.record_delivery(id, UserId(70_001), Delivery::Sent, None, later)
        .await
        .unwrap();
    s.record_delivery(id, UserId(70_002), Delivery::Blocked, None, later)
        .await
        .unwrap();
    assert!(
        !s.finish_if_complete(id, later).await.unwrap(),
        "one is still in flight"
    );
    s.record_delivery(
        id,
        UserId(70_003),
        Delivery::Failed,
        Some("Telegram refused the request: chat not found"),
        later,
    )
    .await
    .unwrap();
    let counts = s.delivery_counts(id).await.unwrap();
    assert_eq!(
        (
            counts.sent,
            counts.blocked,
            counts.failed,
            counts.pending,
            counts.sending
        ),
        (1, 1, 1, 0, 0)
    );
    assert_eq!(s.sent_since(id, later).await.unwrap(), 1);
    assert_eq!(
        s.sent_since(id, later + Duration::seconds(1))
            .await
            .unwrap(),
        0
    );

    assert!(s.finish_if_complete(id, later).await.unwrap());
    let done = s.broadcast(id).await.unwrap().unwrap();
    assert_eq!(done.state, BroadcastState::Done);
    assert_eq!(done.finished_at, Some(later));
    assert!(
        !s.set_broadcast_state(
            id,
            &[
                BroadcastState::Scheduled,
                BroadcastState::Running,
                BroadcastState::Paused
            ],
            BroadcastState::Cancelled,
            later
        )
        .await
        .unwrap(),
        "a finished broadcast cannot be cancelled"
    );

    // The history, newest first, paged by id.
    let text_only = s
        .create_broadcast(&job("plain", Audience::ActiveWithin(7), None))
        .await
        .unwrap();
    let page = s.broadcasts(None, 1).await.unwrap();
    assert_eq!(page[0].id, text_only);
    assert_eq!(page[0].job.media, None);
    assert_eq!(page[0].job.status_message, Some(12_345));
    let older = s.broadcasts(Some(text_only), 1).await.unwrap();
    assert_eq!(older[0].id, id);
    assert!(
        s.broadcasts(Some(id), 10)
            .await
            .unwrap()
            .iter()
            .all(|b| b.id < id)
    );
}

async fn a_crash_leaves_unknowns_and_cancel_stops(s: &SqlStorage) {
    let id = s
        .create_broadcast(&job("crash", Audience::Everyone, None))
        .await
        .unwrap();
    let start = t() + Duration::hours(1);
    assert!(
        s.start_broadcast(id, &ids(&[70_001, 70_002, 70_003]), start)
            .await
            .unwrap()
    );
    assert_eq!(s.claim_recipients(id, 2, start).await.unwrap().len(), 2);
    // The sender dies here; the one taking over counts those two as unknown.
    assert!(s.abandon_in_flight(start).await.unwrap() >= 2);
    let counts = s.delivery_counts(id).await.unwrap();
    assert_eq!((counts.unknown, counts.pending, counts.sending), (2, 1, 0));
    assert!(
        s.set_broadcast_state(
            id,
            &[
                BroadcastState::Scheduled,
                BroadcastState::Running,
                BroadcastState::Paused
            ],
            BroadcastState::Cancelled,
            start
        )
        .await
        .unwrap()
    );
    let cancelled = s.broadcast(id).await.unwrap().unwrap();
    assert_eq!(cancelled.state, BroadcastState::Cancelled);
    assert_eq!(cancelled.finished_at, Some(start));
    assert!(
        s.claim_recipients(id, 10, start).await.unwrap().is_empty(),
        "cancelled: the rest is never sent"
    );
    assert!(!s.finish_if_complete(id, start).await.unwrap());
}

async fn concurrent_claims_never_overlap(s: &SqlStorage) {
    let id = s
        .create_broadcast(&job("race", Audience::Everyone, None))
        .await
        .unwrap();
    let people: Vec<UserId> = (80_000..80_200).map(UserId).collect();
    assert!(s.start_broadcast(id, &people, t()).await.unwrap());
    let s = Arc::new(s.clone());
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = s.claim_recipients(id, 7, t()).await.unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch);
            }
        }));
    }
    let mut seen = HashSet::new();
    for task in tasks {
        for user in task.await.unwrap() {
            assert!(seen.insert(user), "{user} claimed twice");
        }
    }
    assert_eq!(seen.len(), people.len());
}

async fn the_lease(s: &SqlStorage) {
    let now = t();
    let until = now + Duration::seconds(30);
    assert!(s.acquire_lease("job", "a", now, until).await.unwrap());
    assert!(!s.acquire_lease("job", "b", now, until).await.unwrap());
    assert!(
        s.acquire_lease("other-job", "b", now, until).await.unwrap(),
        "leases are per name"
    );
    let renewed = until + Duration::seconds(20);
    assert!(s.acquire_lease("job", "a", until, renewed).await.unwrap());
    assert!(
        !s.acquire_lease("job", "b", until + Duration::seconds(1), renewed)
            .await
            .unwrap(),
        "renewed, so still a's"
    );
    let after = renewed + Duration::seconds(1);
    assert!(
        s.acquire_lease("job", "b", after, after + Duration::seconds(30))
            .await
            .unwrap(),
        "expired: taken over"
    );
    assert!(!s.acquire_lease("job", "a", after, after).await.unwrap());
    s.release_lease("job", "a").await.unwrap();
    assert!(
        !s.acquire_lease("job", "a", after, after).await.unwrap(),
        "a cannot release b's lease"
    );
    s.release_lease("job", "b").await.unwrap();
    assert!(s.acquire_lease("job", "a", after, after).await.unwrap());
}
