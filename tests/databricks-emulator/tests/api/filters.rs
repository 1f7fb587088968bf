use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Harness, patch_op};

async fn users_harness() -> (Harness, String, String) {
    let h = Harness::new().await;
    let me = h.create_user("me@example.com", Some("Me Myself")).await;
    let other = h.create_user("example@databricks.com", Some("Other Person")).await;
    (h, me, other)
}

async fn total(h: &Harness, path: &str) -> u64 {
    let r = h.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.body["totalResults"].as_u64().unwrap()
}

#[tokio::test]
async fn every_documented_quoting_and_encoding_of_a_filter_value_works() {
    let (h, me, other) = users_harness().await;

    for (path, expected) in [
        ("Users?excludedAttributes=roles&filter=userName%20eq%20%22me%40example.com%22", &me),
        ("Users?filter=userName+eq+example@databricks.com", &other),
        ("Users?filter=userName%20eq%20'ME@example.com'", &me),
        ("Users?filter=USERNAME+EQ+%22Example@Databricks.com%22", &other),
        ("Users?filter=emails.value+eq+me@example.com", &me),
        ("Users?filter=emails+co+%22databricks%22", &other),
        (&format!("Users?filter=id+eq+%22{me}%22") as &str, &me),
    ] {
        let r = h.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert_eq!(r.body["totalResults"], 1, "{path}");
        assert_eq!(r.body["Resources"][0]["id"], expected.as_str(), "{path}");
    }
}

#[tokio::test]
async fn and_or_ne_co_and_sw_combine_as_documented() {
    let (h, _, _) = users_harness().await;

    assert_eq!(total(&h, "Users?filter=displayName+sw+%22me%22+or+displayName+co+%22person%22").await, 2);
    assert_eq!(total(&h, "Users?filter=displayName+sw+me+and+userName+co+databricks").await, 0);
    assert_eq!(total(&h, "Users?filter=userName+ne+me@example.com").await, 1);
    assert_eq!(total(&h, "Users?filter=userName+eq+nobody+or+userName+sw+example+and+active+eq+true").await, 1);
    assert_eq!(total(&h, "Users?filter=externalId+ne+%22x%22").await, 2);
    assert_eq!(total(&h, "Users?filter=displayName+eq+any-hyphenated-value").await, 0);
}

#[tokio::test]
async fn the_active_attribute_filters_with_booleans() {
    let (h, me, _) = users_harness().await;
    h.patch(&format!("Users/{me}"), patch_op(json!([{"op": "replace", "path": "active", "value": false}]))).await;

    assert_eq!(total(&h, "Users?filter=active+eq+true").await, 1);
    assert_eq!(total(&h, "Users?filter=active%20eq%20%22false%22").await, 1);
}

#[tokio::test]
async fn a_bad_filter_answers_400_invalid_filter_request_failed() {
    let (h, _, _) = users_harness().await;

    for filter in [
        "abcdefghijkl",
        "userName+pr",
        "userName+gt+%22a%22",
        "not+(userName+eq+%22a%22)",
        "(userName+eq+%22a%22)",
        "emails%5Btype+eq+%22work%22%5D",
        "nickName+eq+x",
        "members+eq+x",
        "active+co+true",
    ] {
        let r = h.get(&format!("Users?filter={filter}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{filter}");
        assert_eq!(
            r.body,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "detail": "InvalidFilter request failed", "status": "400"}),
            "{filter}"
        );
    }
}

#[tokio::test]
async fn group_display_names_filter_case_sensitively() {
    let h = Harness::new().await;
    h.create_group("Engineering", &[]).await;
    h.create_group("ds", &[]).await;

    assert_eq!(total(&h, "Groups?filter=displayName%20eq%20%22ds%22").await, 1);
    assert_eq!(total(&h, "Groups?filter=displayName+sw+eng").await, 0);
    assert_eq!(total(&h, "Groups?filter=displayName+sw+Eng").await, 1);
    assert_eq!(h.get("Groups?filter=userName+eq+x").await.status, StatusCode::BAD_REQUEST);
}
