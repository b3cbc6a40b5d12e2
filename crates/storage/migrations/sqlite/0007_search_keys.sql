-- The admin panel's people search: each person's names folded in Rust (lower-case,
-- NFC) by `engine::ports::search_key`, because SQLite's LOWER and LIKE fold only
-- ASCII. NULL until written: `touch_user` sets it, and the storage fills it for
-- everyone already known right after migrating.

ALTER TABLE users ADD COLUMN search_key TEXT;
