//! Lambda entry point: `patch-service-principal`, served by `shared::ops::patch_service_principal`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("patch-service-principal", shared::ops::patch_service_principal::handle).await
}
