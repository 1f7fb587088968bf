//! Lambda entry point: `delete-user`, served by `shared::ops::delete_user`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("delete-user", shared::ops::delete_user::handle).await
}
