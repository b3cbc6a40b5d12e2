//! Moving data between databases: `trainbot db copy` (a whole trainbot database to
//! another, either backend) and `trainbot import legacy` (people and their
//! activity from the old Python bot). The SQL lives in the storage crate; this
//! module opens the databases, shows progress on stderr and prints the report on
//! stdout.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use domain::content::ContentPack;
use domain::ids::UserId;
use domain::lang::Lang;
use engine::guard::display_name;
use engine::ports::{ActivityKind, StorageError};
use secrecy::ExposeSecret;
use storage::SqlStorage;
use storage::copy::{self, CopyProgress, CopyReport, ExistingRows};
use storage::legacy::{
    self, ImportedActivity, ImportedPerson, LegacyActivity, LegacyDb, LegacyPerson, PersonOutcome,
};
use time::OffsetDateTime;

use crate::app::content_report;
use crate::config::{Config, redact_userinfo};

/// How often a progress line may be written while a table is being copied.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// `trainbot db copy`: migrates both databases, copies, verifies, and returns the
/// report; every error is a message for the operator.
pub async fn db_copy(from: &str, to: &str, force: bool) -> Result<CopyReport, String> {
    if from.trim() == to.trim() {
        return Err("--from and --to name the same database; copy into another one".into());
    }
    let source = open("--from (the source)", from).await?;
    let target = open("--to (the target)", to).await?;
    eprintln!(
        "copying {} -> {}",
        redact_userinfo(from),
        redact_userinfo(to)
    );
    let started = Instant::now();
    let mut display = ProgressDisplay::new();
    let existing = if force {
        ExistingRows::Replace
    } else {
        ExistingRows::Refuse
    };
    let result = copy::copy(&source, &target, existing, &mut |p| display.show(p)).await;
    display.finish();
    source.close().await;
    target.close().await;
    let report = result.map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "copied {} rows in {seconds:.1} s ({:.0} rows/s)",
        report.rows(),
        report.rows() as f64 / seconds.max(0.001)
    );
    Ok(report)
}

/// Prints a verified copy's table of counts and checksums.
pub fn print_copy_report(report: &CopyReport) {
    println!(
        "verified: {} tables, {} rows, schema version {}",
        report.tables.len(),
        report.rows(),
        report.schema_version
    );
    let width = report
        .tables
        .iter()
        .map(|t| t.table.len())
        .max()
        .unwrap_or(0);
    for table in &report.tables {
        println!(
            "  {:width$}  {:>9} rows  sha256 {}",
            table.table, table.rows, table.checksum
        );
    }
}

/// Connects and migrates, naming which of the two databases failed.
async fn open(which: &str, url: &str) -> Result<SqlStorage, String> {
    let storage = SqlStorage::connect(url)
        .await
        .map_err(|e| format!("{which}: {}", from_database_url(&e.to_string())))?;
    storage.migrate().await.map_err(|e| {
        format!(
            "{which}: {e} (a database written by a newer trainbot cannot be migrated by this one)"
        )
    })?;
    Ok(storage)
}

/// Connection errors name `DATABASE_URL`; here the URL came from an option.
fn from_database_url(message: &str) -> String {
    message
        .replace("check DATABASE_URL", "check the URL")
        .replace("DATABASE_URL", "the URL")
}

/// Progress on stderr: one line per table, rewritten in place on a terminal;
/// elsewhere (a log file) a line at most every [`PROGRESS_EVERY`] and at the end
/// of each table.
struct ProgressDisplay {
    terminal: bool,
    last: Option<Instant>,
    open_line: bool,
}

impl ProgressDisplay {
    fn new() -> ProgressDisplay {
        ProgressDisplay {
            terminal: std::io::stderr().is_terminal(),
            last: None,
            open_line: false,
        }
    }

