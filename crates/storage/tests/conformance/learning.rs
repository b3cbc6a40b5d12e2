//! The learning chapter of the story: profiles, attempts and answers, reviews,
//! learners and certificates. People here have ids from 40 000 on, so that the
//! earlier chapters' people (none of them onboarded) do not interfere.

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{
    Activity, ActivityKind, AnswerRecord, Attempt, AttemptKind, AttemptQuestion, AttemptResult,
    Certificate, Learner, NewAttempt, ProfileField, ReviewChange, ReviewItem, StaffProfile,
};
use storage::SqlStorage;
use time::Duration;
use time::macros::datetime;

use super::{profile, t0};

pub(crate) async fn story(s: &SqlStorage) {
    profiles(s).await;
    a_chosen_park_yields_to_an_assigned_one(s).await;
    pages_read(s).await;
    attempts_and_answers(s).await;
    concurrent_answers_count_once(s).await;
    reviews(s).await;
    learners_and_reminders(s).await;
    certificates(s).await;
}

async fn profiles(s: &SqlStorage) {
    let id = UserId(40_000);
    assert_eq!(s.staff_profile(id).await.unwrap(), StaffProfile::default());
    s.touch_user(&profile(id.0, "Vera"), Lang::Ru, t0())
        .await
        .unwrap();
    assert_eq!(s.staff_profile(id).await.unwrap(), StaffProfile::default());

    let position = "Бармен 'старший' 😀 $1";
    s.set_profile_field(id, ProfileField::Park(Some("msk-1".to_owned())))
        .await
        .unwrap();
    s.set_profile_field(id, ProfileField::Department(Some("bar".to_owned())))
        .await
        .unwrap();
    s.set_profile_field(id, ProfileField::Position(Some(position.to_owned())))
        .await
        .unwrap();
    let full = StaffProfile {
        park: Some("msk-1".to_owned()),
        park_assigned: true,
        department: Some("bar".to_owned()),
        position: Some(position.to_owned()),
        onboarded: false,
    };
    assert_eq!(s.staff_profile(id).await.unwrap(), full);

    // Each field changes alone.
    s.set_profile_field(id, ProfileField::Park(None))
        .await
        .unwrap();
    // Clearing the assigned park gives the choice back to the person.
    let mut expected = StaffProfile {
        park: None,
        park_assigned: false,
        ..full.clone()
    };
    assert_eq!(s.staff_profile(id).await.unwrap(), expected);
    s.set_profile_field(id, ProfileField::Department(Some("kitchen".to_owned())))
        .await
        .unwrap();
    expected.department = Some("kitchen".to_owned());
    assert_eq!(s.staff_profile(id).await.unwrap(), expected);
    s.set_profile_field(id, ProfileField::Position(None))
        .await
        .unwrap();
    expected.position = None;
    assert_eq!(s.staff_profile(id).await.unwrap(), expected);

    s.mark_onboarded(id).await.unwrap();
    expected.onboarded = true;
    assert_eq!(s.staff_profile(id).await.unwrap(), expected);
    s.mark_onboarded(id).await.unwrap();
    assert_eq!(s.staff_profile(id).await.unwrap(), expected);

    // Writing again keeps the profile.
    let back = s
        .touch_user(
            &profile(id.0, "Vera P."),
            Lang::En,
            t0() + Duration::days(1),
        )
        .await
        .unwrap();
    assert_eq!(back.first_name, "Vera P.");
    assert_eq!(s.staff_profile(id).await.unwrap(), expected);

    // Someone unknown has an empty profile, and changing it creates nobody.
    let nobody = UserId(49_999);
    let users = s.count_users().await.unwrap();
    s.set_profile_field(nobody, ProfileField::Park(Some("x".to_owned())))
        .await
        .unwrap();
    s.mark_onboarded(nobody).await.unwrap();
    assert_eq!(
        s.staff_profile(nobody).await.unwrap(),
        StaffProfile::default()
    );
    assert_eq!(s.user(nobody).await.unwrap(), None);
    assert_eq!(s.count_users().await.unwrap(), users);
}

