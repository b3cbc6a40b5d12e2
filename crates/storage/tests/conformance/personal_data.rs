//! The personal-data chapter of the story: keyset-paged exports, deletion
//! requests and erasure. It runs last; its people have ids from 60 000 on and its
//! activity lies in 2035, far from every other chapter's, so every count in a
//! window or for one person is exact. Walks over whole tables are compared with
//! each other at different page sizes and with the people count.

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{
    Activity, ActivityExport, ActivityFilter, ActivityKind, AnswerRecord, AttemptExport,
    AttemptFilter, AttemptKind, AttemptQuestion, AttemptResult, Certificate, NewAttempt,
    PersonExport, ProfileField, ReviewChange, ReviewItem, StoredCounts, Subject, UserProfile,
};
use storage::SqlStorage;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

pub(crate) async fn story(s: &SqlStorage) {
    people_pages(s).await;
    deletion_requests(s).await;
    activity_pages(s).await;
    attempts_answers_and_erasure(s).await;
}

const ANNA: UserId = UserId(60_000);
const BORIS: UserId = UserId(60_001);

fn at(minutes: i64) -> OffsetDateTime {
    datetime!(2035-03-01 10:00:00.000_001 UTC) + Duration::minutes(minutes)
}

async fn person(s: &SqlStorage, id: i64, first: &str, last: Option<&str>) {
    let profile = UserProfile {
        id: UserId(id),
        first_name: first.to_owned(),
        last_name: last.map(str::to_owned),
        username: Some(format!("u{id}")),
        language_code: None,
    };
    s.touch_user(&profile, Lang::En, at(0)).await.unwrap();
}

/// Every person, by walking `export_people` with pages of `size`.
async fn walk_people(s: &SqlStorage, size: u32) -> Vec<PersonExport> {
    let (mut all, mut after) = (Vec::new(), None);
    loop {
        let page = s.export_people(None, after, size).await.unwrap();
        assert!(page.len() <= size as usize);
        let full = page.len() == size as usize;
        after = page.last().map(|p| p.id);
        all.extend(page);
        if !full {
            return all;
        }
    }
}

