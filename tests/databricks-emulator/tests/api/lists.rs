use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Harness, ids};

#[tokio::test]
async fn lists_are_sorted_by_numeric_id_and_page_with_an_echoed_start_index() {
    let h = Harness::new().await;
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(h.create_user(&format!("u{i}@x.com"), None).await);
    }
    created.sort_by_key(|id| id.parse::<u64>().unwrap());

    let all = h.get("Users").await;
    let page = h.get("Users?attributes=id%2CuserName&count=2&startIndex=2").await;
    let last = h.get("Users?count=10000&startIndex=5").await;

    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.body["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]));
    assert_eq!(
        (all.body["totalResults"].as_u64(), all.body["startIndex"].as_u64(), all.body["itemsPerPage"].as_u64()),
        (Some(5), Some(1), Some(5))
    );
    assert_eq!(ids(&all.body), created);
    assert_eq!(page.body["startIndex"], 2);
    assert_eq!(page.body["itemsPerPage"], 2);
    assert_eq!(page.body["totalResults"], 5);
    assert_eq!(ids(&page.body), created[1..3].to_vec());
    assert_eq!(
        page.body["Resources"][0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "schemas", "userName"]
    );
    assert_eq!(ids(&last.body), created[4..].to_vec());
}

#[tokio::test]
async fn a_page_past_the_end_is_200_without_resources() {
    let h = Harness::new().await;
    h.create_user("only@x.com", None).await;

    let r = h.get("Users?attributes=id%2CuserName&count=10000&startIndex=2").await;

    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 1, "startIndex": 2, "itemsPerPage": 0})
    );
}

#[tokio::test]
async fn listing_groups_with_restricted_attributes_leaves_members_out() {
    let h = Harness::new().await;
    let uid = h.create_user("m@x.com", None).await;
    let gid = h.create_group("g", &[&uid]).await;

    let only = h.get("Groups?attributes=id,displayName").await;
    let excluded = h.get("Groups?excludedAttributes=members").await;
    let with_meta = h.get("Groups?attributes=id,displayName,meta").await;

    assert_eq!(
        only.body["Resources"],
        json!([{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": gid, "displayName": "g"}])
    );
    assert!(excluded.body["Resources"][0].get("members").is_none());
    assert_eq!(excluded.body["Resources"][0]["groups"], json!([]));
    assert_eq!(with_meta.body["Resources"][0]["meta"], json!({"resourceType": "WorkspaceGroup"}));
}

#[tokio::test]
async fn sort_by_and_sort_order_reorder_a_list() {
    let h = Harness::new().await;
    for name in ["b@x.com", "c@x.com", "a@x.com"] {
        h.create_user(name, None).await;
    }

    let r = h.get("Users?sortBy=userName&sortOrder=descending").await;

    let names: Vec<&str> =
        r.body["Resources"].as_array().unwrap().iter().map(|u| u["userName"].as_str().unwrap()).collect();
    assert_eq!(names, ["c@x.com", "b@x.com", "a@x.com"]);
}
