//! An in-memory emulator of the Databricks **workspace SCIM 2.0 API**
//! (`/api/2.0/preview/scim/v2/{Users,Groups,ServicePrincipals}[/{id}]`), serving on loopback;
//! with [`Target::Account`] also of the **account SCIM API** and the workspace
//! **permission-assignment API** (see "Account target" below).
//!
//! By default it imitates the real API as `docs/databricks-behaviour.md` records it (wire
//! format, error texts, quirks of filters and PATCH), choosing the **strictest** behaviour the
//! public evidence supports wherever that evidence is unsure; the variants are behaviour
//! switches (below; `docs/databricks-behaviour.md` collects the evidence). With
//! [`Config::seed_quirks`] it instead reproduces the behaviours the seed connector document
//! claims (docs/design.md §4): inactive users hidden, soft-deleting `DELETE`, reactivating `POST`, and
//! `204` for an unknown group `DELETE`.
//!
//! ## Behaviour switches
//!
//! Each is a [`Config`] field, a flag of the binary, and a key of `POST /_emulator/behaviour`
//! (any subset; `GET /_emulator/behaviour` shows them all; `POST /_emulator/reset` returns to
//! the startup [`Config`]). The first value is the default.
//!
//! | Key / flag | Values | Behaviour |
//! |---|---|---|
//! | `write_answers` / `--write-answers` | `"empty"` \| `"no-content"` \| `"resource"` | A successful `PUT` or `PATCH` answers `200 {}` (the Databricks API reference shows `{}` for PATCH; the Go and Python SDKs model PATCH and PUT as returning nothing; `attributes` does not apply to `{}`), `204` without a body, or `200` with the (projected) resource. `POST` always answers the created resource. |
//! | `create_status` / `--create-status` | `200` \| `201` | The status of a successful `POST` (the workspace API docs list 200; the account API docs show 201). |
//! | `cloud` / `--cloud` | `"aws"` \| `"azure"` \| `"gcp"` | On AWS and GCP a service principal's non-empty `applicationId` (any case of the key) on `POST`, on `PUT`, or as a PATCH path / path-less key answers `400` with `detail` `Request is unparsable, syntactically incorrect, or violates schema.` and `scimType` `Attribute applicationID cannot be specified for the SCIM Object` (terraform-provider-databricks issues #556/#630). On Azure it is the Entra application id, taken on create (unique: `409 Service principal with application ID <id> already exists.`) and ignored on PUT/PATCH. |
//! | `lenient_removal` / `--lenient-removal` | `false` \| `true` | Strict: a PATCH `remove` of an attribute the resource does not have (empty `members`, `entitlements`, `roles` or `groups`; unset `externalId`, `name`, `name.givenName` or `name.familyName`) answers `400` `scimType` `invalidPath`, `No such attribute with the name : <attribute as written before any [filter]> in the current resource` (terraform-provider-databricks PR #2409 tolerates this text); a value filter that matches no element of a non-empty attribute answers `400` `scimType` `noTarget`, `No target found for path <path as written>` (unverified). The PATCH stays atomic. Lenient: both remove nothing, silently. |
//! | `value_filter_or` / `--value-filter-or` | `false` \| `true` | `or` inside a PATCH value filter (`members[value eq "1" or value eq "2"]`) answers `400 InvalidFilter request failed` unless switched on (no public client sends it; Terraform sends one `remove` per member). |
//! | `flaky_reads` / `--flaky-reads` | `0` \| N | Every Nth SCIM `GET` (counted across Users, Groups and ServicePrincipals after auth and throttling; setting the key restarts the count) answers `500 {"error_code": "TEMPORARILY_UNAVAILABLE", "message": "The service at /api/2.0/preview/scim/v2/<Resource> is temporarily unavailable. Please try again later."}` (databricks/cli PR #6766) without touching queued faults. Writes and token management are never affected; stats and the log count these requests as usual. |
//! | `sp_rename_ignored` / `--sp-rename-ignored[=false]` | `true` \| `false` | A PATCH `replace` of a service principal's `displayName` (with a path or path-less) answers success and changes nothing (community.databricks.com thread 139696, Nov 2025, for Entra- and Databricks-managed principals); `add` still renames (a 2022 blog). |
//! | `sp_rename_add_ignored` / `--sp-rename-add-ignored` | `false` \| `true` | With `sp_rename_ignored`, `add` of the `displayName` is ignored too (no public source either way). |
//! | `account_group_refusal` / `--account-group-refusal` | `400` \| `500` | Any PATCH or PUT of an account group answers `400` `Group membership cannot be updated through PATCH/PUT requests`, or `500` `Error in performing the patch operation on group resource.` (community.databricks.com thread 150122). |
//!
//! **Account groups** (`POST /_emulator/account-groups`) are groups of an identity-federated
//! workspace that live in the account: listed and read like any group but rendered with
//! `"meta": {"resourceType": "Group"}`, while workspace groups render
//! `"meta": {"resourceType": "WorkspaceGroup"}`; their membership is set through the admin
//! endpoint only. `GET /_emulator/state` marks them `"account": true`.
//!
//! ## Account target
//!
//! With [`Config::target`] [`Target::Account`] (`--target account`) the emulator is also the
//! account. Over the **same** users, groups and service principals (the workspace SCIM routes
//! keep answering: an identity-federated workspace sees the account's principals) it serves:
//!
//! * the **account SCIM API**: `GET`/`POST /api/2.0/accounts/{account_id}/scim/v2/{Users,Groups,ServicePrincipals}`
//!   and `GET`/`PUT`/`PATCH`/`DELETE …/{id}` below each. Stats, the request log, throttling,
//!   flaky reads and fault rules name the resource `Users`, `Groups` or `ServicePrincipals` as
//!   at the workspace (the log's `path` tells the two APIs apart); every behaviour switch
//!   applies alike. What differs (the `account` module):
//!   * account principals have **no `entitlements` and no `groups`** (docs.databricks.com
//!     `api/scim/v1/user/object`, `group/object`): never rendered, and a `POST`/`PUT` body with
//!     a non-empty one, or a PATCH operation whose path is or starts with one (or a path-less
//!     operation whose value has one), answers `400` `scimType` `invalidValue`, e.g.
//!     `entitlements is not an attribute of an account user; entitlements are set in the workspace`
//!     (no public source says what the real API does; the strictest reading). An account `PUT`
//!     keeps the workspace entitlements and the group memberships it cannot name;
//!   * `userName` and `emails` cannot be changed through `PUT` or `PATCH`: the write succeeds,
//!     they stay as they were (`update-account-user`, `patch-account-user`; the same at the
//!     workspace);
//!   * **group lists never carry `members`**, even with `attributes=members` (Go SDK
//!     `AccountGroupsV2`, since 2025-08-22); `GET` of one group does;
//!   * groups **created** through the account API are account groups (`meta.resourceType`
//!     `Group`, `"account": true` in the state): the workspace SCIM API still refuses PATCH/PUT
//!     on them (`account_group_refusal`), the account API does not;
//!   * a `userName` taken: `409 User with email <userName> already exists in this account`
//!     (terraform-provider-databricks `scim/resource_user.go`);
//! * the **permission-assignment API** (resource name `permissionassignments`, platform error
//!   shape; the `assignments` module):
//!   * `PUT /api/2.0/accounts/{account_id}/workspaces/{workspace_id}/permissionassignments/principals/{principal_id}`
//!     with `{"permissions": ["USER"|"ADMIN", …]}` → `200 {"principal": {"principal_id": N,
//!     "display_name": "…", "user_name"|"group_name"|"service_principal_name": "…"},
//!     "permissions": ["ADMIN"]}`: only `USER` and `ADMIN` count (case-sensitive), `ADMIN`
//!     wins, and no valid value (or no `permissions`) **removes** the assignment (the answer
//!     then has no `permissions`); a `workspace_id` not of 1–19 digits →
//!     `400 INVALID_PARAMETER_VALUE`; a body that is not a JSON object → `400 MALFORMED_REQUEST`;
//!     an unknown principal → `404 RESOURCE_DOES_NOT_EXIST`;
//!   * `DELETE` of the same path → `200 {}`, or `404 RESOURCE_DOES_NOT_EXIST` when the principal
//!     was not assigned to that workspace (unverified; the strictest reading);
//!   * `GET …/workspaces/{workspace_id}/permissionassignments` →
//!     `{"permission_assignments": [{"principal": {…}, "permissions": […]}, …]}` (one page;
//!     `{}` when nobody is assigned);
//!   * deleting a principal through either SCIM API removes its assignments everywhere.
//!
//! With [`Config::account_id`] set, an account route naming another account answers
//! `404 {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Account <id> does not exist"}`;
//! without it any account id is accepted. With [`Target::Workspace`] (the default) the account
//! routes are unknown paths (`404 Endpoint not supported.`, resource `other`) and nothing
//! above applies.
//!
//! **Throttling styles** ([`ThrottleStyle`]): `429` with `Retry-After: N` (or without it when
//! `retry_after_secs` is `None`/`null`, databricks-sdk-py PR #391), the legacy SCIM `500
//! REQUEST_LIMIT_EXCEEDED: …`, or `error-code`: any status (400–599, default 400) with
//! `{"error_code": "REQUEST_LIMIT_EXCEEDED", "message": …}` and no `Retry-After`
//! (databricks-sdk-go maps that `error_code` to throttling at any status).
//!
//! Besides the static bearer token ([`Config::token`]) it speaks Databricks OAuth
//! machine-to-machine: `POST /oidc/v1/token` with `grant_type=client_credentials` (form body,
//! `scope=all-apis`) and the client authenticated by HTTP Basic `base64(client_id:client_secret)`
//! or by `client_id` + `client_secret` form fields (not both) answers
//! `{"access_token": "dose…", "token_type": "Bearer", "expires_in": TTL, "scope": "all-apis"}`
//! (the requested scope is echoed). The access token is then accepted as a bearer token on
//! `/api/…` until it expires ([`Config::oauth_token_ttl_secs`]); expired or unknown tokens get the
//! same `401` as a wrong static token. Refusals use the OAuth shape
//! `{"error": …, "error_description": …}`: a non-form body or both client authentication methods
//! → `400 invalid_request`; unknown client, wrong secret or no credentials →
//! `401 invalid_client` (`Client authentication failed`); a missing or other `grant_type` →
//! `400 unsupported_grant_type`. Token requests are counted as `POST oidc` and logged with
//! resource `oidc`, `query` `""` and `body` `null`: neither the form nor the `Authorization`
//! header is ever recorded. They are not subject to throttling or injected faults.
//!
//! It also serves a minimal **token-management API** (workspace personal access tokens; Partner
//! Connect gives each `<PARTNER-NAME>_USER` service principal one), with the same bearer auth,
//! stats, request log, throttling and faults as the SCIM routes under the resource name
//! `token-management` (stats key `GET token-management`, fault/throttle
//! `"resource": "token-management"`):
//!
//! * `GET /api/2.0/token-management/tokens[?created_by_id=N][&created_by_username=NAME]` →
//!   `{"token_infos": [{"token_id": "<64 hex>", "creation_time": ms, "expiry_time": ms|-1,
//!   "comment": "…", "created_by_id": N, "created_by_username": "<userName or applicationId>",
//!   "owner_id": N}, …]}` in creation order — the ids are JSON **numbers** — or `{}` when no
//!   token matches (a non-numeric `created_by_id` → `400 INVALID_PARAMETER_VALUE`). Both
//!   filters match the token's **creator**; without a filter every token is listed;
//! * `GET /api/2.0/token-management/tokens/{token_id}` → `{"token_info": {…}}`; unknown →
//!   `404 {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Token with id <id> does not exist."}`;
//! * with [`Config::token_management_forbidden`] both answer
//!   `403 {"error_code": "PERMISSION_DENIED", "message": "Only Admins can access token management APIs."}`;
//! * other methods or paths under `/api/2.0/token-management` → `404 ENDPOINT_NOT_FOUND`.
//!
//! Errors there, including injected `status` faults without an `error_code` and `500`-style
//! throttling, use the platform shape `{"error_code": …, "message": …}`. Tokens are created
//! with `POST /_emulator/tokens` only; deleting the owner (`DELETE /Users/{id}`,
//! `DELETE /ServicePrincipals/{id}`, or a seed-quirks soft delete) deletes its tokens.
//!
//! Tokens are made **on behalf of** their owner by default, as Partner Connect does: `owner_id`
//! is the owner, `created_by_id` / `created_by_username` the creator — an emulator-wide admin
//! (`1000000000000001` / `admin@emulator.invalid`, not a SCIM user; no resource gets that id)
//! unless `created_by_id` names a user or service principal. With `"on_behalf_of": false` the
//! owner created its own token (`created_by_id` = `owner_id`). So a `created_by_id` filter with
//! the owner's id finds nothing for a token made on its behalf.
//!
//! Tests steer it through `/_emulator/*` (no auth, JSON; mutations answer `204`):
//!
//! | Method + path | Body / answer |
//! |---|---|
//! | `GET /_emulator/health` | `{"ok": true}` |
//! | `GET /_emulator/stats` | `{"total": N, "counts": {"GET Users": n, "POST Groups": n, "GET token-management": n, "PUT permissionassignments": n, "GET other": n, "POST oidc": n, …}}` — every `/api/…` request, including those refused by auth, throttling or faults, and every token request |
//! | `GET /_emulator/requests` | `[{"method", "resource", "path", "query", "body"}, …]` in arrival order (`query` raw or `""`, `body` parsed JSON or `null`; last 100 000 kept) |
//! | `GET /_emulator/state` | `{"users": […], "groups": […], "servicePrincipals": […], "tokens": [token_info, …]}` as the workspace APIs render them; inactive users included, soft-deleted ones with `"deleted": true`; group members unfiltered; with the account target also `"permission_assignments": [{"workspace_id": "<w>", "principal_id": "<p>", "permissions": ["USER"]}, …]` ordered by workspace id, then principal id |
//! | `POST /_emulator/reset` | empty workspace (no personal access tokens, no account groups, no permission assignments), stats, log, faults, no issued access tokens; startup token, OAuth clients, throttle, quirks mode, token-management permission and behaviour switches |
//! | `POST /_emulator/reset-stats` | empties stats and the request log only |
//! | `POST /_emulator/token` | `{"token": "new"}` — the static token is this one from now on (the old one answers `401`; issued OAuth tokens are unaffected) |
//! | `POST /_emulator/oauth-clients` | `{"client_id": "…", "client_secret": "…"}` — adds a client or replaces its secret (rotation: the old secret fails from now on; access tokens already issued stay valid until they expire) |
//! | `POST /_emulator/oauth-tokens/expire` | every issued access token expires now (clients must exchange again) |
//! | `POST /_emulator/quirks` | `{"seed_quirks": true}` — switch seed-quirks mode at runtime |
//! | `POST /_emulator/faults` | one rule or an array: `{"method": "POST"\|null, "resource": "Groups"\|null, "count": N (default 1), "fault": F}` queued in order; `F` is `{"kind": "status", "status": 503, "detail"?, "retry_after"?, "error_code"?}`, `{"kind": "latency", "ms": 300}`, `{"kind": "drop", "after_write"?: bool}` or `{"kind": "write_then_500", "detail"?, "without_members"?: bool}` (`without_members`: a `POST /Groups` creates the group without its members, as the real failure does) |
//! | `GET /_emulator/faults` / `DELETE /_emulator/faults` | the queued rules with remaining counts / clear them |
//! | `POST /_emulator/throttle` | `{"per_minute": 255, "burst": 255 (default per_minute), "max_concurrent": 4, "style": "429"\|"500"\|"error-code", "retry_after_secs": 1\|null, "status": 400}` (all optional; `0` disables a limit; `retry_after_secs` absent → 1, `null` → no `Retry-After`; `status` 400–599 for `error-code` only, default 400) |
//! | `GET /_emulator/throttle` / `DELETE /_emulator/throttle` | the active throttle (as posted, `status` only for `error-code`) or `null` / no throttling |
//! | `POST /_emulator/token-management` | `{"forbidden": true}` — the token-management routes answer `403 PERMISSION_DENIED` (`false` lifts it) |
//! | `POST /_emulator/tokens` | `{"owner_id": "<user or service principal id>", "comment"?: "…", "lifetime_seconds"?: null\|N, "created_by_id"?: "<user or service principal id>", "on_behalf_of"?: true}` → `200 {"token_id": "…"}` — a personal access token (no expiry when `lifetime_seconds` is null or absent) created on the owner's behalf by `created_by_id` or the emulator admin, or with `"on_behalf_of": false` by the owner (a different `created_by_id` → `400`); unknown or deleted owner or creator → `404 {"error": …}` |
//! | `GET /_emulator/behaviour` | the behaviour switches: `{"write_answers": "empty", "create_status": 201, "cloud": "aws", "lenient_removal": false, "value_filter_or": false, "flaky_reads": 0, "sp_rename_ignored": false, "account_group_refusal": 400}` |
//! | `POST /_emulator/behaviour` | any subset of those keys; unknown keys or values → `400 {"error": …}` and nothing changes |
//! | `POST /_emulator/account-groups` | `{"displayName": "…", "members"?: ["<id>", …]}` → `200 {"id": "…"}` — an account group; the name of an existing account group sets its members instead (when `members` is given); a workspace group's name → `409`, an unknown member → `400 {"error": …}` |
//! | `POST /_emulator/service-principals/bulk` | `{"prefix": "sp-", "count": N}` → `200 {"created": N}` — service principals `<prefix>1` … `<prefix>N` (random application ids, active, no groups; `N` ≤ 100 000) |
//! | `POST /_emulator/users/bulk` | `{"prefix": "u", "count": N, "domain"?: "example.com", "displayName"?, "externalId"?, "givenName"?, "familyName"?, "group"?: "name"}` → `200 {"created": N, "group"?: "<id>"}` — active users `<prefix>1@<domain>` … `<prefix>N@<domain>` (lower-cased), each with the attributes given (displayName defaults to the userName); with `group`, a new workspace group of that name holding them all (`N` ≤ 100 000; a userName or group name taken → `409 {"error": …}`, nothing created) |
//!
//! The request pipeline (SCIM at both levels, token management, permission assignments) is:
//! record (stats + log) → bearer auth (`401`) → throttle → flaky read (SCIM `GET` only) → fault
//! → handle (the token-management `403` and the wrong-account `404` are decided in "handle").
//! The token endpoint is: record (without credentials) → form → client → grant → issue.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use databricks_emulator::{Config, Emulator};
//! let emulator = Emulator::start(Config::default()).await?;
//! let users_url = format!("{}/api/2.0/preview/scim/v2/Users", emulator.base_url());
//! # let _ = users_url;
//! # Ok(()) }
//! ```

