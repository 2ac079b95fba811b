//! TLS for the connection, with libpq's `sslmode` meanings, through `native-tls`.

use std::path::Path;

use native_tls::{Certificate, TlsConnector};
use postgres_native_tls::MakeTlsConnector;

use super::conninfo::{ConnInfo, TlsMode};
use crate::Error;

/// Builds the connector `info` asks for; `None` when TLS is off.
pub fn connector(info: &ConnInfo) -> Result<Option<MakeTlsConnector>, Error> {
    let mut builder = TlsConnector::builder();
    match info.tls {
        TlsMode::Disable => return Ok(None),
        // libpq encrypts but checks nothing in these modes, unless a root certificate is
        // present, which `ConnInfo::parse` has already turned into `verify-ca`.
        TlsMode::Prefer | TlsMode::Require => {
            // Nothing is verified, so the system's roots are not needed.
            builder
                .disable_built_in_roots(true)
                .danger_accept_invalid_certs(true)
                .danger_accept_invalid_hostnames(true);
        }
        TlsMode::VerifyCa | TlsMode::VerifyFull => {
            if let Some(path) = &info.root_cert {
                builder.disable_built_in_roots(true);
                for certificate in read_certificates(path)? {
                    builder.add_root_certificate(certificate);
                }
            }
            // `verify-ca` checks the chain but not that the certificate names the host.
            builder.danger_accept_invalid_hostnames(info.tls == TlsMode::VerifyCa);
        }
    }
    let connector = builder
        .build()
        .map_err(|e| Error::Database(format!("cannot set up TLS: {e}")))?;
    Ok(Some(MakeTlsConnector::new(connector)))
}

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";

/// Reads every certificate of a PEM bundle.
fn read_certificates(path: &Path) -> Result<Vec<Certificate>, Error> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| {
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
