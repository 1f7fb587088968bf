//! The workspace **permission-assignment** API of the account (account target only;
//! docs.databricks.com/api/access-management/v1/update-workspace-permission-assignment,
//! permission-assignment and list-workspace-permission-assignments; the Go SDK's
//! `WorkspaceAssignment`), under `/api/2.0/accounts/{account_id}/workspaces/{workspace_id}/`:
//!
//! * `PUT permissionassignments/principals/{principal_id}` with `{"permissions": ["USER" |
//!   "ADMIN", …]}` → `200 {"principal": {…}, "permissions": […]}`. Only `"USER"` and `"ADMIN"`
//!   count (case-sensitive; other values are ignored) and `"ADMIN"` wins over `"USER"`; an
//!   absent or `null` field, or no valid value, is the empty list, which **removes** the
//!   principal's assignment to the workspace (documented);
//! * `DELETE permissionassignments/principals/{principal_id}` → `200 {}`;
//! * `GET permissionassignments` → `200 {"permission_assignments": [{"principal": {…},
//!   "permissions": […]}, …]}` in principal-id order, one page, no paging token.
//!
//! `principal` is `{"principal_id": <number>, "display_name": "…"}` plus `"user_name"` (a
//! user's userName), `"group_name"` (a group's displayName) or `"service_principal_name"` (a
//! service principal's applicationId). Empty lists are left out (`"permissions"` after a
//! removal, `"permission_assignments"` of a workspace nobody is assigned to: `{}`), as
//! Databricks' JSON leaves out empty repeated fields.
//!
//! Errors use the platform shape `{"error_code": …, "message": …}`: a `{workspace_id}` that is
//! not 1–19 digits → `400 INVALID_PARAMETER_VALUE`; a PUT body that is not a JSON object, or
//! whose `permissions` is not an array of strings → `400 MALFORMED_REQUEST`; a
//! `{principal_id}` that is not a user, group or service principal → `404
//! RESOURCE_DOES_NOT_EXIST`; other methods or paths under `…/permissionassignments` → `404
//! ENDPOINT_NOT_FOUND`. Any workspace id of the right form is accepted (the emulator keeps no
//! list of workspaces). Deleting a principal removes its assignments in every workspace.

use axum::http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::store::{Kind, Ref, Store};
use crate::tokens::platform_body;

/// The resource name in stats, the request log, throttling and fault rules.
pub(crate) const RESOURCE: &str = "permissionassignments";

/// A workspace permission. `Admin` is the greater: it wins when both are given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Permission {
    User,
    Admin,
}

impl Permission {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Permission::User => "USER",
            Permission::Admin => "ADMIN",
        }
    }

    /// The documented values, case-sensitively.
    fn parse(value: &str) -> Option<Self> {
        match value {
            "USER" => Some(Permission::User),
            "ADMIN" => Some(Permission::Admin),
            _ => None,
        }
    }
}

/// A path under `/api/2.0/accounts/{account_id}/workspaces/{workspace_id}/permissionassignments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AssignmentRoute {
    List {
        workspace: String,
    },
    Principal {
        workspace: String,
        principal: String,
    },
    /// Anything else below `permissionassignments`: `404 ENDPOINT_NOT_FOUND`.
    Unknown,
}

impl AssignmentRoute {
    /// `rest` is the path after `/api/2.0/accounts/{account_id}/`; `None` unless it is
    /// `workspaces/{workspace_id}/permissionassignments` or below (one trailing `/` allowed).
    pub(crate) fn parse(rest: &str) -> Option<Self> {
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let mut segments = rest.split('/');
        let (Some("workspaces"), Some(workspace), Some("permissionassignments")) =
            (segments.next(), segments.next(), segments.next())
        else {
            return None;
        };
        let workspace = workspace.to_owned();
        Some(match (segments.next(), segments.next(), segments.next()) {
            (None, _, _) => AssignmentRoute::List { workspace },
            (Some("principals"), Some(principal), None) if !principal.is_empty() => {
                AssignmentRoute::Principal { workspace, principal: principal.to_owned() }
            }
            _ => AssignmentRoute::Unknown,
        })
    }
}

type Answer = (StatusCode, Value);

fn error(status: StatusCode, code: &str, message: &str) -> Answer {
    (status, platform_body(code, message))
}