mod account;
mod admin;
mod assignments;
mod behaviour;
mod conn;
mod error;
mod faults;
mod filter;
mod oauth;
mod params;
mod patch;
mod server;
mod store;
mod throttle;
mod tokens;

pub use filter::{Literal as FilterLiteral, Op as FilterOp, read as read_filter};

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The bearer token accepted when none is configured.
pub const DEFAULT_TOKEN: &str = "dapi-emulator-token";

/// The lifetime of issued OAuth access tokens when none is configured (as on Databricks).
pub const DEFAULT_OAUTH_TOKEN_TTL_SECS: u64 = 3600;

/// Startup configuration. `POST /_emulator/reset` returns to it.
///
/// The behaviour switches (`write_answers` … `account_group_refusal`) default to the strictest
/// behaviour public evidence supports; they can also be changed at runtime through
/// `POST /_emulator/behaviour` (see the crate documentation).
#[derive(Clone, Debug)]
pub struct Config {
    /// The static bearer token (until `POST /_emulator/token`); issued OAuth access tokens are
    /// accepted besides it.
    pub token: String,
    /// Reproduce the seed document's claims instead of the real API (docs/design.md §4).
    pub seed_quirks: bool,
    /// Throttling from the start (also settable through `POST /_emulator/throttle`).
    pub throttle: Option<Throttle>,
    /// Service-principal OAuth clients that may exchange their secret at `POST /oidc/v1/token`
    /// (more through `POST /_emulator/oauth-clients`). Empty by default.
    pub oauth_clients: Vec<OAuthClient>,
    /// Lifetime of issued access tokens, also their `expires_in` (default 3600).
    pub oauth_token_ttl_secs: u64,
    /// The credential may not read the token-management API: its routes answer
    /// `403 PERMISSION_DENIED` (also settable through `POST /_emulator/token-management`).
    pub token_management_forbidden: bool,
    /// What a successful `PUT` or `PATCH` answers (default [`WriteAnswers::Empty`]).
    pub write_answers: WriteAnswers,
    /// The status of a successful `POST`: `200` (default: the workspace API docs) or `201`
    /// (the account API docs).
    pub create_status: u16,
    /// The cloud the workspace runs on; decides whether `applicationId` may be sent
    /// (default [`Cloud::Aws`]).
    pub cloud: Cloud,
    /// A PATCH `remove` of an attribute the resource does not have, or whose value filter
    /// matches nothing, succeeds silently instead of answering `400` (default `false`).
    pub lenient_removal: bool,
    /// PATCH paths may use `or` inside a value filter (`members[value eq "1" or value eq "2"]`);
    /// by default such a path answers `400 InvalidFilter request failed`.
    pub value_filter_or: bool,
    /// Every Nth SCIM `GET` answers `500 TEMPORARILY_UNAVAILABLE`; `0` (default) never.
    pub flaky_reads: u32,
    /// A PATCH `replace` of a service principal's `displayName` answers success and changes
    /// nothing (default `true`: community.databricks.com thread 139696, Nov 2025).
    pub sp_rename_ignored: bool,
    /// With `sp_rename_ignored`, a PATCH `add` of the displayName (the form a 2022 blog found
    /// to work) is ignored too (default `false`; no public source either way).
    pub sp_rename_add_ignored: bool,
    /// How a PATCH or PUT of an account group is refused: `400` (default) or `500`.
    pub account_group_refusal: u16,
    /// Which Databricks API the emulator imitates besides the workspace SCIM API (default
    /// [`Target::Workspace`]: that API alone). [`Target::Account`] adds the account SCIM API and
    /// the workspace permission-assignment API (see the crate documentation).
    pub target: Target,
    /// With [`Target::Account`], the one account id the account routes answer for; any other id
    /// answers `404 RESOURCE_DOES_NOT_EXIST` `Account <id> does not exist`. `None` (default):
    /// any account id is accepted. Must be `None` with [`Target::Workspace`].
    pub account_id: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            token: DEFAULT_TOKEN.to_owned(),
            seed_quirks: false,
            throttle: None,
            oauth_clients: Vec::new(),
            oauth_token_ttl_secs: DEFAULT_OAUTH_TOKEN_TTL_SECS,
            token_management_forbidden: false,
            write_answers: WriteAnswers::Empty,
            create_status: 200,
            cloud: Cloud::Aws,
            lenient_removal: false,
            value_filter_or: false,
            flaky_reads: 0,
            sp_rename_ignored: true,
            sp_rename_add_ignored: false,
            account_group_refusal: 400,
            target: Target::Workspace,
            account_id: None,
        }
    }
}

