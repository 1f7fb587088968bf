//! Test harness: one emulator per test on an ephemeral loopback port.

use databricks_emulator::{Cloud, Config, DEFAULT_TOKEN, Emulator, Target, WriteAnswers};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const SCIM: &str = "/api/2.0/preview/scim/v2";

/// The account id the account-target harness is configured with.
pub const ACCOUNT_ID: &str = "9c2f0a1e-account";

/// The account SCIM base of [`ACCOUNT_ID`] (absolute, for [`Harness::call`]).
pub const ACCOUNT_SCIM: &str = "/api/2.0/accounts/9c2f0a1e-account/scim/v2";

/// `ACCOUNT_SCIM/<rest>`.
pub fn account(rest: &str) -> String {
    format!("{ACCOUNT_SCIM}/{rest}")
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The SCIM error detail.
    pub fn detail(&self) -> &str {
        self.body["detail"].as_str().unwrap_or_default()
    }
}

pub struct Harness {
    pub emulator: Emulator,
    pub http: reqwest::Client,
}

impl Harness {
    pub async fn new() -> Self {
        Self::with(Config::default()).await
    }

    pub async fn with(config: Config) -> Self {
        let emulator = Emulator::start(config).await.expect("emulator starts");
        Harness { emulator, http: reqwest::Client::new() }
    }

    pub async fn quirks() -> Self {
        Self::with(Config { seed_quirks: true, ..Config::default() }).await
    }

    /// PUT and PATCH answer the resource (`write_answers: resource`), for tests that read it.
    pub async fn answering_resources() -> Self {
        Self::with(Config { write_answers: WriteAnswers::Resource, ..Config::default() }).await
    }

    /// An Azure workspace (service principals carry their Entra application id) whose PUT and
    /// PATCH answer the resource.
    pub async fn azure() -> Self {
        Self::with(Config { cloud: Cloud::Azure, write_answers: WriteAnswers::Resource, ..Config::default() }).await
    }

    /// The account target (`--target account --account-id ACCOUNT_ID`) with `config`'s other
    /// settings.
    pub async fn account_with(config: Config) -> Self {
        Self::with(Config { target: Target::Account, account_id: Some(ACCOUNT_ID.to_owned()), ..config }).await
    }

    /// The account target with every other setting at its default.
    pub async fn account() -> Self {
        Self::account_with(Config::default()).await
    }

    /// `POST /_emulator/behaviour` with `changes`, which must be accepted.
    pub async fn behaviour(&self, changes: Value) {
        let r = self.admin(Method::POST, "behaviour", Some(changes)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{path}", self.emulator.base_url())
        } else {
            format!("{}{SCIM}/{path}", self.emulator.base_url())
        }
    }

    /// A SCIM call with the default token. `path` is relative to the SCIM base unless it
    /// starts with `/`.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.call_as(DEFAULT_TOKEN, method, path, body).await
    }

    pub async fn call_as(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        reply(req.send().await.expect("request is answered")).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None).await
    }

    /// `/_emulator/…` admin calls (no auth).
    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self.http.request(method, format!("{}/_emulator/{path}", self.emulator.base_url()));
        if let Some(body) = body {
            req = req.json(&body);
        }
        reply(req.send().await.expect("admin request is answered")).await
    }

    pub async fn fault(&self, rule: Value) {
        let r = self.admin(Method::POST, "faults", Some(rule)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }

    pub async fn create_user(&self, user_name: &str, display_name: Option<&str>) -> String {
        let mut body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name});
        if let Some(d) = display_name {
            body["displayName"] = json!(d);
        }
        let r = self.post("Users", body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }

    pub async fn create_group(&self, name: &str, member_ids: &[&str]) -> String {
        let members: Vec<Value> = member_ids.iter().map(|id| json!({"value": id})).collect();
        let r = self
            .post(
                "Groups",
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name, "members": members}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }

    pub async fn create_sp(&self, display_name: &str) -> (String, String) {
        let r = self.post("ServicePrincipals", json!({"displayName": display_name})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        (r.body["id"].as_str().unwrap().to_owned(), r.body["applicationId"].as_str().unwrap().to_owned())
    }
}

pub async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body is readable");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    Reply { status, headers, body }
}

pub fn patch_op(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

/// Ids of a list response's `Resources`, in order.
pub fn ids(list: &Value) -> Vec<String> {
    list["Resources"]
        .as_array()
        .map(|a| a.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}
