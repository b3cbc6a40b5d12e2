//! The statistics screen's sub-screens: most-read pages, quiz results and
//! overdue people (the charts of page views and the funnel are in
//! `insight_charts`). Each fits one message (Telegram's 4096 characters): lists
//! are capped, and the counts are made in the database.
//!
//! They are reached through [`Turn::admin_guard`] like every admin button, and
//! each view is written to the audit log (`view_stats_pages`,
//! `view_stats_quizzes`, `view_stats_overdue`, `view_stats_activity`).

use domain::callback::{AdminAction, Callback, LookupAction};
use domain::content::{ContentPack, Department, MESSAGE_LIMIT};
use domain::html::Html;
use domain::ids::{NodeId, UserId};
use domain::lang::Lang;
use domain::learning;
use pictures::charts::{BarRow, Chart};
use time::{Duration, OffsetDateTime};

use crate::action::{Button, Keyboard};
use crate::admin_rows::back_to_panel;
use crate::admin_rows::lookup;
use crate::audit::audit;
use crate::context::Cx;
use crate::error::{OrUnavailable, Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::ports::{
    AdminStore, LearningStore, LookupStore, PathDeadline, PersonRecords, QuizGroup, QuizStats,
    StorageError,
};
use crate::screens::Rendered;

/// What the statistics screens reach beyond the update's context.
pub(crate) struct StatsPorts<'a> {
    /// The counts and lists behind each screen.
    pub(crate) lookup: &'a dyn LookupStore,
    /// Who has started their path (the funnel).
    pub(crate) learning: &'a dyn LearningStore,
    /// The names of the people listed.
    pub(crate) people: &'a dyn PersonRecords,
    /// Where each view is audited.
    pub(crate) audit: &'a dyn AdminStore,
}

/// Pages on the most-read screen.
const TOP_PAGES: u32 = 10;
/// Overdue people listed by name; the rest are counted.
const OVERDUE_LISTED: usize = 25;
/// Characters of a name on the overdue list.
const NAME_CHARS: usize = 40;
/// Characters kept free at the end of the overdue list for its last line.
const ROOM_FOR_MORE: usize = 100;

/// Someone whose department's deadline has passed with the path incomplete.
pub(crate) struct Overdue {
    pub id: UserId,
    pub department: Department,
    /// Registration plus the department's `deadline_days`.
    pub deadline: OffsetDateTime,
    pub pages_read: u64,
    pub pages_required: usize,
    pub quizzes_passed: u64,
    pub quizzes_required: usize,
}

/// Everyone past their onboarding deadline with the path incomplete (by the
/// same rule as "My progress": `domain::learning::path_requirements`), by
/// ascending id; only the people of `park` when it is given. The "behind"
/// broadcast audience and the overdue screen. One query, however many people.
pub(crate) async fn overdue(
    pack: &ContentPack,
    lookup: &dyn LookupStore,
    now: OffsetDateTime,
    park: Option<&str>,
) -> Result<Vec<Overdue>, StorageError> {
    let paths: Vec<PathDeadline> = pack
        .departments()
        .iter()
        .filter_map(|department| {
            let days = Duration::days(i64::from(department.deadline_days?));
            let required = learning::path_requirements(pack, department);
            Some(PathDeadline {
                department: department.id.clone(),
                registered_by: now.checked_sub(days)?,
                pages: required.pages.iter().map(|p| (*p).to_owned()).collect(),
                quizzes: required.quizzes.iter().map(|q| (*q).to_owned()).collect(),
            })
        })
        .collect();
    let late = lookup.overdue(&paths, park).await?;
    Ok(late
        .into_iter()
        .filter_map(|learner| {
            let path = paths.iter().find(|p| p.department == learner.department)?;
            let department = pack.department(&learner.department)?;
            let days = Duration::days(i64::from(department.deadline_days?));
            Some(Overdue {
                id: learner.id,
                deadline: learner.registered_at.saturating_add(days),
                pages_read: learner.pages_read,
                pages_required: path.pages.len(),
                quizzes_passed: learner.quizzes_passed,
                quizzes_required: path.quizzes.len(),
                department: department.clone(),
            })
        })
        .collect())
}

/// How far people (of a park, or all) have come on their department's path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Funnel {
    /// Onboarded learners whose department has a path.
    pub started: u64,
    /// Of them, those who opened every required page.
    pub read: u64,
    /// Of them, those who also passed every required check.
    pub passed: u64,
    /// People holding a certificate.
    pub certified: u64,
}

