//! The look-up chapter of the story: people search and the most-read pages. It
//! runs after the other chapters, so its people (ids from 80 000) carry names no
//! other chapter uses ("Жёлудь…"), and the most-read pages are checked as the
//! earlier chapters' pages (read first) plus exactly this chapter's, whose paths
//! start with `zz-lookup/`.

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{
    Activity, ActivityKind, AnswerCount, AnswerFilter, AnswerRecord, AttemptKind, AttemptResult,
    Certificate, NewAttempt, OverdueLearner, PageReaders, PathDeadline, PeopleFilter, PeopleQuery,
    PersonStatus, ProfileField, QuizGroup, ReviewChange, UserProfile, ViewsAt,
};
use storage::SqlStorage;
use time::Duration;
use time::macros::datetime;

use super::t0;

pub(crate) async fn story(s: &SqlStorage) {
    search(s).await;
    top_pages(s).await;
    quiz_stats(s).await;
    answer_counts(s).await;
    certified(s).await;
    views_by_slot(s).await;
    filters(s).await;
    overdue_matches_the_per_person_rule(s, 81_000, 600, 3).await;
}

fn someone(id: i64, first: &str, last: Option<&str>, username: Option<&str>) -> UserProfile {
    UserProfile {
        id: UserId(id),
        first_name: first.to_owned(),
        last_name: last.map(str::to_owned),
        username: username.map(str::to_owned),
        language_code: None,
    }
}

async fn ids(s: &SqlStorage, typed: &str, limit: u32) -> Vec<i64> {
    let query = PeopleQuery::parse(typed).unwrap();
    s.search_people(&query, None, limit)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id.0)
        .collect()
}

async fn search(s: &SqlStorage) {
    for p in [
        someone(80_001, "ЖЁЛУДЬ", Some("Наталья"), Some("Nat_Zh")),
        someone(80_002, "Жёлудь_Ёж", None, None),
        someone(80_003, "ЖёлудьXЁж", None, None),
        someone(80_004, "Жёлудь%Ёж", None, Some("pct_80004")),
        someone(80_005, "Жёлудь100Ёж", None, None),
        someone(80_006, "Zholud", Some("O'Brien"), Some("qwErTy_77")),
        someone(80_007, "Жёлудь\\Ёж", None, None),
    ] {
        s.touch_user(&p, Lang::Ru, t0()).await.unwrap();
    }

    // Cyrillic, case-insensitive both ways, on every backend.
    assert_eq!(
        ids(s, "жёлудь", 50).await,
        [80_001, 80_002, 80_003, 80_004, 80_005, 80_007]
    );
    assert_eq!(ids(s, "ЖЁЛУДЬ НАТ", 50).await, [80_001]);
    // "_" and "%" are literal: without escaping they would match 80 003 and 80 005.
    assert_eq!(ids(s, "дь_ё", 50).await, [80_002]);
    assert_eq!(ids(s, "дь%ё", 50).await, [80_004]);
    assert_eq!(
        ids(s, "дь\\ё", 50).await,
        [80_007],
        "the escape character too"
    );
    assert_eq!(ids(s, "_zh", 50).await, [80_001]);
    // A username, with or without @, in any case.
    assert_eq!(ids(s, "@QWERTY_77", 50).await, [80_006]);
    assert_eq!(ids(s, "qwerty", 50).await, [80_006]);
    // An id matches exactly (and names containing those digits would too).
    assert_eq!(ids(s, "80005", 50).await, [80_005]);
    assert_eq!(
        ids(s, "80004", 50).await,
        [80_004],
        "its username has the id"
    );
    // The limit keeps the first by id.
    assert_eq!(ids(s, "жёлудь", 2).await, [80_001, 80_002]);
    // Hostile text is only text (earlier chapters' people have such names, so
    // these carry this chapter's marker).
    assert!(ids(s, "жёлудь'; DROP TABLE users; --", 50).await.is_empty());
    assert!(ids(s, "жёлудь' OR '1'='1", 50).await.is_empty());
    assert_eq!(ids(s, "o'brien qwerty", 50).await, [80_006]);
    assert!(s.user(UserId(80_001)).await.unwrap().is_some());

    // A new name is found under the new name only.
    s.touch_user(
        &someone(80_005, "Карамель", None, None),
        Lang::Ru,
        t0() + Duration::minutes(1),
    )
    .await
    .unwrap();
    assert!(ids(s, "100", 50).await.iter().all(|id| *id != 80_005));
    assert_eq!(ids(s, "КАРАМЕЛЬ", 50).await, [80_005]);

    let summary = s
        .search_people(&PeopleQuery::parse("nat_zh").unwrap(), None, 5)
        .await
        .unwrap();
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0].first_name, "ЖЁЛУДЬ");
    assert_eq!(summary[0].last_name.as_deref(), Some("Наталья"));
    assert_eq!(summary[0].username.as_deref(), Some("Nat_Zh"));
    assert_eq!(summary[0].last_seen, t0());
}

