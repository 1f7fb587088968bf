use tests::Operation::*;
use tests::{Call, TestStack, in_every_mode};

async fn discovery_documents_are_served_and_other_methods_get_405(stack: &TestStack) {
    let a = stack.call(Discovery, Call::get("/ServiceProviderConfig")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["patch"]["supported"], true);
    assert_eq!(a.header("content-type"), Some("application/scim+json"));
    let a = stack.call(Discovery, Call::get("/ResourceTypes")).await;
    assert_eq!(a.body["totalResults"], 3);
    let a =
        stack.call(Discovery, Call::get("/Schemas/urn:ietf:params:scim:schemas:extension:databricks:2.0:Group")).await;
    // The group extension holds only workspace attributes: the account target has none of it.
    let served = if stack.is_account() { 404 } else { 200 };
    assert_eq!(a.status, served, "{}", a.body);
    let a = stack.call(Discovery, Call::post("/ServiceProviderConfig", serde_json::json!({}))).await;
    assert_eq!(a.status, 405, "{}", a.body);
    assert_eq!(a.body["status"], "405");
}
in_every_mode!(discovery_documents_are_served_and_other_methods_get_405);

async fn unknown_paths_are_a_scim_404(stack: &TestStack) {
    let a = stack.call(Discovery, Call::get("/6f1c1d2e-0000-4000-8000-000000000000")).await;
    assert_eq!(a.status, 404);
    assert_eq!(a.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
}
in_every_mode!(unknown_paths_are_a_scim_404);
