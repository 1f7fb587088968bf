//! Lambda entry point: `delete-service-principal`, served by `shared::ops::delete_service_principal`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("delete-service-principal", shared::ops::delete_service_principal::handle).await
}