async fn top_pages(s: &SqlStorage) {
    let before = s.top_pages(10_000, None).await.unwrap();
    assert!(before.iter().all(|p| !p.path.starts_with("zz-lookup/")));

    let view = |user: i64, kind: ActivityKind, subject: Option<&str>, minutes: i64| Activity {
        user: UserId(user),
        kind,
        subject: subject.map(str::to_owned),
        at: t0() + Duration::minutes(minutes),
    };
    let page = ActivityKind::PageView;
    let batch = vec![
        // a.md: three readers, one of them three times.
        view(80_001, page, Some("zz-lookup/a.md"), 1),
        view(80_001, page, Some("zz-lookup/a.md"), 2),
        view(80_001, page, Some("zz-lookup/a.md"), 3),
        view(80_002, page, Some("zz-lookup/a.md"), 4),
        view(80_003, page, Some("zz-lookup/a.md"), 5),
        // c.md and b.md: two readers each (ties are ordered by path).
        view(80_004, page, Some("zz-lookup/c.md"), 6),
        view(80_005, page, Some("zz-lookup/c.md"), 7),
        view(80_005, page, Some("zz-lookup/b.md"), 8),
        view(80_006, page, Some("zz-lookup/b.md"), 9),
        // Section views and page views without a page do not count.
        view(80_001, ActivityKind::SectionView, Some("zz-lookup/d"), 10),
        view(80_002, ActivityKind::SectionView, Some("zz-lookup/d"), 11),
        view(80_003, ActivityKind::SectionView, Some("zz-lookup/d"), 12),
        view(80_004, ActivityKind::SectionView, Some("zz-lookup/d"), 13),
        view(80_004, page, None, 14),
    ];
    s.record_activity(&batch).await.unwrap();

    let mut expected = before.clone();
    for (path, readers) in [
        ("zz-lookup/a.md", 3),
        ("zz-lookup/b.md", 2),
        ("zz-lookup/c.md", 2),
    ] {
        expected.push(PageReaders {
            path: path.to_owned(),
            readers,
        });
    }
    expected.sort_by(|a, b| b.readers.cmp(&a.readers).then_with(|| a.path.cmp(&b.path)));
    assert_eq!(s.top_pages(10_000, None).await.unwrap(), expected);
    assert_eq!(s.top_pages(2, None).await.unwrap(), expected[..2]);
    let ours: Vec<(String, u64)> = s
        .top_pages(10_000, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.path.starts_with("zz-lookup/"))
        .map(|p| (p.path, p.readers))
        .collect();
    assert_eq!(
        ours,
        [
            ("zz-lookup/a.md".to_owned(), 3),
            ("zz-lookup/b.md".to_owned(), 2),
            ("zz-lookup/c.md".to_owned(), 2),
        ]
    );
}

/// Person `id` in `park` and `department`.
async fn placed(s: &SqlStorage, id: i64, park: &str, department: &str) {
    s.touch_user(&someone(id, "Квиз", None, None), Lang::Ru, t0())
        .await
        .unwrap();
    for field in [
        ProfileField::Park(Some(park.to_owned())),
        ProfileField::Department(Some(department.to_owned())),
    ] {
        s.set_profile_field(UserId(id), field).await.unwrap();
    }
}