/// A person's own choice of park holds until an admin or an invite assigns one;
/// after that their choice changes nothing (ADR 0020).
async fn a_chosen_park_yields_to_an_assigned_one(s: &SqlStorage) {
    let id = UserId(40_010);
    s.touch_user(&profile(id.0, "Gleb"), Lang::Ru, t0())
        .await
        .unwrap();
    let chosen = |park: &str| ProfileField::ChosenPark(Some(park.to_owned()));
    s.set_profile_field(id, chosen("msk-1")).await.unwrap();
    let staff = s.staff_profile(id).await.unwrap();
    assert_eq!(
        (staff.park.as_deref(), staff.park_assigned),
        (Some("msk-1"), false)
    );
    s.set_profile_field(id, ProfileField::Park(Some("spb-2".to_owned())))
        .await
        .unwrap();
    s.set_profile_field(id, chosen("msk-1")).await.unwrap();
    let staff = s.staff_profile(id).await.unwrap();
    assert_eq!(
        (staff.park.as_deref(), staff.park_assigned),
        (Some("spb-2"), true),
        "the person's choice does not move an assigned park"
    );
}

async fn pages_read(s: &SqlStorage) {
    let reader = UserId(40_001);
    let other = UserId(40_002);
    assert!(s.pages_read(reader).await.unwrap().is_empty());
    let view = |user, kind, subject: Option<&str>, minutes| Activity {
        user,
        kind,
        subject: subject.map(str::to_owned),
        at: t0() + Duration::minutes(minutes),
    };
    s.record_activity(&[
        view(reader, ActivityKind::PageView, Some("bar/cocktails.md"), 1),
        view(reader, ActivityKind::PageView, Some("bar/beer.md"), 2),
        view(reader, ActivityKind::PageView, Some("bar/cocktails.md"), 3),
        view(reader, ActivityKind::SectionView, Some("bar/menu"), 4),
        view(reader, ActivityKind::PageView, None, 5),
        view(other, ActivityKind::PageView, Some("kitchen/knives.md"), 6),
    ])
    .await
    .unwrap();
    assert_eq!(
        s.pages_read(reader).await.unwrap(),
        ["bar/beer.md", "bar/cocktails.md"],
        "distinct page paths only, sorted"
    );
    assert_eq!(s.pages_read(other).await.unwrap(), ["kitchen/knives.md"]);
}

fn question(quiz: &str, id: &str, order: &[u8]) -> AttemptQuestion {
    AttemptQuestion {
        quiz_id: quiz.to_owned(),
        question_id: id.to_owned(),
        option_order: order.to_vec(),
    }
}

fn new_attempt(user: UserId, kind: AttemptKind, quiz: &str, minutes: i64) -> NewAttempt {
    NewAttempt {
        user,
        kind,
        quiz_id: quiz.to_owned(),
        questions: vec![
            question(quiz, "q1", &[2, 0, 1]),
            question("kitchen", "q7 'ёж'", &[1, 0, 3, 2]),
            question(quiz, "q2", &[]),
        ],
        started_at: t0() + Duration::minutes(minutes),
        deadline: None,
    }
}

fn answer(position: u16, chosen: &[u8], correct: bool, seconds: i64) -> AnswerRecord {
    AnswerRecord {
        position,
        quiz_id: "bar".to_owned(),
        question_id: format!("q{position}"),
        chosen: chosen.to_vec(),
        correct,
        points: if correct { 2 } else { 0 },
        answered_at: t0() + Duration::seconds(seconds) + Duration::microseconds(7),
        time_taken_ms: 1_500 + seconds,
    }
}

/// What `attempt` should read back for a new attempt.
fn started(id: i64, new: &NewAttempt) -> Attempt {
    Attempt {
        id,
        user: new.user,
        kind: new.kind,
        quiz_id: new.quiz_id.clone(),
        questions: new.questions.clone(),
        answers: vec![],
        started_at: new.started_at,
        deadline: new.deadline,
        result: None,
    }
}

