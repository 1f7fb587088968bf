//! Lambda entry point: `create-service-principal` (see shared::ops).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve(shared::ops::Operation::CreateServicePrincipal).await
}
