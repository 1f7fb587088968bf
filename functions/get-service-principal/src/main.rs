//! Lambda entry point: `get-service-principal`, served by `shared::ops::get_service_principal`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("get-service-principal", shared::ops::get_service_principal::handle).await
}
