//! What several operations share, by what it does.

pub mod account_group;
pub mod answer;
pub mod assignment;
pub mod input;
pub mod listing;
pub mod read;
pub mod write;
