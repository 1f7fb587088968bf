//! The in-memory workspace: users, groups and service principals, their group memberships,
//! their personal access tokens (logic in `tokens.rs`), their workspace permission assignments
//! (logic in `assignments.rs`), and the resource logic of the SCIM endpoints (create, get,
//! list, replace, delete) at both levels ([`Level`]). PATCH lives in `patch.rs`; what the
//! account level changes in `account.rs`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value, json};

use crate::Cloud;
use crate::account;
use crate::assignments::Permission;
use crate::error::ScimError;
use crate::filter::{self, AttrValue};
use crate::params::Query;
use crate::tokens::{self, Token};

pub(crate) const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(crate) const USER_WORKSPACE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:workspace:2.0:User";
pub(crate) const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub(crate) const SP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal";
pub(crate) const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// The three resource types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    User,
    Group,
    ServicePrincipal,
}

impl Kind {
    /// The URL segment (`Users`, …) naming a resource type; case-sensitive like the real paths.
    pub(crate) fn from_segment(segment: &str) -> Option<Self> {
        match segment {
            "Users" => Some(Kind::User),
            "Groups" => Some(Kind::Group),
            "ServicePrincipals" => Some(Kind::ServicePrincipal),
            _ => None,
        }
    }

    pub(crate) fn segment(self) -> &'static str {
        match self {
            Kind::User => "Users",
            Kind::Group => "Groups",
            Kind::ServicePrincipal => "ServicePrincipals",
        }
    }

    /// The 404 text for a missing resource of this type (register row 8 and the SP analogue).
    pub(crate) fn not_found(self, id: &str) -> ScimError {
        ScimError::not_found(match self {
            Kind::User => format!("User with id {id} not found."),
            Kind::Group => format!("Group with id {id} not found."),
            Kind::ServicePrincipal => format!("Service principal with id {id} not found."),
        })
    }

    fn filterable(self) -> &'static [&'static str] {
        match self {
            Kind::User => &["username", "displayname", "active", "externalid", "id", "emails", "emails.value"],
            Kind::Group => &["displayname", "externalid", "id"],
            Kind::ServicePrincipal => &["applicationid", "displayname", "externalid", "id", "active"],
        }
    }
}

/// The SCIM API a request came through: the workspace's (`/api/2.0/preview/scim/v2/…`) or the
/// account's (`/api/2.0/accounts/{account_id}/scim/v2/…`, account target only). Both see the
/// same principals; the account level renders and accepts fewer attributes (`account.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Level {
    Workspace,
    Account,
}

/// A principal: the kind and the numeric id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Ref {
    pub(crate) kind: Kind,
    pub(crate) id: u64,
}

/// Attributes every principal has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Common {
    pub(crate) display_name: String,
    pub(crate) external_id: Option<String>,
    pub(crate) entitlements: Vec<String>,
    pub(crate) roles: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Name {
    pub(crate) given_name: Option<String>,
    pub(crate) family_name: Option<String>,
}

