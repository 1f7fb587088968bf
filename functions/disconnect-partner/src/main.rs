//! Lambda entry point: `disconnect-partner` (see shared::ops).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve(shared::ops::Operation::DisconnectPartner).await
}
