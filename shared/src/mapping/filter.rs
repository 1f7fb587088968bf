//! SCIM filters translated into what the Databricks SCIM API can filter:
//! `eq`, `ne`, `co`, `sw` on known attributes, joined by `and`/`or` without grouping
//! (docs/databricks-behaviour.md row 49). Everything else is refused with `invalidFilter`, never dropped.
//! Values are re-quoted as JSON strings, so no client input escapes its literal.

use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, ValFilter};

use crate::scim::ScimError;

/// The kind of a filterable attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrKind {
    /// Compared as text.
    Text,
    /// `true` / `false`.
    Boolean,
}

/// One filterable attribute: SCIM name (lower-case, dotted for sub-attributes) → Databricks name.
#[derive(Debug, Clone, Copy)]
pub struct Filterable {
    /// SCIM attribute path, lower-case (`username`, `emails.value`).
    pub scim: &'static str,
    /// Databricks attribute.
    pub databricks: &'static str,
    /// Kind.
    pub kind: AttrKind,
}

/// What a resource can filter on, for translation and for error details.
#[derive(Debug, Clone, Copy)]
pub struct FilterTable {
    /// The resource's core schema URN (a prefix clients may use).
    pub core_schema: &'static str,
    /// Filterable attributes.
    pub attributes: &'static [Filterable],
}

impl Filterable {
    /// A text attribute Databricks filters under the same name (`scim` is its lower-case form).
    pub const fn text(scim: &'static str, databricks: &'static str) -> Filterable {
        Filterable { scim, databricks, kind: AttrKind::Text }
    }
}

/// The rows every resource's table has, in this order: `displayName`, `externalId`, `id`.
pub const COMMON_FILTERS: [Filterable; 3] = [
    Filterable::text("displayname", "displayName"),
    Filterable::text("externalid", "externalId"),
    Filterable::text("id", "id"),
];

/// The `active` row of the principals (users, service principals).
pub const ACTIVE_FILTER: Filterable = Filterable { scim: "active", databricks: "active", kind: AttrKind::Boolean };

/// How many rows the parts hold together (the length of [`rows`]).
pub const fn row_count(parts: &[&[Filterable]]) -> usize {
    let (mut count, mut i) = (0, 0);
    while i < parts.len() {
        count += parts[i].len();
        i += 1;
    }
    count
}

/// The rows of the parts, one after the other, for a static [`FilterTable`]; `N` is
/// [`row_count`] of the same parts.
pub const fn rows<const N: usize>(parts: &[&[Filterable]]) -> [Filterable; N] {
    let mut out = [Filterable::text("", ""); N];
    let (mut part, mut n) = (0, 0);
    while part < parts.len() {
        let mut i = 0;
        while i < parts[part].len() && n < N {
            out[n] = parts[part][i];
            n += 1;
            i += 1;
        }
        part += 1;
    }
    out
}

impl FilterTable {
    fn supported(&self) -> String {
        let names: Vec<&str> = self.attributes.iter().map(|a| a.scim).collect();
        format!("supported: eq, ne, co, sw on {} joined by and/or", names.join(", "))
    }

    fn lookup(&self, path: &AttrPath) -> Result<&Filterable, ScimError> {
        if let Some(uri) = &path.uri
            && !uri.eq_ignore_ascii_case(self.core_schema)
        {
            return Err(ScimError::InvalidFilter(format!("cannot filter on '{path}'; {}", self.supported())));
        }
        let name = match &path.sub_attr {
            Some(sub) => format!("{}.{}", path.name, sub).to_ascii_lowercase(),
            None => path.name.to_ascii_lowercase(),
        };
        self.attributes
            .iter()
            .find(|a| a.scim == name)
            .ok_or_else(|| ScimError::InvalidFilter(format!("cannot filter on '{path}'; {}", self.supported())))
    }
}

/// `attribute eq "value"` for Databricks, the value quoted as a JSON string so it stays a literal.
pub fn equals(databricks_attribute: &str, value: &str) -> String {
    format!("{databricks_attribute} eq {}", crate::scim::filter::quoted(value))
}

/// Translates a parsed SCIM filter into a Databricks filter expression.
pub fn translate(filter: &Filter, table: &FilterTable) -> Result<String, ScimError> {
    match filter {
        Filter::Attr(exp) => comparison(exp, table, None),
        Filter::And(items) => join(items.iter(), " and ", table, false),
        Filter::Or(items) => join(items.iter(), " or ", table, true),
        Filter::ValuePath(vp) => value_path(&vp.attr, &vp.filter, table),
        Filter::Not(_) => Err(ScimError::InvalidFilter(format!("'not' is not supported; {}", table.supported()))),
    }
}

