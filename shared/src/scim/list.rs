//! List queries (`startIndex`, `count`, `filter`, `attributes`, `excludedAttributes`)
//! and the ListResponse envelope (RFC 7644 §3.4.2).

use scim_v2::filter::Filter;
use serde_json::{Value, json};

use super::filter::parse_filter;
use super::{LIST_RESPONSE_SCHEMA, ScimError};

/// Page size when the client gives no `count`.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// Largest page we return; a larger `count` is lowered to this (RFC 7644 §3.4.2.4).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// What a client asked of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    /// 1-based index of the first result.
    pub start_index: u64,
    /// Page size; 0 asks only for `totalResults`.
    pub count: u32,
    /// Parsed filter.
    pub filter: Option<Filter>,
    /// Attribute selection.
    pub projection: Projection,
}

/// `attributes` / `excludedAttributes` of a request (RFC 7644 §3.4.2.5), as written by the client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Projection {
    /// Only these attributes (plus those always returned).
    pub attributes: Vec<String>,
    /// All but these.
    pub excluded: Vec<String>,
}

impl Projection {
    /// Reads `attributes` and `excludedAttributes` from query pairs; both may repeat or be comma-separated.
    pub fn from_query(query: &[(String, String)]) -> Projection {
        let collect = |name: &str| -> Vec<String> {
            query
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .flat_map(|(_, v)| v.split(','))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        Projection { attributes: collect("attributes"), excluded: collect("excludedAttributes") }
    }

    /// True when the client neither selected nor excluded anything.
    pub fn is_default(&self) -> bool {
        self.attributes.is_empty() && self.excluded.is_empty()
    }
}

/// First value of a query parameter, case-insensitive name.
pub fn query_param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

impl ListQuery {
    /// Parses the query string pairs of a list request.
    pub fn from_query(query: &[(String, String)]) -> Result<ListQuery, ScimError> {
        let start_index = match query_param(query, "startIndex") {
            None => 1,
            Some(s) => match s.trim().parse::<i64>() {
                // RFC 7644 §3.4.2.4: a value below 1 is interpreted as 1.
                Ok(n) => n.max(1) as u64,
                Err(_) => {
                    return Err(ScimError::InvalidValue("'startIndex' must be an integer".into()));
                }
            },
        };
        let count = match query_param(query, "count") {
            None => DEFAULT_PAGE_SIZE,
            Some(s) => match s.trim().parse::<i64>() {
                Ok(n) => n.clamp(0, i64::from(MAX_PAGE_SIZE)) as u32,
                Err(_) => return Err(ScimError::InvalidValue("'count' must be an integer".into())),
            },
        };
        let filter = match query_param(query, "filter") {
            Some(raw) if !raw.trim().is_empty() => Some(parse_filter(raw)?),
            _ => None,
        };
        Ok(ListQuery { start_index, count, filter, projection: Projection::from_query(query) })
    }
}

/// Builds a ListResponse; `startIndex`, `itemsPerPage` and `totalResults` are integers.
pub fn list_response(total_results: u64, start_index: u64, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total_results,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

#[cfg(test)]
mod tests;