impl Name {
    /// Databricks' derivation: split the display name at its last space.
    pub(crate) fn derive(display_name: &str) -> Self {
        match display_name.trim().rsplit_once(' ') {
            Some((given, family)) => {
                Name { given_name: non_empty(given.trim()), family_name: non_empty(family.trim()) }
            }
            None => Name { given_name: non_empty(display_name.trim()), family_name: None },
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.given_name.is_none() && self.family_name.is_none()
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct User {
    pub(crate) id: u64,
    pub(crate) common: Common,
    /// Always lower case.
    pub(crate) user_name: String,
    pub(crate) name: Name,
    pub(crate) active: bool,
    /// Soft-deleted (only ever set in seed-quirks mode).
    pub(crate) deleted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Group {
    pub(crate) id: u64,
    pub(crate) common: Common,
    /// Direct members in insertion order.
    pub(crate) members: Vec<Ref>,
    /// An account group seen in an identity-federated workspace (`POST /_emulator/account-groups`):
    /// rendered with `meta.resourceType` `Group`, and PATCH/PUT on it are refused.
    pub(crate) account: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ServicePrincipal {
    pub(crate) id: u64,
    pub(crate) common: Common,
    pub(crate) application_id: String,
    pub(crate) active: bool,
}

/// The whole workspace. Cloned for atomic multi-step writes (PATCH, PUT, POST with members).
#[derive(Clone, Debug, Default)]
pub(crate) struct Store {
    /// `--seed-quirks`: inactive users hidden, soft delete, reactivating POST, 204 on unknown
    /// group DELETE.
    pub(crate) seed_quirks: bool,
    pub(crate) users: BTreeMap<u64, User>,
    pub(crate) groups: BTreeMap<u64, Group>,
    pub(crate) service_principals: BTreeMap<u64, ServicePrincipal>,
    /// Personal access tokens in creation order (`tokens.rs`).
    pub(crate) tokens: Vec<Token>,
    /// Workspace permission assignments (`assignments.rs`): (workspace id, principal id) → the
    /// permission held. A principal without an entry is not assigned to that workspace.
    pub(crate) assignments: BTreeMap<(u64, u64), Permission>,
}

/// What a PATCH can touch (the target and every group), for rolling back a failed PATCH.
pub(crate) struct Checkpoint {
    groups: BTreeMap<u64, Group>,
    user: Option<User>,
    service_principal: Option<ServicePrincipal>,
}

/// Parent groups of every principal, built once per request.
pub(crate) struct Memberships {
    parents: HashMap<Ref, Vec<u64>>,
}

impl Memberships {
    fn build(store: &Store) -> Self {
        let mut parents: HashMap<Ref, Vec<u64>> = HashMap::new();
        for group in store.groups.values() {
            for member in &group.members {
                parents.entry(*member).or_default().push(group.id);
            }
        }
        Memberships { parents }
    }

    /// `(group id, direct?)`: direct parents first, then groups reached through nesting, each
    /// part in id order. A group never lists itself (cycles are tolerated).
    fn groups_of(&self, principal: Ref) -> Vec<(u64, bool)> {
        let direct: Vec<u64> = self.parents.get(&principal).cloned().unwrap_or_default();
        let mut seen: HashSet<u64> = direct.iter().copied().collect();
        if principal.kind == Kind::Group {
            seen.insert(principal.id);
        }
        let mut queue = direct.clone();
        let mut indirect = Vec::new();
        while let Some(gid) = queue.pop() {
            let group_ref = Ref { kind: Kind::Group, id: gid };
            for parent in self.parents.get(&group_ref).into_iter().flatten() {
                if seen.insert(*parent) {
                    indirect.push(*parent);
                    queue.push(*parent);
                }
            }
        }
        indirect.sort_unstable();
        let mut out: Vec<(u64, bool)> = direct
            .into_iter()
            .filter(|g| !(principal.kind == Kind::Group && *g == principal.id))
            .map(|g| (g, true))
            .collect();
        out.extend(indirect.into_iter().map(|g| (g, false)));
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Reading JSON input

/// Case-insensitive, null-tolerant access to a request body object.
pub(crate) struct Input<'a>(pub(crate) &'a Map<String, Value>);

impl<'a> Input<'a> {
    pub(crate) fn from_body(body: &'a Value) -> Result<Self, ScimError> {
        body.as_object().map(Input).ok_or_else(ScimError::unparsable)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v).filter(|v| !v.is_null())
    }

    pub(crate) fn string(&self, key: &str) -> Result<Option<String>, ScimError> {
        self.get(key).map(scalar_string).transpose()
    }

    pub(crate) fn boolean(&self, key: &str) -> Result<Option<bool>, ScimError> {
        self.get(key).map(lenient_bool).transpose()
    }

    pub(crate) fn values(&self, key: &str) -> Result<Option<Vec<String>>, ScimError> {
        self.get(key).map(value_list).transpose()
    }

    fn name(&self) -> Result<Option<Name>, ScimError> {
        let Some(value) = self.get("name") else {
            return Ok(None);
        };
        let name = parse_name(value)?;
        Ok((!name.is_empty()).then_some(name))
    }
}

pub(crate) fn parse_name(value: &Value) -> Result<Name, ScimError> {
    let obj = Input::from_body(value)?;
    Ok(Name {
        given_name: obj.string("givenName")?.filter(|s| !s.is_empty()),
        family_name: obj.string("familyName")?.filter(|s| !s.is_empty()),
    })
}

/// A string, or a number/bool rendered as one (Jackson coerces scalars into `String` fields).
pub(crate) fn scalar_string(value: &Value) -> Result<String, ScimError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(ScimError::unparsable()),
    }
}

/// A boolean on POST/PUT: JSON bool or the strings Jackson accepts.
fn lenient_bool(value: &Value) -> Result<bool, ScimError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if matches!(s.as_str(), "true" | "True" | "TRUE") => Ok(true),
        Value::String(s) if matches!(s.as_str(), "false" | "False" | "FALSE") => Ok(false),
        _ => Err(ScimError::unparsable()),
    }
}

/// `[{"value": "x"}, …]` → `["x", …]`. Anything else is unparsable (a plain string in place of
/// the array is what the real API rejects with `invalidSyntax`). Empty values are dropped
/// (Terraform clears entitlements with `[{"value": ""}]`).
pub(crate) fn value_list(value: &Value) -> Result<Vec<String>, ScimError> {
    let Value::Array(items) = value else {
        return Err(ScimError::unparsable());
    };
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let obj = Input::from_body(item)?;
        let v = obj.get("value").map(scalar_string).transpose()?.ok_or_else(ScimError::unparsable)?;
        if !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// Parses a path id. Non-numeric ids are "Endpoint not supported." (register row 2); a numeric id that
/// names nothing is the resource's own 404.
pub(crate) fn parse_id(kind: Kind, id: &str) -> Result<u64, ScimError> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ScimError::endpoint_not_supported());
    }
    match id.parse::<u64>() {
        Ok(n) if n.to_string() == id => Ok(n),
        _ => Err(kind.not_found(id)),
    }
}

