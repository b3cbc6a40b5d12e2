//! The callback-data codec ([`domain::callback`]).

use domain::callback::{Callback, DecodeError, MAX_BYTES};

/// Any string decodes without panicking. Whatever decodes encodes (version 2)
/// within Telegram's 64 bytes and decodes back to the same value; version-2
/// data that decodes is exactly what [`Callback::encode`] writes for that value
/// (one encoding per value).
pub fn callback(data: &[u8]) {
    // Telegram hands over `callback_data` as a string: valid UTF-8 only. Bytes that
    // are not are read the lossy way, so the fuzzer's mutations still count.
    let raw = String::from_utf8_lossy(data);
    let decoded = Callback::decode(&raw);
    if raw.is_empty() || raw.len() > MAX_BYTES {
        assert_eq!(decoded, Err(DecodeError::Length), "{raw:?}");
    }
    let Ok(cb) = decoded else {
        return;
    };
    let encoded = cb.encode();
    if raw.starts_with('2') {
        assert_eq!(
            encoded, raw,
            "{cb:?} decoded from {raw:?} encodes differently"
        );
    }
    assert!(
        !encoded.is_empty() && encoded.len() <= MAX_BYTES,
        "{cb:?} encodes to {} bytes",
        encoded.len()
    );
    assert_eq!(Callback::decode(&encoded), Ok(cb));
}