fn join<'a>(
    items: impl Iterator<Item = &'a Filter>,
    sep: &str,
    table: &FilterTable,
    is_or: bool,
) -> Result<String, ScimError> {
    let mut parts = Vec::new();
    for item in items {
        if !is_or && matches!(item, Filter::Or(_)) {
            return Err(ScimError::InvalidFilter(format!(
                "Databricks cannot group 'or' inside 'and'; {}",
                table.supported()
            )));
        }
        parts.push(translate(item, table)?);
    }
    Ok(parts.join(sep))
}

/// `emails[type eq "work" and value eq "x"]` (and Entra's form, rewritten to this one)
/// becomes a comparison on the work e-mail, which Databricks keeps as the userName.
fn value_path(attr: &AttrPath, inner: &ValFilter, table: &FilterTable) -> Result<String, ScimError> {
    let mut comparisons = Vec::new();
    collect_and(inner, &mut comparisons).ok_or_else(|| {
        ScimError::InvalidFilter(format!("this value filter is not supported; {}", table.supported()))
    })?;
    let mut value_terms = Vec::new();
    for exp in comparisons {
        match exp {
            AttrExp::Comparison(sub, CompareOp::Eq, CompValue::Str(t)) if sub.name.eq_ignore_ascii_case("type") => {
                if !t.eq_ignore_ascii_case("work") {
                    return Err(ScimError::InvalidFilter("Databricks keeps only the work e-mail".into()));
                }
            }
            AttrExp::Comparison(sub, _, _) if sub.name.eq_ignore_ascii_case("value") => {
                let qualified =
                    AttrPath { uri: attr.uri.clone(), name: attr.name.clone(), sub_attr: Some("value".into()) };
                value_terms.push(comparison(exp, table, Some(&qualified))?);
            }
            _ => {
                return Err(ScimError::InvalidFilter(format!(
                    "this value filter is not supported; {}",
                    table.supported()
                )));
            }
        }
    }
    if value_terms.is_empty() {
        return Err(ScimError::InvalidFilter(format!(
            "a value filter needs a 'value' comparison; {}",
            table.supported()
        )));
    }
    Ok(value_terms.join(" and "))
}

fn collect_and<'a>(filter: &'a ValFilter, out: &mut Vec<&'a AttrExp>) -> Option<()> {
    match filter {
        ValFilter::Attr(exp) => {
            out.push(exp);
            Some(())
        }
        ValFilter::And(items) => items.iter().try_for_each(|i| collect_and(i, out)),
        ValFilter::Or(_) | ValFilter::Not(_) => None,
    }
}

fn comparison(exp: &AttrExp, table: &FilterTable, path_override: Option<&AttrPath>) -> Result<String, ScimError> {
    let AttrExp::Comparison(path, op, value) = exp else {
        return Err(ScimError::InvalidFilter(format!("'pr' is not supported; {}", table.supported())));
    };
    let attribute = table.lookup(path_override.unwrap_or(path))?;
    let op_text = match op {
        CompareOp::Eq => "eq",
        CompareOp::Ne => "ne",
        CompareOp::Co => "co",
        CompareOp::Sw => "sw",
        other => {
            return Err(ScimError::InvalidFilter(format!(
                "operator '{other}' is not supported; {}",
                table.supported()
            )));
        }
    };
    let literal = match (attribute.kind, value) {
        (AttrKind::Text, CompValue::Str(s)) => crate::scim::filter::quoted(s),
        (AttrKind::Boolean, CompValue::True) => "true".into(),
        (AttrKind::Boolean, CompValue::False) => "false".into(),
        (AttrKind::Boolean, CompValue::Str(s)) if s.eq_ignore_ascii_case("true") => "true".into(),
        (AttrKind::Boolean, CompValue::Str(s)) if s.eq_ignore_ascii_case("false") => "false".into(),
        _ => {
            return Err(ScimError::InvalidFilter(format!(
                "'{}' needs a {} value",
                attribute.scim,
                if attribute.kind == AttrKind::Boolean { "boolean" } else { "string" }
            )));
        }
    };
    if attribute.kind == AttrKind::Boolean && !matches!(op, CompareOp::Eq | CompareOp::Ne) {
        return Err(ScimError::InvalidFilter(format!("only eq and ne are supported on '{}'", attribute.scim)));
    }
    Ok(format!("{} {op_text} {literal}", attribute.databricks))
}

#[cfg(test)]
mod tests;