/// A random (version 4) UUID, as Databricks generates an applicationId.
fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    fastrand::fill(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

// ---------------------------------------------------------------------------------------------
// Store

impl Store {
    pub(crate) fn new(seed_quirks: bool) -> Self {
        Store { seed_quirks, ..Store::default() }
    }

    /// A fresh random 15–16 digit id, unique across all resource types.
    fn new_id(&self) -> u64 {
        for _ in 0..1000 {
            let id = fastrand::u64(100_000_000_000_000..10_000_000_000_000_000);
            if !self.id_in_use(id) {
                return id;
            }
        }
        // Practically unreachable; still unique.
        let max =
            [self.users.keys().next_back(), self.groups.keys().next_back(), self.service_principals.keys().next_back()]
                .into_iter()
                .flatten()
                .max()
                .copied()
                .unwrap_or(100_000_000_000_000);
        max + 1
    }

    /// Whether `id` names a resource (or the emulator's token-creating admin).
    pub(crate) fn id_in_use(&self, id: u64) -> bool {
        id == tokens::ADMIN_ID
            || self.users.contains_key(&id)
            || self.groups.contains_key(&id)
            || self.service_principals.contains_key(&id)
    }

    /// Whether a user can be seen through the API (quirk 1 hides inactive users).
    pub(crate) fn user_visible(&self, user: &User) -> bool {
        !user.deleted && (!self.seed_quirks || user.active)
    }

    fn visible_user(&self, id: u64) -> Option<&User> {
        self.users.get(&id).filter(|u| self.user_visible(u))
    }

    pub(crate) fn exists(&self, principal: Ref) -> bool {
        match principal.kind {
            Kind::User => self.visible_user(principal.id).is_some(),
            Kind::Group => self.groups.contains_key(&principal.id),
            Kind::ServicePrincipal => self.service_principals.contains_key(&principal.id),
        }
    }

    /// Looks up an existing resource by path id.
    pub(crate) fn find(&self, kind: Kind, id: &str) -> Result<Ref, ScimError> {
        let n = parse_id(kind, id)?;
        let principal = Ref { kind, id: n };
        if self.exists(principal) { Ok(principal) } else { Err(kind.not_found(id)) }
    }

    pub(crate) fn common(&self, principal: Ref) -> Option<&Common> {
        match principal.kind {
            Kind::User => self.users.get(&principal.id).map(|u| &u.common),
            Kind::Group => self.groups.get(&principal.id).map(|g| &g.common),
            Kind::ServicePrincipal => self.service_principals.get(&principal.id).map(|s| &s.common),
        }
    }

    pub(crate) fn common_mut(&mut self, principal: Ref) -> Option<&mut Common> {
        match principal.kind {
            Kind::User => self.users.get_mut(&principal.id).map(|u| &mut u.common),
            Kind::Group => self.groups.get_mut(&principal.id).map(|g| &mut g.common),
            Kind::ServicePrincipal => self.service_principals.get_mut(&principal.id).map(|s| &mut s.common),
        }
    }

    /// A member reference from a request: any visible user, group or service principal.
    pub(crate) fn resolve_member(&self, id: &str) -> Result<Ref, ScimError> {
        let Ok(n) = id.parse::<u64>() else {
            return Err(ScimError::principal_not_found(id));
        };
        [Kind::User, Kind::Group, Kind::ServicePrincipal]
            .into_iter()
            .map(|kind| Ref { kind, id: n })
            .find(|r| self.exists(*r))
            .ok_or_else(|| ScimError::principal_not_found(id))
    }

    /// A group reference from a request (`groups: [{"value": …}]`).
    pub(crate) fn resolve_group(&self, id: &str) -> Result<u64, ScimError> {
        match id.parse::<u64>() {
            Ok(n) if self.groups.contains_key(&n) => Ok(n),
            _ => Err(ScimError::principal_not_found(id)),
        }
    }

    pub(crate) fn resolve_groups(&self, ids: &[String]) -> Result<Vec<u64>, ScimError> {
        ids.iter().map(|id| self.resolve_group(id)).collect()
    }

    pub(crate) fn resolve_members(&self, ids: &[String]) -> Result<Vec<Ref>, ScimError> {
        let mut out: Vec<Ref> = Vec::with_capacity(ids.len());
        for id in ids {
            let r = self.resolve_member(id)?;
            if !out.contains(&r) {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Whether `principal` is an account group.
    pub(crate) fn is_account_group(&self, principal: Ref) -> bool {
        principal.kind == Kind::Group && self.groups.get(&principal.id).is_some_and(|g| g.account)
    }

    /// `POST /_emulator/account-groups`: creates the account group `display_name` with
    /// `members`, or, if an account group of that name exists, replaces its members when
    /// `members` is given. A workspace group of that name is a conflict.
    pub(crate) fn upsert_account_group(
        &mut self,
        display_name: &str,
        members: Option<&[String]>,
    ) -> Result<u64, ScimError> {
        let resolved = members.map(|ids| self.resolve_members(ids)).transpose()?;
        let existing = self.groups.values_mut().find(|g| g.common.display_name == display_name);
        match existing {
            Some(group) if group.account => {
                if let Some(resolved) = resolved {
                    group.members = resolved;
                }
                Ok(group.id)
            }
            Some(_) => Err(ScimError::conflict(format!("Group with name {display_name} already exists."))),
            None => {
                let id = self.new_id();
                let common = Common { display_name: display_name.to_owned(), ..Common::default() };
                let members = resolved.unwrap_or_default();
                self.groups.insert(id, Group { id, common, members, account: true });
                Ok(id)
            }
        }
    }

    /// Group names are unique, case-sensitively (TF PR #3708).
    pub(crate) fn check_group_name(&self, name: &str, except: Option<u64>) -> Result<(), ScimError> {
        let taken = self.groups.values().any(|g| g.common.display_name == name && Some(g.id) != except);
        if taken { Err(ScimError::conflict(format!("Group with name {name} already exists."))) } else { Ok(()) }
    }

    /// Direct parents of a principal, in id order.
    pub(crate) fn direct_parents(&self, principal: Ref) -> Vec<u64> {
        self.groups.values().filter(|g| g.members.contains(&principal)).map(|g| g.id).collect()
    }

    /// Makes `principal` a direct member of exactly `gids`.
    pub(crate) fn set_parents(&mut self, principal: Ref, gids: &[u64]) {
        for group in self.groups.values_mut() {
            let wanted = gids.contains(&group.id);
            let present = group.members.contains(&principal);
            if wanted && !present {
                group.members.push(principal);
            } else if !wanted && present {
                group.members.retain(|m| *m != principal);
            }
        }
    }

    pub(crate) fn add_parents(&mut self, principal: Ref, gids: &[u64]) {
        for gid in gids {
            if let Some(group) = self.groups.get_mut(gid)
                && !group.members.contains(&principal)
            {
                group.members.push(principal);
            }
        }
    }

    pub(crate) fn remove_parents(&mut self, principal: Ref, remove: impl Fn(u64) -> bool) {
        for group in self.groups.values_mut() {
            if remove(group.id) {
                group.members.retain(|m| *m != principal);
            }
        }
    }

    /// A deleted principal leaves its groups and loses its tokens and its workspace
    /// permission assignments.
    fn forget(&mut self, principal: Ref) {
        for group in self.groups.values_mut() {
            group.members.retain(|m| *m != principal);
        }
        self.drop_tokens_of(principal);
        self.drop_assignments_of(principal.id);
    }

    pub(crate) fn checkpoint(&self, target: Ref) -> Checkpoint {
        Checkpoint {
            groups: self.groups.clone(),
            user: (target.kind == Kind::User).then(|| self.users.get(&target.id).cloned()).flatten(),
            service_principal: (target.kind == Kind::ServicePrincipal)
                .then(|| self.service_principals.get(&target.id).cloned())
                .flatten(),
        }
    }

    pub(crate) fn restore(&mut self, checkpoint: Checkpoint) {
        self.groups = checkpoint.groups;
        if let Some(user) = checkpoint.user {
            self.users.insert(user.id, user);
        }
        if let Some(sp) = checkpoint.service_principal {
            self.service_principals.insert(sp.id, sp);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Rendering

    /// The resource as the API returns it.
    pub(crate) fn render(&self, principal: Ref) -> Option<Value> {
        let memberships = Memberships::build(self);
        self.render_with(&memberships, principal, true)
    }

    fn render_with(&self, m: &Memberships, principal: Ref, hide_invisible: bool) -> Option<Value> {
        match principal.kind {
            Kind::User => self.users.get(&principal.id).map(|u| self.render_user(m, u)),
            Kind::Group => self.groups.get(&principal.id).map(|g| self.render_group(m, g, hide_invisible)),
            Kind::ServicePrincipal => self.service_principals.get(&principal.id).map(|s| self.render_sp(m, s)),
        }
    }

    fn render_parents(&self, m: &Memberships, principal: Ref) -> Vec<Value> {
        m.groups_of(principal)
            .into_iter()
            .filter_map(|(gid, direct)| {
                let group = self.groups.get(&gid)?;
                Some(json!({
                    "display": group.common.display_name,
                    "type": if direct { "direct" } else { "indirect" },
                    "value": gid.to_string(),
                    "$ref": format!("Groups/{gid}"),
                }))
            })
            .collect()
    }

    fn render_common(map: &mut Map<String, Value>, common: &Common) {
        map.insert("displayName".into(), common.display_name.clone().into());
        if !common.entitlements.is_empty() {
            map.insert("entitlements".into(), values_json(&common.entitlements));
        }
        if !common.roles.is_empty() {
            map.insert("roles".into(), values_json(&common.roles));
        }
        if let Some(external_id) = &common.external_id {
            map.insert("externalId".into(), external_id.clone().into());
        }
    }

    fn render_user(&self, m: &Memberships, user: &User) -> Value {
        let mut map = Map::new();
        map.insert("schemas".into(), json!([USER_SCHEMA, USER_WORKSPACE_SCHEMA]));
        map.insert("id".into(), user.id.to_string().into());
        map.insert("userName".into(), user.user_name.clone().into());
        map.insert("emails".into(), json!([{"type": "work", "value": user.user_name, "primary": true}]));
        Self::render_common(&mut map, &user.common);
        if !user.name.is_empty() {
            let mut name = Map::new();
            if let Some(given) = &user.name.given_name {
                name.insert("givenName".into(), given.clone().into());
            }
            if let Some(family) = &user.name.family_name {
                name.insert("familyName".into(), family.clone().into());
            }
            map.insert("name".into(), Value::Object(name));
        }
        map.insert("active".into(), user.active.into());
        let groups = self.render_parents(m, Ref { kind: Kind::User, id: user.id });
        if !groups.is_empty() {
            map.insert("groups".into(), Value::Array(groups));
        }
        Value::Object(map)
    }

    fn render_group(&self, m: &Memberships, group: &Group, hide_invisible: bool) -> Value {
        let mut map = Map::new();
        map.insert("schemas".into(), json!([GROUP_SCHEMA]));
        map.insert("id".into(), group.id.to_string().into());
        Self::render_common(&mut map, &group.common);
        let resource_type = if group.account { "Group" } else { "WorkspaceGroup" };
        map.insert("meta".into(), json!({"resourceType": resource_type}));
        let members: Vec<Value> = group
            .members
            .iter()
            .filter_map(|member| {
                let display = match member.kind {
                    Kind::User => {
                        let user = self.users.get(&member.id)?;
                        if hide_invisible && !self.user_visible(user) {
                            return None;
                        }
                        &user.common.display_name
                    }
                    Kind::Group => &self.groups.get(&member.id)?.common.display_name,
                    Kind::ServicePrincipal => &self.service_principals.get(&member.id)?.common.display_name,
                };
                Some(json!({
                    "display": display,
                    "value": member.id.to_string(),
                    "$ref": format!("{}/{}", member.kind.segment(), member.id),
                }))
            })
            .collect();
        if !members.is_empty() {
            map.insert("members".into(), Value::Array(members));
        }
        let parents = self.render_parents(m, Ref { kind: Kind::Group, id: group.id });
        map.insert("groups".into(), Value::Array(parents));
        Value::Object(map)
    }

    fn render_sp(&self, m: &Memberships, sp: &ServicePrincipal) -> Value {
        let mut map = Map::new();
        map.insert("schemas".into(), json!([SP_SCHEMA]));
        map.insert("id".into(), sp.id.to_string().into());
        map.insert("applicationId".into(), sp.application_id.clone().into());
        Self::render_common(&mut map, &sp.common);
        map.insert("active".into(), sp.active.into());
        let groups = self.render_parents(m, Ref { kind: Kind::ServicePrincipal, id: sp.id });
        if !groups.is_empty() {
            map.insert("groups".into(), Value::Array(groups));
        }
        Value::Object(map)
    }

    /// Everything, for `GET /_emulator/state`: inactive and soft-deleted users included (with
    /// `"deleted": true`), group members unfiltered.
    pub(crate) fn snapshot(&self) -> Value {
        let m = Memberships::build(self);
        let users: Vec<Value> = self
            .users
            .values()
            .map(|u| {
                let mut v = self.render_user(&m, u);
                if u.deleted
                    && let Some(map) = v.as_object_mut()
                {
                    map.insert("deleted".into(), true.into());
                }
                v
            })
            .collect();
        let groups: Vec<Value> = self
            .groups
            .values()
            .map(|g| {
                let mut v = self.render_group(&m, g, false);
                if g.account
                    && let Some(map) = v.as_object_mut()
                {
                    map.insert("account".into(), true.into());
                }
                v
            })
            .collect();
        let sps: Vec<Value> = self.service_principals.values().map(|s| self.render_sp(&m, s)).collect();
        let tokens: Vec<Value> = self.tokens.iter().map(|t| self.render_token(t)).collect();
        json!({"users": users, "groups": groups, "servicePrincipals": sps, "tokens": tokens})
    }

    // -----------------------------------------------------------------------------------------
    // Endpoints

    pub(crate) fn get(&self, kind: Kind, id: &str) -> Result<Value, ScimError> {
        let principal = self.find(kind, id)?;
        self.render(principal).ok_or_else(|| kind.not_found(id))
    }

    /// `POST /{Resource}` → the new resource (the caller answers 201 or 200). `cloud` decides
    /// whether a service principal's `applicationId` may be given. A group created at the
    /// account level is an account group; a userName taken at the account level is the
    /// account's `409` text.
    pub(crate) fn create(&mut self, kind: Kind, body: &Value, cloud: Cloud, level: Level) -> Result<Ref, ScimError> {
        let input = Input::from_body(body)?;
        match kind {
            Kind::User => self.create_user(&input, level),
            Kind::Group => self.create_group(&input, level),
            Kind::ServicePrincipal => self.create_sp(&input, cloud),
        }
    }

    fn create_user(&mut self, input: &Input<'_>, level: Level) -> Result<Ref, ScimError> {
        let user_name = input
            .string("userName")?
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ScimError::invalid_syntax("Required attribute userName is missing."))?;
        let existing = self.users.values().find(|u| u.user_name == user_name).map(|u| (u.id, u.deleted, u.active));
        let id = match existing {
            None => self.new_id(),
            // A soft-deleted user only exists in seed-quirks mode: POST brings it back.
            Some((id, true, _)) => id,
            Some((id, false, false)) if self.seed_quirks => id,
            Some(_) if level == Level::Account => return Err(account::user_exists(&user_name)),
            Some(_) => {
                return Err(ScimError::conflict(format!("User with username {user_name} already exists.")));
            }
        };
        let mut user =
            User { id, common: Common::default(), user_name, name: Name::default(), active: true, deleted: false };
        apply_user_fields(&mut user, input)?;
        let gids = self.resolve_groups(&input.values("groups")?.unwrap_or_default())?;
        self.users.insert(id, user);
        let principal = Ref { kind: Kind::User, id };
        self.add_parents(principal, &gids);
        Ok(principal)
    }

    fn create_group(&mut self, input: &Input<'_>, level: Level) -> Result<Ref, ScimError> {
        let display_name = required_display_name(input)?;
        self.check_group_name(&display_name, None)?;
        let members = self.resolve_members(&input.values("members")?.unwrap_or_default())?;
        let gids = self.resolve_groups(&input.values("groups")?.unwrap_or_default())?;
        let id = self.new_id();
        let common = Common {
            display_name,
            external_id: input.string("externalId")?,
            entitlements: input.values("entitlements")?.unwrap_or_default(),
            roles: input.values("roles")?.unwrap_or_default(),
        };
        self.groups.insert(id, Group { id, common, members, account: level == Level::Account });
        let principal = Ref { kind: Kind::Group, id };
        self.add_parents(principal, &gids);
        Ok(principal)
    }

    fn create_sp(&mut self, input: &Input<'_>, cloud: Cloud) -> Result<Ref, ScimError> {
        let given = given_application_id(input, cloud)?;
        let application_id = given.unwrap_or_else(random_uuid);
        if self.service_principals.values().any(|s| s.application_id.eq_ignore_ascii_case(&application_id)) {
            return Err(ScimError::conflict(format!(
                "Service principal with application ID {application_id} already exists."
            )));
        }
        let id = self.new_id();
        let mut sp = ServicePrincipal { id, common: Common::default(), application_id, active: true };
        apply_sp_fields(&mut sp, input)?;
        let gids = self.resolve_groups(&input.values("groups")?.unwrap_or_default())?;
        self.service_principals.insert(id, sp);
        let principal = Ref { kind: Kind::ServicePrincipal, id };
        self.add_parents(principal, &gids);
        Ok(principal)
    }

    /// `POST /_emulator/service-principals/bulk`: `count` service principals named
    /// `<prefix>1` … `<prefix><count>` with fresh application ids, all active, in no group.
    pub(crate) fn create_sps_bulk(&mut self, prefix: &str, count: usize) {
        let mut taken: HashSet<String> =
            self.service_principals.values().map(|s| s.application_id.to_ascii_lowercase()).collect();
        for i in 1..=count {
            let mut application_id = random_uuid();
            while !taken.insert(application_id.clone()) {
                application_id = random_uuid();
            }
            let id = self.new_id();
            let common = Common { display_name: format!("{prefix}{i}"), ..Common::default() };
            self.service_principals.insert(id, ServicePrincipal { id, common, application_id, active: true });
        }
    }

    /// `POST /_emulator/users/bulk`: `count` active users `<prefix>1@<domain>` …
    /// `<prefix><count>@<domain>` (lower-cased), each with `template`'s displayName (else its
    /// userName), externalId and name; with `group`, a new workspace group of that name holding
    /// them all. A userName or the group name already taken → `409`, nothing created.
    pub(crate) fn create_users_bulk(
        &mut self,
        prefix: &str,
        domain: &str,
        count: usize,
        template: &User,
        group: Option<&str>,
    ) -> Result<Option<u64>, ScimError> {
        let names: Vec<String> = (1..=count).map(|i| format!("{prefix}{i}@{domain}").to_lowercase()).collect();
        let taken: HashSet<&str> = self.users.values().map(|u| u.user_name.as_str()).collect();
        if let Some(name) = names.iter().find(|n| taken.contains(n.as_str())) {
            return Err(ScimError::conflict(format!("User with username {name} already exists.")));
        }
        if let Some(group) = group {
            self.check_group_name(group, None)?;
        }
        let mut members = Vec::with_capacity(count);
        for user_name in names {
            let id = self.new_id();
            let mut common = template.common.clone();
            if common.display_name.is_empty() {
                common.display_name.clone_from(&user_name);
            }
            let user = User { id, common, user_name, name: template.name.clone(), active: true, deleted: false };
            self.users.insert(id, user);
            members.push(Ref { kind: Kind::User, id });
        }
        Ok(group.map(|name| {
            let id = self.new_id();
            let common = Common { display_name: name.to_string(), ..Common::default() };
            self.groups.insert(id, Group { id, common, members, account: false });
            id
        }))
    }

    /// `PUT /{Resource}/{id}`: replaces everything but the immutable `userName`/`emails`/
    /// `applicationId` (which AWS and GCP refuse outright, see [`given_application_id`]).
    /// Absent `groups` (and, for groups, `members`) means none. At the account level, where
    /// principals have neither `entitlements` nor `groups` (the caller refuses bodies that
    /// carry them), the workspace's entitlements and the group memberships are kept.
    pub(crate) fn replace(
        &mut self,
        kind: Kind,
        id: &str,
        body: &Value,
        cloud: Cloud,
        level: Level,
    ) -> Result<Ref, ScimError> {
        let principal = self.find(kind, id)?;
        let input = Input::from_body(body)?;
        if kind == Kind::ServicePrincipal {
            given_application_id(&input, cloud)?;
        }
        let gids = match level {
            Level::Workspace => Some(self.resolve_groups(&input.values("groups")?.unwrap_or_default())?),
            Level::Account => None,
        };
        let kept_entitlements = match level {
            Level::Workspace => None,
            Level::Account => self.common(principal).map(|c| c.entitlements.clone()),
        };
        match kind {
            Kind::User => {
                let user = self.users.get_mut(&principal.id).ok_or_else(|| kind.not_found(id))?;
                let mut replaced =
                    User { common: Common::default(), name: Name::default(), active: true, ..user.clone() };
                apply_user_fields(&mut replaced, &input)?;
                *user = replaced;
            }
            Kind::ServicePrincipal => {
                let sp = self.service_principals.get_mut(&principal.id).ok_or_else(|| kind.not_found(id))?;
                let mut replaced = ServicePrincipal { common: Common::default(), active: true, ..sp.clone() };
                apply_sp_fields(&mut replaced, &input)?;
                *sp = replaced;
            }
            Kind::Group => {
                let display_name = required_display_name(&input)?;
                self.check_group_name(&display_name, Some(principal.id))?;
                let mut members = self.resolve_members(&input.values("members")?.unwrap_or_default())?;
                // Members hidden by quirk 1 were not part of what the client saw; keep them.
                let hidden: Vec<Ref> = self
                    .groups
                    .get(&principal.id)
                    .map(|g| g.members.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .copied()
                    .filter(|m| m.kind == Kind::User && self.users.get(&m.id).is_some_and(|u| !self.user_visible(u)))
                    .collect();
                members.extend(hidden);
                let common = Common {
                    display_name,
                    external_id: input.string("externalId")?,
                    entitlements: input.values("entitlements")?.unwrap_or_default(),
                    roles: input.values("roles")?.unwrap_or_default(),
                };
                let group = self.groups.get_mut(&principal.id).ok_or_else(|| kind.not_found(id))?;
                group.common = common;
                group.members = members;
            }
        }
        if let (Some(entitlements), Some(common)) = (kept_entitlements, self.common_mut(principal)) {
            common.entitlements = entitlements;
        }
        if let Some(gids) = gids {
            self.set_parents(principal, &gids);
        }
        Ok(principal)
    }

    /// `DELETE /{Resource}/{id}`.
    pub(crate) fn delete(&mut self, kind: Kind, id: &str) -> Result<(), ScimError> {
        let principal = match self.find(kind, id) {
            Ok(p) => p,
            // Quirk 3: the seed claims an unknown group id answers 204.
            Err(_) if kind == Kind::Group && self.seed_quirks => return Ok(()),
            Err(e) => return Err(e),
        };
        match kind {
            Kind::User if self.seed_quirks => {
                // Quirk 2: soft delete; memberships are kept but hidden.
                if let Some(user) = self.users.get_mut(&principal.id) {
                    user.deleted = true;
                    user.active = false;
                }
                self.drop_tokens_of(principal);
                self.drop_assignments_of(principal.id);
                return Ok(());
            }
            Kind::User => {
                self.users.remove(&principal.id);
            }
            Kind::Group => {
                self.groups.remove(&principal.id);
            }
            Kind::ServicePrincipal => {
                self.service_principals.remove(&principal.id);
            }
        }
        self.forget(principal);
        Ok(())
    }

    /// `GET /{Resource}` with filter, sorting, paging and projection; at the account level in
    /// the account's view ([`account::view`], lists without `members`).
    pub(crate) fn list(&self, kind: Kind, query: &Query, level: Level) -> Result<Value, ScimError> {
        let filter = match query.filter.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                let f = filter::parse(text)?;
                if f.comparisons().any(|c| !kind.filterable().contains(&c.attr.as_str())) {
                    return Err(ScimError::invalid_filter());
                }
                Some(f)
            }
        };
        let ids: Vec<u64> = match kind {
            Kind::User => self.users.values().filter(|u| self.user_visible(u)).map(|u| u.id).collect(),
            Kind::Group => self.groups.keys().copied().collect(),
            Kind::ServicePrincipal => self.service_principals.keys().copied().collect(),
        };
        let mut matched = Vec::with_capacity(ids.len());
        for id in ids {
            let principal = Ref { kind, id };
            let keep = match &filter {
                None => true,
                Some(f) => f.matches(|attr| self.attr(principal, attr))?,
            };
            if keep {
                matched.push(principal);
            }
        }
        if let Some(sort_by) = query.sort_by.as_deref().filter(|s| kind.filterable().contains(s)) {
            let key = |p: &Ref| match self.attr(*p, sort_by) {
                AttrValue::Str { value, .. } => Some(value.to_lowercase()),
                AttrValue::Bool(b) => Some(b.to_string()),
                AttrValue::Absent => None,
            };
            matched.sort_by_cached_key(|p| (key(p).is_none(), key(p)));
        }
        if query.descending {
            matched.reverse();
        }
        let total = matched.len();
        let skip = query.start_index.saturating_sub(1);
        let take = query.count.unwrap_or(crate::params::MAX_COUNT);
        let memberships = Memberships::build(self);
        let page: Vec<Value> = matched
            .into_iter()
            .skip(skip)
            .take(take)
            .filter_map(|p| self.render_with(&memberships, p, true))
            .map(|v| account::view(level, v, true))
            .map(|v| query.project(v))
            .collect();
        let mut envelope = json!({
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "startIndex": query.start_index,
            "itemsPerPage": page.len(),
        });
        if !page.is_empty()
            && let Some(map) = envelope.as_object_mut()
        {
            map.insert("Resources".into(), Value::Array(page));
        }
        Ok(envelope)
    }

    /// The value of a filterable attribute (already validated for the kind).
    fn attr(&self, principal: Ref, attr: &str) -> AttrValue<'_> {
        fn exact(value: &str) -> AttrValue<'_> {
            AttrValue::Str { value: Cow::Borrowed(value), case_exact: true }
        }
        fn loose(value: &str) -> AttrValue<'_> {
            AttrValue::Str { value: Cow::Borrowed(value), case_exact: false }
        }
        fn opt(value: &Option<String>) -> AttrValue<'_> {
            value.as_deref().map_or(AttrValue::Absent, exact)
        }
        if attr == "id" {
            return AttrValue::Str { value: Cow::Owned(principal.id.to_string()), case_exact: true };
        }
        match principal.kind {
            Kind::User => {
                let Some(user) = self.users.get(&principal.id) else {
                    return AttrValue::Absent;
                };
                match attr {
                    "username" | "emails" | "emails.value" => loose(&user.user_name),
                    "displayname" => loose(&user.common.display_name),
                    "active" => AttrValue::Bool(user.active),
                    "externalid" => opt(&user.common.external_id),
                    _ => AttrValue::Absent,
                }
            }
            Kind::Group => {
                let Some(group) = self.groups.get(&principal.id) else {
                    return AttrValue::Absent;
                };
                match attr {
                    "displayname" => exact(&group.common.display_name),
                    "externalid" => opt(&group.common.external_id),
                    _ => AttrValue::Absent,
                }
            }
            Kind::ServicePrincipal => {
                let Some(sp) = self.service_principals.get(&principal.id) else {
                    return AttrValue::Absent;
                };
                match attr {
                    "applicationid" => loose(&sp.application_id),
                    "displayname" => loose(&sp.common.display_name),
                    "active" => AttrValue::Bool(sp.active),
                    "externalid" => opt(&sp.common.external_id),
                    _ => AttrValue::Absent,
                }
            }
        }
    }
}

