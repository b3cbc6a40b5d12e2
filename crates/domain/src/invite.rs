//! Invite codes: the secret part of an invite link (`https://t.me/<bot>?start=<code>`).
//!
//! Telegram passes at most 64 characters of `A-Z a-z 0-9 _ -` as a deep link's
//! start parameter, so a code is exactly that alphabet. A new code is 22 characters
//! drawn from 64 symbols: 132 random bits, beyond guessing. Anything a person
//! types after `/start` is checked here before it reaches storage.

/// The alphabet of a start parameter: 64 symbols, so one byte's low six bits pick one.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/// A valid invite code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InviteCode(String);

impl InviteCode {
    /// Length of a new code.
    pub const LENGTH: usize = 22;
    /// Shortest code accepted (codes are never made shorter than this).
    pub const MIN: usize = 16;
    /// Telegram's limit on a start parameter.
    pub const MAX: usize = 64;

    /// A new code from random bytes (the caller supplies the randomness, so that
    /// this crate stays free of I/O).
    pub fn from_random(bytes: [u8; InviteCode::LENGTH]) -> InviteCode {
        InviteCode(
            bytes
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(b & 63)]))
                .collect(),
        )
    }

    /// A code typed or passed after `/start`; `None` unless it could be one of ours.
    pub fn parse(raw: &str) -> Option<InviteCode> {
        let ok = (InviteCode::MIN..=InviteCode::MAX).contains(&raw.len())
            && raw.bytes().all(|b| ALPHABET.contains(&b));
        ok.then(|| InviteCode(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for InviteCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn new_codes_are_valid_start_parameters(bytes in any::<[u8; InviteCode::LENGTH]>()) {
            let code = InviteCode::from_random(bytes);
            prop_assert_eq!(code.as_str().len(), InviteCode::LENGTH);
            prop_assert_eq!(InviteCode::parse(code.as_str()), Some(code.clone()));
        }

        #[test]
        fn parse_never_panics_and_accepts_only_the_alphabet(raw in ".{0,80}") {
            if let Some(code) = InviteCode::parse(&raw) {
                prop_assert!(code.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
                prop_assert!((16..=64).contains(&code.as_str().len()));
            }
        }
    }

    #[test]
    fn a_code_displays_as_its_start_parameter() {
        let code = InviteCode::from_random([7; InviteCode::LENGTH]);
        assert_eq!(code.to_string(), code.as_str());
        assert_eq!(
            format!("https://t.me/bot?start={code}").len(),
            23 + InviteCode::LENGTH
        );
    }

    #[test]
    fn forged_codes_are_refused() {
        for raw in [
            "",
            "short",
            "abcdefghijklmno",
            "' OR '1'='1'; DROP TABLE invites; --",
            "abcdefghijklmnopq rst",
            "abcdefghijklmnop<b>",
            "абвгдеёжзийклмнопрст",
            "abcdefghijklmnop\u{202E}",
            &"a".repeat(65),
            "abcdefghijklmnop%00",
        ] {
            assert_eq!(InviteCode::parse(raw), None, "{raw:?}");
        }
        assert!(InviteCode::parse("abcdefghijklmnop").is_some());
        assert!(InviteCode::parse(&"Z9_-".repeat(16)).is_some());
        // Different bytes, different codes: all 64 symbols are reachable.
        let all: Vec<u8> = (0..22).collect();
        let code = InviteCode::from_random(all.try_into().unwrap());
        assert_eq!(code.as_str(), "ABCDEFGHIJKLMNOPQRSTUV");
        assert_eq!(InviteCode::from_random([63; 22]).as_str(), "-".repeat(22));
    }
}
