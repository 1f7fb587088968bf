//! End-to-end tests of the emulator over HTTP with reqwest.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod account_groups;
mod account_scim;
mod admin;
mod auth_and_routing;
mod behaviour;
mod faults;
mod filters;
mod flaky_reads;
mod groups;
mod helpers;
mod lists;
mod oauth;
mod patch_strictness;
mod permission_assignments;
mod quirks;
mod service_principals;
mod throttling;
mod tokens;
mod users;