fn values_json(values: &[String]) -> Value {
    Value::Array(values.iter().map(|v| json!({"value": v})).collect())
}

/// The non-empty `applicationId` of a service principal body (any case of the key). On AWS and
/// GCP giving one at all is the `400` of terraform-provider-databricks issues #556/#630; on
/// Azure it is the Entra application id.
fn given_application_id(input: &Input<'_>, cloud: Cloud) -> Result<Option<String>, ScimError> {
    let given = input.string("applicationId")?.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if given.is_some() && !cloud.accepts_application_id() {
        return Err(ScimError::application_id_not_allowed());
    }
    Ok(given)
}

fn required_display_name(input: &Input<'_>) -> Result<String, ScimError> {
    input
        .string("displayName")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ScimError::invalid_syntax("Required attribute displayName is missing."))
}

/// The mutable user attributes of a POST or PUT body, with Databricks' defaults.
fn apply_user_fields(user: &mut User, input: &Input<'_>) -> Result<(), ScimError> {
    let display_name =
        input.string("displayName")?.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| user.user_name.clone());
    user.name = match input.name()? {
        Some(name) => name,
        None => Name::derive(&display_name),
    };
    user.common = Common {
        display_name,
        external_id: input.string("externalId")?,
        entitlements: input.values("entitlements")?.unwrap_or_default(),
        roles: input.values("roles")?.unwrap_or_default(),
    };
    user.active = input.boolean("active")?.unwrap_or(true);
    Ok(())
}

fn apply_sp_fields(sp: &mut ServicePrincipal, input: &Input<'_>) -> Result<(), ScimError> {
    let display_name =
        input.string("displayName")?.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| sp.application_id.clone());
    sp.common = Common {
        display_name,
        external_id: input.string("externalId")?,
        entitlements: input.values("entitlements")?.unwrap_or_default(),
        roles: input.values("roles")?.unwrap_or_default(),
    };
    sp.active = input.boolean("active")?.unwrap_or(true);
    Ok(())
}
