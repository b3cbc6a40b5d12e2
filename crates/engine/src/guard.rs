//! The input guard: what arrives from people is normalised before anything reads it.
//!
//! Text is NFC-normalised (so `й` typed two ways compares equal) and cut to
//! Telegram's own limit; display names also lose control and bidirectional-override
//! characters, which could otherwise reorder what an admin sees in a list. Nothing
//! is escaped here: escaping happens once, on output.

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

/// A name safe to show in lists: NFC, no control, format or bidi-override
/// characters, whitespace collapsed, at most [`MAX_NAME_CHARS`].
pub fn display_name(raw: &str) -> String {
    let cleaned: String = raw.nfc().filter(|c| !is_invisible(*c)).collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    // Cut, then trim again: the cut may land right after a space.
    let cut: String = collapsed.chars().take(MAX_NAME_CHARS).collect();
    cut.trim_end().to_owned()
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

    proptest! {
        #[test]
        fn display_names_never_keep_invisible_characters(raw in "\\PC{0,300}") {
            let name = display_name(&raw);
            prop_assert!(name.chars().count() <= MAX_NAME_CHARS);
            prop_assert!(!name.chars().any(is_invisible));
            prop_assert_eq!(name.trim(), name.as_str());
        }
    }
}
