//! What a simulated person presses next.
//!
//! Two walks:
//! - [`Walk::Browse`]: page views only. Open a section, go back, open the next, go
//!   home, and so on ([`nth_button`]).
//! - [`Walk::Mix`]: the browse-and-quiz mix. Four page views (a section, back,
//!   another section, home), then one knowledge check from the list to its result,
//!   then home, and again. Each person takes each check at most once (the pack limits
//!   attempts and spaces them out), and browses only once they have taken them all.
//!
//! In a check the walker reads the screen it is on: it presses "Result" or "Next
//! question" when they are there, ticks one option and then "Answer" on a question
//! with several right options, and otherwise picks one of the options. Its picks
//! come from a small generator seeded with the person's number, so that runs repeat.

use std::time::Duration;

use anyhow::{Result, bail};
use clap::ValueEnum;

/// Which screens the people visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Walk {
    /// Page views only: sections, back, home.
    Browse,
    /// Page views and knowledge checks (about half the presses are in a check).
    Mix,
}

/// The texts of the buttons a walk presses by name (English).
#[derive(Debug, Clone)]
pub struct Labels {
    pub back: String,
    pub home: String,
    pub quizzes: String,
    pub result: String,
    pub next_question: String,
    pub submit: String,
}

impl Default for Labels {
    fn default() -> Labels {
        Labels {
            back: "⬅️ Back".to_owned(),
            home: "🏠 Main menu".to_owned(),
            quizzes: "📝 Knowledge checks".to_owned(),
            result: "📋 Result".to_owned(),
            next_question: "Next question ▶️".to_owned(),
            submit: "✅ Answer".to_owned(),
        }
    }
}

/// The buttons of the screen a person is on.
#[derive(Debug, Clone, Default)]
pub struct Screen {
    /// Every button's text.
    pub buttons: Vec<String>,
    /// The texts of the buttons that start a knowledge check (on the list of checks).
    pub checks: Vec<String>,
}

/// Page views between two checks in the mix: the length of [`nth_button`]'s round
/// from the main menu back to it.
const BROWSE_ROUND: usize = 4;
const UNTICKED: &str = "⬜";
const TICKED: &str = "☑️";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Page views; the number done in this round.
    Browsing(usize),
    /// On the home menu, about to open the list of checks.
    ToList,
    /// On the list, about to pick a check.
    Picking,
    /// Inside a check.
    Answering,
    /// On the result, about to go home.
    Leaving,
}

/// One person's walk.
#[derive(Debug, Clone)]
pub struct Walker {
    walk: Walk,
    /// The person's number in the crowd (spreads people over sections and checks).
    index: usize,
    /// Page views so far.
    views: usize,
    stage: Stage,
    /// Checks this person has started, by button text.
    taken: Vec<String>,
    rng: u64,
}

impl Walker {
    pub fn new(walk: Walk, index: usize) -> Walker {
        Walker {
            walk,
            index,
            views: 0,
            stage: Stage::Browsing(0),
            taken: Vec::new(),
            // splitmix64's increment: distinct, non-zero seeds for every index.
            rng: (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        }
    }

    /// Whether the person is inside a check: an attempt left open here would make
    /// the bot refuse their next one.
    pub fn in_check(&self) -> bool {
        self.stage == Stage::Answering
    }

    /// The person was sent to the main menu (by `/menu`): the walk goes on from there,
    /// with the next round of page views.
    pub fn back_home(&mut self) {
        self.stage = Stage::Browsing(0);
        self.views = self.views.next_multiple_of(BROWSE_ROUND);
    }

    /// A number in `0..n` (`n` > 0), from xorshift64.
    fn pick(&mut self, n: usize) -> usize {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng % n as u64) as usize
    }

    /// A pause between `min` and `max`, uniformly.
    pub fn think(&mut self, min: Duration, max: Duration) -> Duration {
        let spread = max.saturating_sub(min).as_millis();
        let span = usize::try_from(spread)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        min + Duration::from_millis(self.pick(span) as u64)
    }

