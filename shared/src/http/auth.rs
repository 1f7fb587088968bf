//! Inbound bearer check (SPEC §2): one or two accepted tokens (current and next, for
//! rotation), compared in constant time. A miss is a SCIM 401.

use crate::scim::ScimError;

/// The accepted inbound tokens.
#[derive(Clone, Default)]
pub struct InboundAuth {
    tokens: Vec<Vec<u8>>,
}

impl std::fmt::Debug for InboundAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InboundAuth({} tokens)", self.tokens.len())
    }
}

impl InboundAuth {
    /// Accepts these tokens; an empty list accepts nobody (fail closed).
    pub fn new(tokens: Vec<String>) -> InboundAuth {
        InboundAuth { tokens: tokens.into_iter().filter(|t| !t.is_empty()).map(String::into_bytes).collect() }
    }

    /// Checks an `Authorization` header value.
    pub fn check(&self, authorization: Option<&str>) -> Result<(), ScimError> {
        if self.tokens.is_empty() {
            return Err(ScimError::Unauthorized("no bearer token is configured for this service".into()));
        }
        let presented = authorization
            .map(str::trim)
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().as_bytes())
            .ok_or_else(|| ScimError::Unauthorized("a bearer token is required".into()))?;
        // Compare against every token, always, so timing reveals neither which nor how much matched.
        let matched = self.tokens.iter().fold(false, |acc, t| acc | constant_time_eq(t, presented));
        if matched { Ok(()) } else { Err(ScimError::Unauthorized("the bearer token is not valid".into())) }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = (a.len() ^ b.len()) as u64;
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0xff);
        diff |= u64::from(x ^ y);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_and_next_tokens_are_both_accepted() {
        let auth = InboundAuth::new(vec!["current".into(), "next".into()]);
        assert_eq!(auth.check(Some("Bearer current")), Ok(()));
        assert_eq!(auth.check(Some("bearer next")), Ok(()));
    }

    #[test]
    fn missing_malformed_and_wrong_tokens_are_401() {
        let auth = InboundAuth::new(vec!["current".into()]);
        for header in
            [None, Some(""), Some("Basic current"), Some("Bearer"), Some("Bearer curren"), Some("Bearer currentx")]
        {
            assert_eq!(auth.check(header).err().map(|e| e.status()), Some(401), "{header:?}");
        }
    }

    #[test]
    fn no_configured_token_rejects_everyone() {
        assert!(InboundAuth::new(vec![]).check(Some("Bearer ")).is_err());
    }
}
