//! Charts for managers, drawn as PNG with the built-in DejaVu Sans (Cyrillic
//! labels, no system font): a weekday-by-hour heat map, horizontal bars (pass
//! rates, the onboarding funnel) and daily columns (activity over 30 days).
//!
//! A chart is data ([`Chart`]); [`render`] draws it. Every chart has the same
//! size, a title, and says so when it has nothing to show rather than drawing
//! an empty frame.

use std::sync::Once;

use plotters::backend::BitMapBackend;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::{PictureError, rgb_png};

/// Pixels across and down: wide enough for 24 hours, legible on a phone.
pub const WIDTH: u32 = 960;
pub const HEIGHT: u32 = 600;

/// The family the built-in font is registered under.
const FAMILY: &str = "sans-serif";

const INK: RGBColor = RGBColor(33, 37, 41);
const MUTED: RGBColor = RGBColor(108, 117, 125);
const BAR: RGBColor = RGBColor(32, 133, 122);
const EMPTY_CELL: RGBColor = RGBColor(241, 243, 245);

/// What a chart shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chart {
    /// Counts by weekday (rows, Monday first) and hour (columns, 0-23).
    Heatmap {
        title: String,
        weekdays: [String; 7],
        grid: Box<[[u64; 24]; 7]>,
    },
    /// One horizontal bar per row, as long as `value` of `max`, with its own
    /// text at the end ("82% of 40").
    Bars { title: String, rows: Vec<BarRow> },
    /// One column per day, oldest first, labelled by `label` (`05.12`).
    Daily {
        title: String,
        days: Vec<(String, u64)>,
    },
    /// Nothing to show: the title and the reason.
    Empty { title: String, note: String },
}

/// A bar of [`Chart::Bars`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BarRow {
    pub label: String,
    pub value: u64,
    pub max: u64,
    pub text: String,
}

fn register_font() {
    static FONT: Once = Once::new();
    FONT.call_once(|| {
        // The font is checked by the certificate crate's tests; a failure here
        // only leaves plotters without text, which `render` reports.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, certificate::DEJAVU_SANS);
    });
}

fn font(size: f64, color: &RGBColor) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(color)
}

/// Rows of bars at most this tall; a chart of a few bars is shorter.
const BAR_ROW: u32 = 56;

impl Chart {
    /// Pixels down: [`HEIGHT`], or less for a few bars.
    pub fn height(&self) -> u32 {
        match self {
            Chart::Bars { rows, .. } => {
                (100 + BAR_ROW * u32::try_from(rows.len()).unwrap_or(u32::MAX)).clamp(240, HEIGHT)
            }
            _ => HEIGHT,
        }
    }
}

/// Draws the chart as a PNG [`WIDTH`] pixels across and [`Chart::height`] down.
pub fn render(chart: &Chart) -> Result<Vec<u8>, PictureError> {
    register_font();
    let height = chart.height();
    let mut pixels = vec![u8::MAX; (WIDTH * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, height)).into_drawing_area();
        draw(&root, chart).map_err(|e| PictureError::Draw(e.to_string()))?;
        root.present()
            .map_err(|e| PictureError::Draw(e.to_string()))?;
    }
    rgb_png(&pixels, WIDTH, height)
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;
type Drawn =
    Result<(), DrawingAreaErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>>;

fn draw(root: &Area<'_>, chart: &Chart) -> Result<(), Box<dyn std::error::Error>> {
    let title = match chart {
        Chart::Heatmap { title, .. }
        | Chart::Bars { title, .. }
        | Chart::Daily { title, .. }
        | Chart::Empty { title, .. } => title,
    };
    root.draw(&Text::new(title.clone(), (24, 18), font(24.0, &INK)))?;
    match chart {
        Chart::Heatmap { weekdays, grid, .. } => heatmap(root, weekdays, grid)?,
        Chart::Bars { rows, .. } => bars(root, rows)?,
        Chart::Daily { days, .. } => daily(root, days)?,
        Chart::Empty { note, .. } => centred(root, note)?,
    }
    Ok(())
}

fn centred(root: &Area<'_>, note: &str) -> Drawn {
    let style = font(20.0, &MUTED).pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new(
        note.to_owned(),
        (WIDTH as i32 / 2, HEIGHT as i32 / 2),
        style,
    ))
}