/// An attempt; finished with `score` of `max` when `result` is given.
async fn attempt(
    s: &SqlStorage,
    user: i64,
    kind: AttemptKind,
    quiz: &str,
    result: Option<(u32, u32, bool)>,
) {
    let id = s
        .start_attempt(&NewAttempt {
            user: UserId(user),
            kind,
            quiz_id: quiz.to_owned(),
            questions: Vec::new(),
            started_at: t0(),
            deadline: None,
        })
        .await
        .unwrap();
    if let Some((score, max_score, passed)) = result {
        let finished = AttemptResult {
            score,
            max_score,
            passed,
            finished_at: t0() + Duration::minutes(5),
        };
        assert!(s.finish_attempt(id, &finished).await.unwrap());
    }
}

fn group(id: &str, attempts: u64, passed: u64, percent_sum: u64) -> QuizGroup {
    QuizGroup {
        id: id.to_owned(),
        attempts,
        passed,
        percent_sum,
    }
}

/// The groups of `before` plus `ours`, ordered by id.
fn merged(before: &[QuizGroup], ours: &[QuizGroup]) -> Vec<QuizGroup> {
    let mut all: Vec<QuizGroup> = before.iter().chain(ours).cloned().collect();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    all
}

async fn quiz_stats(s: &SqlStorage) {
    let before = s.quiz_stats(None).await.unwrap();
    placed(s, 80_101, "zz-park", "zz-dept").await;
    placed(s, 80_102, "zz-park", "zz-dept2").await;
    let (quiz, review) = (AttemptKind::Quiz, AttemptKind::Review);
    attempt(s, 80_101, quiz, "zz-quiz-a", Some((8, 10, true))).await;
    attempt(s, 80_101, quiz, "zz-quiz-a", Some((5, 10, false))).await;
    attempt(s, 80_101, quiz, "zz-quiz-b", Some((3, 3, true))).await;
    // Open attempts and reviews do not count.
    attempt(s, 80_101, quiz, "zz-quiz-a", None).await;
    attempt(s, 80_101, review, "review", Some((1, 1, true))).await;
    attempt(s, 80_102, quiz, "zz-quiz-a", Some((7, 9, true))).await;
    // An empty quiz scores 0%, never a division by zero.
    attempt(s, 80_102, quiz, "zz-quiz-b", Some((0, 0, false))).await;

    let after = s.quiz_stats(None).await.unwrap();
    // 80 + 50 + 77 (7 of 9, rounded down); 100 + 0.
    let by_quiz = [group("zz-quiz-a", 3, 2, 207), group("zz-quiz-b", 2, 1, 100)];
    assert_eq!(after.by_quiz, merged(&before.by_quiz, &by_quiz));
    let by_department = [group("zz-dept", 3, 2, 230), group("zz-dept2", 2, 1, 77)];
    assert_eq!(
        after.by_department,
        merged(&before.by_department, &by_department)
    );
    assert_eq!(
        after.by_park,
        merged(&before.by_park, &[group("zz-park", 5, 3, 307)])
    );
    let a = &by_quiz[0];
    assert_eq!((a.pass_rate(), a.average_percent()), (66, 69));
}

/// Answers to the chapter's own quiz (`zz-answers`), counted by answer; the
/// counts of other chapters' quizzes are left out of the comparison.
async fn ours(s: &SqlStorage, filter: &AnswerFilter) -> Vec<AnswerCount> {
    let mut counts = s.answer_counts(filter).await.unwrap();
    counts.retain(|c| c.quiz_id == "zz-answers");
    counts
}

fn counted(question: &str, chosen: &str, correct: bool, answers: u64) -> AnswerCount {
    AnswerCount {
        quiz_id: "zz-answers".to_owned(),
        question_id: question.to_owned(),
        chosen: chosen.to_owned(),
        correct,
        answers,
    }
}

