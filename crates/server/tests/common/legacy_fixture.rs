//! A small database of the old Python bot, made from the DDL in the import's
//! documentation: Cyrillic and Latin names, a blocked person with a reason, a
//! 64-bit Telegram id (SQLite only: the old PostgreSQL column is 32-bit), a
//! person with NULL wherever the schema allows, personal data that must never be
//! imported, and activity of every kind the old bot wrote.

#![allow(dead_code)]

/// The old schema as SQLAlchemy created it on SQLite; on PostgreSQL `DATETIME`
/// is `TIMESTAMP` (see [`ddl`]).
const DDL: &[&str] = &[
    "CREATE TABLE users (
        id INTEGER NOT NULL PRIMARY KEY,
        telegram_id INTEGER NOT NULL UNIQUE,
        username VARCHAR(255),
        first_name VARCHAR(255),
        last_name VARCHAR(255),
        language_code VARCHAR(10),
        department VARCHAR(50),
        role VARCHAR(50) NOT NULL,
        phone VARCHAR(20),
        email VARCHAR(255),
        position VARCHAR(255),
        park_location VARCHAR(100),
        is_blocked BOOLEAN NOT NULL,
        is_active BOOLEAN NOT NULL,
        block_reason TEXT,
        registration_date DATETIME NOT NULL,
        last_activity DATETIME NOT NULL,
        messages_count INTEGER NOT NULL,
        commands_count INTEGER NOT NULL
    )",
    "CREATE TABLE user_activity (
        id INTEGER NOT NULL PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        action VARCHAR(100) NOT NULL,
        section VARCHAR(100),
        subsection VARCHAR(100),
        details JSON,
        callback_data VARCHAR(255),
        message_text TEXT,
        \"timestamp\" DATETIME NOT NULL
    )",
];

pub fn ddl(postgres: bool) -> Vec<String> {
    DDL.iter()
        .map(|s| {
            if postgres {
                s.replace("DATETIME", "TIMESTAMP")
            } else {
                (*s).to_owned()
            }
        })
        .collect()
}

/// The Telegram id above 2^32.
pub const BIG_ID: i64 = 5_000_000_001;
pub const IVAN: i64 = 100_001;
pub const NULLS: i64 = 100_003;
/// Already in trainbot before the import (the test creates her there).
pub const MARIA: i64 = 100_004;
pub const PHONE: &str = "+7 999 123-45-67";
pub const TYPED: &str = "my secret typed text";

const PEOPLE: &[&str] = &[
    "INSERT INTO users VALUES (1, 100001, 'ivan_p', 'Иван', 'Петров', 'ru', 'SPORT', 'USER', \
     '+7 999 123-45-67', 'ivan@example.com', 'Инструктор батута', 'зеленопарк', FALSE, TRUE, NULL, \
     '2025-03-01 09:15:00.123456', '2026-11-30 18:00:01.000001', 12, 3)",
    "INSERT INTO users VALUES (2, 5000000001, 'john', 'John', 'Smith', 'en-GB', 'ADMIN', 'ADMIN', \
     NULL, NULL, NULL, 'Moon Park', TRUE, TRUE, 'Нарушение правил', \
     '2025-04-02 10:00:00', '2025-05-01 11:00:00', 1, 1)",
    "INSERT INTO users VALUES (3, 100003, NULL, NULL, NULL, NULL, NULL, 'USER', \
     NULL, NULL, NULL, NULL, FALSE, TRUE, NULL, \
     '2025-06-01 00:00:00', '2025-06-01 00:00:00', 0, 0)",
    "INSERT INTO users VALUES (4, 100004, 'maria', 'Мария', 'Иванова', 'ru', 'SALES', 'USER', \
     NULL, 'maria@example.com', 'Кассир', 'Columbus', FALSE, TRUE, NULL, \
     '2024-01-01 08:00:00', '2024-02-01 08:00:00', 5, 5)",
    "INSERT INTO users VALUES (5, 0, 'nobody', 'Zero', NULL, 'ru', NULL, 'USER', \
     NULL, NULL, NULL, NULL, FALSE, TRUE, NULL, \
     '2025-01-01 00:00:00', '2025-01-01 00:00:00', 0, 0)",
];

const ACTIVITY: &[&str] = &[
    // Imported: certain sections.
    "INSERT INTO user_activity VALUES (1, 1, 'callback', 'sport', NULL, 'null', 'sport', NULL, '2026-11-30 17:00:00.654321')",
    "INSERT INTO user_activity VALUES (2, 1, 'callback', 'general_info', 'rules', '{\"a\": 1}', 'general_info:rules', NULL, '2026-11-30 17:01:00')",
    "INSERT INTO user_activity VALUES (3, 2, 'callback', 'sales', NULL, NULL, 'sales', NULL, '2025-04-02 10:05:00')",
    // Skipped, each for its reason.
    "INSERT INTO user_activity VALUES (4, 1, 'message', '/start', NULL, NULL, NULL, '/start', '2026-11-30 16:59:00')",
    "INSERT INTO user_activity VALUES (5, 1, 'message', NULL, NULL, NULL, NULL, 'my secret typed text', '2026-11-30 16:59:30')",
    "INSERT INTO user_activity VALUES (6, 1, 'callback', 'main', NULL, NULL, 'main', NULL, '2026-11-30 17:02:00')",
    "INSERT INTO user_activity VALUES (7, 1, 'callback', 'back', NULL, NULL, 'back', NULL, '2026-11-30 17:03:00')",
    "INSERT INTO user_activity VALUES (8, 2, 'callback', 'admin', 'stats', NULL, 'admin:stats', NULL, '2025-04-02 10:06:00')",
    "INSERT INTO user_activity VALUES (9, 1, 'callback', 'quiz_start', NULL, NULL, 'quiz_start:1', NULL, '2026-11-30 17:04:00')",
    "INSERT INTO user_activity VALUES (10, 5, 'callback', 'sport', NULL, NULL, 'sport', NULL, '2025-01-01 00:01:00')",
];

/// The old rows, with the 64-bit person and their activity left out on
/// PostgreSQL (its `telegram_id` is 32-bit).
pub fn rows(postgres: bool) -> Vec<&'static str> {
    PEOPLE
        .iter()
        .chain(ACTIVITY)
        .copied()
        .filter(|s| {
            !postgres
                || !(s.contains("5000000001")
                    || s.starts_with("INSERT INTO user_activity VALUES (3, 2")
                    || s.starts_with("INSERT INTO user_activity VALUES (8, 2"))
        })
        .collect()
}

/// Creates the old database as a SQLite file at `path`.
pub async fn sqlite_file(path: &std::path::Path) {
    use sqlx::Connection;
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for statement in ddl(false) {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    for statement in rows(false) {
        sqlx::query(statement).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();
}