impl Config {
    /// Checks the values that have a closed set of choices (`create_status`,
    /// `account_group_refusal`, the error-code throttle status).
    pub fn validate(&self) -> Result<(), String> {
        behaviour::check_create_status(self.create_status)?;
        behaviour::check_account_group_refusal(self.account_group_refusal)?;
        if let Some(Throttle { style: ThrottleStyle::ErrorCode { status }, .. }) = &self.throttle {
            throttle::check_error_code_status(*status)?;
        }
        if let Some(id) = &self.account_id {
            if self.target != Target::Account {
                return Err("account_id applies to the account target only".to_owned());
            }
            if id.is_empty() || id.contains('/') {
                return Err(format!("account_id must be a non-empty path segment, not {id:?}"));
            }
        }
        Ok(())
    }
}

/// The Databricks API the emulator imitates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    /// The workspace SCIM API (`/api/2.0/preview/scim/v2/…`) alone.
    #[default]
    Workspace,
    /// The account: the account SCIM API (`/api/2.0/accounts/{account_id}/scim/v2/…`) and the
    /// workspace permission-assignment API
    /// (`/api/2.0/accounts/{account_id}/workspaces/{workspace_id}/permissionassignments…`), over
    /// the same principals as the workspace SCIM API, which keeps answering (an
    /// identity-federated workspace sees the account's principals).
    Account,
}

