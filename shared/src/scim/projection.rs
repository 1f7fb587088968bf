//! `attributes` / `excludedAttributes` applied to a SCIM resource (RFC 7644 §3.4.2.5, §3.9).
//! `id` and `schemas` are always returned.

use serde_json::{Map, Value};

use super::list::Projection;

/// One attribute reference of a projection, lower-cased.
#[derive(Debug, PartialEq, Eq)]
struct AttrRef {
    /// Extension URN the attribute lives in (`None` for core attributes).
    extension: Option<String>,
    name: String,
    sub: Option<String>,
}

const ALWAYS_RETURNED: [&str; 2] = ["id", "schemas"];

fn parse_ref(raw: &str, core_schema: &str, extensions: &[&str]) -> AttrRef {
    let lower = raw.trim().to_ascii_lowercase();
    let core_prefix = format!("{}:", core_schema.to_ascii_lowercase());
    if let Some(rest) = lower.strip_prefix(&core_prefix) {
        return split_name(None, rest);
    }
    for ext in extensions {
        let ext = ext.to_ascii_lowercase();
        if lower == ext {
            return AttrRef { extension: None, name: ext, sub: None };
        }
        if let Some(rest) = lower.strip_prefix(&format!("{ext}:")) {
            return split_name(Some(ext), rest);
        }
    }
    split_name(None, &lower)
}

fn split_name(extension: Option<String>, s: &str) -> AttrRef {
    match s.split_once('.') {
        Some((name, sub)) => AttrRef { extension, name: name.into(), sub: Some(sub.into()) },
        None => AttrRef { extension, name: s.into(), sub: None },
    }
}

/// Applies a projection to one resource in place. The resource is open JSON from here on: which
/// attributes and sub-attributes remain depends on the request.
pub fn apply(resource: &mut Value, projection: &Projection, core_schema: &str, extensions: &[&str]) {
    let Value::Object(map) = resource else { return };
    if !projection.attributes.is_empty() {
        let wanted: Vec<AttrRef> =
            projection.attributes.iter().map(|a| parse_ref(a, core_schema, extensions)).collect();
        keep_only(map, &wanted, None);
    } else if !projection.excluded.is_empty() {
        let unwanted: Vec<AttrRef> =
            projection.excluded.iter().map(|a| parse_ref(a, core_schema, extensions)).collect();
        drop_all(map, &unwanted, None);
    }
}

/// The keys of an object a projection may remove, each with its lower-cased form: all but the
/// always-returned ones at the top level (`extension` `None`).
fn projectable_keys<'a>(keys: impl Iterator<Item = &'a String>, extension: Option<&str>) -> Vec<(String, String)> {
    keys.map(|key| (key.clone(), key.to_ascii_lowercase()))
        .filter(|(_, lower)| extension.is_some() || !ALWAYS_RETURNED.contains(&lower.as_str()))
        .collect()
}

fn keep_only(map: &mut Map<String, Value>, wanted: &[AttrRef], extension: Option<&str>) {
    for (key, lower) in projectable_keys(map.keys(), extension) {
        let whole = wanted.iter().any(|w| w.extension.as_deref() == extension && w.name == lower && w.sub.is_none());
        if whole {
            continue;
        }
        let is_extension_object = extension.is_none() && lower.starts_with("urn:");
        if is_extension_object && wanted.iter().any(|w| w.extension.as_deref() == Some(lower.as_str())) {
            if let Some(Value::Object(inner)) = map.get_mut(&key) {
                keep_only(inner, wanted, Some(&lower));
            }
            continue;
        }
        let subs: Vec<&str> = wanted
            .iter()
            .filter(|w| w.extension.as_deref() == extension && w.name == lower)
            .filter_map(|w| w.sub.as_deref())
            .collect();
        if subs.is_empty() {
            map.remove(&key);
        } else if let Some(value) = map.get_mut(&key) {
            retain_sub_attributes(value, &subs, true);
        }
    }
}

/// Keeps (`keep = true`) or drops the named sub-attributes of a complex or multi-valued attribute.
fn retain_sub_attributes(value: &mut Value, subs: &[&str], keep_named: bool) {
    let keep =
        |obj: &mut Map<String, Value>| obj.retain(|k, _| subs.contains(&k.to_ascii_lowercase().as_str()) == keep_named);
    match value {
        Value::Object(obj) => keep(obj),
        Value::Array(items) => items.iter_mut().filter_map(Value::as_object_mut).for_each(keep),
        _ => {}
    }
}

fn drop_all(map: &mut Map<String, Value>, unwanted: &[AttrRef], extension: Option<&str>) {
    for (key, lower) in projectable_keys(map.keys(), extension) {
        let mine = |w: &&AttrRef| w.extension.as_deref() == extension && w.name == lower;
        if unwanted.iter().filter(mine).any(|w| w.sub.is_none()) {
            map.remove(&key);
            continue;
        }
        let subs: Vec<&str> = unwanted.iter().filter(mine).filter_map(|w| w.sub.as_deref()).collect();
        if let Some(value) = map.get_mut(&key) {
            if !subs.is_empty() {
                retain_sub_attributes(value, &subs, false);
            } else if lower.starts_with("urn:")
                && let Value::Object(inner) = value
            {
                drop_all(inner, unwanted, Some(&lower));
            }
        }
    }
}

#[cfg(test)]
mod tests;
