//! HTTP-level tests of the whole API, in one test binary: `cargo test --test api`.
//!
//! Every test starts its own application on a fresh database. `SPORTELLO_TEST_BACKEND=postgres` runs them
//! on PostgreSQL (`SPORTELLO_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`) instead of
//! SQLite; `TEST_LOG=1` shows the application's log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod activations;
mod appointments;
mod assessments;
mod audit;
mod auth;
mod authz_matrix;
mod care;
mod cases;
mod contacts;
mod conventions;
mod courses;
mod demo;
mod desks;
mod directory;
mod documents;
mod duplicates;
mod export;
mod family_members;
mod input_abuse;
mod interventions;
mod logs;
mod network;
mod operations;
mod organizations;
mod plans;
mod professionals;
mod referrals;
mod stats;
mod sync;
mod token_attacks;
mod transfers;
mod two_nodes;
mod users;
mod webhooks;