/// A colour from the empty cell's grey (`share` 0) to the bar colour (1).
fn shade(share: f64) -> RGBColor {
    let share = share.clamp(0.0, 1.0);
    let mix =
        |from: u8, to: u8| (f64::from(from) + (f64::from(to) - f64::from(from)) * share) as u8;
    RGBColor(
        mix(EMPTY_CELL.0, BAR.0),
        mix(EMPTY_CELL.1, BAR.1),
        mix(EMPTY_CELL.2, BAR.2),
    )
}

fn heatmap(root: &Area<'_>, weekdays: &[String; 7], grid: &[[u64; 24]; 7]) -> Drawn {
    let (left, top, right, bottom) = (90, 70, 24, 70);
    let cell_w = (WIDTH as i32 - left - right) / 24;
    let cell_h = (HEIGHT as i32 - top - bottom) / 7;
    let max = grid.iter().flatten().copied().max().unwrap_or(0);
    let label = font(16.0, &INK).pos(Pos::new(HPos::Right, VPos::Center));
    for (day, hours) in grid.iter().enumerate() {
        let y = top + cell_h * day as i32;
        root.draw(&Text::new(
            weekdays[day].clone(),
            (left - 10, y + cell_h / 2),
            label.clone(),
        ))?;
        for (hour, &n) in hours.iter().enumerate() {
            let x = left + cell_w * hour as i32;
            let colour = if n == 0 {
                EMPTY_CELL
            } else {
                shade(0.15 + 0.85 * n as f64 / max.max(1) as f64)
            };
            root.draw(&Rectangle::new(
                [(x + 1, y + 1), (x + cell_w - 1, y + cell_h - 1)],
                colour.filled(),
            ))?;
            if n > 0 {
                let ink = if n as f64 > max as f64 * 0.55 {
                    WHITE
                } else {
                    INK
                };
                let style = font(12.0, &RGBColor(ink.0, ink.1, ink.2))
                    .pos(Pos::new(HPos::Center, VPos::Center));
                root.draw(&Text::new(
                    n.to_string(),
                    (x + cell_w / 2, y + cell_h / 2),
                    style,
                ))?;
            }
        }
    }
    let hour_label = font(14.0, &MUTED).pos(Pos::new(HPos::Center, VPos::Top));
    for hour in (0..24).step_by(3) {
        root.draw(&Text::new(
            format!("{hour:02}:00"),
            (left + cell_w * hour, top + cell_h * 7 + 8),
            hour_label.clone(),
        ))?;
    }
    Ok(())
}

/// At most this many characters of a bar's label.
const LABEL_CHARS: usize = 30;

fn bars(root: &Area<'_>, rows: &[BarRow]) -> Drawn {
    if rows.is_empty() {
        return Ok(());
    }
    let (left, top, right, bottom) = (300, 70, 150, 30);
    let height = root.dim_in_pixel().1 as i32;
    let row_h = ((height - top - bottom) / rows.len() as i32).min(BAR_ROW as i32);
    let width = WIDTH as i32 - left - right;
    let label = font(16.0, &INK).pos(Pos::new(HPos::Right, VPos::Center));
    let value = font(16.0, &INK).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, row) in rows.iter().enumerate() {
        let y = top + row_h * i as i32;
        let middle = y + row_h / 2;
        let name: String = if row.label.chars().count() > LABEL_CHARS {
            let mut cut: String = row.label.chars().take(LABEL_CHARS - 1).collect();
            cut.push('…');
            cut
        } else {
            row.label.clone()
        };
        root.draw(&Text::new(name, (left - 12, middle), label.clone()))?;
        root.draw(&Rectangle::new(
            [(left, y + 6), (left + width, y + row_h - 6)],
            EMPTY_CELL.filled(),
        ))?;
        let share = if row.max > 0 {
            (row.value as f64 / row.max as f64).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let length = (f64::from(width) * share) as i32;
        if length > 0 {
            root.draw(&Rectangle::new(
                [(left, y + 6), (left + length, y + row_h - 6)],
                BAR.filled(),
            ))?;
        }
        root.draw(&Text::new(
            row.text.clone(),
            (left + width + 12, middle),
            value.clone(),
        ))?;
    }
    Ok(())
}

