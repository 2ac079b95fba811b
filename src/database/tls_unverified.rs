//! TLS for `sslmode=prefer` and `require`, through rustls: libpq encrypts in these modes and
//! checks nothing about the server's certificate, so no CA bundle is read and no OpenSSL is
//! started. The handshake's signatures are still checked against the certificate the server
//! sent, as any TLS client checks them; only whose certificate it is goes unchecked.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, ring};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

/// A connector that encrypts and takes whatever certificate the server presents.
pub(crate) fn connector() -> Result<MakeRustlsConnect, rustls::Error> {
    let mut provider = ring::default_provider();
    // PostgreSQL's `ssl_ecdh_curve` is prime256v1 unless configured: offering its key share
    // first saves the round trip of a HelloRetryRequest on nearly every server.
    provider.kx_groups = vec![
        ring::kx_group::SECP256R1,
        ring::kx_group::X25519,
        ring::kx_group::SECP384R1,
    ];
    let provider = Arc::new(provider);
    let verifier = Arc::new(Unverified {
        algorithms: provider.signature_verification_algorithms,
    });
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// Takes any certificate, as libpq does in `prefer` and `require` without a root certificate.
#[derive(Debug)]
struct Unverified {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Unverified {
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
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
