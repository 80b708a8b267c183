//! Signing and verification keys of access tokens.
//!
//! EdDSA (Ed25519) is pinned: an asymmetric algorithm lets partners verify tokens
//! with the public keys at `/.well-known/jwks.json` without holding any secret, and
//! Ed25519 has no parameter choices to get wrong. Each key is named by a `kid`
//! derived from its public key; older public keys can be kept for rotation.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::settings::Settings;

/// Name of the generated key file under the data folder.
pub const GENERATED_KEY_FILE: &str = "jwt-ed25519.pem";

/// Why keys could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A key file could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A key file does not hold an Ed25519 key.
    #[error("key file {0} does not hold an Ed25519 key in PEM")]
    Format(String),
}

/// The keys of the server.
pub struct KeySet {
    /// `kid` of the signing key.
    pub signing_kid: String,
    /// The signing key.
    pub signing: EncodingKey,
    /// Accepted keys by `kid`, the signing key's public half included.
    pub verifying: HashMap<String, DecodingKey>,
    /// Public keys as JWKs, for `/.well-known/jwks.json`.
    pub jwks: serde_json::Value,
}

fn kid_of(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

fn read(path: &Path) -> Result<String, KeyError> {
    std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: path.display().to_string(),
        source,
    })
}

impl KeySet {
    /// Loads the keys named in `settings`, generating the embedded default's key on
    /// first start.
    pub fn load(settings: &Settings) -> Result<Self, KeyError> {
        let signing_path = match &settings.auth.signing_key_file {
            Some(path) => path.clone(),
            None => {
                let path = settings.data_dir.join(GENERATED_KEY_FILE);
                if !path.exists() {
                    generate(&path)?;
                }
                path
            }
        };
        let pem = read(&signing_path)?;
        let signing = SigningKey::from_pkcs8_pem(&pem)
            .map_err(|_| KeyError::Format(signing_path.display().to_string()))?;
        let mut public = vec![signing.verifying_key()];
        for path in &settings.auth.verify_key_files {
            let key = VerifyingKey::from_public_key_pem(&read(path)?)
                .map_err(|_| KeyError::Format(path.display().to_string()))?;
            public.push(key);
        }
        let der = signing
            .to_pkcs8_der()
            .map_err(|_| KeyError::Format(signing_path.display().to_string()))?;
        let mut verifying = HashMap::new();
        let mut jwks = Vec::new();
        for key in &public {
            let kid = kid_of(key);
            verifying.insert(kid.clone(), DecodingKey::from_ed_der(key.as_bytes()));
            jwks.push(serde_json::json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "alg": "EdDSA",
                "use": "sig",
                "kid": kid,
                "x": URL_SAFE_NO_PAD.encode(key.as_bytes()),
            }));
        }
        Ok(KeySet {
            signing_kid: kid_of(&signing.verifying_key()),
            signing: EncodingKey::from_ed_der(der.as_bytes()),
            verifying,
            jwks: serde_json::json!({ "keys": jwks }),
        })
    }
}

/// Writes a new Ed25519 key as PKCS#8 PEM, readable by its owner only.
pub fn generate(path: &Path) -> Result<(), KeyError> {
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    let key = SigningKey::from_bytes(&seed);
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| KeyError::Format(path.display().to_string()))?;
    let io = |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, pem.as_bytes()).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(())
}

/// The public half of a PKCS#8 PEM private key, as a public-key PEM (for rotation:
/// keep the old public key in `JWT_VERIFY_KEY_FILES`).
pub fn public_pem(private_pem: &str) -> Option<String> {
    let key = SigningKey::from_pkcs8_pem(private_pem).ok()?;
    key.verifying_key().to_public_key_pem(LineEnding::LF).ok()
}
