use super::*;

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