fn daily(root: &Area<'_>, days: &[(String, u64)]) -> Drawn {
    if days.is_empty() {
        return Ok(());
    }
    let (left, top, right, bottom) = (70, 80, 24, 70);
    let width = WIDTH as i32 - left - right;
    let height = HEIGHT as i32 - top - bottom;
    let max = days.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let column = width / days.len() as i32;
    let axis = font(14.0, &MUTED).pos(Pos::new(HPos::Right, VPos::Center));
    for tick in [0, max / 2, max] {
        let y = top + height - (i64::from(height) * tick as i64 / max as i64) as i32;
        root.draw(&PathElement::new(
            vec![(left, y), (left + width, y)],
            EMPTY_CELL.stroke_width(1),
        ))?;
        root.draw(&Text::new(tick.to_string(), (left - 8, y), axis.clone()))?;
    }
    let label = font(13.0, &MUTED).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, (day, n)) in days.iter().enumerate() {
        let x = left + column * i as i32;
        let y = top + height - (i64::from(height) * *n as i64 / max as i64) as i32;
        if *n > 0 {
            root.draw(&Rectangle::new(
                [(x + 2, y), (x + column - 2, top + height)],
                BAR.filled(),
            ))?;
        }
        if i % 5 == 0 || i + 1 == days.len() {
            root.draw(&Text::new(
                day.clone(),
                (x + column / 2, top + height + 8),
                label.clone(),
            ))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a PNG: width, height and RGB pixels.
    fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        pixels.truncate(info.buffer_size());
        (info.width, info.height, pixels)
    }

    /// The share of pixels that are not white, and how many colours are used.
    fn ink(pixels: &[u8]) -> (f64, usize) {
        let mut colours = std::collections::HashSet::new();
        let mut inked = 0;
        for px in pixels.chunks(3) {
            colours.insert((px[0], px[1], px[2]));
            if px != [255, 255, 255] {
                inked += 1;
            }
        }
        (inked as f64 / (pixels.len() / 3) as f64, colours.len())
    }

    fn weekdays() -> [String; 7] {
        ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"].map(str::to_owned)
    }

    fn drawn(chart: &Chart) -> (f64, usize) {
        let (w, h, pixels) = decode(&render(chart).unwrap());
        assert_eq!((w, h), (WIDTH, chart.height()));
        ink(&pixels)
    }

    #[test]
    fn a_heat_map_fills_its_grid() {
        let mut grid = [[0; 24]; 7];
        grid[0][9] = 40;
        grid[4][18] = 7;
        let (share, colours) = drawn(&Chart::Heatmap {
            title: "Просмотры по дням и часам".into(),
            weekdays: weekdays(),
            grid: Box::new(grid),
        });
        assert!(share > 0.5, "the grid covers most of it: {share}");
        assert!(colours > 10, "text, cells and shades: {colours}");
    }

    #[test]
    fn bars_and_columns_are_drawn_and_an_empty_chart_says_so() {
        let bars = Chart::Bars {
            title: "Сдали проверки".into(),
            rows: vec![
                BarRow {
                    label: "Бар".into(),
                    value: 82,
                    max: 100,
                    text: "82% из 40".into(),
                },
                BarRow {
                    label: "Кухня — очень длинное название отдела".into(),
                    value: 0,
                    max: 100,
                    text: "0% из 3".into(),
                },
            ],
        };
        let (with_bars, _) = drawn(&bars);
        let days = (1..=30).map(|d| (format!("{d:02}.11"), d % 7)).collect();
        let (with_columns, _) = drawn(&Chart::Daily {
            title: "Активность за 30 дней".into(),
            days,
        });
        let (empty, _) = drawn(&Chart::Empty {
            title: "Воронка".into(),
            note: "Пока нет данных".into(),
        });
        assert_eq!(bars.height(), 240, "two bars make a short picture");
        assert!(with_bars > 0.05, "{with_bars}");
        assert!(with_columns > 0.05, "{with_columns}");
        assert!(empty > 0.001 && empty < with_bars, "text only: {empty}");
    }

    #[test]
    fn shades_run_from_grey_to_the_bar_colour() {
        assert_eq!(shade(0.0), EMPTY_CELL);
        assert_eq!(shade(1.0), BAR);
        assert_eq!(shade(7.0), BAR, "clamped");
    }
}