impl Target {
    /// The name used by the CLI flag.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Workspace => "workspace",
            Target::Account => "account",
        }
    }
}

impl std::str::FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Target::Workspace, Target::Account]
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| format!("expected workspace or account, got {s:?}"))
    }
}

/// What a successful `PUT` or `PATCH` answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WriteAnswers {
    /// `200` with the body `{}` (the Databricks API reference shows `{}` for PATCH; the Go and
    /// Python SDKs model PATCH and PUT as returning nothing).
    #[default]
    Empty,
    /// `204` without a body.
    NoContent,
    /// `200` with the resource, honouring `attributes` / `excludedAttributes`.
    Resource,
}

impl WriteAnswers {
    /// The name used by the CLI flag and the admin API.
    pub fn as_str(self) -> &'static str {
        match self {
            WriteAnswers::Empty => "empty",
            WriteAnswers::NoContent => "no-content",
            WriteAnswers::Resource => "resource",
        }
    }
}

impl std::str::FromStr for WriteAnswers {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [WriteAnswers::Empty, WriteAnswers::NoContent, WriteAnswers::Resource]
            .into_iter()
            .find(|w| w.as_str() == s)
            .ok_or_else(|| format!("expected empty, no-content or resource, got {s:?}"))
    }
}

/// The cloud a workspace runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    /// `applicationId` is generated by Databricks and may not be sent (terraform-provider-
    /// databricks issues #556 and #630).
    #[default]
    Aws,
    /// `applicationId` is the Microsoft Entra application id, given on create.
    Azure,
    /// Like AWS.
    Gcp,
}