    fn show(&mut self, p: CopyProgress<'_>) {
        let done = p.done == p.total;
        let due = self.last.is_none_or(|at| at.elapsed() >= PROGRESS_EVERY);
        if !done && !due {
            return;
        }
        self.last = Some(Instant::now());
        let mut err = std::io::stderr().lock();
        let line = format!("  {}: {} / {} rows", p.table, p.done, p.total);
        if self.terminal {
            let _ = write!(err, "\r\x1b[2K{line}");
            self.open_line = !done;
            if done {
                let _ = writeln!(err);
                // The next table starts a fresh line and shows at once.
                self.last = None;
            }
        } else {
            let _ = writeln!(err, "{line}");
            if done {
                self.last = None;
            }
        }
    }

    fn finish(&mut self) {
        if self.open_line {
            let _ = writeln!(std::io::stderr());
            self.open_line = false;
        }
    }
}

/// `trainbot import legacy`: people and their activity from the old bot's
/// database at `from` into the configured database. Safe to run again.
pub async fn import_legacy(config: &Config, from: &str) -> Result<ImportReport, String> {
    let pack = ContentPack::load(&config.content_dir)
        .map_err(|problems| content_report(&config.content_dir.display().to_string(), &problems))?;
    let legacy = LegacyDb::open(from).await.map_err(|e| e.to_string())?;
    let target = SqlStorage::connect(config.database_url.expose_secret())
        .await
        .map_err(|e| e.to_string())?;
    target.migrate().await.map_err(|e| e.to_string())?;
    let result = import_from(&pack, &legacy, &target).await;
    legacy.close().await;
    target.close().await;
    result
}

/// The longest position trainbot keeps (as onboarding does).
const MAX_POSITION_CHARS: usize = 64;

/// Rows of legacy activity read and written per transaction.
const ACTIVITY_BATCH: u32 = 1_000;

/// The import itself, into an open, migrated `target`, mapping parks,
/// departments and sections with `pack`.
pub async fn import_from(
    pack: &ContentPack,
    legacy: &LegacyDb,
    target: &SqlStorage,
) -> Result<ImportReport, String> {
    let now = OffsetDateTime::now_utc();
    let mapping = Mapping::new(pack);
    let mut report = ImportReport {
        source: legacy.describe().to_owned(),
        ..ImportReport::default()
    };
    let write_error = |e: StorageError| format!("writing to DATABASE_URL: {e}");

    let mut here = HashSet::new();
    let people = legacy.people().await.map_err(|e| e.to_string())?;
    report.people_read = people.len() as u64;
    for old in &people {
        let person = match mapping.person(old, &mut report.people_notes) {
            Ok(person) => person,
            Err(reason) => {
                *report.people_skipped.entry(reason).or_default() += 1;
                continue;
            }
        };
        match legacy::import_person(target, &person, now)
            .await
            .map_err(write_error)?
        {
            PersonOutcome::Created => report.people_created += 1,
            PersonOutcome::Filled => report.people_filled += 1,
            PersonOutcome::Unchanged => report.people_unchanged += 1,
        }
        here.insert(person.id.0);
    }

    let mut after = 0;
    loop {
        let rows = legacy
            .activity(after, ACTIVITY_BATCH)
            .await
            .map_err(|e| e.to_string())?;
        let Some(last) = rows.last() else { break };
        after = last.legacy_id;
        report.activity_read += rows.len() as u64;
        let mut batch = Vec::with_capacity(rows.len());
        for row in &rows {
            match mapping.activity(row, &here) {
                Ok(activity) => batch.push(activity),
                Err(reason) => *report.activity_skipped.entry(reason).or_default() += 1,
            }
        }
        let added = legacy::import_activity(target, &batch, now)
            .await
            .map_err(write_error)?;
        report.activity_added += added;
        report.activity_already += batch.len() as u64 - added;
    }
    Ok(report)
}

/// What an import did, printed on stdout.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The legacy file or server, for the heading.
    pub source: String,
    pub people_read: u64,
    pub people_created: u64,
    pub people_filled: u64,
    pub people_unchanged: u64,
    /// Not imported, by reason.
    pub people_skipped: BTreeMap<String, u64>,
    /// Imported, but something of theirs was left out, by what.
    pub people_notes: BTreeMap<String, u64>,
    pub activity_read: u64,
    pub activity_added: u64,
    /// Found in `legacy_imports`: brought in by an earlier run.
    pub activity_already: u64,
    pub activity_skipped: BTreeMap<String, u64>,
}

