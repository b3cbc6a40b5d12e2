//! The learning rules: how a quiz attempt is planned and graded, when a person may
//! try again, when a wrong answer comes back for review, how far someone is on their
//! department's onboarding path, when a reminder may go out, and the verification
//! code printed on a certificate.
//!
//! Everything here is a pure function of its arguments. The current time is always a
//! parameter (never read from a clock), randomness comes in as a seed or as random
//! bits chosen by the caller, and no input makes a function panic. That keeps every
//! rule testable with concrete values and keeps the engine's behaviour reproducible.
//!
//! Local time (quiet hours, "one reminder a day", dates on certificates, days left
//! to a deadline) is computed in the park's IANA time zone with the tz database
//! bundled into the binary, so a host without `/usr/share/zoneinfo` gives the same
//! answers. An unknown zone name falls back to UTC rather than failing: a reminder
//! at a slightly wrong hour is better than none.

use std::collections::{BTreeSet, HashSet};

use time::{Date, Duration, OffsetDateTime, UtcOffset};

use crate::content::quiz::{Question, QuestionKind, Quiz};
use crate::content::{ContentPack, Department};

#[cfg(test)]
mod tests;

// ---------------------------------------------------------------------------
// Shuffling
// ---------------------------------------------------------------------------

/// One question of a planned attempt: which question, and in which order its
/// options are shown.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PlannedQuestion {
    pub question_id: String,
    /// Indices into the question's `options`, in display order. Button `n` on the
    /// screen means option `option_order[n]`.
    pub option_order: Vec<u8>,
}

/// Question order and option order for a new attempt.
///
/// Questions are shuffled only when `quiz.shuffle_questions` is set, options only
/// when `quiz.shuffle_options` is set; otherwise the order is the file's order. The
/// result is a function of `seed` alone, so the bot stores the seed (or the plan)
/// with the attempt and shows the same order after a restart or on another replica.
///
/// Each question's options are shuffled from their own stream derived from the seed
/// and the question's position in the file, so turning question shuffling on or off
/// does not change the option order of a question.
///
/// Options beyond index 255 cannot be named by a `u8` and are left out; a valid
/// pack has at most 6 options per question.
pub fn plan_attempt(quiz: &Quiz, seed: u64) -> Vec<PlannedQuestion> {
    let mut order: Vec<usize> = (0..quiz.questions.len()).collect();
    if quiz.shuffle_questions {
        shuffle(&mut order, &mut SplitMix64::new(seed));
    }
    order
        .into_iter()
        .filter_map(|i| {
            let question = quiz.questions.get(i)?;
            let stream = mix(seed ^ mix((i as u64).wrapping_add(OPTION_STREAM)));
            let option_order = option_order(question, quiz.shuffle_options, stream);
            Some(PlannedQuestion {
                question_id: question.id.clone(),
                option_order,
            })
        })
        .collect()
}

/// The display order of one question's options: the file's order, or shuffled from
/// `seed` when `shuffle` is set. Options beyond index 255 are left out.
pub fn option_order(question: &Question, shuffle_options: bool, seed: u64) -> Vec<u8> {
    let mut order: Vec<u8> = (0..question.options.len())
        .map_while(|n| u8::try_from(n).ok())
        .collect();
    if shuffle_options {
        shuffle(&mut order, &mut SplitMix64::new(seed));
    }
    order
}

/// The options a press names, as indices into the question's `options`: `shown` is a
/// mask over display positions (bit i = the button shown at i in this attempt),
/// mapped back through the attempt's `option_order`. `None` if a bit names no button
/// shown, which only stale or forged data can do.
pub fn chosen_options(option_order: &[u8], shown: u8) -> Option<Vec<u8>> {
    let mut chosen = Vec::new();
    for bit in 0..8u8 {
        if shown & (1 << bit) != 0 {
            chosen.push(*option_order.get(usize::from(bit))?);
        }
    }
    Some(chosen)
}

/// Separates the option streams from the question stream.
const OPTION_STREAM: u64 = 0x6F70_7469_6F6E_7321;

/// The splitmix64 generator: tiny, fast, and good enough to shuffle six buttons.
/// Not for anything secret (certificate codes take their bits from the caller).
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (Lemire's multiply-and-reject, no modulo bias); 0 when `n` is 0.
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }
}

/// The splitmix64 output function: a bijective scramble of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Fisher–Yates.
fn shuffle<T>(items: &mut [T], rng: &mut SplitMix64) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

// ---------------------------------------------------------------------------
// Grading
// ---------------------------------------------------------------------------