/// Handles one permission-assignment request: `(status, body)`.
pub(crate) fn handle(store: &mut Store, method: &Method, route: &AssignmentRoute, path: &str, bytes: &[u8]) -> Answer {
    let answer = match (route, method) {
        (AssignmentRoute::List { workspace }, &Method::GET) => {
            workspace_id(workspace).map(|workspace| list(store, workspace))
        }
        (AssignmentRoute::Principal { workspace, principal }, &Method::PUT) => put(store, workspace, principal, bytes),
        (AssignmentRoute::Principal { workspace, principal }, &Method::DELETE) => delete(store, workspace, principal),
        _ => {
            let shown = path.strip_prefix("/api/2.0").unwrap_or(path);
            Err(error(StatusCode::NOT_FOUND, "ENDPOINT_NOT_FOUND", &format!("No API found for '{method} {shown}'")))
        }
    };
    answer.unwrap_or_else(|refusal| refusal)
}

/// A `{workspace_id}`: 1 to 19 ASCII digits (a workspace id is an int64).
fn workspace_id(text: &str) -> Result<u64, Answer> {
    let digits = !text.is_empty() && text.len() <= 19 && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<u64>() {
        Ok(id) if digits => Ok(id),
        _ => Err(error(
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER_VALUE",
            &format!("Invalid value for parameter workspace_id: {text:?} is not a workspace id."),
        )),
    }
}

/// A `{principal_id}`: an existing user, group or service principal.
fn principal(store: &Store, text: &str) -> Result<Ref, Answer> {
    let found = text.parse::<u64>().ok().filter(|id| id.to_string() == text).and_then(|id| store.principal_by_id(id));
    found.ok_or_else(|| {
        error(StatusCode::NOT_FOUND, "RESOURCE_DOES_NOT_EXIST", &format!("Principal {text} does not exist."))
    })
}

fn malformed(detail: &str) -> Answer {
    error(StatusCode::BAD_REQUEST, "MALFORMED_REQUEST", &format!("Could not parse request object: {detail}"))
}

/// The permission a PUT body grants, `None` for the empty list.
fn requested(bytes: &[u8]) -> Result<Option<Permission>, Answer> {
    let body = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(body)) => body,
        Ok(_) => return Err(malformed("the body is not a JSON object.")),
        Err(e) => return Err(malformed(&e.to_string())),
    };
    let items = match body.get("permissions") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(malformed("permissions is not an array.")),
    };
    let mut best = None;
    for item in items {
        let Value::String(value) = item else {
            return Err(malformed("permissions holds a value that is not a string."));
        };
        best = best.max(Permission::parse(value));
    }
    Ok(best)
}

fn put(store: &mut Store, workspace: &str, principal_text: &str, bytes: &[u8]) -> Result<Answer, Answer> {
    let workspace = workspace_id(workspace)?;
    let permission = requested(bytes)?;
    let principal = principal(store, principal_text)?;
    match permission {
        Some(permission) => store.assignments.insert((workspace, principal.id), permission),
        None => store.assignments.remove(&(workspace, principal.id)),
    };
    Ok((StatusCode::OK, store.render_assignment(principal, permission)))
}

/// `DELETE` of an assignment that does not exist answers `404 RESOURCE_DOES_NOT_EXIST`: no
/// public source says what the real API does there (it may answer `200`); the emulator takes
/// the strictest reading, so that a bridge must tolerate the 404 to be idempotent.
fn delete(store: &mut Store, workspace: &str, principal_text: &str) -> Result<Answer, Answer> {
    let workspace = workspace_id(workspace)?;
    let principal = principal(store, principal_text)?;
    match store.assignments.remove(&(workspace, principal.id)) {
        Some(_) => Ok((StatusCode::OK, json!({}))),
        None => Err(error(
            StatusCode::NOT_FOUND,
            "RESOURCE_DOES_NOT_EXIST",
            &format!("Principal {principal_text} is not assigned to workspace {workspace}."),
        )),
    }
}

fn list(store: &Store, workspace: u64) -> Answer {
    let assignments: Vec<Value> = store
        .assignments
        .range((workspace, 0)..=(workspace, u64::MAX))
        .filter_map(|((_, id), permission)| {
            let principal = store.principal_by_id(*id)?;
            Some(store.render_assignment(principal, Some(*permission)))
        })
        .collect();
    let mut body = Map::new();
    if !assignments.is_empty() {
        body.insert("permission_assignments".into(), Value::Array(assignments));
    }
    (StatusCode::OK, Value::Object(body))
}

impl Store {
    /// The user, group or service principal with this id (ids are unique across kinds).
    pub(crate) fn principal_by_id(&self, id: u64) -> Option<Ref> {
        [Kind::User, Kind::Group, Kind::ServicePrincipal]
            .into_iter()
            .map(|kind| Ref { kind, id })
            .find(|r| self.exists(*r))
    }

