//! Lambda entry point: `patch-user`, served by `shared::ops::patch_user`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("patch-user", shared::ops::patch_user::handle).await
}