/// The result of one answered question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grade {
    pub correct: bool,
    /// `question.points` when correct, else 0: no partial credit, so a
    /// multiple-choice question cannot be passed by ticking everything.
    pub points: u32,
}

/// Grades one answer. `chosen` are indices into the question's options (not display
/// positions: map through [`PlannedQuestion::option_order`] first), in any order;
/// duplicates are ignored and any out-of-range index makes the answer wrong, since
/// it can only come from stale or forged input.
///
/// Single choice: correct iff exactly one option is chosen and it is a correct one.
/// Multiple choice: correct iff the chosen set is exactly the set of correct options.
/// An empty answer is never correct.
pub fn grade(question: &Question, chosen: &[u8]) -> Grade {
    let chosen: BTreeSet<usize> = chosen.iter().map(|&c| usize::from(c)).collect();
    // Both rules below compare with the correct options' indices, so an index
    // out of range (never one of them) makes the answer wrong by itself.
    let correct_set: BTreeSet<usize> = question
        .options
        .iter()
        .enumerate()
        .filter(|(_, o)| o.correct)
        .map(|(i, _)| i)
        .collect();
    let correct = !chosen.is_empty()
        && match question.kind {
            QuestionKind::Single => chosen.len() == 1 && chosen.is_subset(&correct_set),
            QuestionKind::Multiple => chosen == correct_set,
        };
    Grade {
        correct,
        points: if correct { question.points } else { 0 },
    }
}

/// The most points a quiz can give: the sum of its questions' points (saturating).
pub fn max_points(quiz: &Quiz) -> u32 {
    quiz.questions
        .iter()
        .fold(0u32, |sum, q| sum.saturating_add(q.points))
}

/// Score as a whole percentage of `max`, rounded down so that 79.9% never shows as
/// a pass at 80%. 0 when `max` is 0; capped at 100 should a score ever exceed `max`.
pub fn percent(score: u32, max: u32) -> u32 {
    if max == 0 {
        return 0;
    }
    let p = u64::from(score) * 100 / u64::from(max);
    p.min(100) as u32
}

/// Whether a score passes the quiz: its (floored) percentage reaches `pass_percent`.
pub fn passed(quiz: &Quiz, score: u32, max: u32) -> bool {
    percent(score, max) >= u32::from(quiz.pass_percent)
}

// ---------------------------------------------------------------------------
// Attempts
// ---------------------------------------------------------------------------

/// What the bot knows about an earlier attempt at the same quiz by the same person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PastAttempt {
    pub started_at: OffsetDateTime,
    /// `None` while the attempt is still open.
    pub finished_at: Option<OffsetDateTime>,
    /// `None` while open (or when the outcome was never recorded).
    pub passed: Option<bool>,
}

/// Why a new attempt may not start now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartRefusal {
    /// Every allowed attempt has been used.
    AttemptsUsed { max: u32 },
    /// The last attempt failed; the next may start at `until`.
    Cooldown { until: OffsetDateTime },
}

/// May a new attempt start now?
///
/// `max_attempts` counts finished attempts only: an unfinished attempt is resumed by
/// the bot rather than replaced, so it neither uses up an attempt nor blocks one.
/// After a failed finished attempt, `cooldown_hours` must have passed since its
/// `finished_at` (exactly at the boundary it may start), so people study before
/// guessing again. Only the most recently finished attempt matters for the
/// cooldown; a finished attempt with no recorded outcome counts as failed. The
/// attempt limit is checked first, because waiting would not help.
pub fn may_start(
    quiz: &Quiz,
    past: &[PastAttempt],
    now: OffsetDateTime,
) -> Result<(), StartRefusal> {
    let finished = past
        .iter()
        .filter_map(|a| a.finished_at.map(|at| (at, a.passed)));
    if let Some(max) = quiz.max_attempts {
        let used = u32::try_from(finished.clone().count()).unwrap_or(u32::MAX);
        if used >= max {
            return Err(StartRefusal::AttemptsUsed { max });
        }
    }
    if let Some(hours) = quiz.cooldown_hours
        && let Some((at, outcome)) = finished.max_by_key(|(at, _)| *at)
        && outcome != Some(true)
    {
        let until = at.saturating_add(Duration::hours(i64::from(hours)));
        if now < until {
            return Err(StartRefusal::Cooldown { until });
        }
    }
    Ok(())
}

/// When the attempt's time limit runs out: `started_at` plus `time_limit_minutes`,
/// or `None` when the quiz has no limit. Answers after this moment are not counted.
pub fn deadline_for(quiz: &Quiz, started_at: OffsetDateTime) -> Option<OffsetDateTime> {
    quiz.time_limit_minutes
        .map(|m| started_at.saturating_add(Duration::minutes(i64::from(m))))
}

