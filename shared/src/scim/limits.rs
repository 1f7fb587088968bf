//! Every limit the bridge puts on a request or an answer, each stated once, with its reason.
//! A request over a limit is refused with a SCIM error before any Databricks call; an answer
//! never exceeds what the gateway can carry. README "Limits" lists them all.
//!
//! Which numbers are Databricks' own: a workspace holds at most 10,000 users and 5,000 groups
//! (docs/databricks-behaviour.md row 45; the account allows 10,000 users and service principals
//! together) and a filter at most 200 nodes (row 44). Everything else is ours.

use serde_json::Value;

use super::{LIST_RESPONSE_SCHEMA, ScimError};

/// Largest request body, in bytes: 2 MiB. The largest legitimate request — a group's whole
/// member list ([`MAX_MEMBERS_PER_REQUEST`] members with Okta's `display` names, about 90 bytes
/// each) — is about 1.4 MB; Entra, Okta and One Identity otherwise send a few KB. The hard caps
/// are above it: API Gateway refuses bodies over 10 MB, and Lambda's 6 MB invocation payload
/// holds a body of at most about 4.5 MB once the gateway has base64-encoded it. Over → 413.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Longest string attribute a request may set, in characters (Unicode scalar values):
/// `userName`, `displayName`, `externalId`, `name.givenName`, `name.familyName`. A userName is
/// an e-mail address in Databricks, and an address has at most 254 characters (RFC 5321);
/// Active Directory's longest `displayName` is 256; Entra's and Okta's `externalId` are ids of
/// under 40. Databricks documents no limit. Over → 400 `invalidValue`.
pub const MAX_TEXT_CHARS: usize = 512;

/// Longest partner name in `DELETE /admin/partners/{partner}`, in characters: Partner Connect
/// names are short product names (`FIVETRAN`, `DBT_CLOUD`). Over → 400 `invalidValue`.
pub const MAX_PARTNER_NAME_CHARS: usize = 100;

/// Most elements of multi-valued attributes (`members`, parent groups, `entitlements`) one
/// request may name, all its operations together: 15,000, Databricks' own workspace limits of
/// 10,000 users (and service principals) plus 5,000 groups, so that no group a workspace can
/// hold is too large to be set in one request (Okta sends `replace members` with the whole
/// list). Over → 400 `invalidValue`, as is a `PUT /Groups/{id}` whose change of the current
/// members would take more than this many elements.
pub const MAX_MEMBERS_PER_REQUEST: usize = 15_000;

/// Most operations in one PATCH — the client's, and the Databricks PATCH a request becomes:
/// one per member (Okta removes members one `members[value eq "…"]` operation each) plus 100
/// for every other attribute. Over → 400 `invalidValue`.
pub const MAX_PATCH_OPERATIONS: usize = MAX_MEMBERS_PER_REQUEST + 100;

/// Longest filter, and longest PATCH `path`, in bytes. Identity platforms send one comparison
/// (`userName eq "…"`), well under 600 bytes. Over → 400 `invalidFilter` (`invalidPath` for a path).
pub const MAX_FILTER_LEN: usize = 2048;

/// Deepest nesting of a filter: levels of `and`/`or`, `not`, grouping and value paths
/// (`emails[type eq "work" and value eq "…"]` has 3). Databricks filters no grouping at all,
/// so deeper filters could never be translated; the parser's own bound is 64. Over → 400
/// `invalidFilter`.
pub const MAX_FILTER_DEPTH: usize = 8;

/// Most comparisons in one filter: `n` comparisons joined by `and`/`or` make `2n - 1` nodes, and
/// Databricks refuses filters over 200 nodes (account SCIM documentation). Over → 400
/// `invalidFilter`.
pub const MAX_FILTER_COMPARISONS: usize = 100;

/// Page size when the client gives no `count`.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// Largest page: a larger `count` is lowered to this (RFC 7644 §3.4.2.4 lets the service
/// provider return fewer), a negative one is 0. Entra and Okta ask for 100.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Largest `startIndex`: 2,147,483,647, the largest integer Databricks' SCIM server (Java, the
/// UnboundID SCIM 2 SDK) reads as `startIndex`; no workspace has that many resources. Below 1
/// is 1 (RFC 7644 §3.4.2.4); over → 400 `invalidValue`.
pub const MAX_START_INDEX: u64 = i32::MAX as u64;

