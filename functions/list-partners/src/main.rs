//! Lambda entry point: `list-partners`, served by `shared::ops::list_partners`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::serve("list-partners", shared::ops::list_partners::handle).await
}
