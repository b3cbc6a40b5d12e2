//! The statistics screens that are charts: page views by weekday and hour for a
//! park, the onboarding funnel, and page views day by day. Reached from the
//! statistics screen (`insights`) through the admin guard like every admin
//! button, each view audited.

use domain::callback::{LookupAction, Slug};
use domain::content::Park;
use domain::html::Html;
use domain::learning;
use pictures::charts::{BarRow, Chart};
use time::{Duration, OffsetDateTime};

use crate::action::{Button, Keyboard};
use crate::admin_rows::lookup;
use crate::audit::audit;
use crate::context::Cx;
use crate::error::{EngineError, OrUnavailable, Served};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::insights::{self, StatsPorts, funnel};
use crate::ports::ViewsAt;
use crate::screens::Rendered;

/// How far back the activity screen looks.
const ACTIVITY_DAYS: i64 = 28;
/// Hours named on the activity screen.
const BUSIEST_HOURS: usize = 5;
/// Days on the daily activity chart.
const DAILY_DAYS: i64 = 30;

/// Page views per local weekday (0 = Monday) and hour in `timezone`.
pub(crate) fn weekday_hour_grid(slots: &[ViewsAt], timezone: &str) -> [[u64; 24]; 7] {
    let mut grid = [[0u64; 24]; 7];
    for slot in slots {
        let local = learning::to_local(slot.start, timezone);
        let day = usize::from(local.weekday().number_days_from_monday());
        grid[day][usize::from(local.hour())] += slot.views;
    }
    grid
}

/// The parks to see activity for.
pub(crate) fn activity_parks(cx: &mut Cx, message: Option<CallbackMessage>) {
    let lang = cx.lang();
    let mut keyboard = Keyboard::default();
    let scope = cx.scope();
    for park in cx.pack().parks() {
        if scope.is_some_and(|mine| mine != park.id) {
            continue;
        }
        if let Some(slug) = Slug::parse(&park.id) {
            keyboard = keyboard.row(vec![Button::new(
                park.name.get(lang).clone(),
                lookup(LookupAction::Activity(slug)),
            )]);
        }
    }
    let keyboard = insights::with_back_to_statistics(cx, keyboard);
    let text = html(lang, "admin-activity-choose");
    cx.show_rendered(message, Rendered { text, keyboard });
}

/// Page views of the park's people over the last four weeks, by weekday and
/// by hour of the park's local time.
pub(crate) async fn activity_screen(
    cx: &mut Cx,
    ports: &StatsPorts<'_>,
    park: Park,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let since = cx.now() - Duration::days(ACTIVITY_DAYS);
    let slots = page_views(ports, &park.id, since).await?;
    audit(cx, ports.audit, "view_stats_activity", park.id.clone()).await;
    let grid = weekday_hour_grid(&slots, &park.timezone);
    let mut text = Html::bold(&Html::escape(&t_args(
        lang,
        "admin-activity-title",
        &[
            ("park", park.name.get(lang).clone().into()),
            ("days", ACTIVITY_DAYS.into()),
            ("zone", park.timezone.clone().into()),
        ],
    )));
    let total: u64 = grid.iter().flatten().sum();
    if total == 0 {
        text.push_text("\n");
        text.push(&html(lang, "admin-activity-none"));
    } else {
        text.push_text("\n\n");
        text.push(&Html::bold(&html(lang, "admin-activity-by-weekday")));
        for (day, hours) in grid.iter().enumerate() {
            let name = t(lang, &format!("admin-weekday-{}", day + 1));
            text.push_text(&format!("\n{name}: {}", hours.iter().sum::<u64>()));
        }
        let mut by_hour: Vec<(usize, u64)> = (0..24)
            .map(|h| (h, grid.iter().map(|d| d[h]).sum()))
            .filter(|(_, n)| *n > 0)
            .collect();
        by_hour.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        text.push_text("\n\n");
        text.push(&Html::bold(&html(lang, "admin-activity-busiest-hours")));
        for (hour, n) in by_hour.iter().take(BUSIEST_HOURS) {
            text.push_text(&format!("\n{hour:02}:00–{:02}:00: {n}", (hour + 1) % 24));
        }
    }
    let keyboard = insights::with_back_to_statistics(
        cx,
        Keyboard::default().row(vec![Button::new(
            t(lang, "btn-admin-activity-other-park"),
            lookup(LookupAction::ActivityParks),
        )]),
    );
    let title = t_args(
        lang,
        "chart-activity-title",
        &[
            ("park", park.name.get(lang).clone().into()),
            ("zone", park.timezone.clone().into()),
        ],
    );
    let chart = if total == 0 {
        Chart::Empty {
            title,
            note: t(lang, "admin-activity-none"),
        }
    } else {
        Chart::Heatmap {
            title,
            weekdays: std::array::from_fn(|day| t(lang, &format!("chart-weekday-{}", day + 1))),
            grid: Box::new(grid),
        }
    };
    cx.show_chart(message, chart, Rendered { text, keyboard });
    Ok(())
}

/// Page views of `park`'s people since `since`, by quarter hour.
async fn page_views(
    ports: &StatsPorts<'_>,
    park: &str,
    since: OffsetDateTime,
) -> Result<Vec<ViewsAt>, EngineError> {
    ports
        .lookup
        .page_views_by_slot(park, since)
        .await
        .or_unavailable("cannot read page views")
}