/// The onboarding funnel of `park`'s people (everyone's when `None`), by the
/// rule of "My progress" (`learning::path_requirements`). Three queries,
/// however many people.
pub(crate) async fn funnel(
    pack: &ContentPack,
    learning: &dyn LearningStore,
    lookup: &dyn LookupStore,
    now: OffsetDateTime,
    park: Option<&str>,
) -> Result<Funnel, StorageError> {
    let paths: Vec<PathDeadline> = pack
        .departments()
        .iter()
        .map(|department| {
            let required = learning::path_requirements(pack, department);
            PathDeadline {
                department: department.id.clone(),
                registered_by: now,
                pages: required.pages.iter().map(|p| (*p).to_owned()).collect(),
                quizzes: required.quizzes.iter().map(|q| (*q).to_owned()).collect(),
            }
        })
        .collect();
    let started = learning
        .learners()
        .await?
        .iter()
        .filter(|l| park.is_none_or(|p| l.profile.park.as_deref() == Some(p)))
        .filter(|l| {
            l.profile
                .department
                .as_deref()
                .is_some_and(|d| paths.iter().any(|p| p.department == d))
        })
        .count() as u64;
    let behind = lookup.overdue(&paths, park).await?;
    let unread = behind
        .iter()
        .filter(|l| {
            paths
                .iter()
                .find(|p| p.department == l.department)
                .is_some_and(|p| l.pages_read < p.pages.len() as u64)
        })
        .count() as u64;
    Ok(Funnel {
        started,
        read: started.saturating_sub(unread),
        passed: started.saturating_sub(behind.len() as u64),
        certified: lookup.count_certified(park).await?,
    })
}

/// The statistics screen's buttons to its sub-screens.
pub(crate) fn statistics_rows(cx: &Cx) -> [Vec<Button>; 3] {
    let lang = cx.lang();
    let b = |key: &str, action| Button::new(t(lang, key), lookup(action));
    [
        vec![
            b("btn-admin-top-pages", LookupAction::TopPages),
            b("btn-admin-quiz-stats", LookupAction::QuizStats),
        ],
        vec![
            b("btn-admin-overdue", LookupAction::Overdue),
            b("btn-admin-activity", LookupAction::ActivityParks),
        ],
        vec![
            b("btn-admin-funnel", LookupAction::Funnel),
            b("btn-admin-daily", LookupAction::Daily),
        ],
    ]
}

/// `keyboard` with the rows back to the statistics and the panel.
pub(crate) fn with_back_to_statistics(cx: &Cx, keyboard: Keyboard) -> Keyboard {
    keyboard
        .row(vec![Button::new(
            t(cx.lang(), "btn-admin-stats"),
            Callback::Admin(AdminAction::Statistics),
        )])
        .row(back_to_panel(cx.lang()))
}

