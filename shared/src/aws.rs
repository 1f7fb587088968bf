//! AWS Secrets Manager: the one module that talks to AWS. Values are returned to the
//! caller and never logged; errors name the secret and the reason only.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::SdkError;
use aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueError;

/// Why a secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// No such secret (or no current version).
    #[error("the secret does not exist")]
    NotFound,
    /// The function's role may not read it, or KMS refused to decrypt it.
    #[error("the function is not allowed to read the secret ({0})")]
    AccessDenied(String),
    /// The secret holds binary data or nothing.
    #[error("the secret has no string value")]
    NoString,
    /// Secrets Manager could not be reached or failed.
    #[error("Secrets Manager failed: {0}")]
    Service(String),
}

/// Reads secrets.
#[derive(Debug, Clone)]
pub struct SecretStore {
    client: Client,
}

impl SecretStore {
    /// A store over an SDK configuration (from the environment when deployed; aimed at moto in tests).
    pub fn new(config: &aws_config::SdkConfig) -> SecretStore {
        SecretStore { client: Client::new(config) }
    }

    /// The current string value of a secret.
    pub async fn read(&self, secret_id: &str) -> Result<String, SecretError> {
        let output = self.client.get_secret_value().secret_id(secret_id).send().await.map_err(classify)?;
        output.secret_string().map(str::to_string).ok_or(SecretError::NoString)
    }
}

fn classify(err: SdkError<GetSecretValueError>) -> SecretError {
    match &err {
        SdkError::ServiceError(service) => match service.err() {
            GetSecretValueError::ResourceNotFoundException(_) => SecretError::NotFound,
            GetSecretValueError::DecryptionFailure(_) => SecretError::AccessDenied("KMS could not decrypt it".into()),
            other => {
                use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
                let code = other.code().unwrap_or("unknown error").to_string();
                if code.contains("AccessDenied") { SecretError::AccessDenied(code) } else { SecretError::Service(code) }
            }
        },
        SdkError::TimeoutError(_) => SecretError::Service("timed out".into()),
        SdkError::DispatchFailure(_) => SecretError::Service("could not connect".into()),
        _ => SecretError::Service("unexpected response".into()),
    }
}
