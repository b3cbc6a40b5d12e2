//! Where everything goes on the page: an A4 landscape sheet with a double frame,
//! the title, the name, the detail lines, a table of quiz results and the
//! verification code at the bottom.
//!
//! The layout is tried at shrinking scales until it fits inside the frame. If even
//! the smallest scale is too tall, trailing quiz rows (then detail lines) are
//! replaced by a "… +N" row. Every line is measured and wrapped or cut to the
//! frame's width, so nothing runs off the page; the PDF also clips to the frame.

use crate::CertificateText;
use crate::font::Font;

/// A4 landscape, in points.
pub(crate) const PAGE_WIDTH: f32 = 841.89;
pub(crate) const PAGE_HEIGHT: f32 = 595.28;

/// The frame lines' insets from the page edge.
pub(crate) const OUTER_FRAME: f32 = 22.0;
pub(crate) const INNER_FRAME: f32 = 30.0;

/// The text area inside the frame.
pub(crate) const LEFT: f32 = 70.0;
pub(crate) const RIGHT: f32 = PAGE_WIDTH - 70.0;
pub(crate) const TOP: f32 = PAGE_HEIGHT - 58.0;
pub(crate) const BOTTOM: f32 = 48.0;
const CENTER: f32 = PAGE_WIDTH / 2.0;
const WIDTH: f32 = RIGHT - LEFT;

/// Scales tried in turn; the last one is the smallest text we set.
const SCALES: &[f32] = &[1.0, 0.92, 0.84, 0.76, 0.68, 0.6];

/// Caps on the input, so that absurd input costs little: more is cut or counted as hidden.
const MAX_CHARS: usize = 300;
const MAX_LINES: usize = 40;
const MAX_QUIZZES: usize = 120;

/// More quiz rows than this are set in two columns.
const ONE_COLUMN_ROWS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgb(pub(crate) f32, pub(crate) f32, pub(crate) f32);

pub(crate) const NAVY: Rgb = Rgb(0.11, 0.22, 0.37);
pub(crate) const GOLD: Rgb = Rgb(0.72, 0.57, 0.24);
const INK: Rgb = Rgb(0.2, 0.2, 0.22);
const GREY: Rgb = Rgb(0.45, 0.45, 0.48);
const RULE: Rgb = Rgb(0.8, 0.8, 0.82);

/// One drawing operation, in page coordinates (points, origin bottom left).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// `text` with its baseline starting at (`x`, `y`).
    Text {
        x: f32,
        y: f32,
        size: f32,
        color: Rgb,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Rgb,
    },
}

impl Op {
    fn shift_down(&mut self, dy: f32) {
        match self {
            Op::Text { y, .. } => *y -= dy,
            Op::Line { y1, y2, .. } => {
                *y1 -= dy;
                *y2 -= dy;
            }
        }
    }
}

/// The page's drawing operations for `text` (the frame is drawn by the PDF writer).
pub(crate) fn layout(font: &Font<'_>, text: &CertificateText) -> Vec<Op> {
    let input = Input::new(text);
    let all = (input.lines.len(), input.quizzes.len());
    for &scale in SCALES {
        if let Some(ops) = attempt(font, &input, scale, all.0, all.1) {
            return ops;
        }
    }
    let smallest = SCALES.last().copied().unwrap_or(0.6);
    // Fewer rows never need more room, so search for the most that fit.
    if let Some(ops) = most_that_fit(all.1, |q| attempt(font, &input, smallest, all.0, q)) {
        return ops;
    }
    if let Some(ops) = most_that_fit(all.0, |l| attempt(font, &input, smallest, l, 0)) {
        return ops;
    }
    // Nothing fits (a font with huge glyphs?): draw the smallest layout; the PDF clips it.
    let mut page = Page::new(font, smallest);
    page.top_stack(&input, 0, 0);
    page.ops
}

/// The layout for the largest `n` below `all` that fits, assuming that fewer always
/// fit if more do; `None` if not even zero fits.
fn most_that_fit(all: usize, attempt: impl Fn(usize) -> Option<Vec<Op>>) -> Option<Vec<Op>> {
    let mut best = attempt(0)?;
    let (mut good, mut bad) = (0, all);
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        match attempt(mid) {
            Some(ops) => {
                best = ops;
                good = mid;
            }
            None => bad = mid,
        }
    }
    Some(best)
}

/// The certificate text, cleaned and capped.
struct Input {
    title: String,
    name: String,
    lines: Vec<String>,
    hidden_lines: usize,
    quizzes: Vec<(String, String)>,
    hidden_quizzes: usize,
    code_label: String,
    code: String,
}

