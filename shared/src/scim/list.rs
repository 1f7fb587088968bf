//! List queries (`startIndex`, `count`, `filter`, `attributes`, `excludedAttributes`) from a
//! query string (RFC 7644 §3.4.2) or a SearchRequest body (§3.4.3), and the ListResponse envelope.

use scim_v2::filter::{AttrExp, AttrPath, Filter, Operands};
use serde_json::{Value, json};

use super::filter::parse_filter;
use super::limits::MAX_START_INDEX;
pub use super::limits::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use super::values::{ClientObject, ClientValue, Shape};
use super::{LIST_RESPONSE_SCHEMA, ScimError};

/// SearchRequest message (RFC 7644 §3.4.3).
pub const SEARCH_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

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
        let integer = |name: &str| {
            query_param(query, name)
                .map(|s| {
                    parse_integer(s).ok_or_else(|| ScimError::InvalidValue(format!("'{name}' must be an integer")))
                })
                .transpose()
        };
        let start_index = integer("startIndex")?.map_or(Ok(1), start_index)?;
        let count = integer("count")?.map_or(DEFAULT_PAGE_SIZE, page_size);
        let filter = match query_param(query, "filter") {
            Some(raw) if !raw.trim().is_empty() => Some(parse_filter(raw)?),
            _ => None,
        };
        Ok(ListQuery { start_index, count, filter, projection: Projection::from_query(query) })
    }
}

impl ListQuery {
    /// Reads the SearchRequest body of a `POST …/.search` (RFC 7644 §3.4.3): the same
    /// parameters as a list's query string, as JSON. Member names are case-insensitive;
    /// `attributes` and `excludedAttributes` are arrays of strings (a comma-separated string is
    /// tolerated); `sortBy` and `sortOrder` are accepted and ignored, as a GET list ignores them.
    /// A body that is not a SearchRequest (not a JSON object, another message's `schemas`, a
    /// member of the wrong type) is `invalidSyntax`; a filter that does not parse is `invalidFilter`.
    pub fn from_search_request(body: &[u8]) -> Result<ListQuery, ScimError> {
        let request = ClientObject::parse(body)?;
        check_search_schemas(request.get("schemas"))?;
        let start_index = search_integer(&request, "startIndex")?.map_or(Ok(1), start_index)?;
        let count = search_integer(&request, "count")?.map_or(DEFAULT_PAGE_SIZE, page_size);
        let filter = match request.get("filter").shape() {
            Shape::Unset => None,
            Shape::Text(raw) if raw.trim().is_empty() => None,
            Shape::Text(raw) => Some(parse_filter(raw)?),
            _ => return Err(wrong_type("filter", "a string")),
        };
        for ignored in ["sortBy", "sortOrder"] {
            if !matches!(request.get(ignored).shape(), Shape::Unset | Shape::Text(_)) {
                return Err(wrong_type(ignored, "a string"));
            }
        }
        let projection = Projection {
            attributes: search_names(&request, "attributes")?,
            excluded: search_names(&request, "excludedAttributes")?,
        };
        Ok(ListQuery { start_index, count, filter, projection })
    }
}

/// An integer as a query string writes it; one too large for 64 bits saturates (an absurd
/// `count` is still lowered to the largest page, an absurd `startIndex` still refused).
fn parse_integer(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if let Ok(n) = raw.parse::<i64>() {
        return Some(n);
    }
    let (negative, digits) = match raw.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, raw.strip_prefix('+').unwrap_or(raw)),
    };
    let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    all_digits.then_some(if negative { i64::MIN } else { i64::MAX })
}

/// `startIndex`: below 1 is 1 (RFC 7644 §3.4.2.4); over [`MAX_START_INDEX`] is `invalidValue`.
fn start_index(requested: i64) -> Result<u64, ScimError> {
    let index = requested.max(1).unsigned_abs();
    if index > MAX_START_INDEX {
        return Err(ScimError::InvalidValue(format!("'startIndex' must be at most {MAX_START_INDEX}")));
    }
    Ok(index)
}

