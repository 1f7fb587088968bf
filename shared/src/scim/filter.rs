//! SCIM filter parsing (RFC 7644 §3.4.2.2) with the `scim_v2` grammar, after rewriting
//! the one non-standard form Entra ID sends.

use scim_v2::filter::Filter;

use super::ScimError;
use super::patch::truncate;

/// Longest filter we accept; a longer one is refused before parsing.
pub const MAX_FILTER_LEN: usize = 2048;

/// Parses a client filter. Entra's `emails[type eq "work"].value eq "x"` is rewritten
/// to the RFC form `emails[type eq "work" and value eq "x"]` first.
pub fn parse_filter(raw: &str) -> Result<Filter, ScimError> {
    if raw.len() > MAX_FILTER_LEN {
        return Err(ScimError::InvalidFilter(format!("the filter is longer than {MAX_FILTER_LEN} characters")));
    }
    let rewritten = rewrite_entra_value_path(raw.trim());
    rewritten
        .parse::<Filter>()
        .map_err(|_| ScimError::InvalidFilter(format!("'{}' is not a valid SCIM filter", truncate(raw))))
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

#[cfg(test)]
mod tests;
