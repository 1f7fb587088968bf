//! Lambda entry point: `create-group`, served by `shared::ops::create_group`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("create-group", shared::ops::create_group::handle).await
}