/// `count`: clamped to 0..=[`MAX_PAGE_SIZE`] (RFC 7644 §3.4.2.4: negative is 0, and the service
/// provider may return fewer than asked).
fn page_size(requested: i64) -> u32 {
    u32::try_from(requested.clamp(0, i64::from(MAX_PAGE_SIZE))).unwrap_or(MAX_PAGE_SIZE)
}

fn wrong_type(member: &str, expected: &str) -> ScimError {
    ScimError::InvalidSyntax(format!("'{member}' of a SearchRequest must be {expected}"))
}

/// `schemas`, when present, must name the SearchRequest message.
fn check_search_schemas(schemas: ClientValue<'_>) -> Result<(), ScimError> {
    let is_search =
        |v: ClientValue<'_>| v.as_str().is_some_and(|s| s.trim().eq_ignore_ascii_case(SEARCH_REQUEST_SCHEMA));
    let named = match schemas.shape() {
        Shape::Unset => true,
        Shape::List(items) => items.iter().any(is_search),
        _ => is_search(schemas),
    };
    if named {
        Ok(())
    } else {
        Err(ScimError::InvalidSyntax(format!(
            "a search body must be a SearchRequest ('schemas': [\"{SEARCH_REQUEST_SCHEMA}\"])"
        )))
    }
}

/// `startIndex` / `count`: a JSON integer, or absent.
fn search_integer(request: &ClientObject, member: &str) -> Result<Option<i64>, ScimError> {
    match request.get(member).shape() {
        Shape::Unset => Ok(None),
        Shape::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Ok(Some(i)),
            (None, Some(_), _) => Ok(Some(i64::MAX)),
            // An integer beyond 64 bits is read as a float: it saturates like the others.
            (None, None, Some(f)) if f.fract() == 0.0 && f.abs() >= 9.2e18 => {
                Ok(Some(if f < 0.0 { i64::MIN } else { i64::MAX }))
            }
            _ => Err(wrong_type(member, "an integer")),
        },
        _ => Err(wrong_type(member, "an integer")),
    }
}

/// `attributes` / `excludedAttributes`: an array of strings; each string, and a bare string,
/// may hold several names separated by commas (what the query string allows).
fn search_names(request: &ClientObject, member: &str) -> Result<Vec<String>, ScimError> {
    let strings: Vec<&str> = match request.get(member).shape() {
        Shape::Unset => Vec::new(),
        Shape::Text(s) => vec![s],
        Shape::List(items) => items
            .iter()
            .map(|i| i.as_str().ok_or_else(|| wrong_type(member, "an array of strings")))
            .collect::<Result<_, _>>()?,
        _ => return Err(wrong_type(member, "an array of strings")),
    };
    Ok(strings.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect())
}

/// The part of a filter that can match resources of one type, for a search across several
/// types (`POST /.search`, RFC 7644 §3.4.3). An attribute the type does not define (`defines`
/// says which) matches none of its resources, so a comparison on it is false: it drops out of
/// an `or`, makes an `and` false, and `None` means nothing of this type can match. `not` is
/// kept as it is (the translation to Databricks refuses it).
pub fn restrict_filter(filter: &Filter, defines: &dyn Fn(&AttrPath) -> bool) -> Option<Filter> {
    match filter {
        Filter::Attr(AttrExp::Present(path) | AttrExp::Comparison(path, _, _)) => defines(path).then(|| filter.clone()),
        Filter::ValuePath(value_path) => defines(&value_path.attr).then(|| filter.clone()),
        Filter::Not(_) => Some(filter.clone()),
        Filter::And(operands) => {
            let kept: Option<Vec<Filter>> = operands.iter().map(|f| restrict_filter(f, defines)).collect();
            kept.map(|all| Operands::new(all).map_or_else(|_| filter.clone(), Filter::And))
        }
        Filter::Or(operands) => {
            let mut kept: Vec<Filter> = operands.iter().filter_map(|f| restrict_filter(f, defines)).collect();
            match kept.len() {
                0 => None,
                1 => kept.pop(),
                _ => Operands::new(kept).ok().map(Filter::Or),
            }
        }
    }
}

/// Builds a ListResponse; `startIndex`, `itemsPerPage` and `totalResults` are integers. The
/// resources stay open JSON: they are the discovery documents (schemas, resource types), whose
/// shapes differ and which are written as JSON where they are defined.
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
