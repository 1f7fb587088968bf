//! Lambda entry point: `list-groups`, served by `shared::ops::list_groups`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("list-groups", shared::ops::list_groups::handle).await
}
