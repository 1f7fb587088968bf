//! Injected faults: the next N requests matching a method/resource get a canned failure.

use serde::{Deserialize, Serialize};

/// What happens to a faulted request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", deny_unknown_fields)]
pub(crate) enum Fault {
    /// Answer `status` with a SCIM error body (or the platform shape when `error_code` is
    /// given); nothing is performed.
    #[serde(rename = "status")]
    Status {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
        /// `{"error_code": …, "message": detail}` instead of a SCIM error.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error_code: Option<String>,
    },
    /// Sleep, then handle the request normally.
    #[serde(rename = "latency")]
    Latency { ms: u64 },
    /// Close the connection without answering; with `after_write`, only after performing the
    /// operation.
    #[serde(rename = "drop")]
    Drop {
        #[serde(default)]
        after_write: bool,
    },
    /// Perform the operation for real, then answer 500 (register rows 9, 10). With `without_members`, a
    /// `POST /Groups` creates the group without the members it names, as the real failure
    /// "Failed to update members of group …" leaves it (docs/databricks-behaviour.md row 10).
    #[serde(rename = "write_then_500")]
    WriteThen500 {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        without_members: bool,
    },
}

/// One queued rule, as posted to `POST /_emulator/faults`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultRule {
    #[serde(default)]
    pub(crate) method: Option<String>,
    #[serde(default)]
    pub(crate) resource: Option<String>,
    #[serde(default = "one")]
    pub(crate) count: u32,
    pub(crate) fault: Fault,
}

fn one() -> u32 {
    1
}

impl FaultRule {
    fn matches(&self, method: &str, resource: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.resource.as_deref().is_none_or(|r| r.eq_ignore_ascii_case(resource))
    }
}

/// Takes one use of the first rule matching the request, dropping rules that are used up.
pub(crate) fn take(rules: &mut Vec<FaultRule>, method: &str, resource: &str) -> Option<Fault> {
    let index = rules.iter().position(|r| r.count > 0 && r.matches(method, resource))?;
    let rule = rules.get_mut(index)?;
    rule.count -= 1;
    let fault = rule.fault.clone();
    if rule.count == 0 {
        rules.remove(index);
    }
    Some(fault)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_are_used_in_order_and_only_for_matching_requests() {
        let mut rules: Vec<FaultRule> = serde_json::from_value(json!([
            {"method": "POST", "resource": "Groups", "count": 2, "fault": {"kind": "latency", "ms": 1}},
            {"method": null, "resource": null, "fault": {"kind": "drop"}},
        ]))
        .unwrap();
        assert_eq!(take(&mut rules, "GET", "Users"), Some(Fault::Drop { after_write: false }));
        assert_eq!(take(&mut rules, "post", "groups"), Some(Fault::Latency { ms: 1 }));
        assert_eq!(take(&mut rules, "POST", "Groups"), Some(Fault::Latency { ms: 1 }));
        assert_eq!(take(&mut rules, "POST", "Groups"), None);
        assert!(rules.is_empty());
    }

    #[test]
    fn the_write_then_500_kind_keeps_its_documented_name() {
        let f: Fault = serde_json::from_value(json!({"kind": "write_then_500"})).unwrap();
        assert_eq!(f, Fault::WriteThen500 { detail: None, without_members: false });
    }
}
