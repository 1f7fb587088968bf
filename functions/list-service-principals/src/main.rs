//! Lambda entry point: `list-service-principals`, served by `shared::ops::list_service_principals`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("list-service-principals", shared::ops::list_service_principals::handle).await
}