// ---------------------------------------------------------------------------
// Spaced review
// ---------------------------------------------------------------------------

/// Days until a question in review stage 0, 1, 2 comes back.
const REVIEW_DAYS: [i64; 3] = [1, 3, 7];

/// Spaced review of questions answered wrong: the next stage and when it is due, or
/// `None` when the question is not (or no longer) in review.
///
/// `stage` is `None` for a question not in review yet. A wrong answer puts it in at
/// stage 0, due after 1 day; wrong again in a review moves it to stage 1 (3 days),
/// then stage 2 (7 days), where it stays while it keeps being answered wrong. A
/// right answer, in a review or outside one, takes it out (`None`). Stages above 2
/// (from older data) are treated as 2.
pub fn review_after(
    stage: Option<u8>,
    correct: bool,
    now: OffsetDateTime,
) -> Option<(u8, OffsetDateTime)> {
    if correct {
        return None;
    }
    let last = (REVIEW_DAYS.len() - 1) as u8;
    let next = match stage {
        None => 0,
        Some(s) => s.saturating_add(1).min(last),
    };
    let days = REVIEW_DAYS.get(usize::from(next)).copied().unwrap_or(7);
    Some((next, now.saturating_add(Duration::days(days))))
}

// ---------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------

/// A person's progress on their department's onboarding path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Required pages the person has read.
    pub pages_read: usize,
    /// Distinct pages under all required sections.
    pub pages_required: usize,
    /// The required quizzes already passed, in the department's order.
    pub quizzes_passed: Vec<String>,
    /// The required quizzes, in the department's order, without repeats.
    pub quizzes_required: Vec<String>,
    /// Registration plus `deadline_days`; `None` when the department sets no deadline.
    pub deadline: Option<OffsetDateTime>,
    /// Every required page read and every required quiz passed.
    pub complete: bool,
}

/// What a department's onboarding path asks for: the distinct pages under all
/// its required sections (a page in two overlapping sections counts once), by
/// path, and its required quizzes in the department's order, without repeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathRequirements<'a> {
    pub pages: BTreeSet<&'a str>,
    pub quizzes: Vec<&'a str>,
}

/// The pages and quizzes `department`'s path requires in `pack`.
pub fn path_requirements<'a>(
    pack: &'a ContentPack,
    department: &'a Department,
) -> PathRequirements<'a> {
    let pages = department
        .required_sections
        .iter()
        .flat_map(|&section| pack.pages_under(section))
        .collect();
    let mut seen = HashSet::new();
    let quizzes = department
        .required_quizzes
        .iter()
        .map(String::as_str)
        .filter(|q| seen.insert(*q))
        .collect();
    PathRequirements { pages, quizzes }
}

/// The person's progress on their department's onboarding path.
///
/// Pages required are those of [`path_requirements`]; `pages_read` (page paths,
/// as stored in activity records) counts only towards those, so reading extra
/// material does not inflate the number. Complete means all required pages read
/// and all required quizzes passed. The deadline is `registered_at +
/// deadline_days` days.
pub fn progress(
    pack: &ContentPack,
    department: &Department,
    pages_read: &[String],
    quizzes_passed: &[String],
    registered_at: OffsetDateTime,
) -> Progress {
    let read: HashSet<&str> = pages_read.iter().map(String::as_str).collect();
    let required = path_requirements(pack, department);
    let pages_read = required.pages.iter().filter(|p| read.contains(*p)).count();

    let passed: HashSet<&str> = quizzes_passed.iter().map(String::as_str).collect();
    let quizzes_passed: Vec<String> = required
        .quizzes
        .iter()
        .filter(|q| passed.contains(*q))
        .map(|q| (*q).to_owned())
        .collect();
    let quizzes_required: Vec<String> = required.quizzes.iter().map(|q| (*q).to_owned()).collect();

    let complete =
        pages_read == required.pages.len() && quizzes_passed.len() == quizzes_required.len();
    Progress {
        pages_read,
        pages_required: required.pages.len(),
        quizzes_passed,
        quizzes_required,
        deadline: department
            .deadline_days
            .map(|d| registered_at.saturating_add(Duration::days(i64::from(d)))),
        complete,
    }
}

// ---------------------------------------------------------------------------
// Local time
// ---------------------------------------------------------------------------

