//! TLS for `sslmode=prefer` and `require`, through rustls: libpq encrypts in these modes and
//! checks nothing about the server's certificate, so no CA bundle is read and no OpenSSL is
//! started. The handshake's signatures are still checked against the key in the certificate the
//! server sent, as any TLS client checks them; only whose certificate it is goes unchecked, and
//! nothing in it but the key is read, so that any certificate libpq takes is taken here too.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, ring};
use rustls::pki_types::{CertificateDer, ServerName, SubjectPublicKeyInfoDer, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, PeerMisbehaved, SignatureScheme};
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
///
/// rustls's own signature checks (`rustls::crypto::verify_tls12_signature` and `..._tls13_...`)
/// parse the whole certificate with webpki, which takes X.509 version 3 only: a server whose
/// certificate is version 1 (what `openssl x509 -req` makes without an extensions file), or one
/// with an extension webpki refuses, failed the handshake with `UnsupportedCertVersion` where
/// psql connects. So the key is taken out of the certificate here, and the signature checked
/// against the key alone.
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

    /// As rustls checks it, every algorithm of the scheme tried in turn, against the key alone.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let key = PublicKey::of(cert)?;
        let candidates = self
            .algorithms
            .mapping
            .iter()
            .find(|(scheme, _)| *scheme == dss.scheme)
            .map(|(_, algorithms)| *algorithms)
            .ok_or(PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme)?;
        let fitting = candidates
            .iter()
            .find(|a| a.public_key_alg_id().as_ref() == key.algorithm);
        match (fitting, candidates.first()) {
            (Some(algorithm), _) => algorithm
                .verify_signature(key.bits, message, dss.signature())
                .map(|()| HandshakeSignatureValid::assertion())
                .map_err(|_| CertificateError::BadSignature.into()),
            (None, Some(algorithm)) => Err(
                CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext {
                    signature_algorithm_id: algorithm.signature_alg_id().as_ref().to_vec(),
                    public_key_algorithm_id: key.algorithm.to_vec(),
                }
                .into(),
            ),
            (None, None) => Err(CertificateError::BadSignature.into()),
        }
    }

    /// rustls's own check, given the key alone.
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let key = PublicKey::of(cert)?;
        rustls::crypto::verify_tls13_signature_with_raw_key(
            message,
            &SubjectPublicKeyInfoDer::from(key.info),
            dss,
            &self.algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The public key in a certificate, found by reading only the DER framing of what comes before
/// it (version, serial number, signature algorithm, issuer, validity, subject), never judging it.
struct PublicKey<'a> {
    /// The whole `SubjectPublicKeyInfo`.
    info: &'a [u8],
    /// The contents of its `AlgorithmIdentifier`, as `public_key_alg_id` gives them.
    algorithm: &'a [u8],
    /// The key's bits.
    bits: &'a [u8],
}

const SEQUENCE: u8 = 0x30;
const BIT_STRING: u8 = 0x03;
/// `[0]`, the explicit tag of the version, which a version 1 certificate leaves out.
const VERSION: u8 = 0xa0;

impl<'a> PublicKey<'a> {
    fn of(cert: &'a CertificateDer<'_>) -> Result<PublicKey<'a>, rustls::Error> {
        Self::read(cert.as_ref()).ok_or(CertificateError::BadEncoding.into())
    }

    fn read(cert: &'a [u8]) -> Option<PublicKey<'a>> {
        let certificate = Element::read(cert)?.expect(SEQUENCE)?;
        let mut tbs = Element::read(certificate)?.expect(SEQUENCE)?;
        if tbs.first() == Some(&VERSION) {
            tbs = Element::read(tbs)?.rest;
        }
        for _ in 0..5 {
            tbs = Element::read(tbs)?.rest;
        }
        let info = Element::read(tbs)?;
        let algorithm = Element::read(info.expect(SEQUENCE)?)?;
        let bits = Element::read(algorithm.rest)?.expect(BIT_STRING)?;
        // A key is whole bytes: the count of unused bits in the last one is zero.
        let (&0, bits) = bits.split_first()? else {
            return None;
        };
        Some(PublicKey {
            info: info.whole,
            algorithm: algorithm.expect(SEQUENCE)?,
            bits,
        })
    }
}

/// One DER element at the start of some bytes.
struct Element<'a> {
    tag: u8,
    contents: &'a [u8],
    whole: &'a [u8],
    rest: &'a [u8],
}

impl<'a> Element<'a> {
    fn read(input: &'a [u8]) -> Option<Element<'a>> {
        let (&tag, after_tag) = input.split_first()?;
        let (&first, after_length) = after_tag.split_first()?;
        let (length, header) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            // The long form: the count of length bytes, then the length; 0x80 (no length) is
            // not DER.
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 {
                return None;
            }
            let bytes = after_length.get(..count)?;
            let length = bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
            (length, 2 + count)
        };
        let end = header.checked_add(length)?;
        Some(Element {
            tag,
            contents: input.get(header..end)?,
            whole: input.get(..end)?,
            rest: input.get(end..)?,
        })
    }

    fn expect(&self, tag: u8) -> Option<&'a [u8]> {
        (self.tag == tag).then_some(self.contents)
    }
}

#[cfg(test)]
mod tests {
    use super::PublicKey;

    /// A version 1 certificate: no `[0]` version before the serial number.
    fn version_1() -> Vec<u8> {
        // SubjectPublicKeyInfo { AlgorithmIdentifier { OID 1.3.101.112 }, BIT STRING 0xaabb }
        let key = [
            0x30, 0x0c, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x03, 0x00, 0xaa, 0xbb,
        ];
        let mut tbs = vec![0x02, 0x01, 0x07]; // serial number
        tbs.extend([0x30, 0x00]); // signature algorithm
        tbs.extend([0x30, 0x00]); // issuer
        tbs.extend([0x30, 0x00]); // validity
        tbs.extend([0x30, 0x00]); // subject
        tbs.extend(key);
        let mut tbs_element = vec![0x30, u8::try_from(tbs.len()).unwrap()];
        tbs_element.extend(tbs);
        let mut cert = vec![0x30, 0x81, u8::try_from(tbs_element.len()).unwrap()];
        cert.extend(tbs_element);
        cert
    }

    #[test]
    fn the_key_is_found_in_a_version_1_certificate_and_a_version_3_one() {
        let v1 = version_1();
        let key = PublicKey::read(&v1).unwrap();
        assert_eq!(key.algorithm, [0x06, 0x03, 0x2b, 0x65, 0x70]);
        assert_eq!(key.bits, [0xaa, 0xbb]);
        assert_eq!(key.info.len(), 14);
        // Version 3: `[0] { INTEGER 2 }` before the serial number.
        let mut v3 = v1.clone();
        let tbs_at = 3;
        v3[tbs_at + 1] += 5;
        v3.splice(tbs_at + 2..tbs_at + 2, [0xa0, 0x03, 0x02, 0x01, 0x02]);
        v3[2] += 5;
        assert_eq!(PublicKey::read(&v3).unwrap().bits, [0xaa, 0xbb]);
    }

    #[test]
    fn a_certificate_cut_short_or_with_an_unaligned_key_has_no_key() {
        let v1 = version_1();
        for end in 0..v1.len() {
            assert!(PublicKey::read(&v1[..end]).is_none(), "cut at {end}");
        }
        let mut unaligned = v1;
        let unused = unaligned.len() - 3;
        unaligned[unused] = 1;
        assert!(PublicKey::read(&unaligned).is_none());
    }
}
