use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Harness, patch_op};

#[tokio::test]
async fn creating_a_user_answers_200_with_the_databricks_user_shape() {
    let h = Harness::new().await;

    let r = h
        .post(
            "Users",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "Mickey.Mouse@Disney.com",
                   "emails": [{"value": "other@x.com", "type": "home"}],
                   "entitlements": [{"value": "allow-cluster-create"}, {"value": "some-random-value"}],
                   "roles": [{"value": "arn:aws:iam::123456789012:instance-profile/p"}],
                   "externalId": "ext-1"}),
        )
        .await;

    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/json");
    let id = r.body["id"].as_str().unwrap();
    assert!((15..=16).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()), "{id}");
    assert_eq!(
        r.body,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:workspace:2.0:User"],
            "id": id,
            "userName": "mickey.mouse@disney.com",
            "emails": [{"type": "work", "value": "mickey.mouse@disney.com", "primary": true}],
            "displayName": "mickey.mouse@disney.com",
            "name": {"givenName": "mickey.mouse@disney.com"},
            "active": true,
            "entitlements": [{"value": "allow-cluster-create"}, {"value": "some-random-value"}],
            "roles": [{"value": "arn:aws:iam::123456789012:instance-profile/p"}],
            "externalId": "ext-1",
        })
    );
    let got = h.get(&format!("Users/{id}")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, r.body);
}

#[tokio::test]
async fn the_name_is_derived_from_the_display_name_at_its_last_space_unless_given() {
    let h = Harness::new().await;

    let derived = h.post("Users", json!({"userName": "svc@x.com", "displayName": "Example Service User"})).await;
    let explicit = h
        .post(
            "Users",
            json!({"userName": "jd@x.com", "displayName": "John Doe", "name": {"givenName": "Johnny", "familyName": "D"}}),
        )
        .await;

    assert_eq!(derived.body["name"], json!({"givenName": "Example Service", "familyName": "User"}));
    assert_eq!(explicit.body["name"], json!({"givenName": "Johnny", "familyName": "D"}));
}

#[tokio::test]
async fn creating_a_user_twice_answers_409_with_the_documented_text() {
    let h = Harness::new().await;
    h.create_user("mickey.mouse@disney.com", None).await;

    let r = h.post("Users", json!({"userName": "MICKEY.mouse@disney.com"})).await;

    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        r.body,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
               "detail": "User with username mickey.mouse@disney.com already exists.", "status": "409"})
    );
}

#[tokio::test]
async fn an_empty_or_malformed_body_answers_400_invalid_syntax() {
    let h = Harness::new().await;
    let unparsable = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "scimType": "invalidSyntax",
                            "detail": "Request is unparsable, syntactically incorrect, or violates schema.", "status": "400"});

    for body in ["", "{not json", "[1,2]"] {
        let resp = h
            .http
            .post(h.url("Users"))
            .bearer_auth(databricks_emulator::DEFAULT_TOKEN)
            .header("content-type", "application/scim+json")
            .body(body)
            .send()
            .await
            .unwrap();
        let r = crate::helpers::reply(resp).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body:?}");
        assert_eq!(r.body, unparsable, "{body:?}");
    }
    let missing = h.post("Users", json!({"displayName": "No Name"})).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.body["scimType"], "invalidSyntax");
    assert!(missing.detail().contains("userName"), "{}", missing.body);
    let wrong_type = h.post("Users", json!({"userName": "a@b.c", "entitlements": "allow-cluster-create"})).await;
    assert_eq!(wrong_type.body, unparsable);
}