    /// The button to press next, on the person's current `screen`; `sections` are
    /// the home menu's section buttons.
    pub fn next(
        &mut self,
        screen: &Screen,
        sections: &[String],
        labels: &Labels,
    ) -> Result<String> {
        let has = |label: &str| screen.buttons.iter().any(|b| b == label);
        let pressed = match self.stage {
            Stage::Browsing(done) => {
                let button = nth_button(self.views, self.index, sections, labels);
                self.views += 1;
                self.stage = match self.walk {
                    Walk::Mix if done + 1 == BROWSE_ROUND => Stage::ToList,
                    _ => Stage::Browsing((done + 1) % BROWSE_ROUND),
                };
                button.to_owned()
            }
            Stage::ToList => {
                self.stage = Stage::Picking;
                labels.quizzes.clone()
            }
            Stage::Picking => {
                let fresh: Vec<&String> = screen
                    .checks
                    .iter()
                    .filter(|b| !self.taken.iter().any(|t| same_check(t, b)))
                    .collect();
                if fresh.is_empty() {
                    // Every check taken: browse from now on.
                    self.walk = Walk::Browse;
                    self.stage = Stage::Browsing(0);
                    labels.home.clone()
                } else {
                    let choice = fresh[(self.index + self.taken.len()) % fresh.len()].clone();
                    self.taken.push(choice.clone());
                    self.stage = Stage::Answering;
                    choice
                }
            }
            Stage::Answering if has(&labels.result) => {
                self.stage = Stage::Leaving;
                labels.result.clone()
            }
            Stage::Answering if has(&labels.next_question) => labels.next_question.clone(),
            Stage::Answering if has(&labels.submit) => {
                if screen.buttons.iter().any(|b| b.starts_with(TICKED)) {
                    labels.submit.clone()
                } else {
                    let boxes: Vec<&String> = screen
                        .buttons
                        .iter()
                        .filter(|b| b.starts_with(UNTICKED))
                        .collect();
                    if boxes.is_empty() {
                        bail!("a question with several answers shows no option to tick");
                    }
                    boxes[self.pick(boxes.len())].clone()
                }
            }
            Stage::Answering => {
                let options: Vec<&String> = screen
                    .buttons
                    .iter()
                    .filter(|b| **b != labels.home && **b != labels.back)
                    .collect();
                if options.is_empty() {
                    bail!("a question shows no options: {:?}", screen.buttons);
                }
                options[self.pick(options.len())].clone()
            }
            Stage::Leaving => {
                self.stage = Stage::Browsing(0);
                labels.home.clone()
            }
        };
        Ok(pressed)
    }
}

/// Whether two buttons of the list of checks name the same check: the list marks
/// passed and required checks with a leading sign, so the title is compared.
fn same_check(a: &str, b: &str) -> bool {
    fn title(s: &str) -> &str {
        s.trim_start_matches(|c: char| !c.is_alphanumeric())
    }
    title(a) == title(b)
}

