//! The JWT-bearer assertion: RS256 over `{"alg":"RS256"}.{iss, sub, aud, exp}`, signed with
//! the private key of the certificate uploaded to the connected app.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// How long an assertion is valid; Salesforce accepts at most a few minutes.
const LIFETIME_SECS: i64 = 180;

/// Signs JWT-bearer assertions with one RSA key.
pub struct JwtSigner {
    key: RsaKeyPair,
}

impl std::fmt::Debug for JwtSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtSigner(…)")
    }
}

/// The label and decoded body of the first PEM block in `pem`.
fn pem_block(pem: &str) -> Result<(String, Vec<u8>), String> {
    let mut lines = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("-----BEGIN "));
    let label = lines
        .next()
        .and_then(|l| l.strip_prefix("-----BEGIN "))
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or("no PEM block (-----BEGIN …-----) found")?
        .to_owned();
    let body: String = lines
        .take_while(|l| !l.starts_with("-----END "))
        .filter(|l| !l.contains(':'))
        .collect();
    let der = STANDARD
        .decode(body)
        .map_err(|e| format!("the PEM body is not base64: {e}"))?;
    Ok((label, der))
}

impl JwtSigner {
    /// Reads an RSA private key from PEM: `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1).
    pub fn from_pem(pem: &str) -> Result<JwtSigner, String> {
        let (label, der) = pem_block(pem)?;
        let key = match label.as_str() {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
            "ENCRYPTED PRIVATE KEY" => return Err(
                "encrypted keys are not supported: decrypt it with `openssl pkcs8 -topk8 -nocrypt`"
                    .to_owned(),
            ),
            other => {
                return Err(format!(
                    "expected an RSA private key, found a `{other}` PEM block"
                ));
            }
        }
        .map_err(|e| format!("not a usable RSA private key: {e}"))?;
        Ok(JwtSigner { key })
    }

    /// A signed assertion for `iss` (consumer key), `sub` (username) and `aud`, valid from `now`
    /// (Unix seconds) for three minutes.
    pub fn assertion(&self, iss: &str, sub: &str, aud: &str, now: i64) -> Result<String, String> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let claims =
            serde_json::json!({ "iss": iss, "sub": sub, "aud": aud, "exp": now + LIFETIME_SECS });
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let message = format!("{header}.{payload}");
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message.as_bytes(),
                &mut signature,
            )
            .map_err(|_| "signing the JWT assertion failed".to_owned())?;
        Ok(format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

    fn pem_of(der: &[u8], label: &str) -> String {
        let body = STANDARD.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    }

    #[test]
    fn signs_a_verifiable_rs256_assertion() {
        let generated = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let pkcs8 = generated.as_der().unwrap();
        let signer = JwtSigner::from_pem(&pem_of(pkcs8.as_ref(), "PRIVATE KEY")).unwrap();
        let jwt = signer
            .assertion(
                "key",
                "user@example.com",
                "https://login.salesforce.com",
                1_700_000_000,
            )
            .unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["sub"], "user@example.com");
        assert_eq!(claims["exp"], 1_700_000_180);
        let public =
            UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, generated.public_key().as_ref());
        let signed = format!("{}.{}", parts[0], parts[1]);
        public
            .verify(
                signed.as_bytes(),
                &URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
            )
            .expect("signature verifies");
    }

    #[test]
    fn refuses_what_is_not_an_rsa_key() {
        assert!(
            JwtSigner::from_pem("hello")
                .unwrap_err()
                .contains("no PEM block")
        );
        let cert = pem_of(b"not a key", "CERTIFICATE");
        assert!(
            JwtSigner::from_pem(&cert)
                .unwrap_err()
                .contains("CERTIFICATE")
        );
        let garbage = pem_of(b"not a key", "PRIVATE KEY");
        assert!(JwtSigner::from_pem(&garbage).is_err());
    }
}
