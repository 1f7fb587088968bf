//! Lambda entry point: `create-service-principal`, served by `shared::ops::create_service_principal`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("create-service-principal", shared::ops::create_service_principal::handle).await
}