impl Cloud {
    /// The name used by the CLI flag and the admin API.
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
            Cloud::Azure => "azure",
            Cloud::Gcp => "gcp",
        }
    }

    /// Whether a client may send a service principal's `applicationId`.
    pub(crate) fn accepts_application_id(self) -> bool {
        self == Cloud::Azure
    }
}

impl std::str::FromStr for Cloud {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Cloud::Aws, Cloud::Azure, Cloud::Gcp]
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("expected aws, azure or gcp, got {s:?}"))
    }
}

/// An OAuth client (a service principal's application id and one of its OAuth secrets).
/// `Debug` does not show the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient").field("client_id", &self.client_id).field("client_secret", &"<redacted>").finish()
    }
}

/// Throttling: per-endpoint token buckets (endpoint = method + resource, e.g. `GET Users`)
/// holding `burst` tokens and refilled at `per_minute` per minute, plus a cap on concurrent
/// in-flight SCIM requests. `burst == 0` disables the buckets; `max_concurrent == 0` disables
/// the cap.
#[derive(Clone, Debug)]
pub struct Throttle {
    pub per_minute: u32,
    pub burst: u32,
    pub max_concurrent: usize,
    pub style: ThrottleStyle,
}

/// How a throttled request is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThrottleStyle {
    /// `429` + `{"error_code":"REQUEST_LIMIT_EXCEEDED","message":…}`, with
    /// `Retry-After: <secs>` when `Some` and no `Retry-After` at all when `None`
    /// (databricks-sdk-py PR #391).
    TooManyRequests { retry_after_secs: Option<u64> },
    /// `500` + SCIM error `REQUEST_LIMIT_EXCEEDED: …` (register row 31).
    RequestLimitExceeded500,
    /// `status` (400–599) + `{"error_code":"REQUEST_LIMIT_EXCEEDED","message":…}` and no
    /// `Retry-After` (databricks-sdk-go maps that `error_code` to throttling at any status).
    ErrorCode { status: u16 },
}

/// A running emulator. Dropping it stops the server.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl Emulator {
    /// Starts on `127.0.0.1` with an ephemeral port.
    pub async fn start(config: Config) -> io::Result<Emulator> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config).await
    }

    /// Starts on `addr` (port 0 picks a free port). A [`Config`] that fails
    /// [`Config::validate`] is refused with [`io::ErrorKind::InvalidInput`].
    pub async fn start_on(addr: SocketAddr, config: Config) -> io::Result<Emulator> {
        config.validate().map_err(|message| io::Error::new(io::ErrorKind::InvalidInput, message))?;
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = server::App::new(config);
        let service = server::router(app).into_make_service_with_connect_info::<conn::ConnKill>();
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(conn::KillableListener(listener), service)
                .with_graceful_shutdown(async move {
                    let _ = stop.await;
                })
                .await
        });
        Ok(Emulator { addr, shutdown: Some(shutdown), task: Some(task) })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until the process is killed (for the binary).
    pub async fn serve_forever(mut self) -> io::Result<()> {
        match self.task.take() {
            Some(task) => task.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