async fn people_pages(s: &SqlStorage) {
    person(s, ANNA.0, "=HYPERLINK(\"http://x\")", Some("+1")).await;
    person(s, BORIS.0, "Борис", None).await;
    person(s, 60_002, "@SUM", Some("-2")).await;
    s.set_profile_field(ANNA, ProfileField::Park(Some("msk-1".to_owned())))
        .await
        .unwrap();
    s.set_profile_field(ANNA, ProfileField::Position(Some("\tbar".to_owned())))
        .await
        .unwrap();

    let whole = walk_people(s, 1000).await;
    assert_eq!(whole.len() as u64, s.count_users().await.unwrap());
    assert!(whole.windows(2).all(|w| w[0].id < w[1].id), "ascending ids");
    for size in [1, 2, 7] {
        assert_eq!(walk_people(s, size).await, whole, "pages of {size}");
    }
    let anna = whole.iter().find(|p| p.id == ANNA).unwrap();
    assert_eq!(
        anna.first_name, "=HYPERLINK(\"http://x\")",
        "stored verbatim"
    );
    assert_eq!(anna.last_name.as_deref(), Some("+1"));
    assert_eq!(anna.username.as_deref(), Some("u60000"));
    assert_eq!(anna.language, Lang::En);
    assert_eq!(anna.park.as_deref(), Some("msk-1"));
    assert_eq!(anna.position.as_deref(), Some("\tbar"));
    assert_eq!((anna.first_seen, anna.last_seen), (at(0), at(0)));
    assert!(!anna.onboarded && !anna.blocked && !anna.inactive);
    assert_eq!(anna.deletion_requested, None);

    // A page starts after any id, existing or not, and ends at the last one.
    let page = s
        .export_people(None, Some(UserId(59_999)), 2)
        .await
        .unwrap();
    assert_eq!(page.iter().map(|p| p.id).collect::<Vec<_>>(), [ANNA, BORIS]);
    assert!(
        s.export_people(None, Some(UserId(i64::MAX)), 5)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn deletion_requests(s: &SqlStorage) {
    assert_eq!(s.deletion_requested(BORIS).await.unwrap(), None);
    assert!(s.request_deletion(BORIS, at(5)).await.unwrap());
    assert!(
        !s.request_deletion(BORIS, at(9)).await.unwrap(),
        "a repeated request changes nothing"
    );
    assert_eq!(s.deletion_requested(BORIS).await.unwrap(), Some(at(5)));
    let page = s
        .export_people(None, Some(UserId(60_000)), 1)
        .await
        .unwrap();
    assert_eq!(page[0].id, BORIS);
    assert_eq!(page[0].deletion_requested, Some(at(5)));
    let pending = |after, limit| async move {
        s.pending_deletions(after, limit)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(pending(None, 10).await, [BORIS], "only people who asked");
    assert_eq!(pending(Some(BORIS), 10).await, []);
}

fn view(user: UserId, minutes: i64, node: &str) -> Activity {
    Activity {
        user,
        kind: ActivityKind::PageView,
        subject: Some(node.to_owned()),
        at: at(minutes),
    }
}

async fn walk_activity(s: &SqlStorage, filter: ActivityFilter, size: u32) -> Vec<ActivityExport> {
    let (mut all, mut after) = (Vec::new(), None);
    loop {
        let page = s.export_activity(&filter, after, size).await.unwrap();
        assert!(page.len() <= size as usize);
        let full = page.len() == size as usize;
        after = page.last().map(|a| a.id);
        all.extend(page);
        if !full {
            return all;
        }
    }
}

fn window() -> ActivityFilter {
    ActivityFilter {
        park: None,
        user: None,
        since: Some(at(0)),
        until: Some(at(60)),
    }
}

async fn activity_pages(s: &SqlStorage) {
    s.record_activity(&[
        view(ANNA, -1, "before"),
        view(ANNA, 0, "bar/first.md"),
        view(BORIS, 10, "=cmd|' /C calc'!A0"),
        view(ANNA, 20, "bar/second.md"),
        view(BORIS, 59, "bar/last.md"),
        view(ANNA, 60, "after"),
    ])
    .await
    .unwrap();
    let inside = walk_activity(s, window(), 1000).await;
    assert_eq!(
        inside
            .iter()
            .map(|a| a.node.as_deref().unwrap())
            .collect::<Vec<_>>(),
        [
            "bar/first.md",
            "=cmd|' /C calc'!A0",
            "bar/second.md",
            "bar/last.md"
        ],
        "since is inclusive, until exclusive"
    );
    assert!(inside.windows(2).all(|w| w[0].id < w[1].id));
    assert_eq!(inside[0].subject, Subject::Person(ANNA));
    assert_eq!(inside[0].kind, ActivityKind::PageView);
    assert_eq!(inside[0].at, at(0));
    for size in [1, 3] {
        assert_eq!(walk_activity(s, window(), size).await, inside);
    }
    let annas = ActivityFilter {
        user: Some(ANNA),
        ..ActivityFilter::default()
    };
    assert_eq!(walk_activity(s, annas, 2).await.len(), 4, "all of Anna's");
    let everything = walk_activity(s, ActivityFilter::default(), 1000).await;
    assert!(everything.len() >= 6);
    assert_eq!(
        walk_activity(s, ActivityFilter::default(), 4).await,
        everything
    );
}

fn attempt(user: UserId, kind: AttemptKind, quiz: &str, minutes: i64) -> NewAttempt {
    NewAttempt {
        user,
        kind,
        quiz_id: quiz.to_owned(),
        questions: vec![AttemptQuestion {
            quiz_id: quiz.to_owned(),
            question_id: "q1".to_owned(),
            option_order: vec![1, 0],
        }],
        started_at: at(minutes),
        deadline: None,
    }
}

fn result(score: u32, passed: bool, minutes: i64) -> AttemptResult {
    AttemptResult {
        score,
        max_score: 4,
        passed,
        finished_at: at(minutes),
    }
}

fn answer(position: u16, correct: bool, minutes: i64) -> AnswerRecord {
    AnswerRecord {
        position,
        quiz_id: "bar".to_owned(),
        question_id: format!("q{position}"),
        chosen: vec![0, 2],
        correct,
        points: if correct { 2 } else { 0 },
        answered_at: at(minutes),
        time_taken_ms: 900,
    }
}

async fn attempts_of(s: &SqlStorage, filter: AttemptFilter, size: u32) -> Vec<AttemptExport> {
    let (mut all, mut after) = (Vec::new(), None);
    loop {
        let page = s.export_attempts(&filter, after, size).await.unwrap();
        assert!(page.len() <= size as usize);
        let full = page.len() == size as usize;
        after = page.last().map(|a| a.id);
        all.extend(page);
        if !full {
            return all;
        }
    }
}

fn finished_quizzes() -> AttemptFilter {
    AttemptFilter {
        park: None,
        user: None,
        finished_quizzes_only: true,
    }
}

async fn attempts_answers_and_erasure(s: &SqlStorage) {
    // Anna: a passed check (two answers), a review, and an open check.
    let passed = s
        .start_attempt(&attempt(ANNA, AttemptKind::Quiz, "bar", 1))
        .await
        .unwrap();
    assert!(
        s.record_answer(passed, &answer(0, true, 2), ReviewChange::Clear)
            .await
            .unwrap()
    );
    assert!(
        s.record_answer(passed, &answer(1, true, 3), ReviewChange::Clear)
            .await
            .unwrap()
    );
    assert!(s.finish_attempt(passed, &result(4, true, 4)).await.unwrap());
    let review = s
        .start_attempt(&attempt(ANNA, AttemptKind::Review, "review", 5))
        .await
        .unwrap();
    assert!(
        s.record_answer(review, &answer(0, false, 6), ReviewChange::Clear)
            .await
            .unwrap()
    );
    assert!(
        s.finish_attempt(review, &result(0, false, 7))
            .await
            .unwrap()
    );
    let open = s
        .start_attempt(&attempt(ANNA, AttemptKind::Quiz, "kitchen", 8))
        .await
        .unwrap();
    // Boris: a failed check.
    let failed = s
        .start_attempt(&attempt(BORIS, AttemptKind::Quiz, "bar", 9))
        .await
        .unwrap();
    assert!(
        s.finish_attempt(failed, &result(1, false, 10))
            .await
            .unwrap()
    );
    s.schedule_review(
        ANNA,
        &ReviewItem {
            quiz_id: "bar".to_owned(),
            question_id: "q1".to_owned(),
            stage: 0,
            due_at: at(1440),
        },
    )
    .await
    .unwrap();
    s.save_certificate(&Certificate {
        code: "TB-ERASE1".to_owned(),
        user: ANNA,
        full_name: "=HYPERLINK(\"http://x\") +1".to_owned(),
        department: "bar".to_owned(),
        park: Some("msk-1".to_owned()),
        issued_at: at(11),
        quizzes: vec![("bar".to_owned(), 100)],
    })
    .await
    .unwrap();

    let annas = AttemptFilter {
        park: None,
        user: Some(ANNA),
        finished_quizzes_only: false,
    };
    let all = attempts_of(s, annas.clone(), 1).await;
    assert_eq!(
        all.iter().map(|a| a.id).collect::<Vec<_>>(),
        [passed, review, open]
    );
    assert_eq!(all[0].name.as_deref(), Some("=HYPERLINK(\"http://x\") +1"));
    assert_eq!(all[0].subject, Subject::Person(ANNA));
    assert_eq!(all[0].kind, AttemptKind::Quiz);
    assert_eq!(
        (all[0].score, all[0].max_score, all[0].passed),
        (Some(4), Some(4), Some(true))
    );
    assert_eq!(
        (all[0].started_at, all[0].finished_at),
        (at(1), Some(at(4)))
    );
    assert_eq!(all[1].kind, AttemptKind::Review);
    assert_eq!(
        (all[2].finished_at, all[2].score, all[2].passed),
        (None, None, None)
    );
    let annas_results = AttemptFilter {
        finished_quizzes_only: true,
        ..annas
    };
    assert_eq!(
        attempts_of(s, annas_results, 10)
            .await
            .iter()
            .map(|a| a.id)
            .collect::<Vec<_>>(),
        [passed],
        "only finished checks: no review, no open attempt"
    );
    let results = attempts_of(s, finished_quizzes(), 1000).await;
    assert_eq!(attempts_of(s, finished_quizzes(), 2).await, results);
    assert!(
        results
            .iter()
            .any(|a| a.id == failed && a.name.as_deref() == Some("Борис"))
    );

    // Answers page by (attempt, position).
    let mut answers = Vec::new();
    let mut after = None;
    loop {
        let page = s.export_answers(ANNA, after, 1).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some((last.attempt, last.position));
        answers.extend(page);
    }
    assert_eq!(
        answers
            .iter()
            .map(|a| (a.attempt, a.position))
            .collect::<Vec<_>>(),
        [(passed, 0), (passed, 1), (review, 0)]
    );
    assert_eq!(answers[0].chosen, "0,2");
    assert!(answers[0].correct && answers[0].points == 2);
    assert_eq!(answers[0].answered_at, at(2));
    assert!(s.export_answers(BORIS, None, 10).await.unwrap().is_empty());

    assert_eq!(
        s.stored_counts(ANNA).await.unwrap(),
        StoredCounts {
            activity: 4,
            attempts: 3,
            answers: 3,
            reviews: 1,
            certificates: 1,
        }
    );
    assert_eq!(s.certificates_of(ANNA).await.unwrap().len(), 1);

    // Erasure: the statistics stay, the person goes.
    let users = s.count_users().await.unwrap();
    let results_before = attempts_of(s, finished_quizzes(), 1000).await;
    let window_before = walk_activity(s, window(), 1000).await;
    s.request_deletion(ANNA, at(12)).await.unwrap();
    // Anna was let in by an invite: her access goes with her (it refers to her).
    s.grant_access(ANNA, "invite", at(12)).await.unwrap();
    let erasure = s.erase_person(ANNA, at(13)).await.unwrap().unwrap();
    assert!(
        !s.has_access(ANNA).await.unwrap(),
        "an erased person must be let in again"
    );
    assert_eq!((erasure.activity, erasure.attempts), (4, 3));
    assert_eq!(s.user(ANNA).await.unwrap(), None);
    assert_eq!(s.count_users().await.unwrap(), users - 1);
    assert_eq!(
        s.stored_counts(ANNA).await.unwrap(),
        StoredCounts::default()
    );
    assert_eq!(s.deletion_requested(ANNA).await.unwrap(), None);
    assert!(
        s.pending_deletions(None, 10)
            .await
            .unwrap()
            .iter()
            .all(|p| p.id != ANNA),
        "an erased person's request is done"
    );
    assert!(s.certificates_of(ANNA).await.unwrap().is_empty());
    assert_eq!(s.certificate("TB-ERASE1").await.unwrap(), None);
    assert!(s.reviews(ANNA).await.unwrap().is_empty());
    assert!(walk_people(s, 1000).await.iter().all(|p| p.id != ANNA));

    let results_after = attempts_of(s, finished_quizzes(), 1000).await;
    assert_eq!(results_after.len(), results_before.len(), "no result lost");
    let score = |rs: &[AttemptExport]| rs.iter().map(|a| a.score.unwrap_or(0)).sum::<u32>();
    assert_eq!(score(&results_after), score(&results_before));
    let kept = results_after.iter().find(|a| a.id == passed).unwrap();
    assert_eq!(kept.subject, Subject::Erased(erasure.id));
    assert_eq!(kept.name, None, "no name on an erased result");
    let window_after = walk_activity(s, window(), 1000).await;
    assert_eq!(window_after.len(), window_before.len());
    assert_eq!(
        window_after
            .iter()
            .filter(|a| a.subject == Subject::Erased(erasure.id))
            .count(),
        2
    );
    let stored = s.attempt(passed).await.unwrap().unwrap();
    assert_eq!(stored.user, UserId(0));
    assert_eq!(stored.answers.len(), 2, "answers stay with the attempt");

    // Nothing more to erase; an unknown person changes nothing.
    assert_eq!(s.erase_person(ANNA, at(14)).await.unwrap(), None);
    assert_eq!(s.erase_person(UserId(69_999), at(14)).await.unwrap(), None);
    assert_eq!(s.count_users().await.unwrap(), users - 1);

    // Boris is erased with his own number; his request goes with him.
    let second = s.erase_person(BORIS, at(15)).await.unwrap().unwrap();
    assert_ne!(second.id, erasure.id);
    assert_eq!((second.activity, second.attempts), (2, 1));
    assert_eq!(s.deletion_requested(BORIS).await.unwrap(), None);

    // Anna writes again: a new person with nothing behind her.
    let back = s
        .touch_user(
            &UserProfile {
                id: ANNA,
                first_name: "Anna".to_owned(),
                last_name: None,
                username: None,
                language_code: None,
            },
            Lang::Ru,
            at(100),
        )
        .await
        .unwrap();
    assert_eq!(back.first_seen, at(100));
    assert_eq!(
        s.stored_counts(ANNA).await.unwrap(),
        StoredCounts::default()
    );
    assert!(s.quiz_attempts(ANNA, "bar").await.unwrap().is_empty());
}
