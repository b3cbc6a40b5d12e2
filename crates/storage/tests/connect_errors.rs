//! What an operator reads when storage cannot be opened: the place, the reason,
//! what to check, and never a password.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use storage::{Backend, ConnectError, SqlStorage};

async fn connect_error(url: &str) -> ConnectError {
    match SqlStorage::connect(url).await {
        Ok(storage) => panic!("{url} connected to {}", storage.backend()),
        Err(e) => e,
    }
}

#[tokio::test]
async fn unsupported_scheme_says_what_is_supported() {
    let e = connect_error("mysql://root:hunter2@db:3306/trainbot").await;
    assert_eq!(
        e.to_string(),
        "DATABASE_URL: unsupported scheme `mysql`; use sqlite://PATH or postgres://…"
    );
    assert!(!format!("{e:?}").contains("hunter2"));

    let e = connect_error("data/trainbot.db").await;
    assert!(matches!(e, ConnectError::MissingScheme), "{e:?}");
    assert!(e.to_string().contains("sqlite://PATH"), "{e}");
}

#[tokio::test]
async fn unreachable_postgres_names_the_address_and_the_setting() {
    let e = connect_error("postgres://postgres@127.0.0.1:1/x").await;
    assert!(
        matches!(e, ConnectError::PostgresUnreachable { .. }),
        "{e:?}"
    );
    let message = e.to_string();
    assert!(
        message.starts_with("cannot reach PostgreSQL at 127.0.0.1:1: "),
        "{message}"
    );
    assert!(message.contains("DATABASE_URL"), "{message}");
    assert!(message.contains("is it running?"), "{message}");
}

#[tokio::test]
async fn passwords_never_appear_in_errors() {
    let password = "s3cr3t-Pa55";
    for url in [
        format!("postgres://trainbot:{password}@127.0.0.1:1/trainbot"),
        format!("postgresql://trainbot:{password}@127.0.0.1:1/trainbot?sslmode=disable"),
        // Not even when the URL itself is broken.
        format!("postgres://trainbot:{password}@127.0.0.1:notaport/trainbot"),
        format!("postgres://trainbot:{password}@[::1/trainbot"),
    ] {
        let e = connect_error(&url).await;
        assert!(!e.to_string().contains(password), "{e}");
        assert!(!format!("{e:?}").contains(password), "{e:?}");
        assert!(!e.to_string().contains("trainbot:"), "no userinfo: {e}");
    }
    let e = connect_error(&format!(
        "postgres://trainbot:{password}@127.0.0.1:notaport/x"
    ))
    .await;
    assert!(
        matches!(
            e,
            ConnectError::InvalidUrl {
                backend: Backend::Postgres,
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn sqlite_in_an_uncreatable_directory_says_where_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, "x").unwrap();
    let path = file.join("sub").join("trainbot.db");

    let e = connect_error(&format!("sqlite://{}", path.display())).await;
    assert!(matches!(e, ConnectError::SqliteOpen { .. }), "{e:?}");
    let message = e.to_string();
    assert!(
        message.starts_with(&format!(
            "cannot open SQLite database at {}: ",
            path.display()
        )),
        "{message}"
    );
    assert!(message.contains("cannot create directory"), "{message}");
}

#[tokio::test]
async fn sqlite_file_that_is_not_a_database_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    let url = format!("sqlite://{}", path.display());
    // SQLite opens lazily; the failure shows at connect (WAL pragma) or migrate.
    let failure = match SqlStorage::connect(&url).await {
        Err(e) => e.to_string(),
        Ok(storage) => storage.migrate().await.unwrap_err().to_string(),
    };
    assert!(failure.contains("not a database"), "{failure}");
}

#[test]
fn backends_display_as_their_config_names() {
    assert_eq!(Backend::Sqlite.to_string(), "sqlite");
    assert_eq!(Backend::Postgres.to_string(), "postgres");
}

#[tokio::test]
async fn postgres_refusal_names_the_server_and_what_to_check() {
    let Some(base) = storage::testing::postgres_url("postgres_refusal_names_the_server") else {
        return;
    };
    let Some((server, _database)) = base.rsplit_once('/') else {
        panic!("{base} has no database part");
    };
    let e = connect_error(&format!("{server}/trainbot_no_such_database")).await;
    assert!(matches!(e, ConnectError::PostgresRefused { .. }), "{e:?}");
    let message = e.to_string();
    assert!(message.contains("refused the connection"), "{message}");
    assert!(
        message.contains("\"trainbot_no_such_database\" does not exist"),
        "{message}"
    );
    assert!(
        message.ends_with("database name in DATABASE_URL)"),
        "{message}"
    );
}
