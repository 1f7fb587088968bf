//! Lambda entry point: `replace-group`, served by `shared::ops::replace_group`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("replace-group", shared::ops::replace_group::handle).await
}