/// The UTC offset of `timezone` at the instant `t`; UTC for an unknown zone.
fn offset_at(t: OffsetDateTime, timezone: &str) -> UtcOffset {
    let Ok(tz) = jiff::tz::TimeZone::get(timezone) else {
        return UtcOffset::UTC;
    };
    let Ok(ts) = jiff::Timestamp::from_second(t.unix_timestamp()) else {
        return UtcOffset::UTC;
    };
    UtcOffset::from_whole_seconds(tz.to_offset(ts).seconds()).unwrap_or(UtcOffset::UTC)
}

/// The same instant seen on a wall clock in `timezone` (UTC for an unknown zone).
/// At the very ends of the representable range, where the shift would leave it,
/// the instant is returned as given.
pub fn to_local(t: OffsetDateTime, timezone: &str) -> OffsetDateTime {
    t.checked_to_offset(offset_at(t, timezone))
        .or_else(|| t.checked_to_offset(UtcOffset::UTC))
        .unwrap_or(t)
}

fn local_day(t: OffsetDateTime, timezone: &str) -> Date {
    to_local(t, timezone).date()
}

/// Whole days left until the deadline, counted in calendar days of `timezone`: 1 on
/// the day before the deadline's local date, 0 on that date, negative once it has
/// passed. Counting dates rather than 24-hour periods matches how people read "2
/// days left" and is right across daylight-saving changes.
pub fn days_left(deadline: OffsetDateTime, now: OffsetDateTime, timezone: &str) -> i64 {
    (local_day(deadline, timezone) - local_day(now, timezone)).whole_days()
}

/// Hours of the local day when no reminder is sent. `start_hour..end_hour`, wrapping
/// midnight when `start_hour > end_hour` (21 → 9 is 21:00–08:59); equal hours mean
/// no quiet hours at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    pub start_hour: u8,
    pub end_hour: u8,
}

impl Default for QuietHours {
    /// 21:00 to 09:00: nobody gets a training nudge at night.
    fn default() -> Self {
        QuietHours {
            start_hour: 21,
            end_hour: 9,
        }
    }
}

impl QuietHours {
    /// Whether the local hour `hour` (0–23) falls in the quiet hours.
    pub fn contains(&self, hour: u8) -> bool {
        let (start, end) = (self.start_hour, self.end_hour);
        match start.cmp(&end) {
            std::cmp::Ordering::Less => start <= hour && hour < end,
            std::cmp::Ordering::Greater => hour >= start || hour < end,
            std::cmp::Ordering::Equal => false,
        }
    }
}

/// May a reminder go out now?
///
/// Not during quiet hours in the park's time zone, and at most one a local calendar
/// day: not when the last reminder fell on the same local date as `now` (a last
/// reminder dated after today, from a clock that was ahead, also holds the next one
/// back rather than risk a second message). An unknown time zone is treated as UTC.
pub fn reminder_due(
    now: OffsetDateTime,
    timezone: &str,
    last_reminded: Option<OffsetDateTime>,
    quiet: QuietHours,
) -> bool {
    let local = to_local(now, timezone);
    if quiet.contains(local.hour()) {
        return false;
    }
    last_reminded.is_none_or(|last| local_day(last, timezone) < local.date())
}

/// The local date in `timezone` as "dd.mm.yyyy" (the form used in Russia), for
/// certificates and screens. An unknown zone is treated as UTC.
pub fn local_date(t: OffsetDateTime, timezone: &str) -> String {
    let l = to_local(t, timezone);
    format!("{:02}.{:02}.{:04}", l.day(), u8::from(l.month()), l.year())
}

/// A wall-clock time typed as "dd.mm.yyyy hh:mm" (or "yyyy-mm-dd hh:mm") in
/// `timezone`, as an instant. `None` for anything else. A time that a daylight-saving
/// change skips or repeats is taken the way most calendars do (jiff's "compatible"
/// rule: a skipped time moves forward, a repeated one is the earlier). An unknown
/// zone is treated as UTC.
pub fn parse_local_date_time(raw: &str, timezone: &str) -> Option<OffsetDateTime> {
    let (date, time) = raw.trim().split_once(char::is_whitespace)?;
    let numbers = |s: &str, sep: char| -> Option<Vec<i32>> {
        s.trim()
            .split(sep)
            .map(|n| {
                (!n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| n.parse().ok())
                    .flatten()
            })
            .collect()
    };
    let (year, month, day) = match (numbers(date, '.'), numbers(date, '-')) {
        (Some(d), _) if d.len() == 3 => (d[2], d[1], d[0]),
        (_, Some(d)) if d.len() == 3 => (d[0], d[1], d[2]),
        _ => return None,
    };
    let hm = numbers(time, ':')?;
    let [hour, minute] = hm[..] else {
        return None;
    };
    let civil = jiff::civil::DateTime::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        0,
        0,
    )
    .ok()?;
    let zone = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let instant = zone.to_ambiguous_timestamp(civil).compatible().ok()?;
    OffsetDateTime::from_unix_timestamp(instant.as_second()).ok()
}