/// Largest answer body, in bytes as the Lambda response carries it — JSON, escaped once more
/// as the body string of the proxy response, so each `"` and `\` counts twice: 4 MiB. Lambda
/// refuses a response over 6 MB (and the gateway then answers a non-SCIM 502); the rest is
/// room for the response envelope and headers. A list page that would be larger returns fewer
/// resources; a single resource that would be larger is 400 `tooMany` naming it.
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Room kept in a list answer for its envelope (`schemas`, `totalResults`, `startIndex`,
/// `itemsPerPage`, `Resources`): about 150 bytes, rounded up.
const LIST_ENVELOPE_BYTES: usize = 1024;

/// Checks a string attribute a request sets: at most [`MAX_TEXT_CHARS`] characters and no
/// control character (U+0000–U+001F, U+007F; tab and line breaks included): Databricks would
/// store them and every client would read them back. Both → 400 `invalidValue`.
pub fn check_text(attribute: &str, text: &str) -> Result<(), ScimError> {
    // Bytes first: a string of at most MAX_TEXT_CHARS bytes has at most that many characters.
    if text.len() > MAX_TEXT_CHARS && text.chars().nth(MAX_TEXT_CHARS).is_some() {
        return Err(ScimError::InvalidValue(format!("'{attribute}' is longer than {MAX_TEXT_CHARS} characters")));
    }
    // Below 0x80 a UTF-8 byte is always a whole character, so a byte scan finds every one.
    if text.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(ScimError::InvalidValue(format!(
            "'{attribute}' contains a control character (U+0000–U+001F or U+007F)"
        )));
    }
    Ok(())
}

/// Checks how many of something a request holds against its limit → 400 `invalidValue`.
pub fn check_count(what: &str, count: usize, max: usize) -> Result<(), ScimError> {
    if count > max {
        return Err(ScimError::InvalidValue(format!("{count} {what} in one request; at most {max} are accepted")));
    }
    Ok(())
}

/// Size of `text` (serialised JSON) as the Lambda response carries it: each `"` and `\` is
/// escaped once more in the proxy response's body string. One byte scan.
pub fn carried_len(text: &str) -> usize {
    text.len() + text.bytes().filter(|b| matches!(b, b'"' | b'\\')).count()
}

/// A list answer (RFC 7644 §3.4.2) written from resources already serialised: `totalResults`,
/// `startIndex` and `itemsPerPage` are integers, `Resources` the resources in order.
pub fn list_answer(total_results: u64, start_index: u64, resources: &[String]) -> String {
    let mut text = String::with_capacity(resources.iter().map(|r| r.len() + 1).sum::<usize>() + LIST_ENVELOPE_BYTES);
    text.push_str(&format!(
        "{{\"schemas\":[\"{LIST_RESPONSE_SCHEMA}\"],\"totalResults\":{total_results},\"startIndex\":{start_index},\
         \"itemsPerPage\":{},\"Resources\":[",
        resources.len()
    ));
    for (i, resource) in resources.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(resource);
    }
    text.push_str("]}");
    text
}

/// The room left in one list answer for its resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerBudget {
    left: usize,
}

impl AnswerBudget {
    /// A list answer: [`MAX_RESPONSE_BYTES`] less its envelope.
    pub fn for_list() -> AnswerBudget {
        AnswerBudget { left: MAX_RESPONSE_BYTES - LIST_ENVELOPE_BYTES }
    }

    /// Takes room for one more resource of `size` carried bytes (and its separator); `false`,
    /// taking nothing, when it does not fit.
    pub fn take(&mut self, size: usize) -> bool {
        match self.left.checked_sub(size.saturating_add(1)) {
            Some(left) => {
                self.left = left;
                true
            }
            None => false,
        }
    }
}

/// 400 `tooMany` for a resource too large to answer. `what` names it by resource type and id
/// (`Group 123`; never by name: names are personal data); `applied` says that the write it
/// answers was made all the same.
pub fn too_large(what: &str, size: usize, applied: bool) -> ScimError {
    let done = if applied { "the change was applied, but " } else { "" };
    ScimError::TooMany(format!(
        "{done}the {what} is {size} bytes as SCIM JSON, more than the {MAX_RESPONSE_BYTES} one answer may \
         carry; read it without its largest attributes (excludedAttributes=members for a group, or attributes=…)"
    ))
}

/// How an answer body names its resource in [`too_large`]: `Group 123` from its
/// `meta.resourceType` (else its first schema's last segment) and `id`; `answer` otherwise.
/// The body is open JSON: any answer, already projected, as the HTTP layer is about to send it.
pub fn resource_named_by(body: &Value) -> String {
    let id = body.get("id").and_then(Value::as_str);
    let resource_type = body
        .pointer("/meta/resourceType")
        .and_then(Value::as_str)
        .or_else(|| body.pointer("/schemas/0").and_then(Value::as_str).and_then(|urn| urn.rsplit(':').next()));
    match (resource_type, id) {
        (Some(resource_type), Some(id)) => format!("{resource_type} {id}"),
        _ => "answer".into(),
    }
}

#[cfg(test)]
mod tests;
