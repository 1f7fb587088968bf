//! Lambda entry point: `patch-group`, served by `shared::ops::patch_group`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("patch-group", shared::ops::patch_group::handle).await
}