/// The pages with the most distinct readers, titled from the current pack.
pub(crate) async fn top_pages(
    cx: &mut Cx,
    ports: &StatsPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let pages = ports
        .lookup
        .top_pages(TOP_PAGES, cx.scope())
        .await
        .or_unavailable("cannot read the most-read pages")?;
    audit(cx, ports.audit, "view_stats_pages", String::new()).await;
    let mut text = Html::bold(&html(lang, "admin-pages-title"));
    if pages.is_empty() {
        text.push_text("\n");
        text.push(&html(lang, "admin-pages-empty"));
    }
    for (rank, page) in pages.iter().enumerate() {
        // A page removed from the pack since is shown by its path.
        let title = cx
            .pack()
            .node(NodeId::from_path(&page.path))
            .map_or(page.path.clone(), |node| node.title.get(lang).clone());
        text.push_text(&format!("\n{}. {title} — ", rank + 1));
        text.push_text(&t_args(
            lang,
            "admin-pages-readers",
            &[("n", page.readers.into())],
        ));
    }
    let keyboard = with_back_to_statistics(cx, Keyboard::default());
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

/// Attempts, pass rate and average score by quiz, department and park.
pub(crate) async fn quiz_stats(
    cx: &mut Cx,
    ports: &StatsPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let stats = ports
        .lookup
        .quiz_stats(cx.scope())
        .await
        .or_unavailable("cannot read quiz statistics")?;
    audit(cx, ports.audit, "view_stats_quizzes", String::new()).await;
    let pack = cx.pack();
    let mut text = Html::bold(&html(lang, "admin-quiz-stats-title"));
    if stats.by_quiz.is_empty() {
        text.push_text("\n");
        text.push(&html(lang, "admin-quiz-stats-empty"));
    }
    quiz_section(
        &mut text,
        lang,
        "admin-quiz-stats-by-quiz",
        &stats.by_quiz,
        |id| pack.quiz(id).map(|q| q.title.get(lang).clone()),
    );
    quiz_section(
        &mut text,
        lang,
        "admin-stats-by-department",
        &stats.by_department,
        |id| pack.department(id).map(|d| d.name.get(lang).clone()),
    );
    quiz_section(
        &mut text,
        lang,
        "admin-stats-by-park",
        &stats.by_park,
        |id| pack.park(id).map(|p| p.name.get(lang).clone()),
    );
    let keyboard = with_back_to_statistics(cx, Keyboard::default());
    let chart = pass_rate_chart(lang, &stats, pack);
    cx.show_chart(message, chart, Rendered { text, keyboard });
    Ok(())
}

/// People past their department's deadline with the path incomplete.
pub(crate) async fn overdue_screen(
    cx: &mut Cx,
    ports: &StatsPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let now = cx.now();
    let overdue = overdue(cx.pack(), ports.lookup, now, cx.scope())
        .await
        .or_unavailable("cannot find overdue people")?;
    audit(
        cx,
        ports.audit,
        "view_stats_overdue",
        overdue.len().to_string(),
    )
    .await;
    let mut text = Html::bold(&Html::escape(&t_args(
        lang,
        "admin-overdue-title",
        &[("n", overdue.len().into())],
    )));
    if overdue.is_empty() {
        text.push_text("\n");
        text.push(&html(lang, "admin-overdue-none"));
    }
    let mut listed = 0;
    for o in overdue.iter().take(OVERDUE_LISTED) {
        let name = match ports.people.user(o.id).await {
            Ok(Some(p)) => crate::admin_rows::list_name(&p.first_name, p.last_name.as_deref()),
            Ok(None) => o.id.to_string(),
            Err(e) => return Err(unavailable("cannot read a person", e)),
        };
        let late = (now - o.deadline).whole_days().max(0);
        let mut line = Html::escape(&format!(
            "\n• {} — {}: ",
            name.chars().take(NAME_CHARS).collect::<String>(),
            o.department.name.get(lang)
        ));
        line.push_text(&t_args(
            lang,
            "admin-overdue-line",
            &[
                ("days", late.into()),
                ("read", o.pages_read.into()),
                ("total", o.pages_required.into()),
                ("passed", o.quizzes_passed.into()),
                ("quizzes", o.quizzes_required.into()),
            ],
        ));
        // Room is kept for the "and N more" line: the message never exceeds
        // Telegram's limit, whatever the names.
        if text.text_len() + line.text_len() > MESSAGE_LIMIT - ROOM_FOR_MORE {
            break;
        }
        text.push(&line);
        listed += 1;
    }
    if overdue.len() > listed {
        text.push_text("\n");
        text.push_text(&t_args(
            lang,
            "admin-overdue-more",
            &[("n", (overdue.len() - listed).into())],
        ));
    }
    let keyboard = with_back_to_statistics(cx, Keyboard::default());
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

/// One grouping of quiz results under `heading`; `name` finds a group's name in
/// the pack (an id no longer there is shown as stored; none is "not set").
fn quiz_section(
    text: &mut Html,
    lang: Lang,
    heading: &str,
    groups: &[QuizGroup],
    name: impl Fn(&str) -> Option<String>,
) {
    if groups.is_empty() {
        return;
    }
    text.push_text("\n\n");
    text.push(&Html::bold(&html(lang, heading)));
    for g in groups {
        let label = match g.id.as_str() {
            "" => t(lang, "profile-unset"),
            id => name(id).unwrap_or_else(|| id.to_owned()),
        };
        text.push_text(&format!("\n• {label}: "));
        text.push_text(&t_args(
            lang,
            "admin-quiz-stats-line",
            &[
                ("n", g.attempts.into()),
                ("rate", g.pass_rate().into()),
                ("average", g.average_percent().into()),
            ],
        ));
    }
}

/// Pass rates of finished checks by department, then by park; groups named as
/// on the screen.
fn pass_rate_chart(lang: Lang, stats: &QuizStats, pack: &ContentPack) -> Chart {
    let title = t(lang, "chart-pass-rate-title");
    let named = |g: &QuizGroup, name: Option<String>| BarRow {
        label: match g.id.as_str() {
            "" => t(lang, "profile-unset"),
            id => name.unwrap_or_else(|| id.to_owned()),
        },
        value: g.pass_rate(),
        max: 100,
        text: t_args(
            lang,
            "chart-pass-rate-bar",
            &[("rate", g.pass_rate().into()), ("n", g.attempts.into())],
        ),
    };
    let rows: Vec<BarRow> = stats
        .by_department
        .iter()
        .map(|g| named(g, pack.department(&g.id).map(|d| d.name.get(lang).clone())))
        .chain(stats.by_park.iter().map(|g| {
            named(
                g,
                pack.park(&g.id).map(|p| {
                    t_args(
                        lang,
                        "chart-park",
                        &[("park", p.name.get(lang).clone().into())],
                    )
                }),
            )
        }))
        .collect();
    if rows.is_empty() {
        Chart::Empty {
            title,
            note: t(lang, "admin-quiz-stats-empty"),
        }
    } else {
        Chart::Bars { title, rows }
    }
}