async fn attempts_and_answers(s: &SqlStorage) {
    let user = UserId(40_010);
    assert_eq!(s.open_attempt(user).await.unwrap(), None);
    assert!(s.quiz_attempts(user, "bar").await.unwrap().is_empty());

    // A timed quiz: the questions, their option orders and the deadline round trip.
    let quiz = NewAttempt {
        deadline: Some(datetime!(2026-11-28 09:25:30.123_456 UTC)),
        ..new_attempt(user, AttemptKind::Quiz, "bar", 0)
    };
    let q1 = s.start_attempt(&quiz).await.unwrap();
    let mut expected_q1 = started(q1, &quiz);
    assert_eq!(s.attempt(q1).await.unwrap(), Some(expected_q1.clone()));
    assert_eq!(s.attempt(q1 + 1_000_000).await.unwrap(), None);
    assert_eq!(
        s.open_attempt(user).await.unwrap(),
        Some(expected_q1.clone())
    );

    // A later review without a deadline is now the open one.
    let review = NewAttempt {
        quiz_id: "review".to_owned(),
        ..new_attempt(user, AttemptKind::Review, "bar", 60)
    };
    let r1 = s.start_attempt(&review).await.unwrap();
    assert_ne!(r1, q1);
    let mut expected_r1 = started(r1, &review);
    assert_eq!(s.attempt(r1).await.unwrap(), Some(expected_r1.clone()));
    assert_eq!(
        s.open_attempt(user).await.unwrap(),
        Some(expected_r1.clone())
    );
    assert_eq!(
        s.open_attempt(UserId(40_011)).await.unwrap(),
        None,
        "someone else's attempts are not theirs"
    );

    // Answers come back in the order they were given, not by position; a second
    // answer at a position (a double tap) changes nothing.
    let second = answer(1, &[0, 2], false, 10);
    let first = answer(0, &[1], true, 20);
    assert!(
        s.record_answer(q1, &second, ReviewChange::Clear)
            .await
            .unwrap()
    );
    assert!(
        s.record_answer(q1, &first, ReviewChange::Clear)
            .await
            .unwrap()
    );
    let tap_again = answer(0, &[2], false, 25);
    assert!(
        !s.record_answer(q1, &tap_again, ReviewChange::Clear)
            .await
            .unwrap()
    );
    assert!(
        !s.record_answer(q1, &second, ReviewChange::Clear)
            .await
            .unwrap()
    );
    expected_q1.answers = vec![second.clone(), first.clone()];
    assert_eq!(s.attempt(q1).await.unwrap(), Some(expected_q1.clone()));
    // The same position in another attempt is another question; no option chosen
    // (time ran out) is an answer too.
    let timed_out = answer(0, &[], false, 30);
    assert!(
        s.record_answer(r1, &timed_out, ReviewChange::Clear)
            .await
            .unwrap()
    );
    expected_r1.answers = vec![timed_out];
    assert_eq!(s.attempt(r1).await.unwrap(), Some(expected_r1.clone()));
    assert!(
        !s.record_answer(r1 + 1_000_000, &first, ReviewChange::Clear)
            .await
            .unwrap(),
        "no attempt, no answer"
    );

    // Finishing counts once; the first result stays.
    let r1_result = AttemptResult {
        score: 0,
        max_score: 6,
        passed: false,
        finished_at: t0() + Duration::minutes(65),
    };
    assert!(s.finish_attempt(r1, &r1_result).await.unwrap());
    let again = AttemptResult {
        score: 6,
        passed: true,
        ..r1_result.clone()
    };
    assert!(!s.finish_attempt(r1, &again).await.unwrap());
    expected_r1.result = Some(r1_result);
    assert_eq!(s.attempt(r1).await.unwrap(), Some(expected_r1.clone()));
    assert!(!s.finish_attempt(r1 + 1_000_000, &again).await.unwrap());
    // No answer is taken after the end.
    assert!(
        !s.record_answer(r1, &answer(1, &[1], true, 70), ReviewChange::Clear)
            .await
            .unwrap()
    );
    assert_eq!(s.attempt(r1).await.unwrap(), Some(expected_r1.clone()));

    // The older quiz is open again; once finished, nothing is.
    assert_eq!(
        s.open_attempt(user).await.unwrap(),
        Some(expected_q1.clone())
    );
    let q1_result = AttemptResult {
        score: 2,
        max_score: u32::MAX,
        passed: true,
        finished_at: t0() + Duration::minutes(70),
    };
    assert!(s.finish_attempt(q1, &q1_result).await.unwrap());
    expected_q1.result = Some(q1_result);
    assert_eq!(s.open_attempt(user).await.unwrap(), None);

    // Attempts at one quiz, kind Quiz only, oldest first (by start, not by id).
    let other_quiz = s
        .start_attempt(&new_attempt(user, AttemptKind::Quiz, "kitchen", 120))
        .await
        .unwrap();
    let someone_else = s
        .start_attempt(&new_attempt(UserId(40_011), AttemptKind::Quiz, "bar", 130))
        .await
        .unwrap();
    let reviewing_bar = s
        .start_attempt(&new_attempt(user, AttemptKind::Review, "bar", 140))
        .await
        .unwrap();
    let earlier = new_attempt(user, AttemptKind::Quiz, "bar", -60);
    let q0 = s.start_attempt(&earlier).await.unwrap();
    assert!(q0 > q1, "started later, though dated earlier");
    let later = new_attempt(user, AttemptKind::Quiz, "bar", 200);
    let q2 = s.start_attempt(&later).await.unwrap();
    let late_answer = answer(2, &[0], true, 12_000);
    assert!(
        s.record_answer(q2, &late_answer, ReviewChange::Clear)
            .await
            .unwrap()
    );
    let mut expected_q2 = started(q2, &later);
    expected_q2.answers = vec![late_answer];
    assert_eq!(
        s.quiz_attempts(user, "bar").await.unwrap(),
        vec![
            started(q0, &earlier),
            expected_q1.clone(),
            expected_q2.clone()
        ]
    );
    assert_eq!(
        s.quiz_attempts(user, "kitchen")
            .await
            .unwrap()
            .iter()
            .map(|a| a.id)
            .collect::<Vec<_>>(),
        [other_quiz]
    );
    assert!(s.quiz_attempts(user, "review").await.unwrap().is_empty());
    assert_eq!(
        s.quiz_attempts(UserId(40_011), "bar")
            .await
            .unwrap()
            .iter()
            .map(|a| a.id)
            .collect::<Vec<_>>(),
        [someone_else]
    );
    // The review of "bar" is not an attempt at the quiz, but it is the latest open.
    assert_eq!(
        s.open_attempt(user).await.unwrap().map(|a| a.id),
        Some(q2),
        "q2 started at +200 min, after the review at +140"
    );
    assert!(s.attempt(reviewing_bar).await.unwrap().is_some());

    // Passed quizzes: kind Quiz only, each once, the person's own.
    let failed = AttemptResult {
        score: 0,
        max_score: 6,
        passed: false,
        finished_at: t0() + Duration::minutes(300),
    };
    assert!(s.finish_attempt(other_quiz, &failed).await.unwrap());
    let passed = AttemptResult {
        passed: true,
        ..failed.clone()
    };
    assert!(s.finish_attempt(q0, &passed).await.unwrap());
    assert!(s.finish_attempt(reviewing_bar, &passed).await.unwrap());
    assert_eq!(s.passed_quizzes(user).await.unwrap(), ["bar"]);
    assert!(s.passed_quizzes(UserId(40_011)).await.unwrap().is_empty());
}