async fn answer_counts(s: &SqlStorage) {
    placed(s, 80_111, "zz-answer-park", "zz-answer-dept").await;
    placed(s, 80_112, "zz-answer-park2", "zz-answer-dept").await;
    let answered = |user: i64, kind: AttemptKind, answers: Vec<(&'static str, Vec<u8>, bool)>| async move {
        let id = s
            .start_attempt(&NewAttempt {
                user: UserId(user),
                kind,
                quiz_id: "zz-answers".to_owned(),
                questions: Vec::new(),
                started_at: t0(),
                deadline: None,
            })
            .await
            .unwrap();
        for (position, (question, chosen, correct)) in answers.into_iter().enumerate() {
            let record = AnswerRecord {
                position: position as u16,
                quiz_id: "zz-answers".to_owned(),
                question_id: question.to_owned(),
                chosen,
                correct,
                points: u32::from(correct),
                answered_at: t0(),
                time_taken_ms: 1_000,
            };
            assert!(
                s.record_answer(id, &record, ReviewChange::Clear)
                    .await
                    .unwrap()
            );
        }
    };
    let quiz = AttemptKind::Quiz;
    answered(
        80_111,
        quiz,
        vec![("q1", vec![0], true), ("q2", vec![1, 2], false)],
    )
    .await;
    answered(
        80_111,
        quiz,
        vec![("q1", vec![2], false), ("q2", vec![1, 2], false)],
    )
    .await;
    answered(
        80_112,
        quiz,
        vec![("q1", vec![2], false), ("q2", vec![], false)],
    )
    .await;
    // Reviews are not knowledge checks.
    answered(80_112, AttemptKind::Review, vec![("q1", vec![3], false)]).await;

    assert_eq!(
        ours(s, &AnswerFilter::default()).await,
        [
            counted("q1", "0", true, 1),
            counted("q1", "2", false, 2),
            counted("q2", "", false, 1),
            counted("q2", "1,2", false, 2),
        ]
    );
    let park = AnswerFilter {
        park: Some("zz-answer-park2".to_owned()),
        department: None,
    };
    assert_eq!(
        ours(s, &park).await,
        [counted("q1", "2", false, 1), counted("q2", "", false, 1)]
    );
    let department = AnswerFilter {
        park: None,
        department: Some("zz-answer-dept".to_owned()),
    };
    assert_eq!(ours(s, &department).await.len(), 4);
    let nobody = AnswerFilter {
        park: None,
        department: Some("zz-no-such-dept".to_owned()),
    };
    assert!(ours(s, &nobody).await.is_empty());
}

async fn certified(s: &SqlStorage) {
    let before = s.count_certified(None).await.unwrap();
    placed(s, 80_121, "zz-cert-park", "zz-dept").await;
    placed(s, 80_122, "zz-cert-park2", "zz-dept").await;
    let certificate = |code: &str, user: i64, department: &str| Certificate {
        code: code.to_owned(),
        user: UserId(user),
        full_name: "Квиз".to_owned(),
        department: department.to_owned(),
        park: None,
        issued_at: t0(),
        quizzes: Vec::new(),
    };
    // Two certificates of one person count once.
    for c in [
        certificate("TB-ZZCERT01", 80_121, "bar"),
        certificate("TB-ZZCERT02", 80_121, "kitchen"),
        certificate("TB-ZZCERT03", 80_122, "bar"),
    ] {
        s.save_certificate(&c).await.unwrap();
    }
    assert_eq!(s.count_certified(None).await.unwrap(), before + 2);
    assert_eq!(s.count_certified(Some("zz-cert-park")).await.unwrap(), 1);
    assert_eq!(s.count_certified(Some("zz-nowhere")).await.unwrap(), 0);
}

