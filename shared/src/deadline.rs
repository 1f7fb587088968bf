//! The time a request may take, derived in one place from the function timeout of
//! `template.yaml`: every Databricks call, every retry and the re-read that settles a write's
//! unknown outcome end before the Lambda deadline, with room left to send the answer.
//! `tests/api/errors.rs` checks these against the template.
//!
//! ```text
//! |<------------------------------ FUNCTION_TIMEOUT (15 s) ------------------------------>|
//! |<------------ HTTP_TIMEOUT (10 s): one call ------------>|<- REREAD_RESERVE ->|<-MARGIN->|
//! |<------------- MAX_RETRY_BUDGET (12.5 s): retries start before -------------->|MIN|     |
//! ```

use std::time::Duration;

/// The functions' timeout, `Globals.Function.Timeout` in template.yaml (15 s). Also the
/// deadline of a request whose runtime gives none (`cargo lambda watch` sends one in 1970).
pub const FUNCTION_TIMEOUT: Duration = Duration::from_secs(15);

/// Time kept before the Lambda deadline to send the answer.
pub const ANSWER_MARGIN: Duration = Duration::from_secs(2);

/// Time a write keeps in reserve for the re-read that follows when its outcome is unknown.
pub const REREAD_RESERVE: Duration = Duration::from_secs(3);

/// Below this, a call is not worth starting.
pub const MIN_CALL_TIME: Duration = Duration::from_millis(500);

/// The longest a single Databricks call may take: what is left of the function timeout once
/// the re-read of a write and the answer have their room (10 s). Shorter when the deadline is
/// nearer.
pub const HTTP_TIMEOUT: Duration = FUNCTION_TIMEOUT.saturating_sub(ANSWER_MARGIN).saturating_sub(REREAD_RESERVE);

/// The longest retry budget that can be used: a retry must start at least [`MIN_CALL_TIME`]
/// before the time kept for the answer (12.5 s). A longer `DATABRICKS_RETRY_BUDGET_MS` is
/// lowered to this; the template's `DatabricksRetryBudgetMs` allows at most 12 000.
pub const MAX_RETRY_BUDGET: Duration = FUNCTION_TIMEOUT.saturating_sub(ANSWER_MARGIN).saturating_sub(MIN_CALL_TIME);

/// The retry budget when `DATABRICKS_RETRY_BUDGET_MS` is not set (the template's default).
pub const DEFAULT_RETRY_BUDGET: Duration = Duration::from_secs(6);

/// How long the bridge may work on a request that has `remaining` before its Lambda deadline
/// (the runtime's, or [`FUNCTION_TIMEOUT`] when it gave none): all of it but [`ANSWER_MARGIN`].
pub fn working_time(remaining: Option<Duration>) -> Duration {
    remaining.unwrap_or(FUNCTION_TIMEOUT).saturating_sub(ANSWER_MARGIN)
}

/// A configured retry budget, lowered to [`MAX_RETRY_BUDGET`] when it would not fit.
pub fn retry_budget(configured: Duration) -> Duration {
    configured.min(MAX_RETRY_BUDGET)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_and_the_re_read_of_its_write_end_before_the_answer_margin() {
        assert_eq!(HTTP_TIMEOUT + REREAD_RESERVE + ANSWER_MARGIN, FUNCTION_TIMEOUT);
        assert_eq!(HTTP_TIMEOUT, Duration::from_secs(10));
    }

    #[test]
    fn the_last_retry_starts_in_time_to_be_answered() {
        assert_eq!(MAX_RETRY_BUDGET + MIN_CALL_TIME + ANSWER_MARGIN, FUNCTION_TIMEOUT);
        assert!(DEFAULT_RETRY_BUDGET <= MAX_RETRY_BUDGET);
    }

    #[test]
    fn a_retry_budget_that_would_not_fit_is_lowered() {
        assert_eq!(retry_budget(Duration::from_secs(60)), MAX_RETRY_BUDGET);
        assert_eq!(retry_budget(Duration::from_secs(3)), Duration::from_secs(3));
    }

    #[test]
    fn a_request_without_a_deadline_gets_the_function_timeout() {
        assert_eq!(working_time(None), FUNCTION_TIMEOUT - ANSWER_MARGIN);
        assert_eq!(working_time(Some(Duration::from_secs(3))), Duration::from_secs(1));
        assert_eq!(working_time(Some(Duration::from_secs(1))), Duration::ZERO);
    }
}
