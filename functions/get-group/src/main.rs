//! Lambda entry point: `get-group`, served by `shared::ops::get_group`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("get-group", shared::ops::get_group::handle).await
}
