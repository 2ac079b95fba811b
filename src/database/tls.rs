//! TLS for the connection, with libpq's `sslmode` meanings, through `native-tls`.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use native_tls::{Certificate, TlsConnector};
use postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio::io::{AsyncRead, AsyncWrite};

use super::conninfo::{ConnInfo, TlsMode};
use crate::Error;

/// The TLS settings of a connection, turned into an OpenSSL connector only when the server
/// has agreed to TLS.
///
/// Building a connector starts OpenSSL and makes it read the system's CA bundle: about 40 ms,
/// two thirds of a no-op `upgrade`. With `sslmode=prefer` against a server without TLS, that
/// time is never spent.
#[derive(Clone)]
pub(crate) struct LazyTls {
    mode: TlsMode,
    root_cert: Option<PathBuf>,
}

/// Describes the connection's TLS, or `None` when TLS is off; the root certificate of
/// `verify-ca` and `verify-full` must exist before any connection is tried.
pub(crate) fn connector(info: &ConnInfo) -> Result<Option<LazyTls>, Error> {
    if info.tls == TlsMode::Disable {
        return Ok(None);
    }
    let verifying = matches!(info.tls, TlsMode::VerifyCa | TlsMode::VerifyFull);
    if verifying && let Some(path) = &info.root_cert {
        read_certificates(path)?;
    }
    Ok(Some(LazyTls {
        mode: info.tls,
        root_cert: info.root_cert.clone().filter(|_| verifying),
    }))
}

impl LazyTls {
    fn build(&self) -> Result<TlsConnector, Error> {
        let mut builder = TlsConnector::builder();
        match self.mode {
            // libpq encrypts but checks nothing in these modes, unless a root certificate is
            // present, which `ConnInfo::parse` has already turned into `verify-ca`.
            TlsMode::Disable | TlsMode::Prefer | TlsMode::Require => {
                builder
                    .disable_built_in_roots(true)
                    .danger_accept_invalid_certs(true)
                    .danger_accept_invalid_hostnames(true);
            }
            TlsMode::VerifyCa | TlsMode::VerifyFull => {
                if let Some(path) = &self.root_cert {
                    builder.disable_built_in_roots(true);
                    for certificate in read_certificates(path)? {
                        builder.add_root_certificate(certificate);
                    }
                }
                // `verify-ca` checks the chain but not that the certificate names the host.
                builder.danger_accept_invalid_hostnames(self.mode == TlsMode::VerifyCa);
            }
        }
        builder
            .build()
            .map_err(|e| Error::Database(format!("cannot set up TLS: {e}")))
    }
}

impl<S> MakeTlsConnect<S> for LazyTls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = postgres_native_tls::TlsStream<S>;
    type TlsConnect = LazyConnect;
    type Error = Error;

    fn make_tls_connect(&mut self, domain: &str) -> Result<LazyConnect, Error> {
        Ok(LazyConnect {
            tls: self.clone(),
            domain: domain.to_owned(),
        })
    }
}

/// One connection attempt's TLS, still unbuilt.
pub(crate) struct LazyConnect {
    tls: LazyTls,
    domain: String,
}

type Handshake<S> =
    Pin<Box<dyn Future<Output = Result<postgres_native_tls::TlsStream<S>, Error>> + Send>>;

impl<S> TlsConnect<S> for LazyConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = postgres_native_tls::TlsStream<S>;
    type Error = Error;
    type Future = Handshake<S>;

    fn connect(self, stream: S) -> Handshake<S> {
        let connector = match self.tls.build() {
            Ok(connector) => postgres_native_tls::TlsConnector::new(connector, &self.domain),
            Err(e) => return Box::pin(std::future::ready(Err(e))),
        };
        let handshake = TlsConnect::connect(connector, stream);
        Box::pin(async move {
            handshake
                .await
                .map_err(|e| Error::Database(format!("TLS handshake failed: {e}")))
        })
    }
}

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";

/// Reads every certificate of a PEM bundle.
fn read_certificates(path: &Path) -> Result<Vec<Certificate>, Error> {
    let shown = path.display();
    let text = crate::source::bounded::read_to_string(path, crate::source::bounded::CONFIG_LIMIT).map_err(|e| {
        Error::Database(format!(
            "cannot read the root certificate `{shown}` ({e}); sslmode verify-ca and verify-full need it: \
             set sslrootcert, or sslrootcert=system for the system's trusted roots"
        ))
    })?;
    let certificates: Vec<Certificate> = text
        .match_indices(BEGIN)
        .map(|(start, _)| {
            let end = text[start..]
                .find("-----END CERTIFICATE-----")
                .map_or(text.len(), |e| {
                    start + e + "-----END CERTIFICATE-----".len()
                });
            Certificate::from_pem(&text.as_bytes()[start..end])
        })
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Database(format!("invalid certificate in `{shown}`: {e}")))?;
    if certificates.is_empty() {
        return Err(Error::Database(format!(
            "`{shown}` holds no PEM certificate (`{BEGIN}`)"
        )));
    }
    Ok(certificates)
}