#[tokio::test]
async fn scim_json_with_charset_is_accepted_and_other_media_types_are_refused() {
    let h = Harness::new().await;
    let send = |ct: &'static str| {
        h.http
            .post(h.url("Users"))
            .bearer_auth(databricks_emulator::DEFAULT_TOKEN)
            .header("content-type", ct)
            .body(format!(r#"{{"userName":"{}@x.com"}}"#, ct.len()))
            .send()
    };

    let scim = send("application/scim+json; charset=utf-8").await.unwrap();
    let text = send("text/plain").await.unwrap();

    assert_eq!(scim.status(), StatusCode::OK);
    assert_eq!(text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn a_missing_user_is_404_and_a_non_numeric_id_is_endpoint_not_supported() {
    let h = Harness::new().await;

    let missing = h.get("Users/123456789012345").await;
    let email = h.get("Users/someone@example.com").await;

    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.detail(), "User with id 123456789012345 not found.");
    assert_eq!(missing.body["status"], "404");
    assert_eq!(email.status, StatusCode::NOT_FOUND);
    assert_eq!(email.detail(), "Endpoint not supported.");
}

#[tokio::test]
async fn get_honours_attributes_and_excluded_attributes() {
    let h = Harness::new().await;
    let id = h.create_user("a@x.com", Some("A Person")).await;

    let only =
        h.get(&format!("Users/{id}?attributes=userName,displayName,active,externalId,entitlements,display_name")).await;
    let without = h.get(&format!("Users/{id}?excludedAttributes=emails,name,id")).await;

    assert_eq!(
        only.body,
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:workspace:2.0:User"],
               "id": id, "userName": "a@x.com", "displayName": "A Person", "active": true})
    );
    assert!(without.body.get("emails").is_none() && without.body.get("name").is_none());
    assert_eq!(without.body["id"], id.as_str());
}

#[tokio::test]
async fn put_replaces_the_user_and_wipes_group_membership_not_sent_again() {
    let h = Harness::answering_resources().await;
    let id = h.create_user("p@x.com", Some("Pat Old")).await;
    let g1 = h.create_group("g1", &[&id]).await;
    let g2 = h.create_group("g2", &[]).await;

    let r = h
        .put(
            &format!("Users/{id}"),
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "changed@x.com",
                   "displayName": "Pat New", "groups": [{"value": g2}], "entitlements": [{"value": "workspace-access"}]}),
        )
        .await;
    let wiped = h.put(&format!("Users/{id}"), json!({"userName": "p@x.com", "active": false})).await;

    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["userName"], "p@x.com", "userName is immutable");
    assert_eq!(r.body["name"], json!({"givenName": "Pat", "familyName": "New"}));
    assert_eq!(r.body["entitlements"], json!([{"value": "workspace-access"}]));
    assert_eq!(
        r.body["groups"],
        json!([{"display": "g2", "type": "direct", "value": g2, "$ref": format!("Groups/{g2}")}])
    );
    assert_eq!(h.get(&format!("Groups/{g1}")).await.body.get("members"), None);
    assert_eq!(wiped.status, StatusCode::OK);
    assert_eq!(wiped.body["active"], false);
    assert_eq!(wiped.body["displayName"], "p@x.com");
    assert!(wiped.body.get("groups").is_none() && wiped.body.get("entitlements").is_none());
}

#[tokio::test]
async fn patch_active_accepts_bool_string_and_value_array_but_not_capitalised_strings() {
    let h = Harness::answering_resources().await;
    let id = h.create_user("act@x.com", None).await;
    let path = format!("Users/{id}");

    for (value, expected) in [
        (json!("false"), false),
        (json!(true), true),
        (json!([{"value": "false"}]), false),
        (json!([{"value": "true"}]), true),
    ] {
        let r = h.patch(&path, patch_op(json!([{"op": "replace", "path": "active", "value": value}]))).await;
        assert_eq!(r.status, StatusCode::OK, "{value}");
        assert_eq!(r.body["active"], expected, "{value}");
    }
    let entra = h.patch(&path, patch_op(json!([{"op": "replace", "path": "active", "value": "False"}]))).await;
    assert_eq!(entra.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        entra.body,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "500",
               "detail": "class java.lang.String cannot be cast to class java.lang.Boolean (java.lang.String and java.lang.Boolean are in module java.base of loader 'bootstrap')"})
    );
}

#[tokio::test]
async fn patch_changes_names_entitlements_and_ignores_user_name_and_emails() {
    let h = Harness::answering_resources().await;
    let id = h.create_user("n@x.com", Some("Nora Smith")).await;

    let r = h
        .patch(
            &format!("Users/{id}"),
            json!({"Operations": [
                {"op": "replace", "path": "name.familyName", "value": "Jones"},
                {"op": "add", "path": "entitlements", "value": [{"value": "allow-cluster-create"}, {"value": "databricks-sql-access"}]},
                {"op": "remove", "path": "entitlements[value eq \"allow-cluster-create\"]"},
                {"op": "replace", "value": {"displayName": "Nora J", "externalId": "e-9", "userName": "x@y.z", "emails": [{"value": "x@y.z"}]}},
            ]}),
        )
        .await;

    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["name"], json!({"givenName": "Nora", "familyName": "Jones"}));
    assert_eq!(r.body["entitlements"], json!([{"value": "databricks-sql-access"}]));
    assert_eq!(r.body["displayName"], "Nora J");
    assert_eq!(r.body["externalId"], "e-9");
    assert_eq!(r.body["userName"], "n@x.com");
}

