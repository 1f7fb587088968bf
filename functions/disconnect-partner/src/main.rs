//! Lambda entry point: `disconnect-partner`, served by `shared::ops::disconnect_partner`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("disconnect-partner", shared::ops::disconnect_partner::handle).await
}
