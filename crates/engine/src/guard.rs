//! The input guard: what arrives from people is normalised before anything reads it.
//!
//! Text is NFC-normalised (so `й` typed two ways compares equal) and cut to
//! Telegram's own limit; display names, and typed one-line values shown beside them
//! (a position), also lose control and bidirectional-override characters, which
//! could otherwise reorder what an admin sees in a list. Nothing is escaped here:
//! escaping happens once, on output.

use unicode_normalization::UnicodeNormalization;

use crate::inbound::{Inbound, Input};
use crate::ports::UserProfile;

/// Longest text kept from a message (Telegram's own limit).
pub const MAX_TEXT_CHARS: usize = 4096;
/// Longest display name kept.
pub const MAX_NAME_CHARS: usize = 128;

/// Normalises an inbound update in place.
pub fn normalise(inbound: &mut Inbound) {
    if let Some(profile) = inbound.from.as_mut() {
        normalise_profile(profile);
    }
    match &mut inbound.input {
        Input::Text(text) => *text = normalise_text(text, MAX_TEXT_CHARS),
        Input::Command { name, args } => {
            *name = name.to_lowercase();
            *args = normalise_text(args, MAX_TEXT_CHARS);
        }
        _ => {}
    }
}

fn normalise_profile(p: &mut UserProfile) {
    p.first_name = display_name(&p.first_name);
    p.last_name = p
        .last_name
        .as_deref()
        .map(display_name)
        .filter(|s| !s.is_empty());
    p.username = p
        .username
        .as_deref()
        .map(display_name)
        .filter(|s| !s.is_empty());
}

/// NFC, capped at `max` characters.
pub fn normalise_text(text: &str, max: usize) -> String {
    text.nfc().take(max).collect()
}

/// A name safe to show in lists: [`one_line`], at most [`MAX_NAME_CHARS`].
pub fn display_name(raw: &str) -> String {
    // Cut, then trim again: the cut may land right after a space.
    let cut: String = one_line(raw).chars().take(MAX_NAME_CHARS).collect();
    cut.trim_end().to_owned()
}

/// A typed value safe to show on one line of a list or a card: NFC, no control,
/// format or bidi-override characters, whitespace collapsed, not cut (the caller
/// refuses what is too long, so the person sees the limit).
pub fn one_line(raw: &str) -> String {
    // Remove first, then compose: a removed joiner may have kept two characters apart.
    let cleaned: String = raw.chars().filter(|c| !is_invisible(*c)).nfc().collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM, RLM
            | '\u{202A}'..='\u{202E}' // embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // isolates
            | '\u{FEFF}' // BOM
            | '\u{061C}' // Arabic letter mark
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_lose_bidi_overrides_and_control_characters() {
        assert_eq!(display_name("Ann\u{202E}gpj.exe"), "Anngpj.exe");
        assert_eq!(display_name("  Bob\u{200B}\n  Smith\t"), "Bob Smith");
        assert_eq!(display_name("\u{0000}\u{0007}"), "");
        assert_eq!(display_name("Ёжик <b>"), "Ёжик <b>");
    }

    #[test]
    fn text_is_nfc_normalised_and_capped() {
        let decomposed = "и\u{0306}"; // и + combining breve
        assert_eq!(normalise_text(decomposed, 10), "й");
        assert_eq!(
            normalise_text(&"я".repeat(5000), MAX_TEXT_CHARS)
                .chars()
                .count(),
            MAX_TEXT_CHARS
        );
    }

    #[test]
    fn one_line_values_lose_the_same_characters_and_keep_their_length() {
        assert_eq!(
            one_line("\u{202E}бармен\u{200B} \n старший"),
            "бармен старший"
        );
        assert_eq!(one_line(&"д".repeat(200)).chars().count(), 200);
    }

    proptest! {
        #[test]
        fn one_line_values_never_keep_invisible_characters(
            // Printable text mixed with what must go (`\PC` alone has none of it).
            raw in "(\\PC|[\\x00-\\x1F\\x7F\u{061C}\u{200B}-\u{200F}\u{202A}-\u{202E}\u{2060}-\u{2064}\u{2066}-\u{2069}\u{FEFF} ]){0,300}"
        ) {
            let value = one_line(&raw);
            prop_assert!(!value.chars().any(is_invisible));
            prop_assert!(!value.contains("  "));
            prop_assert_eq!(value.trim(), value.as_str());
            prop_assert_eq!(one_line(&value), value.clone(), "cleaning twice changes nothing");
        }

        #[test]
        fn display_names_never_keep_invisible_characters(raw in "\\PC{0,300}") {
            let name = display_name(&raw);
            prop_assert!(name.chars().count() <= MAX_NAME_CHARS);
            prop_assert!(!name.chars().any(is_invisible));
            prop_assert_eq!(name.trim(), name.as_str());
        }
    }
}
