//! Lambda entry point: `replace-user`, served by `shared::ops::replace_user`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("replace-user", shared::ops::replace_user::handle).await
}
