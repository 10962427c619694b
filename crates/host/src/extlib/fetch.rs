//! Getting a tarball from an npm registry, and checking it against its pinned SRI digest.

use std::time::Duration;

use base64::Engine as _;
use sha2::{Digest, Sha512};

/// The largest tarball fetched: the published weui is 115 KiB.
pub const MAX_TARBALL: u64 = 16 * 1024 * 1024;
/// How long one fetch may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(120);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Whether `bytes` are what the Subresource Integrity string `integrity` (`sha512-<base64>`,
/// as a registry's `dist.integrity` gives it) names. Only SHA-512 is accepted: an
/// integrity that is not one is an error, never a pass.
pub fn check_integrity(bytes: &[u8], integrity: &str) -> Result<(), String> {
    let expected = parse_sha512(integrity)?;
    let got = Sha512::digest(bytes);
    if got.as_slice() == expected.as_slice() {
        Ok(())
    } else {
        Err(format!(
            "its digest is sha512-{}, not the pinned {integrity}",
            base64::engine::general_purpose::STANDARD.encode(got)
        ))
    }
}

/// The 64 bytes of a `sha512-` SRI string.
pub fn parse_sha512(integrity: &str) -> Result<Vec<u8>, String> {
    let encoded = integrity
        .trim()
        .strip_prefix("sha512-")
        .ok_or_else(|| format!("the integrity `{integrity}` is not a sha512- digest"))?;
    match base64::engine::general_purpose::STANDARD.decode(encoded) {
        Ok(bytes) if bytes.len() == 64 => Ok(bytes),
        _ => Err(format!("the integrity `{integrity}` is not a sha512- digest of 64 bytes in base64")),
    }
}

/// GETs `url` (a registry's tarball), at most [`MAX_TARBALL`] bytes. Runs on a thread of its
/// own with a runtime of its own, so it may be called from anywhere, an async task included.
pub fn get(url: &str) -> Result<Vec<u8>, String> {
    let url = url.to_string();
    std::thread::Builder::new()
        .name("capsule-extlib-fetch".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the fetch: {e}"))?;
            runtime.block_on(get_async(&url))
        })
        .map_err(|e| format!("cannot start the fetch: {e}"))?
        .join()
        .unwrap_or_else(|_| Err("the fetch stopped".to_string()))
}

async fn get_async(url: &str) -> Result<Vec<u8>, String> {
    let mut client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("capsule/", env!("CARGO_PKG_VERSION")));
    // The certificate authorities a machine adds for its own network (a company's proxy), as
    // curl and OpenSSL take them; the built-in roots are trusted as well.
    if let Some(file) = std::env::var_os("SSL_CERT_FILE") {
        let pem = std::fs::read(&file)
            .map_err(|e| format!("cannot read SSL_CERT_FILE {}: {e}", file.to_string_lossy()))?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("SSL_CERT_FILE {}: {e}", file.to_string_lossy()))?;
        for certificate in certificates {
            client = client.add_root_certificate(certificate);
        }
    }
    let client = client.build().map_err(|e| format!("cannot start the fetch: {e}"))?;
    let mut response = client.get(url).send().await.map_err(|e| describe(&e))?;
    if !response.status().is_success() {
        return Err(format!("the registry answered {}", response.status()));
    }
    if response.content_length().is_some_and(|n| n > MAX_TARBALL) {
        return Err(format!("the tarball is larger than {} bytes", MAX_TARBALL));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() as u64 > MAX_TARBALL {
            return Err(format!("the tarball is larger than {} bytes", MAX_TARBALL));
        }
    }
    Ok(bytes)
}

/// A reqwest error with its causes, which say what actually failed (connection refused, a
/// name that does not resolve).
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrity_is_sha512_sri_and_nothing_else() {
        let digest = base64::engine::general_purpose::STANDARD.encode(Sha512::digest(b"abc"));
        assert_eq!(check_integrity(b"abc", &format!("sha512-{digest}")), Ok(()));
        let wrong = check_integrity(b"abd", &format!("sha512-{digest}")).unwrap_err();
        assert!(wrong.starts_with("its digest is sha512-") && wrong.ends_with(&digest), "{wrong}");
        for bad in ["", "sha1-qZk+NkcGgWq6PiVxeFDCbJzQ2J0=", "sha512-", "sha512-AAAA", "sha512-***"] {
            assert!(check_integrity(b"abc", bad).is_err(), "{bad}");
        }
    }
}
