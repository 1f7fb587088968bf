//! Lambda entry point: `create-user`, served by `shared::ops::create_user`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("create-user", shared::ops::create_user::handle).await
}
