//! Pieces several operations share.

use serde_json::Value;

use super::ScimRequest;
use crate::config::AppState;
use crate::databricks::client::Selection;
use crate::databricks::{DatabricksError, DatabricksId, ListParams, TargetResource};
use crate::scim::ScimError;
use crate::scim::list::Projection;
use crate::scim::values::parse_object;

/// The kind of resource an operation works on, for error details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Users.
    User,
    /// Groups.
    Group,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
        }
    }

    /// The Databricks resource.
    pub fn target(self) -> TargetResource {
        match self {
            Kind::User => TargetResource::Users,
            Kind::Group => TargetResource::Groups,
        }
    }
}

/// SCIM 404 for a resource that does not exist (the id is not echoed: clients have put e-mail
/// addresses where ids belong).
pub fn not_found(kind: Kind) -> ScimError {
    ScimError::NotFound(format!("no {} with this id exists", kind.noun()))
}

/// The `{id}` of the path, checked to be a Databricks id before it reaches a URL.
pub fn path_id(request: &ScimRequest, kind: Kind) -> Result<DatabricksId, ScimError> {
    request.resource_id().and_then(DatabricksId::parse).ok_or_else(|| not_found(kind))
}

/// Maps a Databricks 404 to this resource's SCIM 404; everything else by the common table.
pub fn or_not_found(kind: Kind) -> impl Fn(DatabricksError) -> ScimError {
    move |err| match err {
        DatabricksError::NotFound { .. } => not_found(kind),
        other => other.into(),
    }
}

/// The request body as a JSON object.
pub fn body_object(request: &ScimRequest) -> Result<serde_json::Map<String, Value>, ScimError> {
    parse_object(&request.body)
}

/// The client's projection of this request.
pub fn projection(request: &ScimRequest) -> Projection {
    Projection::from_query(&request.query)
}

/// Reads one resource with the given selection.
pub async fn read(state: &AppState, kind: Kind, id: &DatabricksId, selection: &Selection) -> Result<Value, ScimError> {
    state.databricks.get(kind.target(), id, selection).await.map_err(or_not_found(kind))
}

/// The first resource whose attribute equals `value` (one list call), if any.
pub async fn find_one(state: &AppState, kind: Kind, attribute: &str, value: &str) -> Result<Option<Value>, ScimError> {
    let params = ListParams {
        filter: Some(format!("{attribute} eq {}", Value::String(value.to_string()))),
        start_index: 1,
        count: 2,
        ..ListParams::default()
    };
    let page = state.databricks.list(kind.target(), &params).await?;
    Ok(page.get("Resources").and_then(Value::as_array).and_then(|r| r.first()).cloned())
}

/// The body Databricks answered a write with, or a fresh read when it answered without one.
pub async fn answer_or_read(
    state: &AppState,
    kind: Kind,
    id: &DatabricksId,
    answered: Option<Value>,
) -> Result<Value, ScimError> {
    match answered {
        Some(body) if body.get("id").is_some() => Ok(body),
        _ => read(state, kind, id, &Selection::default()).await,
    }
}

/// DELETE, re-reading the target when the outcome is unknown instead of retrying blindly.
pub async fn delete(state: &AppState, kind: Kind, request: &ScimRequest) -> Result<super::ScimResponse, ScimError> {
    let id = path_id(request, kind)?;
    match state.databricks.delete(kind.target(), &id).await {
        Ok(()) => Ok(super::ScimResponse::no_content()),
        Err(err) if err.outcome_unknown() => {
            let probe = Selection { attributes: vec!["id"], excluded_attributes: Vec::new() };
            match state.databricks.get(kind.target(), &id, &probe).await {
                Err(DatabricksError::NotFound { .. }) => Ok(super::ScimResponse::no_content()),
                _ => Err(err.into()),
            }
        }
        Err(err) => Err(or_not_found(kind)(err)),
    }
}

/// How one resource kind is listed.
pub struct ListSpec {
    /// Which resource.
    pub kind: Kind,
    /// What it can be filtered on.
    pub filters: &'static crate::mapping::filter::FilterTable,
    /// SCIM projection → Databricks selection.
    pub selection: fn(&Projection) -> Selection,
    /// Databricks resource → SCIM resource.
    pub to_scim: fn(&Value, &str) -> Value,
    /// Core schema URN.
    pub schema: &'static str,
    /// Extension URNs.
    pub extensions: &'static [&'static str],
}

/// One list page: one Databricks call, whatever the filter or projection.
pub async fn list_page(
    state: &AppState,
    spec: &ListSpec,
    request: &ScimRequest,
) -> Result<super::ScimResponse, ScimError> {
    use crate::scim::list::{ListQuery, list_response};
    let query = ListQuery::from_query(&request.query)?;
    let filter = query.filter.as_ref().map(|f| crate::mapping::filter::translate(f, spec.filters)).transpose()?;
    let selection = (spec.selection)(&query.projection);
    let params = ListParams {
        filter,
        start_index: query.start_index,
        // count=0 asks only for totalResults; Databricks is asked for the smallest page.
        count: query.count.max(1),
        attributes: selection.attributes,
        excluded_attributes: selection.excluded_attributes,
    };
    let page = state.databricks.list(spec.kind.target(), &params).await?;
    let total = page.get("totalResults").and_then(Value::as_u64).unwrap_or(0);
    let resources: Vec<Value> = if query.count == 0 {
        Vec::new()
    } else {
        page.get("Resources")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .take(query.count as usize)
                    .map(|item| {
                        let mut scim = (spec.to_scim)(item, &request.base_url);
                        crate::scim::projection::apply(&mut scim, &query.projection, spec.schema, spec.extensions);
                        scim
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(super::ScimResponse::ok(list_response(total, query.start_index, resources)))
}
