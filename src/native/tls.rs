//! TLS settings of the native client (`wss://`) and the dev server
//! (`steadyws serve --tls-cert --tls-key`), on rustls with the ring
//! provider.
//!
//! # Which certificates the client trusts
//!
//! By default the Mozilla root program's CAs, compiled in through the
//! `webpki-roots` crate, not the operating system's store
//! (`rustls-native-certs`): the same roots on every machine, including slim
//! containers and CI images that ship no `/etc/ssl/certs`, no file read at
//! startup, and no platform code. What the OS store would add is a private
//! or corporate CA; [`TlsClientConfig::with_ca_file`] (`--cacert FILE`)
//! covers that explicitly. Like curl's `--cacert`, it *replaces* the
//! default roots: a private test server is then trusted only through the
//! CA named for it.
//!
//! [`TlsClientConfig::insecure`] (`--insecure`) accepts any certificate
//! (the handshake's signatures are still checked, so the peer holds the key
//! of the certificate it shows, whatever that certificate is).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

/// Why TLS could not be set up or did not succeed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TlsError {
    /// A PEM file (a CA, a certificate, a key) could not be read, or holds
    /// nothing usable.
    Pem {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// The URL's host is neither a DNS name nor an IP address, so no
    /// certificate can be checked against it.
    ServerName(String),
    /// The server's certificate was refused: unknown issuer, expired, not
    /// valid for the host, ...
    Certificate(rustls::CertificateError),
    /// Any other TLS failure: an alert from the peer, no common protocol
    /// version or cipher suite, a corrupt record, a bad configuration.
    Other(rustls::Error),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::Pem { path, reason } => write!(f, "{}: {reason}", path.display()),
            TlsError::ServerName(h) => write!(f, "{h:?} is not a valid TLS server name"),
            TlsError::Certificate(e) => write!(f, "server certificate refused: {e}"),
            TlsError::Other(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TlsError::Other(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rustls::Error> for TlsError {
    fn from(e: rustls::Error) -> Self {
        match e {
            rustls::Error::InvalidCertificate(c) => TlsError::Certificate(c),
            e => TlsError::Other(e),
        }
    }
}

fn provider() -> Arc<CryptoProvider> {
    // Named explicitly: the process-wide default would panic if another
    // crate in a user's build also enabled aws-lc-rs.
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read_pem(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| TlsError::Pem {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read_pem(path)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::Pem {
            path: path.to_owned(),
            reason: "no CERTIFICATE in the file".into(),
        });
    }
    Ok(certs)
}

/// How the client checks servers: a rustls client configuration, shared.
#[derive(Debug, Clone)]
pub struct TlsClientConfig {
    config: Arc<rustls::ClientConfig>,
    insecure: bool,
}

impl TlsClientConfig {
    fn build(roots: Option<RootCertStore>) -> Result<Self, TlsError> {
        let builder = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?;
        let insecure = roots.is_none();
        let mut config = match roots {
            Some(roots) => builder.with_root_certificates(roots).with_no_client_auth(),
            None => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider())))
                .with_no_client_auth(),
        };
        // WebSocket runs over HTTP/1.1: say so, for servers behind proxies
        // that would otherwise pick HTTP/2.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsClientConfig {
            config: Arc::new(config),
            insecure,
        })
    }

    /// Verification against the built-in Mozilla roots (the default for
    /// `wss://`; built once per process).
    pub fn webpki_roots() -> Result<Self, TlsError> {
        static DEFAULT: OnceLock<Result<TlsClientConfig, TlsError>> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                Self::build(Some(RootCertStore {
                    roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
                }))
            })
            .clone()
    }

    /// Verification against the CA certificates of a PEM file only (they
    /// replace the built-in roots, like curl's `--cacert`).
    pub fn with_ca_file(path: impl AsRef<Path>) -> Result<Self, TlsError> {
        let path = path.as_ref();
        let mut roots = RootCertStore::empty();
        for cert in certificates(path)? {
            roots.add(cert).map_err(|e| TlsError::Pem {
                path: path.to_owned(),
                reason: format!("not a usable CA certificate: {e}"),
            })?;
        }
        Self::build(Some(roots))
    }

    /// No certificate verification at all (`--insecure`).
    pub fn insecure() -> Result<Self, TlsError> {
        Self::build(None)
    }

    /// A rustls configuration of your own (client certificates, other
    /// roots, ...).
    pub fn from_rustls(config: Arc<rustls::ClientConfig>) -> Self {
        TlsClientConfig {
            config,
            insecure: false,
        }
    }

    /// Whether certificates go unchecked.
    pub fn is_insecure(&self) -> bool {
        self.insecure
    }

    /// A client connection to `host` (SNI and the name verified).
    pub(crate) fn connect(&self, host: &str) -> Result<rustls::ClientConnection, TlsError> {
        let name = ServerName::try_from(host.to_owned())
            .map_err(|_| TlsError::ServerName(host.to_owned()))?;
        Ok(rustls::ClientConnection::new(
            Arc::clone(&self.config),
            name,
        )?)
    }
}

/// The server side of `steadyws serve --tls-cert FILE --tls-key FILE`: the
/// certificate chain (leaf first) and its private key, both PEM.
pub fn server_config(
    cert: impl AsRef<Path>,
    key: impl AsRef<Path>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let certs = certificates(cert.as_ref())?;
    let key_path = key.as_ref();
    let key = PrivateKeyDer::from_pem_slice(&read_pem(key_path)?).map_err(|e| TlsError::Pem {
        path: key_path.to_owned(),
        reason: format!("no usable PRIVATE KEY: {e}"),
    })?;
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    Ok(Arc::new(config))
}

/// `--insecure`: any certificate chain is accepted; the handshake
/// signatures are still verified with the provider's algorithms.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