/// The onboarding funnel as bars, with the counts as the caption.
pub(crate) async fn funnel_screen(
    cx: &mut Cx,
    ports: &StatsPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let funnel = funnel(
        cx.pack(),
        ports.learning,
        ports.lookup,
        cx.now(),
        cx.scope(),
    )
    .await
    .or_unavailable("cannot count the onboarding funnel")?;
    audit(cx, ports.audit, "view_stats_funnel", String::new()).await;
    let title = t(lang, "admin-funnel-title");
    let stages = [
        ("admin-funnel-started", funnel.started),
        ("admin-funnel-read", funnel.read),
        ("admin-funnel-passed", funnel.passed),
        ("admin-funnel-certified", funnel.certified),
    ];
    let share = |n: u64| (n * 100).checked_div(funnel.started).unwrap_or(0);
    let mut text = Html::bold(&Html::escape(&title));
    for (key, n) in stages {
        text.push_text(&format!("\n{}: {n}", t(lang, key)));
        if key != "admin-funnel-started" {
            text.push_text(&format!(" ({}%)", share(n)));
        }
    }
    let chart = if funnel.started == 0 {
        Chart::Empty {
            title,
            note: t(lang, "admin-funnel-none"),
        }
    } else {
        Chart::Bars {
            title,
            rows: stages
                .iter()
                .map(|(key, n)| BarRow {
                    label: t(lang, key),
                    value: *n,
                    max: funnel.started,
                    text: format!("{n} · {}%", share(*n)),
                })
                .collect(),
        }
    };
    let keyboard = insights::with_back_to_statistics(cx, Keyboard::default());
    cx.show_chart(message, chart, Rendered { text, keyboard });
    Ok(())
}

/// Page views per day over the last [`DAILY_DAYS`] days, each park's views
/// on its own local dates.
pub(crate) async fn daily_screen(
    cx: &mut Cx,
    ports: &StatsPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let now = cx.now();
    let today = learning::to_local(now, cx.timezone()).date();
    let first = today - Duration::days(DAILY_DAYS - 1);
    let mut counts = vec![0u64; DAILY_DAYS as usize];
    let parks: Vec<Park> = cx
        .pack()
        .parks()
        .iter()
        .filter(|p| cx.scope().is_none_or(|mine| mine == p.id))
        .cloned()
        .collect();
    for park in &parks {
        // A day more than asked, so that the first local day is whole.
        let since = now - Duration::days(DAILY_DAYS + 1);
        let slots = page_views(ports, &park.id, since).await?;
        for slot in slots {
            let day = learning::to_local(slot.start, &park.timezone).date();
            if let Ok(index) = usize::try_from((day - first).whole_days())
                && let Some(count) = counts.get_mut(index)
            {
                *count += slot.views;
            }
        }
    }
    audit(cx, ports.audit, "view_stats_daily", String::new()).await;
    let total: u64 = counts.iter().sum();
    let title = t_args(lang, "admin-daily-title", &[("days", DAILY_DAYS.into())]);
    let mut text = Html::bold(&Html::escape(&title));
    text.push_text("\n");
    text.push_text(&t_args(
        lang,
        "admin-daily-total",
        &[
            ("n", total.into()),
            ("busiest", counts.iter().max().copied().unwrap_or(0).into()),
        ],
    ));
    let chart = if total == 0 {
        Chart::Empty {
            title,
            note: t(lang, "admin-activity-none"),
        }
    } else {
        let days = counts
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let day = first + Duration::days(i as i64);
                (format!("{:02}.{:02}", day.day(), u8::from(day.month())), *n)
            })
            .collect();
        Chart::Daily { title, days }
    };
    let keyboard = insights::with_back_to_statistics(cx, Keyboard::default());
    cx.show_chart(message, chart, Rendered { text, keyboard });
    Ok(())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn views_fall_into_the_parks_local_weekday_and_hour() {
        let slot = |start, views| ViewsAt { start, views };
        let slots = [
            // Sunday 21:00 UTC is Monday 00:00 in Moscow (UTC+3).
            slot(datetime!(2031-06-01 21:00 UTC), 2),
            slot(datetime!(2031-06-01 21:45 UTC), 1),
            // Wednesday 11:15 UTC is 14:15 in Moscow.
            slot(datetime!(2031-06-04 11:15 UTC), 5),
        ];
        let moscow = weekday_hour_grid(&slots, "Europe/Moscow");
        assert_eq!(moscow[0][0], 3);
        assert_eq!(moscow[2][14], 5);
        assert_eq!(moscow.iter().flatten().sum::<u64>(), 8);
        // Kolkata is UTC+5:30: quarter-hour slots keep each view in its own hour.
        let kolkata = weekday_hour_grid(&slots, "Asia/Kolkata");
        assert_eq!(kolkata[0][2], 2, "21:00 UTC is 02:30");
        assert_eq!(kolkata[0][3], 1, "21:45 UTC is 03:15");
        assert_eq!(kolkata[2][16], 5, "11:15 UTC is 16:45");
    }
}