#[tokio::test]
async fn patch_with_a_capitalised_op_or_an_unknown_attribute_is_refused_and_changes_nothing() {
    let h = Harness::new().await;
    let id = h.create_user("op@x.com", None).await;
    let path = format!("Users/{id}");

    let capital = h.patch(&path, patch_op(json!([{"op": "Replace", "path": "displayName", "value": "X"}]))).await;
    let unknown = h
        .patch(
            &path,
            patch_op(json!([
                {"op": "replace", "path": "displayName", "value": "Half Done"},
                {"op": "add", "path": "members", "value": [{"value": "1"}]},
            ])),
        )
        .await;

    assert_eq!(capital.status, StatusCode::BAD_REQUEST);
    assert_eq!(capital.body["scimType"], "invalidSyntax");
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.body["scimType"], "invalidPath");
    assert_eq!(unknown.detail(), "No such attribute with the name : members in the current resource");
    assert_eq!(h.get(&path).await.body["displayName"], "op@x.com", "failed PATCH is atomic");
}

#[tokio::test]
async fn deleting_a_user_answers_204_then_404_and_removes_it_from_groups() {
    let h = Harness::new().await;
    let id = h.create_user("gone@x.com", None).await;
    let gid = h.create_group("team", &[&id]).await;

    let first = h.delete(&format!("Users/{id}")).await;
    let second = h.delete(&format!("Users/{id}")).await;

    assert_eq!(first.status, StatusCode::NO_CONTENT);
    assert!(first.body.is_null());
    assert_eq!(second.status, StatusCode::NOT_FOUND);
    assert_eq!(second.detail(), format!("User with id {id} not found."));
    assert!(h.get(&format!("Groups/{gid}")).await.body.get("members").is_none());
    // Re-creating the same userName simply works (DBA test_lifecycles).
    let again = h.create_user("gone@x.com", None).await;
    assert_ne!(again, id);
}

#[tokio::test]
async fn an_inactive_user_stays_readable_listable_and_filterable_in_default_mode() {
    let h = Harness::new().await;
    let id = h.create_user("idle@x.com", None).await;
    h.patch(&format!("Users/{id}"), patch_op(json!([{"op": "replace", "path": "active", "value": "false"}]))).await;

    let got = h.get(&format!("Users/{id}")).await;
    let inactive = h.get("Users?filter=active+eq+false").await;
    let dup = h.post("Users", json!({"userName": "idle@x.com"})).await;

    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body["active"], false);
    assert_eq!(inactive.body["totalResults"], 1);
    assert_eq!(dup.status, StatusCode::CONFLICT, "POST does not reactivate");
}

#[tokio::test]
async fn a_user_created_with_groups_becomes_their_direct_member() {
    let h = Harness::new().await;
    let gid = h.create_group("initial", &[]).await;

    let r = h.post("Users", json!({"userName": "joiner@x.com", "groups": [{"value": gid}], "active": "false"})).await;
    let unknown = h.post("Users", json!({"userName": "lost@x.com", "groups": [{"value": "999999999999999"}]})).await;

    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["active"], false);
    assert_eq!(r.body["groups"][0]["value"], gid.as_str());
    assert_eq!(r.body["groups"][0]["type"], "direct");
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.detail(), "Principal not found for id: 999999999999999");
    let listed = h.get("Users?filter=userName%20eq%20%22lost@x.com%22").await;
    assert_eq!(listed.body["totalResults"], 0, "a refused POST creates nothing");
}

#[tokio::test]
async fn methods_other_than_the_documented_ones_answer_405() {
    let h = Harness::new().await;
    let id = h.create_user("m@x.com", None).await;

    let post_item = h.call(Method::POST, &format!("Users/{id}"), Some(json!({}))).await;
    let delete_collection = h.call(Method::DELETE, "Users", None).await;

    for r in [post_item, delete_collection] {
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.detail(), "requested endpoint is not supported");
        assert_eq!(r.body["status"], "405");
    }
}