/// Twenty taps on the same answer at once, on as many connections as the pool
/// gives: exactly one is recorded. Then twenty finishes at once: one counts.
async fn concurrent_answers_count_once(s: &SqlStorage) {
    let user = UserId(40_020);
    let id = s
        .start_attempt(&new_attempt(user, AttemptKind::Quiz, "rope-park", 0))
        .await
        .unwrap();
    let taps: Vec<_> = (0..20u8)
        .map(|n| {
            let s = s.clone();
            let tap = AnswerRecord {
                chosen: vec![n],
                ..answer(0, &[], true, i64::from(n))
            };
            tokio::spawn(async move {
                (
                    s.record_answer(id, &tap, ReviewChange::Clear)
                        .await
                        .unwrap(),
                    tap,
                )
            })
        })
        .collect();
    let mut recorded = Vec::new();
    for tap in taps {
        let (won, answer) = tap.await.unwrap();
        if won {
            recorded.push(answer);
        }
    }
    assert_eq!(recorded.len(), 1, "exactly one tap counts");
    assert_eq!(s.attempt(id).await.unwrap().unwrap().answers, recorded);

    let finishes: Vec<_> = (0..20u32)
        .map(|n| {
            let s = s.clone();
            let result = AttemptResult {
                score: n,
                max_score: 20,
                passed: n > 10,
                finished_at: t0() + Duration::minutes(i64::from(n)),
            };
            tokio::spawn(async move { (s.finish_attempt(id, &result).await.unwrap(), result) })
        })
        .collect();
    let mut finished = Vec::new();
    for finish in finishes {
        let (won, result) = finish.await.unwrap();
        if won {
            finished.push(result);
        }
    }
    assert_eq!(finished.len(), 1, "exactly one finish counts");
    assert_eq!(
        s.attempt(id).await.unwrap().unwrap().result.as_ref(),
        finished.first()
    );
}

