//! Lambda entry point: `list-service-principals` (see shared::ops).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve(shared::ops::Operation::ListServicePrincipals).await
}
