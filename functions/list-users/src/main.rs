//! Lambda entry point: `list-users`, served by `shared::ops::list_users`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("list-users", shared::ops::list_users::handle).await
}
