//! End-to-end tests: the real bot against fake-telegram, which fails a test on any
//! request that breaks Telegram's rules.
//!
//! Each test gets its own fake Telegram, database and state. With
//! `TEST_DATABASE_URL` and `TEST_REDIS_URL` set (CI always sets both), the tests
//! marked "production stack" also run on PostgreSQL + Redis.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod broadcast;
mod browse;
mod content;
mod cut;
mod export_jobs;
mod exports;
mod fairness;
mod faults;
mod helpers;
mod hostile;
mod learning;
mod links;
mod lookup;
mod lost_answers;
mod monitoring;
#[path = "../common/net.rs"]
mod net;
mod operator;
mod polling;
mod profile;
mod restart;
mod roles;
mod sandbox;
mod security;
mod webhook;
