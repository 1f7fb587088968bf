//! Lambda entry point: `get-user`, served by `shared::ops::get_user`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("get-user", shared::ops::get_user::handle).await
}