/// The button a person presses as their `step`-th page view (from 0), starting at
/// section `offset`: open a section, go back, open the next, go home, ...
pub fn nth_button<'a>(
    step: usize,
    offset: usize,
    sections: &'a [String],
    labels: &'a Labels,
) -> &'a str {
    if step.is_multiple_of(2) {
        &sections[(offset + step / 2) % sections.len()]
    } else if (step / 2).is_multiple_of(2) {
        &labels.back
    } else {
        &labels.home
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(buttons: &[&str]) -> Screen {
        Screen {
            buttons: buttons.iter().map(|b| (*b).to_owned()).collect(),
            checks: Vec::new(),
        }
    }

    /// A list of checks: `checks` start one, the other buttons do not.
    fn list(checks: &[&str], others: &[&str]) -> Screen {
        let mut screen = rows(others);
        screen.checks = checks.iter().map(|b| (*b).to_owned()).collect();
        screen.buttons.extend(screen.checks.iter().cloned());
        screen
    }

    #[test]
    fn people_alternate_between_sections_and_back_or_home() {
        let sections = ["A".to_owned(), "B".to_owned(), "C".to_owned()];
        let labels = Labels {
            back: "Back".into(),
            home: "Home".into(),
            ..Labels::default()
        };
        let walk: Vec<&str> = (0..8)
            .map(|step| nth_button(step, 0, &sections, &labels))
            .collect();
        assert_eq!(walk, ["A", "Back", "B", "Home", "C", "Back", "A", "Home"]);
        assert_eq!(nth_button(0, 4, &sections, &labels), "B");
    }

    #[test]
    fn the_mix_browses_takes_a_check_to_its_result_and_never_takes_one_twice() {
        let labels = Labels::default();
        let sections = ["Bar".to_owned(), "Kitchen".to_owned()];
        let mut w = Walker::new(Walk::Mix, 0);
        let home = rows(&["Bar", "Kitchen", &labels.quizzes]);
        for expected in ["Bar", &labels.back, "Kitchen", &labels.home] {
            assert_eq!(w.next(&home, &sections, &labels).unwrap(), expected);
        }
        assert_eq!(w.next(&home, &sections, &labels).unwrap(), labels.quizzes);
        let list = list(
            &["⭐ Check: bar", "Check: kitchen"],
            &["📊 My progress", &labels.home],
        );
        assert_eq!(w.next(&list, &sections, &labels).unwrap(), "⭐ Check: bar");
        let single = rows(&["Yes", "No", &labels.home]);
        let answer = w.next(&single, &sections, &labels).unwrap();
        assert!(answer == "Yes" || answer == "No", "{answer}");
        let feedback = rows(&[&labels.next_question, &labels.home]);
        assert_eq!(
            w.next(&feedback, &sections, &labels).unwrap(),
            labels.next_question
        );
        let several = rows(&["⬜ Salt", "⬜ Sugar", &labels.submit, &labels.home]);
        assert!(
            w.next(&several, &sections, &labels)
                .unwrap()
                .starts_with("⬜")
        );
        let ticked = rows(&["☑️ Salt", "⬜ Sugar", &labels.submit, &labels.home]);
        assert_eq!(w.next(&ticked, &sections, &labels).unwrap(), labels.submit);
        let last = rows(&[&labels.result, &labels.home]);
        assert_eq!(w.next(&last, &sections, &labels).unwrap(), labels.result);
        let result = rows(&["🔁 Try again", &labels.home]);
        assert_eq!(w.next(&result, &sections, &labels).unwrap(), labels.home);
        // The next round takes the other check, even though the list now marks the
        // first one as passed.
        for _ in 0..BROWSE_ROUND + 1 {
            w.next(&home, &sections, &labels).unwrap();
        }
        let list = super::tests::list(&["✅ Check: bar", "Check: kitchen"], &[&labels.home]);
        assert_eq!(w.next(&list, &sections, &labels).unwrap(), "Check: kitchen");
        w.next(&last, &sections, &labels).unwrap();
        w.next(&result, &sections, &labels).unwrap();
        // With both taken, the person goes home and browses from then on.
        for _ in 0..BROWSE_ROUND + 1 {
            w.next(&home, &sections, &labels).unwrap();
        }
        assert_eq!(w.next(&list, &sections, &labels).unwrap(), labels.home);
        for _ in 0..3 * BROWSE_ROUND {
            let pressed = w.next(&home, &sections, &labels).unwrap();
            assert_ne!(pressed, labels.quizzes);
        }
    }

    #[test]
    fn back_home_starts_the_next_round_of_page_views() {
        let labels = Labels::default();
        let sections = ["Bar".to_owned(), "Kitchen".to_owned()];
        let home = rows(&["Bar", "Kitchen", &labels.quizzes]);
        let mut w = Walker::new(Walk::Mix, 0);
        w.next(&home, &sections, &labels).unwrap();
        assert!(!w.in_check());
        w.back_home();
        let first = w.next(&home, &sections, &labels).unwrap();
        assert!(sections.contains(&first), "{first}");
        for _ in 0..BROWSE_ROUND {
            w.next(&home, &sections, &labels).unwrap();
        }
        let list = list(&["Check: bar"], &[&labels.home]);
        w.next(&list, &sections, &labels).unwrap();
        assert!(w.in_check());
    }

    #[test]
    fn a_question_without_options_is_an_error_not_a_guess() {
        let labels = Labels::default();
        let mut w = Walker::new(Walk::Mix, 3);
        w.stage = Stage::Answering;
        assert!(w.next(&rows(&[&labels.home]), &[], &labels).is_err());
        let several = rows(&[&labels.submit, &labels.home]);
        assert!(w.next(&several, &[], &labels).is_err());
    }

    #[test]
    fn think_times_stay_within_their_bounds_and_vary() {
        let mut w = Walker::new(Walk::Browse, 7);
        let (min, max) = (Duration::from_secs(1), Duration::from_secs(3));
        let pauses: Vec<Duration> = (0..200).map(|_| w.think(min, max)).collect();
        assert!(pauses.iter().all(|p| (min..=max).contains(p)));
        assert!(pauses.iter().any(|p| *p < Duration::from_millis(1500)));
        assert!(pauses.iter().any(|p| *p > Duration::from_millis(2500)));
    }
}
