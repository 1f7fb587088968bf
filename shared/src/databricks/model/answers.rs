//! Databricks answers other than a resource: list pages, error bodies, token infos.

use serde::Deserialize;

use crate::scim::lenient::{ObjectOr, lenient, lenient_list};

/// One page of a list (`GET /{resource}?…`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "T: Deserialize<'de> + Default"))]
pub struct ListAnswer<T> {
    /// How many resources match, all pages together.
    #[serde(default, deserialize_with = "lenient")]
    pub total_results: Option<u64>,
    /// The 1-based index of the first resource of this page.
    #[serde(default, deserialize_with = "lenient")]
    pub start_index: Option<u64>,
    /// How many resources this page holds.
    #[serde(default, deserialize_with = "lenient")]
    pub items_per_page: Option<u64>,
    /// The resources (an element that is not an object reads as an empty resource).
    #[serde(rename = "Resources", default, deserialize_with = "lenient_list")]
    pub resources: Vec<T>,
}

impl<T> ListAnswer<T> {
    /// `totalResults`, 0 when Databricks did not say.
    pub fn total(&self) -> u64 {
        self.total_results.unwrap_or(0)
    }
}

/// An error body in either of Databricks' shapes: SCIM (`detail`, `scimType`, `status`, row 3)
/// or the platform's (`error_code`, `message`). Every field may be missing (some gateways
/// answer HTML).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ErrorBody {
    /// The SCIM detail.
    #[serde(default, deserialize_with = "lenient")]
    pub detail: Option<String>,
    /// The SCIM error type; sometimes free text (row 15).
    #[serde(rename = "scimType", default, deserialize_with = "lenient")]
    pub scim_type: Option<String>,
    /// The HTTP status, written as a string.
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<NumberOrText>,
    /// The platform's error code (`REQUEST_LIMIT_EXCEEDED`, `TEMPORARILY_UNAVAILABLE`).
    #[serde(default, deserialize_with = "lenient")]
    pub error_code: Option<String>,
    /// The platform's message.
    #[serde(default, deserialize_with = "lenient")]
    pub message: Option<String>,
}

impl ErrorBody {
    /// Reads an error answer; anything unreadable is an empty body.
    pub fn parse(bytes: &[u8]) -> ErrorBody {
        serde_json::from_slice::<ObjectOr<ErrorBody>>(bytes).map(ObjectOr::into_inner).unwrap_or_default()
    }

    /// Databricks' own words: the SCIM detail, else the platform message.
    pub fn text(&self) -> String {
        self.detail.clone().or_else(|| self.message.clone()).unwrap_or_default()
    }

    /// Whether it carries this error code, as `error_code` or at the start of its text.
    pub fn is(&self, code: &str) -> bool {
        self.error_code.as_deref() == Some(code)
            || self.detail.as_deref().is_some_and(|d| d.starts_with(code))
            || self.message.as_deref().is_some_and(|m| m.starts_with(code))
    }

    /// Throttling, however it is signalled: `error_code` REQUEST_LIMIT_EXCEEDED at any
    /// status (databricks-sdk-go), or the code written into a SCIM `detail` (HTTP 500).
    pub fn is_throttling(&self) -> bool {
        self.is("REQUEST_LIMIT_EXCEEDED")
            || self.detail.as_deref().is_some_and(|d| d.contains("REQUEST_LIMIT_EXCEEDED"))
    }
}

/// A number or a string where an id or a status is expected.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum NumberOrText {
    /// A JSON number that fits in 64 bits.
    Number(u64),
    /// A JSON string.
    Text(String),
}

impl NumberOrText {
    /// Whether it writes `id`.
    pub fn is(&self, id: &str) -> bool {
        match self {
            NumberOrText::Number(n) => n.to_string() == id,
            NumberOrText::Text(s) => s == id,
        }
    }
}

/// `GET /api/2.0/token-management/tokens`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TokenList {
    /// Every personal access token of the workspace.
    #[serde(default, deserialize_with = "lenient_list")]
    pub token_infos: Vec<TokenInfo>,
}

/// A personal access token, without its secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TokenInfo {
    /// Its id.
    #[serde(default, deserialize_with = "lenient")]
    pub token_id: Option<String>,
    /// The comment it was created with.
    #[serde(default, deserialize_with = "lenient")]
    pub comment: Option<String>,
    /// When it was created (epoch milliseconds).
    #[serde(default, deserialize_with = "lenient")]
    pub creation_time: Option<i64>,
    /// When it expires (epoch milliseconds; -1 for never).
    #[serde(default, deserialize_with = "lenient")]
    pub expiry_time: Option<i64>,
    /// The principal it belongs to (a number; an admin creates tokens on behalf of others, row 42).
    #[serde(default, deserialize_with = "lenient")]
    pub owner_id: Option<NumberOrText>,
    /// Who created it.
    #[serde(default, deserialize_with = "lenient")]
    pub created_by_id: Option<NumberOrText>,
}