impl Input {
    fn new(text: &CertificateText) -> Input {
        let lines: Vec<String> = text
            .lines
            .iter()
            .map(|l| clean(l))
            .filter(|l| !l.is_empty())
            .collect();
        let quizzes: Vec<(String, String)> = text
            .quizzes
            .iter()
            .map(|(q, s)| (clean(q), clean(s)))
            .collect();
        Input {
            title: clean(&text.title),
            name: clean(&text.full_name),
            hidden_lines: lines.len().saturating_sub(MAX_LINES),
            lines: lines.into_iter().take(MAX_LINES).collect(),
            hidden_quizzes: quizzes.len().saturating_sub(MAX_QUIZZES),
            quizzes: quizzes.into_iter().take(MAX_QUIZZES).collect(),
            code_label: clean(&text.code_label),
            code: clean(&text.code),
        }
    }
}

/// Control characters to spaces, runs of white space to one, at most [`MAX_CHARS`] characters.
fn clean(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.chars().count() > MAX_CHARS {
        out = out.chars().take(MAX_CHARS).collect();
    }
    out
}

/// Lays the page out at `scale` with the first `lines` detail lines and `quizzes`
/// quiz rows; `None` if that does not fit.
fn attempt(
    font: &Font<'_>,
    input: &Input,
    scale: f32,
    lines: usize,
    quizzes: usize,
) -> Option<Vec<Op>> {
    let mut bottom = Page::new(font, scale);
    let bottom_top = bottom.code_block(input);
    let mut page = Page::new(font, scale);
    page.top_stack(input, lines, quizzes);
    let limit = bottom_top + 18.0 * scale;
    if page.cursor < limit {
        return None;
    }
    // Spare room: move the stack down a little so it does not hug the title.
    let spare = page.cursor - limit;
    let dy = (spare * 0.3).min(48.0);
    for op in &mut page.ops {
        op.shift_down(dy);
    }
    page.ops.extend(bottom.ops);
    Some(page.ops)
}

/// Operations being laid out, with a cursor moving down from the top of the text area.
struct Page<'f, 'a> {
    font: &'f Font<'a>,
    scale: f32,
    cursor: f32,
    ops: Vec<Op>,
}

impl<'f, 'a> Page<'f, 'a> {
    fn new(font: &'f Font<'a>, scale: f32) -> Self {
        Page {
            font,
            scale,
            cursor: TOP,
            ops: Vec::new(),
        }
    }

    /// Title, ornament, name, rule, detail lines and the quiz table.
    fn top_stack(&mut self, input: &Input, lines: usize, quizzes: usize) {
        let s = self.scale;
        for line in self.font.wrap(&input.title, 34.0 * s, WIDTH, 2) {
            self.centered(&line, 34.0 * s, NAVY);
        }
        self.cursor -= 4.0 * s;
        self.ops.push(Op::Line {
            x1: CENTER - 50.0,
            y1: self.cursor,
            x2: CENTER + 50.0,
            y2: self.cursor,
            width: 1.5,
            color: GOLD,
        });
        self.cursor -= 22.0 * s;

        let name_lines = self.name_lines(&input.name);
        let widest = name_lines
            .iter()
            .map(|(l, size)| self.font.width(l, *size))
            .fold(0.0, f32::max);
        for (line, size) in &name_lines {
            self.centered(line, *size, INK);
        }
        let half = ((widest + 80.0) / 2.0).clamp(120.0, WIDTH / 2.0);
        self.cursor -= 2.0 * s;
        self.ops.push(Op::Line {
            x1: CENTER - half,
            y1: self.cursor,
            x2: CENTER + half,
            y2: self.cursor,
            width: 0.8,
            color: GOLD,
        });
        self.cursor -= 18.0 * s;

        for line in input.lines.iter().take(lines) {
            for part in self.font.wrap(line, 14.0 * s, WIDTH, 2) {
                self.centered(&part, 14.0 * s, INK);
            }
        }
        let hidden = input.hidden_lines + input.lines.len().saturating_sub(lines);
        if hidden > 0 {
            self.centered(&format!("… +{hidden}"), 14.0 * s, GREY);
        }
        self.cursor -= 12.0 * s;

        self.table(input, quizzes);
    }

    /// The name: one line, shrunk from 30 to 18 points (scaled) if need be; else wrapped.
    fn name_lines(&self, name: &str) -> Vec<(String, f32)> {
        let s = self.scale;
        let mut size = 30.0 * s;
        while size >= 18.0 * s {
            if self.font.width(name, size) <= WIDTH {
                return if name.is_empty() {
                    Vec::new()
                } else {
                    vec![(name.to_owned(), size)]
                };
            }
            size -= 2.0 * s;
        }
        let size = 18.0 * s;
        self.font
            .wrap(name, size, WIDTH, 3)
            .into_iter()
            .map(|l| (l, size))
            .collect()
    }

