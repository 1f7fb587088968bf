//! SCIM filter parsing (RFC 7644 §3.4.2.2) with the `scim_v2` grammar, after rewriting
//! the one non-standard form Entra ID sends.

use scim_v2::filter::{Filter, ValFilter};

use super::ScimError;
pub use super::limits::MAX_FILTER_LEN;
use super::limits::{MAX_FILTER_COMPARISONS, MAX_FILTER_DEPTH};
use super::patch::truncate;

/// Parses a client filter. Entra's `emails[type eq "work"].value eq "x"` is rewritten
/// to the RFC form `emails[type eq "work" and value eq "x"]` first. A filter over
/// [`MAX_FILTER_LEN`] is refused before parsing; one deeper than [`MAX_FILTER_DEPTH`] or with
/// more than [`MAX_FILTER_COMPARISONS`] comparisons after it (the parser bounds both far above).
pub fn parse_filter(raw: &str) -> Result<Filter, ScimError> {
    if raw.len() > MAX_FILTER_LEN {
        return Err(ScimError::InvalidFilter(format!("the filter is longer than {MAX_FILTER_LEN} bytes")));
    }
    let rewritten = rewrite_entra_value_path(raw.trim());
    let filter = rewritten
        .parse::<Filter>()
        .map_err(|_| ScimError::InvalidFilter(format!("'{}' is not a valid SCIM filter", truncate(raw))))?;
    check_shape(filter_shape(&filter))?;
    Ok(filter)
}

/// The depth and the number of comparisons of a parsed filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Levels of `and`/`or`, `not`, value paths and comparisons (`userName eq "x"` has 1).
    pub depth: usize,
    /// Comparisons and `pr` tests.
    pub comparisons: usize,
}

/// Refuses a filter deeper than [`MAX_FILTER_DEPTH`] or with more than
/// [`MAX_FILTER_COMPARISONS`] comparisons (`invalidFilter`).
pub fn check_shape(shape: Shape) -> Result<(), ScimError> {
    if shape.depth > MAX_FILTER_DEPTH {
        return Err(ScimError::InvalidFilter(format!(
            "the filter nests {} levels deep; at most {MAX_FILTER_DEPTH} are accepted",
            shape.depth
        )));
    }
    if shape.comparisons > MAX_FILTER_COMPARISONS {
        return Err(ScimError::InvalidFilter(format!(
            "the filter has {} comparisons; at most {MAX_FILTER_COMPARISONS} are accepted (Databricks takes 200 nodes)",
            shape.comparisons
        )));
    }
    Ok(())
}

/// The [`Shape`] of a filter (the parser bounds its depth, so this recursion is bounded too).
pub fn filter_shape(filter: &Filter) -> Shape {
    match filter {
        Filter::Attr(_) => Shape { depth: 1, comparisons: 1 },
        Filter::ValuePath(value_path) => nested(val_filter_shape(&value_path.filter)),
        Filter::Not(inner) => nested(filter_shape(inner)),
        Filter::And(items) | Filter::Or(items) => nested(combined(items.iter().map(filter_shape))),
    }
}

/// The [`Shape`] of the filter inside a value path (`members[…]`).
pub fn val_filter_shape(filter: &ValFilter) -> Shape {
    match filter {
        ValFilter::Attr(_) => Shape { depth: 1, comparisons: 1 },
        ValFilter::Not(inner) => nested(val_filter_shape(inner)),
        ValFilter::And(items) | ValFilter::Or(items) => nested(combined(items.iter().map(val_filter_shape))),
    }
}

fn nested(inner: Shape) -> Shape {
    Shape { depth: inner.depth + 1, comparisons: inner.comparisons }
}

fn combined(shapes: impl Iterator<Item = Shape>) -> Shape {
    shapes.fold(Shape { depth: 0, comparisons: 0 }, |all, s| Shape {
        depth: all.depth.max(s.depth),
        comparisons: all.comparisons + s.comparisons,
    })
}

/// `attr[inner].sub op rest` → `attr[inner and sub op rest]`; anything else unchanged.
/// Brackets inside quoted values do not count.
fn rewrite_entra_value_path(raw: &str) -> String {
    let (Some(open), Some(close)) = (find_unquoted(raw, "["), find_unquoted(raw, "].")) else {
        return raw.to_string();
    };
    if open > close {
        return raw.to_string();
    }
    let attr = &raw[..open];
    let inner = &raw[open + 1..close];
    let tail = &raw[close + 2..];
    let sub_end = tail.find(char::is_whitespace).unwrap_or(tail.len());
    let (sub, comparison) = tail.split_at(sub_end);
    if attr.is_empty() || sub.is_empty() || comparison.trim().is_empty() || attr.contains(' ') {
        return raw.to_string();
    }
    format!("{attr}[{inner} and {sub}{comparison}]")
}

/// Where `pattern` first occurs outside a double-quoted string (`\"` escapes honoured).
fn find_unquoted(raw: &str, pattern: &str) -> Option<usize> {
    let (mut quoted, mut escaped) = (false, false);
    for (i, c) in raw.char_indices() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
        } else if c == '"' {
            quoted = true;
        } else if raw[i..].starts_with(pattern) {
            return Some(i);
        }
    }
    None
}

/// `text` as a JSON string literal, the form Databricks filters quote values in: quotes,
/// backslashes and control characters stay inside it (serde_json writes the escapes).
pub fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

#[cfg(test)]
mod tests;
