//! Lists and searches: one Databricks page per SCIM page held to the answer budget, and
//! `POST /.search` across every resource type.

use crate::databricks::ListParams;
use crate::databricks::model::{Group, ListAnswer, Selection, ServicePrincipal, User};
use crate::mapping::Served;
use crate::ops::{Context, ScimRequest, ScimResponse};
use crate::scim::ScimError;
use crate::scim::limits::{AnswerBudget, carried_len, list_answer, too_large};
use crate::scim::list::Projection;

use super::answer::render;
use super::input::list_query;
use super::read::list;

/// One list page: one Databricks call, whatever the filter or projection. Serves `GET /Users`
/// and `POST /Users/.search` alike (and the same for groups and service principals).
pub async fn list_page<T: Served>(ctx: &Context, request: &ScimRequest) -> Result<ScimResponse, ScimError> {
    let query = list_query(request)?;
    let filter = query.filter.as_ref().map(|f| crate::mapping::filter::translate(f, T::filters())).transpose()?;
    let selection = T::selection(&query.projection);
    let params = ListParams {
        filter,
        start_index: query.start_index,
        // count=0 asks only for totalResults; Databricks is asked for the smallest page.
        count: query.count.max(1),
        attributes: selection.attributes,
        excluded_attributes: selection.excluded_attributes,
    };
    let page = list::<T>(ctx, params).await?;
    let mut resources = Vec::new();
    let mut budget = AnswerBudget::for_list();
    let wanted = PageRequest { take: query.count as usize, projection: &query.projection, base_url: &request.base_url };
    page_resources(&page, &wanted, &mut budget, &mut resources)?;
    Ok(ScimResponse::ok_serialized(list_answer(page.total(), query.start_index, &resources)))
}

/// What one list answer takes of a Databricks page.
struct PageRequest<'a> {
    /// At most this many resources.
    take: usize,
    /// The client's projection.
    projection: &'a Projection,
    /// For `meta.location` and `$ref`s.
    base_url: &'a str,
}

/// Appends to `out` at most `wanted.take` resources of a Databricks list page, as serialised
/// SCIM resources with the projection applied, while they fit in `budget`: each is serialised
/// once, and measured as the Lambda response will carry it. When one does not fit, the page
/// ends before it and `true` says so: the answer's `itemsPerPage` is then smaller than asked,
/// and the client's next `startIndex` (this one + `itemsPerPage`) starts at that resource, so
/// none is skipped. A resource that does not fit even as the first of the answer is 400
/// `tooMany` naming it.
fn page_resources<T: Served>(
    page: &ListAnswer<T>,
    wanted: &PageRequest<'_>,
    budget: &mut AnswerBudget,
    out: &mut Vec<String>,
) -> Result<bool, ScimError> {
    for item in page.resources.iter().take(wanted.take) {
        let text = render(item, wanted.base_url, wanted.projection)?.to_string();
        let size = carried_len(&text);
        if !budget.take(size) {
            if out.is_empty() {
                let id = item.id().unwrap_or("?");
                return Err(too_large(&format!("{} {id}", T::RESOURCE.resource_type()), size, false));
            }
            return Ok(true);
        }
        out.push(text);
    }
    Ok(false)
}

/// `POST /.search` (RFC 7644 §3.4.3): one search across every resource type, paged as one list
/// of the users, then the groups, then the service principals. Each type costs exactly one
/// Databricks list call per page: its `totalResults` places the page, and the call also brings
/// the type's share of the page (asked from where the page starts within that type). For a
/// type without an attribute the filter compares, that comparison is false (it drops out of an
/// `or`); a type the filter cannot match at all costs no call. `totalResults` is the sum.
pub async fn search_all(ctx: &Context, request: &ScimRequest) -> Result<ScimResponse, ScimError> {
    let query = crate::scim::list::ListQuery::from_search_request(&request.body)?;
    let filter = query.filter.as_ref();
    let plans = (plan::<User>(filter)?, plan::<Group>(filter)?, plan::<ServicePrincipal>(filter)?);
    if let (None, None, None) = plans {
        return Err(ScimError::InvalidFilter(
            "no resource type (User, Group, ServicePrincipal) has the attributes this filter compares".into(),
        ));
    }
    let mut search = Search {
        query: &query,
        base_url: &request.base_url,
        total: 0,
        resources: Vec::new(),
        budget: AnswerBudget::for_list(),
        full: false,
    };
    // Paging order: users, then groups, then service principals.
    if let Some(filter) = plans.0 {
        search.step::<User>(ctx, filter).await?;
    }
    if let Some(filter) = plans.1 {
        search.step::<Group>(ctx, filter).await?;
    }
    if let Some(filter) = plans.2 {
        search.step::<ServicePrincipal>(ctx, filter).await?;
    }
    Ok(ScimResponse::ok_serialized(list_answer(search.total, query.start_index, &search.resources)))
}

/// A root search under way: what the types asked so far brought.
struct Search<'a> {
    query: &'a crate::scim::list::ListQuery,
    base_url: &'a str,
    total: u64,
    resources: Vec<String>,
    budget: AnswerBudget,
    /// The byte budget has cut the page.
    full: bool,
}

impl Search<'_> {
    /// One type's list call, with its Databricks filter.
    async fn step<T: Served>(&mut self, ctx: &Context, filter: Option<String>) -> Result<(), ScimError> {
        // Once the byte budget has cut the page, later types only count towards totalResults.
        let share = if self.full { 0 } else { (self.query.count as usize).saturating_sub(self.resources.len()) };
        let mut selection = T::selection(&self.query.projection);
        if share == 0 {
            // Only totalResults is needed: no members to read.
            selection = Selection { attributes: vec!["id"], excluded_attributes: Vec::new() };
        }
        let start_index = (self.query.start_index + self.resources.len() as u64).saturating_sub(self.total).max(1);
        let params = ListParams {
            filter,
            // Where the rest of the page starts within this type: past the types before it.
            start_index,
            count: u32::try_from(share).unwrap_or(u32::MAX).max(1),
            attributes: selection.attributes,
            excluded_attributes: selection.excluded_attributes,
        };
        let page = list::<T>(ctx, params).await?;
        self.total += page.total();
        let wanted = PageRequest { take: share, projection: &self.query.projection, base_url: self.base_url };
        let taken = self.resources.len();
        self.full |= page_resources(&page, &wanted, &mut self.budget, &mut self.resources)?;
        // A type that gave less than its share while more of it remain (a smaller Databricks
        // page: groups whose members are read one by one) ends the page here, so the next
        // page starts with the rest of it and nothing is skipped or repeated.
        let given = (self.resources.len() - taken) as u64;
        if share > 0 && (given as usize) < share && start_index - 1 + given < page.total() {
            self.full = true;
        }
        Ok(())
    }
}

/// What a root search asks of type `T`: `None` when the filter can match none of its resources
/// (no call), else its Databricks filter. A filter `T` can match but Databricks cannot filter is
/// refused as `GET` on that type would refuse it.
fn plan<T: Served>(filter: Option<&scim_v2::filter::Filter>) -> Result<Option<Option<String>>, ScimError> {
    let Some(filter) = filter else { return Ok(Some(None)) };
    let resource = T::RESOURCE;
    let defines = |path: &scim_v2::filter::AttrPath| {
        crate::scim::discovery::defines_attribute(resource.schema(), resource.extensions(), path)
    };
    crate::scim::list::restrict_filter(filter, &defines)
        .map(|own| crate::mapping::filter::translate(&own, T::filters()).map(Some))
        .transpose()
}