async fn views_by_slot(s: &SqlStorage) {
    placed(s, 80_103, "zz-other", "zz-dept").await;
    let since = datetime!(2031-06-02 09:00 UTC);
    let view = |user: i64, kind: ActivityKind, at| Activity {
        user: UserId(user),
        kind,
        subject: Some("zz-lookup/a.md".to_owned()),
        at,
    };
    let page = ActivityKind::PageView;
    s.record_activity(&[
        view(80_101, page, since - Duration::microseconds(1)),
        view(80_101, page, since),
        view(80_101, page, datetime!(2031-06-02 10:00 UTC)),
        view(80_102, page, datetime!(2031-06-02 10:14:59.999_999 UTC)),
        view(80_102, page, datetime!(2031-06-02 10:15 UTC)),
        view(
            80_101,
            ActivityKind::SectionView,
            datetime!(2031-06-02 10:20 UTC),
        ),
        view(80_103, page, datetime!(2031-06-02 10:20 UTC)),
    ])
    .await
    .unwrap();
    let slot = |start, views| ViewsAt { start, views };
    assert_eq!(
        s.page_views_by_slot("zz-park", since).await.unwrap(),
        [
            slot(since, 1),
            slot(datetime!(2031-06-02 10:00 UTC), 2),
            slot(datetime!(2031-06-02 10:15 UTC), 1),
        ]
    );
    assert_eq!(
        s.page_views_by_slot("zz-other", since).await.unwrap(),
        [slot(datetime!(2031-06-02 10:15 UTC), 1)]
    );
    assert!(
        s.page_views_by_slot("zz-nowhere", since)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn filtered(
    s: &SqlStorage,
    filter: &PeopleFilter,
    after: Option<i64>,
    limit: u32,
) -> Vec<i64> {
    s.filtered_people(filter, after.map(UserId), limit)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id.0)
        .collect()
}

fn filter(status: PersonStatus, park: Option<&str>, department: Option<&str>) -> PeopleFilter {
    PeopleFilter {
        status,
        park: park.map(str::to_owned),
        department: department.map(str::to_owned),
    }
}

async fn filters(s: &SqlStorage) {
    placed(s, 80_201, "zz-fp1", "zz-fd1").await;
    placed(s, 80_202, "zz-fp1", "zz-fd2").await;
    placed(s, 80_203, "zz-fp1", "zz-fd2").await;
    placed(s, 80_204, "zz-fp2", "zz-fd1").await;
    placed(s, 80_205, "zz-fp2", "zz-fd1").await;
    s.set_blocked(UserId(80_203), true).await.unwrap();
    s.set_blocked(UserId(80_205), true).await.unwrap();
    use PersonStatus::{Active, Any, Blocked};

    let park = filter(Any, Some("zz-fp1"), None);
    assert_eq!(filtered(s, &park, None, 50).await, [80_201, 80_202, 80_203]);
    assert_eq!(s.count_filtered_people(&park).await.unwrap(), 3);
    // Keyset paging over a filter.
    assert_eq!(filtered(s, &park, None, 2).await, [80_201, 80_202]);
    assert_eq!(filtered(s, &park, Some(80_202), 2).await, [80_203]);
    assert!(filtered(s, &park, Some(80_203), 2).await.is_empty());
    assert!(filtered(s, &park, Some(i64::MAX), 2).await.is_empty());

    let both = filter(Any, Some("zz-fp1"), Some("zz-fd2"));
    assert_eq!(filtered(s, &both, None, 50).await, [80_202, 80_203]);
    let active = filter(Active, Some("zz-fp1"), Some("zz-fd2"));
    assert_eq!(filtered(s, &active, None, 50).await, [80_202]);
    assert_eq!(s.count_filtered_people(&active).await.unwrap(), 1);
    let blocked = filter(Blocked, None, Some("zz-fd1"));
    assert_eq!(filtered(s, &blocked, None, 50).await, [80_205]);
    // Equality, not a pattern.
    assert!(
        filtered(s, &filter(Any, Some("zz-fp%"), None), None, 50)
            .await
            .is_empty()
    );
    assert!(
        filtered(s, &filter(Any, Some("zz-fp_"), None), None, 50)
            .await
            .is_empty()
    );
    // Without park and department it is the status list.
    for status in [Any, Active, Blocked, PersonStatus::Inactive] {
        assert_eq!(
            s.count_filtered_people(&filter(status, None, None))
                .await
                .unwrap(),
            s.count_people(status).await.unwrap()
        );
        let everyone = s.people(status, None, 10_000).await.unwrap();
        let everyone_filtered = s
            .filtered_people(&filter(status, None, None), None, 10_000)
            .await
            .unwrap();
        assert_eq!(everyone, everyone_filtered);
    }
}

/// People known before migration 0007 have no search key; migrating fills it,
/// folded in Rust, so they are found case-insensitively in Cyrillic at once.
#[tokio::test]
async fn sqlite_people_from_before_the_search_keys_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let mut before = sqlx::migrate::Migrator::new(migrations).await.unwrap();
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < 7)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = sqlx::SqlitePool::connect_with(options.create_if_missing(true))
        .await
        .unwrap();
    before.run(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO users (id, first_name, last_name, username, language, first_seen, last_seen) \
         VALUES (90001, 'ЁЛКИНА', 'Наталья', 'Yolka_1', 'ru', 0, 1000)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let s = SqlStorage::connect(&url).await.unwrap();
    s.migrate().await.unwrap();
    assert_eq!(ids(&s, "ёлкина", 10).await, [90_001]);
    assert_eq!(ids(&s, "@yolka_1", 10).await, [90_001]);
    s.migrate().await.unwrap();
    assert_eq!(ids(&s, "НАТАЛЬЯ", 10).await, [90_001]);
}

