//! The behaviour switches: where the public evidence about the real API is unsure, the emulator
//! defaults to the strictest variant and lets tests pick another. They start from [`Config`],
//! are read with `GET /_emulator/behaviour` and changed with `POST /_emulator/behaviour` (any
//! subset of the keys below); `POST /_emulator/reset` returns to the startup [`Config`].
//!
//! JSON keys: `write_answers` (`"empty"` | `"no-content"` | `"resource"`), `create_status`
//! (`201` | `200`), `cloud` (`"aws"` | `"azure"` | `"gcp"`), `lenient_removal`,
//! `value_filter_or`, `flaky_reads` (N, `0` off), `sp_rename_ignored`, `sp_rename_add_ignored`,
//! `account_group_refusal` (`400` | `500`).

use serde::{Deserialize, Serialize};

use crate::{Cloud, Config, WriteAnswers};

/// The switches in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Behaviour {
    pub(crate) write_answers: WriteAnswers,
    pub(crate) create_status: u16,
    pub(crate) cloud: Cloud,
    pub(crate) lenient_removal: bool,
    pub(crate) value_filter_or: bool,
    pub(crate) flaky_reads: u32,
    pub(crate) sp_rename_ignored: bool,
    pub(crate) sp_rename_add_ignored: bool,
    pub(crate) account_group_refusal: u16,
}

impl Behaviour {
    pub(crate) fn from_config(config: &Config) -> Self {
        Behaviour {
            write_answers: config.write_answers,
            create_status: config.create_status,
            cloud: config.cloud,
            lenient_removal: config.lenient_removal,
            value_filter_or: config.value_filter_or,
            flaky_reads: config.flaky_reads,
            sp_rename_ignored: config.sp_rename_ignored,
            sp_rename_add_ignored: config.sp_rename_add_ignored,
            account_group_refusal: config.account_group_refusal,
        }
    }

    /// Applies a `POST /_emulator/behaviour` body: every value is checked before any is set.
    pub(crate) fn update(&mut self, changes: &BehaviourChanges) -> Result<(), String> {
        if let Some(status) = changes.create_status {
            check_create_status(status)?;
        }
        if let Some(status) = changes.account_group_refusal {
            check_account_group_refusal(status)?;
        }
        let mut next = *self;
        set(&mut next.write_answers, changes.write_answers);
        set(&mut next.create_status, changes.create_status);
        set(&mut next.cloud, changes.cloud);
        set(&mut next.lenient_removal, changes.lenient_removal);
        set(&mut next.value_filter_or, changes.value_filter_or);
        set(&mut next.flaky_reads, changes.flaky_reads);
        set(&mut next.sp_rename_ignored, changes.sp_rename_ignored);
        set(&mut next.sp_rename_add_ignored, changes.sp_rename_add_ignored);
        set(&mut next.account_group_refusal, changes.account_group_refusal);
        *self = next;
        Ok(())
    }
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
}

/// A `POST /_emulator/behaviour` body: any subset of the switches; unknown keys are refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BehaviourChanges {
    #[serde(default)]
    pub(crate) write_answers: Option<WriteAnswers>,
    #[serde(default)]
    pub(crate) create_status: Option<u16>,
    #[serde(default)]
    pub(crate) cloud: Option<Cloud>,
    #[serde(default)]
    pub(crate) lenient_removal: Option<bool>,
    #[serde(default)]
    pub(crate) value_filter_or: Option<bool>,
    #[serde(default)]
    pub(crate) flaky_reads: Option<u32>,
    #[serde(default)]
    pub(crate) sp_rename_ignored: Option<bool>,
    #[serde(default)]
    pub(crate) sp_rename_add_ignored: Option<bool>,
    #[serde(default)]
    pub(crate) account_group_refusal: Option<u16>,
}

/// `create_status` is `201` (the account API docs) or `200` (the workspace API docs).
pub(crate) fn check_create_status(status: u16) -> Result<u16, String> {
    match status {
        200 | 201 => Ok(status),
        other => Err(format!("create_status must be 201 or 200, not {other}")),
    }
}

/// `account_group_refusal` is `400` or `500`.
pub(crate) fn check_account_group_refusal(status: u16) -> Result<u16, String> {
    match status {
        400 | 500 => Ok(status),
        other => Err(format!("account_group_refusal must be 400 or 500, not {other}")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_defaults_are_the_strict_variants() {
        let b = Behaviour::from_config(&Config::default());
        assert_eq!(
            serde_json::to_value(b).unwrap(),
            json!({"write_answers": "empty", "create_status": 200, "cloud": "aws", "lenient_removal": false,
                   "value_filter_or": false, "flaky_reads": 0, "sp_rename_ignored": true,
                   "sp_rename_add_ignored": false, "account_group_refusal": 400})
        );
    }

    #[test]
    fn an_update_with_one_bad_value_changes_nothing() {
        let mut b = Behaviour::from_config(&Config::default());
        let changes: BehaviourChanges =
            serde_json::from_value(json!({"cloud": "azure", "create_status": 204})).unwrap();
        assert!(b.update(&changes).is_err());
        assert_eq!(b, Behaviour::from_config(&Config::default()));
    }

    #[test]
    fn the_serde_names_are_the_cli_names() {
        for w in [WriteAnswers::Empty, WriteAnswers::NoContent, WriteAnswers::Resource] {
            assert_eq!(serde_json::to_value(w).unwrap(), json!(w.as_str()));
            assert_eq!(w.as_str().parse::<WriteAnswers>(), Ok(w));
        }
        for c in [Cloud::Aws, Cloud::Azure, Cloud::Gcp] {
            assert_eq!(serde_json::to_value(c).unwrap(), json!(c.as_str()));
            assert_eq!(c.as_str().parse::<Cloud>(), Ok(c));
        }
        assert!("AWS".parse::<Cloud>().is_err());
    }
}
