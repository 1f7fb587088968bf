//! Query-string handling: form-urlencoded decoding (`+` and `%20` both mean a space), the list
//! parameters, and `attributes` / `excludedAttributes` projection.

use serde_json::{Map, Value};

/// Largest page the emulator returns (the SDKs ask for 10000).
pub(crate) const MAX_COUNT: usize = 10_000;

/// Decodes `application/x-www-form-urlencoded` pairs. Malformed `%` escapes are kept literally.
pub(crate) fn decode_pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query parameters the SCIM endpoints understand. Names are matched case-insensitively;
/// unknown parameters are ignored.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Query {
    pub(crate) filter: Option<String>,
    /// 1-based, at least 1.
    pub(crate) start_index: usize,
    pub(crate) count: Option<usize>,
    pub(crate) attributes: Vec<String>,
    pub(crate) excluded: Vec<String>,
    pub(crate) sort_by: Option<String>,
    pub(crate) descending: bool,
}

impl Query {
    pub(crate) fn parse(raw: &str) -> Self {
        let mut q = Query { start_index: 1, ..Query::default() };
        for (key, value) in decode_pairs(raw) {
            match key.to_ascii_lowercase().as_str() {
                "filter" => q.filter = Some(value),
                "startindex" => {
                    if let Ok(n) = value.trim().parse::<i64>() {
                        q.start_index = usize::try_from(n.max(1)).unwrap_or(1);
                    }
                }
                "count" => {
                    if let Ok(n) = value.trim().parse::<i64>() {
                        let n = usize::try_from(n.max(0)).unwrap_or(0);
                        q.count = Some(n.min(MAX_COUNT));
                    }
                }
                "attributes" => q.attributes = split_list(&value),
                "excludedattributes" => q.excluded = split_list(&value),
                "sortby" => q.sort_by = Some(value.trim().to_ascii_lowercase()),
                "sortorder" => q.descending = value.trim().eq_ignore_ascii_case("descending"),
                _ => {}
            }
        }
        q
    }

    /// Applies `attributes` then `excludedAttributes` to one rendered resource. `id` and
    /// `schemas` are always returned; unknown names are silently ignored (PY issue #1032).
    pub(crate) fn project(&self, resource: Value) -> Value {
        let Value::Object(mut map) = resource else {
            return resource;
        };
        if !self.attributes.is_empty() {
            map = keep_only(map, &self.attributes);
        }
        for name in &self.excluded {
            exclude(&mut map, name);
        }
        Value::Object(map)
    }
}

fn split_list(value: &str) -> Vec<String> {
    value.split(',').map(|s| strip_urn(s.trim()).to_ascii_lowercase()).filter(|s| !s.is_empty()).collect()
}

/// `urn:ietf:params:scim:schemas:core:2.0:User:userName` → `userName`.
fn strip_urn(name: &str) -> &str {
    if name.to_ascii_lowercase().starts_with("urn:") { name.rsplit(':').next().unwrap_or(name) } else { name }
}

const ALWAYS_RETURNED: [&str; 2] = ["id", "schemas"];

fn keep_only(map: Map<String, Value>, wanted: &[String]) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in map {
        let lower = key.to_ascii_lowercase();
        if ALWAYS_RETURNED.contains(&lower.as_str()) || wanted.contains(&lower) {
            out.insert(key, value);
            continue;
        }
        let prefix = format!("{lower}.");
        let subs: Vec<&str> = wanted.iter().filter_map(|w| w.strip_prefix(&prefix)).collect();
        if subs.is_empty() {
            continue;
        }
        let kept = map_objects(value, |obj| {
            obj.retain(|k, _| subs.iter().any(|s| k.eq_ignore_ascii_case(s)));
        });
        out.insert(key, kept);
    }
    out
}

fn exclude(map: &mut Map<String, Value>, name: &str) {
    if ALWAYS_RETURNED.contains(&name) {
        return;
    }
    match name.split_once('.') {
        None => map.retain(|k, _| !k.eq_ignore_ascii_case(name)),
        Some((attr, sub)) => {
            let Some(key) = map.keys().find(|k| k.eq_ignore_ascii_case(attr)).cloned() else {
                return;
            };
            if let Some(value) = map.remove(&key) {
                let pruned = map_objects(value, |obj| {
                    obj.retain(|k, _| !k.eq_ignore_ascii_case(sub));
                });
                map.insert(key, pruned);
            }
        }
    }
}

/// Applies `f` to an object, or to every object inside an array.
fn map_objects(value: Value, f: impl Fn(&mut Map<String, Value>)) -> Value {
    match value {
        Value::Object(mut obj) => {
            f(&mut obj);
            Value::Object(obj)
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| match item {
                    Value::Object(mut obj) => {
                        f(&mut obj);
                        Value::Object(obj)
                    }
                    other => other,
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plus_and_percent_twenty_both_decode_to_spaces() {
        let pairs = decode_pairs("filter=userName+eq+a%40b.com&x=%22q%20r%22&bad=%zz%4");
        assert_eq!(
            pairs,
            vec![
                ("filter".into(), "userName eq a@b.com".into()),
                ("x".into(), "\"q r\"".into()),
                ("bad".into(), "%zz%4".into()),
            ]
        );
    }

    #[test]
    fn list_parameters_are_clamped_and_case_insensitive() {
        let q = Query::parse("STARTINDEX=0&count=20000&Attributes=id,userName&sortOrder=descending");
        assert_eq!(q.start_index, 1);
        assert_eq!(q.count, Some(MAX_COUNT));
        assert_eq!(q.attributes, vec!["id", "username"]);
        assert!(q.descending);
    }

    #[test]
    fn projection_keeps_id_and_schemas_and_handles_sub_attributes() {
        let resource = json!({"schemas": ["s"], "id": "1", "userName": "u", "name": {"givenName": "g", "familyName": "f"}, "emails": [{"value": "u", "type": "work"}]});
        let q = Query::parse("attributes=name.givenName,emails.value,nonsense");
        assert_eq!(
            q.project(resource.clone()),
            json!({"schemas": ["s"], "id": "1", "name": {"givenName": "g"}, "emails": [{"value": "u"}]})
        );
        let q = Query::parse("excludedAttributes=id,name.familyName,emails");
        assert_eq!(
            q.project(resource),
            json!({"schemas": ["s"], "id": "1", "userName": "u", "name": {"givenName": "g"}})
        );
    }
}