    /// `{"principal": {…}, "permissions": […]}` (no `permissions` for none).
    fn render_assignment(&self, principal: Ref, permission: Option<Permission>) -> Value {
        let mut about = Map::new();
        about.insert("principal_id".into(), principal.id.into());
        let (display_name, name_key, name) = match principal.kind {
            Kind::User => {
                let user = self.users.get(&principal.id);
                (user.map(|u| u.common.display_name.clone()), "user_name", user.map(|u| u.user_name.clone()))
            }
            Kind::Group => {
                let name = self.groups.get(&principal.id).map(|g| g.common.display_name.clone());
                (name.clone(), "group_name", name)
            }
            Kind::ServicePrincipal => {
                let sp = self.service_principals.get(&principal.id);
                (
                    sp.map(|s| s.common.display_name.clone()),
                    "service_principal_name",
                    sp.map(|s| s.application_id.clone()),
                )
            }
        };
        about.insert("display_name".into(), display_name.unwrap_or_default().into());
        about.insert(name_key.into(), name.unwrap_or_default().into());
        let mut body = Map::new();
        body.insert("principal".into(), Value::Object(about));
        if let Some(permission) = permission {
            body.insert("permissions".into(), json!([permission.as_str()]));
        }
        Value::Object(body)
    }

    /// Removes `principal_id`'s assignments in every workspace (when it is deleted).
    pub(crate) fn drop_assignments_of(&mut self, principal_id: u64) {
        self.assignments.retain(|(_, id), _| *id != principal_id);
    }

    /// Every assignment, for `GET /_emulator/state`: `[{"workspace_id": "<w>", "principal_id":
    /// "<p>", "permissions": ["…"]}, …]` ordered by workspace id, then principal id.
    pub(crate) fn assignments_snapshot(&self) -> Value {
        Value::Array(
            self.assignments
                .iter()
                .map(|((workspace, principal), permission)| {
                    json!({
                        "workspace_id": workspace.to_string(),
                        "principal_id": principal.to_string(),
                        "permissions": [permission.as_str()],
                    })
                })
                .collect(),
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn routes_below_permissionassignments_are_the_list_a_principal_or_unknown() {
        let list = AssignmentRoute::List { workspace: "12".into() };
        assert_eq!(AssignmentRoute::parse("workspaces/12/permissionassignments"), Some(list.clone()));
        assert_eq!(AssignmentRoute::parse("workspaces/12/permissionassignments/"), Some(list));
        assert_eq!(
            AssignmentRoute::parse("workspaces/12/permissionassignments/principals/34"),
            Some(AssignmentRoute::Principal { workspace: "12".into(), principal: "34".into() })
        );
        assert_eq!(
            AssignmentRoute::parse("workspaces/12/permissionassignments/permissions"),
            Some(AssignmentRoute::Unknown)
        );
        assert_eq!(
            AssignmentRoute::parse("workspaces/12/permissionassignments/principals/34/x"),
            Some(AssignmentRoute::Unknown)
        );
        assert_eq!(AssignmentRoute::parse("workspaces/12"), None);
        assert_eq!(AssignmentRoute::parse("scim/v2/Users"), None);
    }

    #[test]
    fn workspace_ids_are_one_to_nineteen_digits() {
        assert_eq!(workspace_id("1"), Ok(1));
        assert_eq!(workspace_id("9999999999999999999"), Ok(9_999_999_999_999_999_999));
        for bad in ["", "12345678901234567890", "-1", "+1", "1a", " 1"] {
            let (status, body) = workspace_id(bad).unwrap_err();
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}");
            assert_eq!(body["error_code"], "INVALID_PARAMETER_VALUE", "{bad:?}");
        }
    }

    #[test]
    fn admin_wins_over_user_and_other_values_are_ignored() {
        assert_eq!(requested(br#"{"permissions": ["ADMIN", "USER", "user"]}"#), Ok(Some(Permission::Admin)));
        assert_eq!(requested(br#"{"permissions": ["admin", "OWNER"]}"#), Ok(None));
        assert_eq!(requested(br#"{}"#), Ok(None));
        assert_eq!(requested(br#"{"permissions": null}"#), Ok(None));
        for bad in [&b"USER"[..], b"", b"[]", br#"{"permissions": "USER"}"#, br#"{"permissions": [1]}"#] {
            assert_eq!(requested(bad).map_err(|(_, b)| b["error_code"].clone()), Err(json!("MALFORMED_REQUEST")));
        }
    }
}
