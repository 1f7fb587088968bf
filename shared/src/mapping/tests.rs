use super::*;
use crate::mapping::databricks;

#[test]
fn known_entitlements_pass_and_unknown_ones_are_invalid_value() {
    assert_eq!(validate_entitlements(&["workspace-access".into(), "workspace-consume".into()]), Ok(()));
    assert!(matches!(validate_entitlements(&["be-admin".into()]), Err(ScimError::InvalidValue(_))));
}

#[test]
fn member_ids_must_be_numbers() {
    assert_eq!(validate_ids(&["123".into()], "members"), Ok(()));
    assert!(validate_ids(&["../Users".into()], "members").is_err());
    assert!(validate_ids(&["".into()], "members").is_err());
}

#[test]
fn removes_of_what_databricks_does_not_hold_are_dropped_and_the_rest_is_kept() {
    use crate::databricks::model::PatchOperation as Op;
    let current: crate::databricks::model::Group =
        databricks(serde_json::json!({"id": "1", "members": [{"value": "3"}], "entitlements": []}));
    let ops = vec![
        Op::remove_element("members", "3"),
        Op::remove_element("members", "4"),
        Op::remove("entitlements"),
        Op::remove("externalId"),
        Op::replace("displayName", "x"),
    ];
    let kept = without_absent_removes(&ops, &current).map(|k| wire(&k));
    assert_eq!(
        kept,
        Some(vec![
            serde_json::json!({"op": "remove", "path": "members[value eq \"3\"]"}),
            serde_json::json!({"op": "replace", "path": "displayName", "value": "x"}),
        ])
    );
    assert_eq!(removed_attributes(&ops), vec!["id", "members", "entitlements", "externalId"]);
}

#[test]
fn when_every_remove_has_a_target_nothing_is_dropped() {
    use crate::databricks::model::PatchOperation as Op;
    let current: crate::databricks::model::Group =
        databricks(serde_json::json!({"id": "1", "members": [{"value": "3"}], "externalId": "e"}));
    let ops = vec![Op::remove_element("members", "3"), Op::remove("externalId")];
    assert_eq!(without_absent_removes(&ops, &current), None);
}