/// The instant the local day of `t` began in `timezone` (00:00 there, or the first
/// moment of the day when a daylight-saving change skips midnight). An unknown
/// zone is treated as UTC; at the ends of the representable range `t` is returned.
pub fn start_of_local_day(t: OffsetDateTime, timezone: &str) -> OffsetDateTime {
    let zone = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_second(t.unix_timestamp())
        .ok()
        .and_then(|ts| ts.to_zoned(zone).start_of_day().ok())
        .and_then(|start| OffsetDateTime::from_unix_timestamp(start.timestamp().as_second()).ok())
        .unwrap_or(t)
}

/// The local date and time in `timezone` as "dd.mm.yyyy hh:mm". An unknown zone is
/// treated as UTC.
pub fn local_date_time(t: OffsetDateTime, timezone: &str) -> String {
    let l = to_local(t, timezone);
    format!(
        "{:02}.{:02}.{:04} {:02}:{:02}",
        l.day(),
        u8::from(l.month()),
        l.year(),
        l.hour(),
        l.minute()
    )
}

// ---------------------------------------------------------------------------
// Certificate codes
// ---------------------------------------------------------------------------

/// Crockford's base32 alphabet: digits and letters without I, L, O and U, so a code
/// read aloud or copied from paper is hard to get wrong.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_PREFIX: &str = "TB-";
const CODE_CHARS: usize = 8;

/// A short verification code for a certificate: "TB-" and 8 characters of
/// Crockford base32 encoding the low 40 bits of `random` (higher bits are ignored).
/// The caller supplies the randomness (from a CSPRNG) and checks the code is unused,
/// so this stays a pure function. 40 bits keep the code short enough to type from a
/// printed certificate while making guessing a valid code impractical.
pub fn certificate_code(random: u64) -> String {
    let mut code = String::with_capacity(CODE_PREFIX.len() + CODE_CHARS);
    code.push_str(CODE_PREFIX);
    for i in (0..CODE_CHARS).rev() {
        let v = ((random >> (i * 5)) & 31) as usize;
        code.push(char::from(CROCKFORD[v]));
    }
    code
}

/// Parses a code typed by a person and returns it in the canonical "TB-XXXXXXXX"
/// form, or `None` if it cannot be a code.
///
/// Tolerates what people and phones do to a code: any case, spaces and dashes
/// anywhere (also the en/em dashes phones substitute), the "TB" prefix present or
/// left out, O read as 0 and I/L as 1 (Crockford's rules), and Cyrillic letters that
/// look like Latin ones (a Russian keyboard's А, В, Е, К, М, Н, О, Р, С, Т, У, Х).
/// U is never part of a code.
pub fn parse_certificate_code(raw: &str) -> Option<String> {
    let mut symbols = String::with_capacity(CODE_PREFIX.len() + CODE_CHARS);
    for c in raw.chars() {
        if c.is_whitespace() || matches!(c, '-' | '‐' | '‑' | '‒' | '–' | '—' | '−') {
            continue;
        }
        symbols.push(code_symbol(c)?);
        if symbols.len() > CODE_CHARS + 2 {
            return None;
        }
    }
    let body = match symbols.strip_prefix("TB") {
        Some(rest) if symbols.len() == CODE_CHARS + 2 => rest,
        _ => symbols.as_str(),
    };
    (body.len() == CODE_CHARS).then(|| format!("{CODE_PREFIX}{body}"))
}

/// One typed character as a Crockford symbol (upper case), or `None`.
fn code_symbol(c: char) -> Option<char> {
    let c = match c {
        'А' | 'а' => 'A',
        'В' | 'в' => 'B',
        'Е' | 'е' => 'E',
        'К' | 'к' => 'K',
        'М' | 'м' => 'M',
        'Н' | 'н' => 'H',
        'О' | 'о' => '0',
        'Р' | 'р' => 'P',
        'С' | 'с' => 'C',
        'Т' | 'т' => 'T',
        'У' | 'у' => 'Y',
        'Х' | 'х' => 'X',
        c => c.to_ascii_uppercase(),
    };
    let c = match c {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    c.is_ascii()
        .then_some(c)
        .filter(|c| CROCKFORD.contains(&(*c as u8)))
}
