//! Lambda entry point: `delete-group`, served by `shared::ops::delete_group`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("delete-group", shared::ops::delete_group::handle).await
}
