//! Lambda entry point: `replace-service-principal`, served by `shared::ops::replace_service_principal`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("replace-service-principal", shared::ops::replace_service_principal::handle).await
}