/// The overdue look-up against the per-person rule it replaced (read each
/// learner's pages and attempts): `people` learners from id `first`, in two
/// departments with deadlines, one whose path requires nothing and one not in
/// the paths; on both sides of each deadline (to the microsecond); with required
/// and extra pages read, some twice, section views of required pages, and passed,
/// failed, open and review attempts; some not onboarded, blocked or gone. The one
/// statement finds exactly the people and counts the per-person reads find, for
/// everyone and per park. Everyone also has `other_views` views of pages no path
/// requires. Prints how long each way took (never asserted).
pub(crate) async fn overdue_matches_the_per_person_rule(
    s: &SqlStorage,
    first: i64,
    people: i64,
    other_views: i64,
) {
    let now = t0() + Duration::days(60);
    let path = |department: &str, days: i64, pages: &[&str], quizzes: &[&str]| PathDeadline {
        department: department.to_owned(),
        // Nanoseconds past a microsecond: the stored precision is microseconds.
        registered_by: now - Duration::days(days) + Duration::nanoseconds(500),
        pages: pages.iter().map(|p| (*p).to_owned()).collect(),
        quizzes: quizzes.iter().map(|q| (*q).to_owned()).collect(),
    };
    let paths = vec![
        path(
            "zz-ovd-a",
            10,
            &["zz-ovd/a/1.md", "zz-ovd/a/2.md", "zz-ovd/shared.md"],
            &["zz-ovd-qa"],
        ),
        path(
            "zz-ovd-b",
            20,
            &["zz-ovd/b/1.md", "zz-ovd/shared.md"],
            &["zz-ovd-qb1", "zz-ovd-qb2"],
        ),
        path("zz-ovd-empty", 10, &[], &[]),
    ];
    let departments = ["zz-ovd-a", "zz-ovd-b", "zz-ovd-empty", "zz-ovd-free"];
    // Registered over the 60 days before `now`, the first at t0.
    let mut views = Vec::new();
    for n in 0..people {
        let id = first + n;
        let department = departments[(n % 4) as usize];
        let park = if n % 2 == 0 {
            "zz-ovd-north"
        } else {
            "zz-ovd-south"
        };
        let registered = t0() + Duration::seconds(60 * 86_400 * n / people);
        s.touch_user(&someone(id, "Поздний", None, None), Lang::Ru, registered)
            .await
            .unwrap();
        for field in [
            ProfileField::Park(Some(park.to_owned())),
            ProfileField::Department(Some(department.to_owned())),
        ] {
            s.set_profile_field(UserId(id), field).await.unwrap();
        }
        if n % 13 != 0 {
            s.mark_onboarded(UserId(id)).await.unwrap();
        }
        if n % 17 == 0 {
            s.set_blocked(UserId(id), true).await.unwrap();
        }
        if n % 19 == 0 {
            s.set_inactive(UserId(id), true).await.unwrap();
        }
        let Some(path) = paths.iter().find(|p| p.department == department) else {
            continue;
        };
        for (j, page) in path.pages.iter().enumerate() {
            let kind = match (n + j as i64) % 6 {
                0 => continue,
                1 => ActivityKind::SectionView,
                _ => ActivityKind::PageView,
            };
            let times = if n % 11 == 0 { 2 } else { 1 };
            for _ in 0..times {
                views.push(Activity {
                    user: UserId(id),
                    kind,
                    subject: Some(page.clone()),
                    at: registered + Duration::hours(1),
                });
            }
        }
        for v in 0..other_views {
            views.push(Activity {
                user: UserId(id),
                kind: ActivityKind::PageView,
                subject: Some(format!("zz-ovd/extra-{}.md", (n + v) % 40)),
                at: registered + Duration::minutes(v),
            });
        }
        for (k, quiz) in path.quizzes.iter().enumerate() {
            let pass = Some((4, 4, true));
            match (n + k as i64) % 6 {
                0 => attempt(s, id, AttemptKind::Quiz, quiz, pass).await,
                1 => attempt(s, id, AttemptKind::Quiz, quiz, Some((1, 4, false))).await,
                2 => attempt(s, id, AttemptKind::Quiz, quiz, None).await,
                3 => attempt(s, id, AttemptKind::Review, quiz, pass).await,
                4 => {
                    attempt(s, id, AttemptKind::Quiz, quiz, Some((1, 4, false))).await;
                    attempt(s, id, AttemptKind::Quiz, quiz, pass).await;
                }
                _ => {}
            }
        }
    }
    for batch in views.chunks(500) {
        s.record_activity(batch).await.unwrap();
    }
    // Exactly at a deadline is late; a microsecond after it is not. Neither has
    // read anything.
    let edge = first + people;
    for (id, registered) in [
        (edge, now - Duration::days(10)),
        (
            edge + 1,
            now - Duration::days(10) + Duration::microseconds(1),
        ),
    ] {
        s.touch_user(&someone(id, "Поздний", None, None), Lang::Ru, registered)
            .await
            .unwrap();
        s.set_profile_field(
            UserId(id),
            ProfileField::Department(Some("zz-ovd-a".to_owned())),
        )
        .await
        .unwrap();
        s.mark_onboarded(UserId(id)).await.unwrap();
    }

    // The rule as the engine applied it per person before.
    let started = std::time::Instant::now();
    let mut expected = Vec::new();
    let mut parks = std::collections::HashMap::new();
    for learner in s.learners().await.unwrap() {
        let Some(path) = learner
            .profile
            .department
            .as_deref()
            .and_then(|d| paths.iter().find(|p| p.department == d))
        else {
            continue;
        };
        if learner.registered_at > path.registered_by {
            continue;
        }
        let read = s.pages_read(learner.id).await.unwrap();
        let pages_read = path.pages.iter().filter(|p| read.contains(p)).count();
        let mut quizzes_passed = 0;
        for quiz in &path.quizzes {
            let attempts = s.quiz_attempts(learner.id, quiz).await.unwrap();
            if attempts
                .iter()
                .any(|a| a.result.as_ref().is_some_and(|r| r.passed))
            {
                quizzes_passed += 1;
            }
        }
        if pages_read < path.pages.len() || quizzes_passed < path.quizzes.len() {
            parks.insert(learner.id, learner.profile.park.clone());
            expected.push(OverdueLearner {
                id: learner.id,
                department: path.department.clone(),
                registered_at: learner.registered_at,
                pages_read: pages_read as u64,
                quizzes_passed: quizzes_passed as u64,
            });
        }
    }
    let per_person = started.elapsed();

    let started = std::time::Instant::now();
    let found = s.overdue(&paths, None).await.unwrap();
    let one_statement = started.elapsed();
    assert_eq!(found, expected);
    assert!(
        expected.len() as i64 > people / 10,
        "a real share of the people is late: {}",
        expected.len()
    );
    let ids: Vec<i64> = found.iter().map(|o| o.id.0).collect();
    assert!(ids.contains(&edge), "late exactly at the deadline");
    assert!(
        !ids.contains(&(edge + 1)),
        "a microsecond inside the deadline"
    );
    assert!(
        found.iter().all(|o| o.department != "zz-ovd-empty"),
        "a path that requires nothing is never behind"
    );
    for park in ["zz-ovd-north", "zz-ovd-south"] {
        let of_park: Vec<OverdueLearner> = expected
            .iter()
            .filter(|o| parks.get(&o.id).and_then(Option::as_deref) == Some(park))
            .cloned()
            .collect();
        assert!(!of_park.is_empty());
        assert_eq!(
            s.overdue(&paths, Some(park)).await.unwrap(),
            of_park,
            "{park}"
        );
    }
    assert_eq!(s.overdue(&[], None).await.unwrap(), []);
    println!(
        "overdue with {people} learners on {:?}: per person {per_person:?}, one statement {one_statement:?}",
        s.backend()
    );
}