async fn reviews(s: &SqlStorage) {
    let user = UserId(40_030);
    let other = UserId(40_031);
    assert!(s.reviews(user).await.unwrap().is_empty());
    let item = |quiz: &str, question: &str, stage, days| ReviewItem {
        quiz_id: quiz.to_owned(),
        question_id: question.to_owned(),
        stage,
        due_at: t0() + Duration::days(days),
    };
    let late = item("bar", "q1", 0, 7);
    let soon = item("kitchen", "q1", 0, 1);
    let middle = item("bar", "q2", 2, 3);
    for review in [&late, &soon, &middle] {
        s.schedule_review(user, review).await.unwrap();
    }
    s.schedule_review(other, &item("bar", "q1", 0, 0))
        .await
        .unwrap();
    assert_eq!(
        s.reviews(user).await.unwrap(),
        [soon.clone(), middle.clone(), late.clone()],
        "earliest due first"
    );

    // Scheduling the same question again replaces it.
    let moved = item("bar", "q1", 1, 2);
    s.schedule_review(user, &moved).await.unwrap();
    assert_eq!(
        s.reviews(user).await.unwrap(),
        [soon.clone(), moved.clone(), middle.clone()]
    );

    // An answer changes the review of its question, for the attempt's person
    // only, and only when it is recorded.
    let check = s
        .start_attempt(&new_attempt(user, AttemptKind::Quiz, "bar", 0))
        .await
        .unwrap();
    let wrong = |position| AnswerRecord {
        question_id: "q1".to_owned(),
        ..answer(position, &[0], false, 30)
    };
    let again = ReviewChange::Schedule {
        stage: 0,
        due_at: t0() + Duration::days(9),
    };
    assert!(s.record_answer(check, &wrong(0), again).await.unwrap());
    let rescheduled = item("bar", "q1", 0, 9);
    assert_eq!(
        s.reviews(user).await.unwrap(),
        [soon.clone(), middle.clone(), rescheduled.clone()]
    );
    // A double tap changes nothing, not even the review.
    assert!(
        !s.record_answer(check, &wrong(0), ReviewChange::Clear)
            .await
            .unwrap()
    );
    assert_eq!(
        s.reviews(user).await.unwrap(),
        [soon.clone(), middle.clone(), rescheduled]
    );
    assert!(
        s.record_answer(check, &wrong(1), ReviewChange::Clear)
            .await
            .unwrap()
    );
    let unknown = AnswerRecord {
        question_id: "no-such-question".to_owned(),
        ..answer(2, &[0], true, 40)
    };
    assert!(
        s.record_answer(check, &unknown, ReviewChange::Clear)
            .await
            .unwrap()
    );
    assert_eq!(s.reviews(user).await.unwrap(), [soon, middle]);
    assert_eq!(
        s.reviews(other).await.unwrap(),
        [item("bar", "q1", 0, 0)],
        "another person's reviews are untouched"
    );
}

async fn learners_and_reminders(s: &SqlStorage) {
    // Vera (40 000) was onboarded in `profiles`; nobody else of the story is.
    let vera = UserId(40_000);
    let ids = [40_040, 40_041, 40_042, 40_043, 40_044];
    for id in ids {
        s.touch_user(&profile(id, "L"), Lang::En, t0() + Duration::seconds(id))
            .await
            .unwrap();
    }
    let [learner, newcomer, blocked, gone, bare] = ids.map(UserId);
    for id in [learner, blocked, gone, bare] {
        s.mark_onboarded(id).await.unwrap();
    }
    s.set_profile_field(learner, ProfileField::Park(Some("spb-2".to_owned())))
        .await
        .unwrap();
    s.set_profile_field(learner, ProfileField::Department(Some("bar".to_owned())))
        .await
        .unwrap();
    s.set_language(learner, Lang::Ru).await.unwrap();
    s.set_blocked(blocked, true).await.unwrap();
    s.set_inactive(gone, true).await.unwrap();
    assert!(
        s.user(newcomer).await.unwrap().is_some()
            && !s.staff_profile(newcomer).await.unwrap().onboarded,
        "a newcomer is known but not onboarded"
    );

    let vera_learner = Learner {
        id: vera,
        language: Lang::Ru,
        profile: s.staff_profile(vera).await.unwrap(),
        registered_at: t0(),
        last_reminded_at: None,
    };
    let learner_learner = Learner {
        id: learner,
        language: Lang::Ru,
        profile: StaffProfile {
            park: Some("spb-2".to_owned()),
            park_assigned: true,
            department: Some("bar".to_owned()),
            position: None,
            onboarded: true,
        },
        registered_at: t0() + Duration::seconds(learner.0),
        last_reminded_at: None,
    };
    let bare_learner = Learner {
        id: bare,
        language: Lang::En,
        profile: StaffProfile {
            onboarded: true,
            ..StaffProfile::default()
        },
        registered_at: t0() + Duration::seconds(bare.0),
        last_reminded_at: None,
    };
    assert_eq!(
        s.learners().await.unwrap(),
        [
            vera_learner.clone(),
            learner_learner.clone(),
            bare_learner.clone()
        ],
        "not onboarded, blocked and inactive people are left out"
    );

    let reminded_at = datetime!(2026-12-01 10:00:00.654_321 UTC);
    s.mark_reminded(learner, reminded_at).await.unwrap();
    s.mark_reminded(UserId(49_998), reminded_at).await.unwrap();
    assert_eq!(s.user(UserId(49_998)).await.unwrap(), None);
    // Whoever writes again is active again, and an admin may unblock.
    s.touch_user(&profile(gone.0, "L"), Lang::En, t0() + Duration::days(3))
        .await
        .unwrap();
    s.set_blocked(blocked, false).await.unwrap();
    let learners = s.learners().await.unwrap();
    assert_eq!(
        learners.iter().map(|l| l.id).collect::<Vec<_>>(),
        [vera, learner, blocked, gone, bare]
    );
    assert_eq!(
        learners[1],
        Learner {
            last_reminded_at: Some(reminded_at),
            ..learner_learner
        }
    );
    assert_eq!(learners[0], vera_learner);
    assert_eq!(learners[3].registered_at, t0() + Duration::seconds(gone.0));
    s.set_blocked(blocked, true).await.unwrap();
    s.set_inactive(gone, true).await.unwrap();
}

