//! Integration tests: each function's handler receives real API Gateway events (REST v1 and
//! HTTP API v2) and talks to the Databricks emulator on loopback, in its default mode and in
//! `--seed-quirks` mode. Each test checks the SCIM answer and the emulator's state or counts.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod account;
mod calls;
mod clients;
mod concurrency;
mod discovery;
mod errors;
mod evidence;
mod fidelity;
mod groups;
mod hostile;
mod layout;
mod limits;
mod oauth;
mod operations;
mod partners;
mod search;
mod secrets;
mod service_principals;
mod throttling;
mod users;