    /// The quiz results: title on the left (up to two lines), score on the right.
    fn table(&mut self, input: &Input, quizzes: usize) {
        let s = self.scale;
        let hidden = input.hidden_quizzes + input.quizzes.len().saturating_sub(quizzes);
        let mut rows: Vec<(String, String, Rgb)> = input
            .quizzes
            .iter()
            .take(quizzes)
            .map(|(q, r)| (q.clone(), r.clone(), INK))
            .collect();
        if hidden > 0 {
            rows.push((format!("… +{hidden}"), String::new(), GREY));
        }
        if rows.is_empty() {
            return;
        }
        let columns = if rows.len() > ONE_COLUMN_ROWS { 2 } else { 1 };
        let gap = 28.0 * s;
        let table_width = if columns == 2 {
            WIDTH
        } else {
            WIDTH.min(540.0)
        };
        let column_width = (table_width - gap * (columns - 1) as f32) / columns as f32;
        let top = self.cursor;
        let mut lowest = top;
        for (i, chunk) in rows.chunks(rows.len().div_ceil(columns).max(1)).enumerate() {
            self.cursor = top;
            let x0 = CENTER - table_width / 2.0 + i as f32 * (column_width + gap);
            self.table_column(chunk, x0, x0 + column_width);
            lowest = lowest.min(self.cursor);
        }
        self.cursor = lowest;
    }

    /// One column of the quiz table between `x0` and `x1`.
    fn table_column(&mut self, rows: &[(String, String, Rgb)], x0: f32, x1: f32) {
        let s = self.scale;
        let size = 12.0 * s;
        let scores: Vec<String> = rows
            .iter()
            .map(|(_, r, _)| self.font.fit_line(r, size, (x1 - x0) * 0.3))
            .collect();
        let score_width = scores
            .iter()
            .map(|r| self.font.width(r, size))
            .fold(0.0, f32::max);
        let title_width = x1 - x0 - score_width - 16.0 * s;
        let pad = 5.0 * s;

        self.rule(x0, x1);
        for ((title, _, color), score) in rows.iter().zip(&scores) {
            self.cursor -= pad;
            let mut first = true;
            let mut parts = self.font.wrap(title, size, title_width, 2);
            if parts.is_empty() {
                parts.push(String::new());
            }
            for part in parts {
                let y = self.cursor - size;
                self.text(x0 + 4.0 * s, y, size, *color, part);
                if first {
                    let w = self.font.width(score, size);
                    self.text(x1 - 4.0 * s - w, y, size, NAVY, score.clone());
                    first = false;
                }
                self.cursor -= size * 1.3;
            }
            self.cursor -= pad;
            self.rule(x0, x1);
        }
    }

    /// The verification code block at the bottom; returns its top.
    fn code_block(&mut self, input: &Input) -> f32 {
        let s = self.scale;
        let code_size = 16.0 * s;
        let label_size = 10.0 * s;
        let code = self.font.fit_line(&input.code, code_size, WIDTH);
        let label = self.font.fit_line(&input.code_label, label_size, WIDTH);
        let code_y = BOTTOM + 4.0;
        let label_y = code_y + code_size * 1.25;
        if !label.is_empty() {
            let w = self.font.width(&label, label_size);
            self.text(CENTER - w / 2.0, label_y, label_size, GREY, label);
        }
        if !code.is_empty() {
            let w = self.font.width(&code, code_size);
            self.text(CENTER - w / 2.0, code_y, code_size, NAVY, code);
        }
        label_y + label_size * 1.2
    }

    /// One centred line at the cursor; moves the cursor down.
    fn centered(&mut self, line: &str, size: f32, color: Rgb) {
        let w = self.font.width(line, size);
        let y = self.cursor - size;
        self.text(CENTER - w / 2.0, y, size, color, line.to_owned());
        self.cursor -= size * 1.3;
    }

    fn text(&mut self, x: f32, y: f32, size: f32, color: Rgb, text: String) {
        if !text.is_empty() {
            self.ops.push(Op::Text {
                x,
                y,
                size,
                color,
                text,
            });
        }
    }

    fn rule(&mut self, x0: f32, x1: f32) {
        self.ops.push(Op::Line {
            x1: x0,
            y1: self.cursor,
            x2: x1,
            y2: self.cursor,
            width: 0.5,
            color: RULE,
        });
    }
}
