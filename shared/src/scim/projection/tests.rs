use super::*;
use serde_json::json;

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const EXT: &str = "urn:ietf:params:scim:schemas:extension:databricks:2.0:Group";

fn group() -> Value {
    json!({
        "schemas": [CORE, EXT],
        "id": "1",
        "displayName": "eng",
        "members": [{"value": "2", "display": "Ann", "type": "User"}],
        "meta": {"resourceType": "Group"},
        EXT: {"entitlements": [{"value": "workspace-access"}], "parentGroups": [{"value": "3"}]}
    })
}

fn projected(attributes: &[&str], excluded: &[&str]) -> Value {
    let mut g = group();
    let p = Projection {
        attributes: attributes.iter().map(|s| s.to_string()).collect(),
        excluded: excluded.iter().map(|s| s.to_string()).collect(),
    };
    apply(&mut g, &p, CORE, &[EXT]);
    g
}

#[test]
fn attributes_keep_only_what_was_asked_plus_id_and_schemas() {
    let g = projected(&["DISPLAYNAME"], &[]);
    assert_eq!(g["displayName"], "eng");
    assert_eq!(g["id"], "1");
    assert!(g.get("members").is_none());
    assert!(g.get(EXT).is_none());
}

#[test]
fn excluded_members_drops_members_only() {
    let g = projected(&[], &["members"]);
    assert!(g.get("members").is_none());
    assert_eq!(g["displayName"], "eng");
    assert!(g.get(EXT).is_some());
}

#[test]
fn sub_attributes_and_urn_qualified_names_are_understood() {
    let g = projected(&["members.value", &format!("{CORE}:displayName"), &format!("{EXT}:entitlements")], &[]);
    assert_eq!(g["members"], json!([{"value": "2"}]));
    assert_eq!(g["displayName"], "eng");
    assert_eq!(g[EXT], json!({"entitlements": [{"value": "workspace-access"}]}));
}

#[test]
fn id_cannot_be_excluded() {
    let g = projected(&[], &["id", "displayName"]);
    assert_eq!(g["id"], "1");
    assert!(g.get("displayName").is_none());
}