impl ImportReport {
    /// Whether this run wrote anything (a second run over the same data does not).
    pub fn changed_anything(&self) -> bool {
        self.people_created + self.people_filled + self.activity_added > 0
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn reasons(f: &mut fmt::Formatter<'_>, counts: &BTreeMap<String, u64>) -> fmt::Result {
            for (reason, count) in counts {
                writeln!(f, "    {count:>6}  {reason}")?;
            }
            Ok(())
        }
        let sum = |m: &BTreeMap<String, u64>| m.values().sum::<u64>();
        writeln!(f, "imported from the old bot's database {}", self.source)?;
        writeln!(f, "people: {} read", self.people_read)?;
        writeln!(
            f,
            "  created:                        {}",
            self.people_created
        )?;
        writeln!(
            f,
            "  already here, filled in:        {}",
            self.people_filled
        )?;
        writeln!(
            f,
            "  already here, nothing to add:   {}",
            self.people_unchanged
        )?;
        writeln!(
            f,
            "  skipped:                        {}",
            sum(&self.people_skipped)
        )?;
        reasons(f, &self.people_skipped)?;
        if !self.people_notes.is_empty() {
            writeln!(f, "  imported without:")?;
            reasons(f, &self.people_notes)?;
        }
        writeln!(f, "activity: {} read", self.activity_read)?;
        writeln!(
            f,
            "  imported:                       {}",
            self.activity_added
        )?;
        writeln!(
            f,
            "  imported by an earlier run:     {}",
            self.activity_already
        )?;
        writeln!(
            f,
            "  skipped:                        {}",
            sum(&self.activity_skipped)
        )?;
        reasons(f, &self.activity_skipped)
    }
}

/// The old bot's sections whose trainbot section is certain: the same training,
/// under the same or an obviously equal name. Anything else is reported, not
/// guessed.
const CERTAIN_SECTIONS: &[(&str, &str)] = &[
    ("sport", "sport"),
    ("sales", "sales"),
    ("bar", "bar"),
    ("kitchen", "kitchen"),
    ("general_info", "general"),
];

/// The old bot's navigation callbacks: menus, not training.
const NAVIGATION: &[&str] = &["main", "back", "menu", "main_menu", "start", "home"];

/// The old department enum names that are trainbot departments.
const DEPARTMENTS: &[(&str, &str)] = &[
    ("GENERAL", "general"),
    ("SALES", "sales"),
    ("SPORT", "sport"),
];

/// Old values onto trainbot's, with the content pack's parks, departments and
/// top-level sections.
struct Mapping<'a> {
    pack: &'a ContentPack,
    /// Top-level section paths of the pack.
    sections: Vec<String>,
}

