//! TLS for the connection, with libpq's `sslmode` meanings: rustls where nothing is verified
//! (`prefer`, `require`; `tls_unverified`), `native-tls` where the certificate is
//! (`verify-ca`, `verify-full`, against `sslrootcert` or the system's roots).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use native_tls::{Certificate, TlsConnector};
use postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio::io::{AsyncRead, AsyncWrite};

use super::conninfo::{ConnInfo, TlsMode};
use crate::Error;

/// The verifying TLS settings of a connection, turned into an OpenSSL connector only when the
/// server has agreed to TLS: building one starts OpenSSL and reads the CA bundle, about 40 ms.
#[derive(Clone)]
pub(crate) struct LazyTls {
    mode: TlsMode,
    root_cert: Option<PathBuf>,
}

/// How a connection is made.
pub(crate) enum Connector {
    /// `sslmode=disable`.
    Plain,
    /// `prefer` and `require`: encrypted, nothing verified.
    Unverified(tokio_postgres_rustls::MakeRustlsConnect),
    /// `verify-ca` and `verify-full`, through OpenSSL, built once the server agrees to TLS.
    Verifying(LazyTls),
}

impl Connector {
    /// Connects as `config` says.
    pub(crate) fn connect(
        self,
        config: &postgres::Config,
    ) -> Result<postgres::Client, postgres::Error> {
        match self {
            Connector::Plain => config.connect(postgres::NoTls),
            Connector::Unverified(tls) => config.connect(tls),
            Connector::Verifying(tls) => config.connect(tls),
        }
    }

    /// Sends a cancel request for `token`'s session, with this TLS.
    pub(crate) fn cancel(self, token: &postgres::CancelToken) -> Result<(), postgres::Error> {
        match self {
            Connector::Plain => token.cancel_query(postgres::NoTls),
            Connector::Unverified(tls) => token.cancel_query(tls),
            Connector::Verifying(tls) => token.cancel_query(tls),
        }
    }
}

/// The connection's TLS; the root certificate of `verify-ca` and `verify-full` must exist
/// before any connection is tried.
pub(crate) fn connector(info: &ConnInfo) -> Result<Connector, Error> {
    match info.tls {
        TlsMode::Disable => Ok(Connector::Plain),
        TlsMode::Prefer | TlsMode::Require => super::tls_unverified::connector()
            .map(Connector::Unverified)
            .map_err(|e| Error::Database(format!("cannot set up TLS: {e}"))),
        TlsMode::VerifyCa | TlsMode::VerifyFull => {
            if let Some(path) = &info.root_cert {
                read_certificates(path)?;
            }
            Ok(Connector::Verifying(LazyTls {
                mode: info.tls,
                root_cert: info.root_cert.clone(),
            }))
        }
    }
}

impl LazyTls {
    fn build(&self) -> Result<TlsConnector, Error> {
        let mut builder = TlsConnector::builder();
        if let Some(path) = &self.root_cert {
            builder.disable_built_in_roots(true);
            for certificate in read_certificates(path)? {
                builder.add_root_certificate(certificate);
            }
        }
        // `verify-ca` checks the chain but not that the certificate names the host.
        builder.danger_accept_invalid_hostnames(self.mode == TlsMode::VerifyCa);
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
