//! Lambda entry point: `discovery`, served by `shared::ops::discovery`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("discovery", shared::ops::discovery::handle).await
}