async fn certificates(s: &SqlStorage) {
    let user = UserId(40_050);
    assert_eq!(s.certificate("TB-7K2QX9").await.unwrap(), None);
    assert_eq!(s.certificate_for(user, "bar").await.unwrap(), None);

    let bar = Certificate {
        code: "TB-7K2QX9".to_owned(),
        user,
        full_name: "Ёлкина Наталья 'Nata' <b>".to_owned(),
        department: "bar".to_owned(),
        park: Some("msk-1".to_owned()),
        issued_at: datetime!(2026-12-24 18:30:00.000_042 UTC),
        quizzes: vec![
            ("bar-basics".to_owned(), 100),
            ("bar-safety".to_owned(), 85),
        ],
    };
    s.save_certificate(&bar).await.unwrap();
    assert_eq!(s.certificate("TB-7K2QX9").await.unwrap(), Some(bar.clone()));
    assert_eq!(
        s.certificate("tb-7k2qx9").await.unwrap(),
        None,
        "codes are exact"
    );
    assert_eq!(
        s.certificate_for(user, "bar").await.unwrap(),
        Some(bar.clone())
    );
    assert_eq!(s.certificate_for(user, "kitchen").await.unwrap(), None);
    assert_eq!(
        s.certificate_for(UserId(40_051), "bar").await.unwrap(),
        None
    );

    // A second certificate for the same department is not issued: the first stays.
    let again = Certificate {
        code: "TB-AAAAAA".to_owned(),
        issued_at: bar.issued_at + Duration::days(1),
        quizzes: vec![],
        ..bar.clone()
    };
    s.save_certificate(&again).await.unwrap();
    assert_eq!(s.certificate("TB-AAAAAA").await.unwrap(), None);
    assert_eq!(
        s.certificate_for(user, "bar").await.unwrap(),
        Some(bar.clone())
    );

    // Another department is another certificate; no park and no quizzes are kept.
    let kitchen = Certificate {
        code: "TB-KITCH1".to_owned(),
        department: "kitchen".to_owned(),
        park: None,
        quizzes: vec![],
        ..bar.clone()
    };
    s.save_certificate(&kitchen).await.unwrap();
    assert_eq!(
        s.certificate_for(user, "kitchen").await.unwrap(),
        Some(kitchen.clone())
    );
    assert_eq!(s.certificate("TB-KITCH1").await.unwrap(), Some(kitchen));

    // A code already used by someone else is refused, and the holder keeps it.
    let clash = Certificate {
        user: UserId(40_051),
        full_name: "Someone Else".to_owned(),
        ..bar.clone()
    };
    assert!(s.save_certificate(&clash).await.is_err());
    assert_eq!(s.certificate("TB-7K2QX9").await.unwrap(), Some(bar));
    assert_eq!(
        s.certificate_for(UserId(40_051), "bar").await.unwrap(),
        None
    );
}
