//! The cold-start baseline of `make bench`: a bare lambda_http function that answers every
//! request with a small JSON body. Same dependencies' features and release profile as the
//! functions in `functions/`, no configuration, no AWS SDK, no outbound HTTP client.

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_request: Request| async {
        let mut response = Response::new(Body::from(r#"{"hello":"world"}"#));
        response.headers_mut().insert("content-type", lambda_http::http::HeaderValue::from_static("application/json"));
        Ok::<_, std::convert::Infallible>(response)
    }))
    .await
}
