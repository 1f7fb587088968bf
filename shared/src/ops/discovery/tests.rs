use super::*;

fn request(method: &str, path: &str) -> ScimRequest {
    ScimRequest {
        method: method.into(),
        path: path.into(),
        base_url: "http://h/scim/v2".into(),
        ..ScimRequest::default()
    }
}

fn state() -> Context {
    Context::new(
        &crate::config::AppState::for_unit_tests(),
        std::time::Instant::now() + std::time::Duration::from_secs(60),
    )
}

#[tokio::test]
async fn discovery_documents_answer_get_and_405_for_other_methods() {
    let s = state();
    for path in [
        "/ServiceProviderConfig",
        "/ResourceTypes",
        "/ResourceTypes/User",
        "/Schemas",
        "/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group",
    ] {
        assert_eq!(handle(s.clone(), request("GET", path)).await.map(|r| r.status), Ok(200), "{path}");
        for method in ["POST", "PUT", "PATCH", "DELETE"] {
            let err = handle(s.clone(), request(method, path)).await.err().map(|e| e.status());
            assert_eq!(err, Some(405), "{method} {path}");
        }
    }
}

#[tokio::test]
async fn unknown_paths_and_unknown_ids_are_scim_404() {
    let s = state();
    for path in ["/0b9c8e8e-1111-4444-8888-000000000000", "/ResourceTypes/Nope", "/Schemas/urn:nope", "/Users/1/extra"]
    {
        let err = handle(s.clone(), request("GET", path)).await.err().map(|e| e.status());
        assert_eq!(err, Some(404), "{path}");
    }
}

#[tokio::test]
async fn a_wrong_method_on_a_resource_path_is_405() {
    let s = state();
    let err = handle(s.clone(), request("POST", "/Users/123")).await.err().map(|e| e.status());
    assert_eq!(err, Some(405));
}

#[tokio::test]
async fn a_resource_name_in_the_wrong_case_is_a_404_naming_the_right_path() {
    let s = state();
    for (method, path, right) in [
        ("GET", "/users", "/Users"),
        ("POST", "/groups", "/Groups"),
        ("GET", "/serviceprincipals/123", "/ServicePrincipals/123"),
        ("DELETE", "/USERS/7", "/Users/7"),
        ("POST", "/users/.search", "/Users/.search"),
        ("POST", "/Groups/.Search", "/Groups/.search"),
    ] {
        let err = handle(s.clone(), request(method, path)).await.err();
        assert_eq!(err.as_ref().map(ScimError::status), Some(404), "{method} {path}");
        let detail = err.map(|e| e.to_body()["detail"].as_str().unwrap_or_default().to_string()).unwrap_or_default();
        assert_eq!(detail, format!("no such endpoint; did you mean {right}?"), "{method} {path}");
    }
}

#[tokio::test]
async fn a_wrong_method_on_a_search_endpoint_is_405_and_a_bad_root_search_is_400() {
    let s = state();
    for (method, path) in
        [("GET", "/.search"), ("PUT", "/.search"), ("GET", "/Users/.search"), ("DELETE", "/Groups/.search")]
    {
        let err = handle(s.clone(), request(method, path)).await.err().map(|e| e.status());
        assert_eq!(err, Some(405), "{method} {path}");
    }
    let mut bad = request("POST", "/.search");
    bad.body = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}"#.to_vec();
    assert!(matches!(handle(s.clone(), bad).await, Err(ScimError::InvalidSyntax(_))));
    let mut bad = request("POST", "/.search");
    bad.body = br#"{"filter":"title eq \"x\""}"#.to_vec();
    assert!(matches!(handle(s.clone(), bad).await, Err(ScimError::InvalidFilter(_))));
}
