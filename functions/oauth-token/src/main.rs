//! Lambda entry point: `oauth-token`, the OAuth 2.0 client-credentials token endpoint
//! (`POST /oauth/token`; see shared::http::oauth). Not a SCIM operation: no bearer check.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::oauth::serve().await
}
