//! Lambda entry point: `get-service-principal` (see shared::ops).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve(shared::ops::Operation::GetServicePrincipal).await
}