impl<'a> Mapping<'a> {
    fn new(pack: &'a ContentPack) -> Mapping<'a> {
        let sections = pack
            .top_level()
            .iter()
            .filter_map(|id| pack.node(*id))
            .map(|node| node.path.clone())
            .collect();
        Mapping { pack, sections }
    }

    /// A person in trainbot's terms, or why they cannot be imported. What is
    /// left out is counted in `notes`.
    fn person(
        &self,
        old: &LegacyPerson,
        notes: &mut BTreeMap<String, u64>,
    ) -> Result<ImportedPerson, String> {
        let mut note = |what: String| *notes.entry(what).or_default() += 1;
        if old.telegram_id <= 0 {
            return Err("Telegram id is not a positive number".into());
        }
        let registered = old
            .registration_date
            .as_deref()
            .and_then(legacy::legacy_time);
        let last = old.last_activity.as_deref().and_then(legacy::legacy_time);
        let (first_seen, last_seen) = match (registered, last) {
            (Some(a), Some(b)) => (a.min(b), a.max(b)),
            (Some(a), None) | (None, Some(a)) => (a, a),
            (None, None) => return Err("registration and last activity times unreadable".into()),
        };
        let clean =
            |text: &Option<String>| text.as_deref().map(display_name).filter(|t| !t.is_empty());
        let username = clean(&old.username).map(|u| u.trim_start_matches('@').to_owned());
        let first_name = match clean(&old.first_name) {
            Some(name) => name,
            None => {
                note(
                    "a first name (the username or Telegram id stands in until they write)".into(),
                );
                username
                    .clone()
                    .unwrap_or_else(|| old.telegram_id.to_string())
            }
        };
        let department = match old.department.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => {
                let mapped = DEPARTMENTS
                    .iter()
                    .find(|(old, _)| old.eq_ignore_ascii_case(name))
                    .map(|(_, id)| *id)
                    .filter(|id| self.pack.departments().iter().any(|d| d.id == *id));
                if mapped.is_none() {
                    if name.eq_ignore_ascii_case("ADMIN") {
                        note("department ADMIN (not a trainbot department: admins are ADMIN_IDS and roles)".into());
                    } else {
                        note(format!(
                            "department {name} (no such department in the content pack)"
                        ));
                    }
                }
                mapped.map(str::to_owned)
            }
        };
        let park = match clean(&old.park_location) {
            None => None,
            Some(text) => {
                let wanted = text.to_lowercase();
                let found = self.pack.parks().iter().find(|p| {
                    p.id.to_lowercase() == wanted
                        || p.name.ru.to_lowercase() == wanted
                        || p.name.en.to_lowercase() == wanted
                });
                if found.is_none() {
                    note(format!(
                        "park \"{text}\" (matches no park of the content pack)"
                    ));
                }
                found.map(|p| p.id.clone())
            }
        };
        Ok(ImportedPerson {
            id: UserId(old.telegram_id),
            first_name,
            last_name: clean(&old.last_name),
            username,
            language: Lang::from_client(old.language_code.as_deref()),
            park,
            department,
            position: clean(&old.position).map(|p| p.chars().take(MAX_POSITION_CHARS).collect()),
            first_seen,
            last_seen,
            blocked: (old.is_blocked != 0)
                .then(|| clean(&old.block_reason).unwrap_or_else(|| "no reason given".to_owned())),
        })
    }

    /// A section view in trainbot's terms, or why the row is skipped.
    fn activity(
        &self,
        old: &LegacyActivity,
        here: &HashSet<i64>,
    ) -> Result<ImportedActivity, String> {
        let Some(telegram_id) = old.telegram_id else {
            return Err("its person is not in the old database".into());
        };
        if !here.contains(&telegram_id) {
            return Err("its person was not imported".into());
        }
        match old.action.as_deref() {
            Some("callback") => {}
            Some("message") => return Err("a typed message or command (not a page view)".into()),
            Some(other) => return Err(format!("action {other} (not a page view)")),
            None => return Err("no action recorded".into()),
        }
        let Some(section) = old
            .section
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            return Err("no section recorded".into());
        };
        if NAVIGATION.contains(&section) {
            return Err("navigation (main menu, back)".into());
        }
        if section.starts_with("admin") {
            return Err("the admin panel".into());
        }
        let Some((_, path)) = CERTAIN_SECTIONS.iter().find(|(old, _)| *old == section) else {
            return Err(format!("section {section} (no certain trainbot page)"));
        };
        if !self.sections.iter().any(|s| s == path) {
            return Err(format!(
                "section {section} (the content pack has no section {path})"
            ));
        }
        let at = old
            .at
            .as_deref()
            .and_then(legacy::legacy_time)
            .ok_or_else(|| "time unreadable".to_owned())?;
        Ok(ImportedActivity {
            legacy_id: old.legacy_id,
            user: UserId(telegram_id),
            kind: ActivityKind::SectionView,
            subject: (*path).to_owned(),
            at,
        })
    }
}
