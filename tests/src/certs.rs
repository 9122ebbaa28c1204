//! Test certificates made with the `openssl` command line: a mesh CA that signs a server and a
//! client certificate, and a foreign CA whose client certificate the mesh must refuse.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Days the mesh CA is valid.
pub const CA_DAYS: u32 = 30;
/// Days the server certificate is valid.
pub const SERVER_DAYS: u32 = 10;
/// Days the client certificates are valid.
pub const CLIENT_DAYS: u32 = 20;

/// Paths of the generated PEM files.
#[derive(Clone, Debug)]
pub struct Pki {
    /// The mesh CA certificate (trusted by servers and clients).
    pub ca: PathBuf,
    /// Server certificate for `localhost` / `127.0.0.1`, signed by the mesh CA.
    pub server_cert: PathBuf,
    /// Its key.
    pub server_key: PathBuf,
    /// Client certificate (`spiffe://meshward.test/client`), signed by the mesh CA.
    pub client_cert: PathBuf,
    /// Its key.
    pub client_key: PathBuf,
    /// Client certificate signed by a foreign CA the mesh does not trust.
    pub foreign_cert: PathBuf,
    /// Its key.
    pub foreign_key: PathBuf,
}

impl Pki {
    /// Generates every certificate and key into `dir` (P-256 keys, which are quick to make).
    pub fn generate(dir: &Path) -> io::Result<Pki> {
        let path = |name: &str| dir.join(name);
        self_signed(dir, "ca", "meshward test CA", CA_DAYS)?;
        self_signed(dir, "foreign-ca", "foreign CA", CA_DAYS)?;
        signed(
            dir,
            "server",
            "ca",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            SERVER_DAYS,
        )?;
        signed(
            dir,
            "client",
            "ca",
            "subjectAltName=URI:spiffe://meshward.test/client",
            CLIENT_DAYS,
        )?;
        signed(
            dir,
            "foreign",
            "foreign-ca",
            "subjectAltName=URI:spiffe://elsewhere/client",
            CLIENT_DAYS,
        )?;
        Ok(Pki {
            ca: path("ca.crt"),
            server_cert: path("server.crt"),
            server_key: path("server.key"),
            client_cert: path("client.crt"),
            client_key: path("client.key"),
            foreign_cert: path("foreign.crt"),
            foreign_key: path("foreign.key"),
        })
    }
}

/// The Unix time at which `cert` expires, as `openssl x509` reads it.
pub fn not_after_unix(cert: &Path) -> io::Result<i64> {
    let out = openssl(&[
        "x509",
        "-noout",
        "-enddate",
        "-dateopt",
        "iso_8601",
        "-in",
        &cert.display().to_string(),
    ])?;
    // `notAfter=2026-12-13 16:48:36Z`
    let text = out
        .trim()
        .trim_start_matches("notAfter=")
        .trim_end_matches('Z');
    parse_utc(text).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unexpected openssl date {out:?}"),
        )
    })
}

fn parse_utc(text: &str) -> Option<i64> {
    let (date, time) = text.split_once(' ')?;
    let mut date = date.split('-').map(|part| part.parse::<i64>().ok());
    let (year, month, day) = (date.next()??, date.next()??, date.next()??);
    let mut time = time.split(':').map(|part| part.parse::<i64>().ok());
    let (hour, minute, second) = (time.next()??, time.next()??, time.next()??);
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// `openssl req` arguments for a fresh, unencrypted P-256 key: every key of the test PKI.
const NEW_P256_KEY: [&str; 5] = [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
];

fn self_signed(dir: &Path, name: &str, subject: &str, days: u32) -> io::Result<()> {
    let key = dir.join(format!("{name}.key")).display().to_string();
    let cert = dir.join(format!("{name}.crt")).display().to_string();
    let (days, subject) = (days.to_string(), format!("/CN={subject}"));
    openssl(
        &[
            &["req", "-x509"][..],
            &NEW_P256_KEY,
            &[
                "-keyout", &key, "-out", &cert, "-days", &days, "-subj", &subject,
            ],
        ]
        .concat(),
    )?;
    Ok(())
}

fn signed(dir: &Path, name: &str, issuer: &str, extension: &str, days: u32) -> io::Result<()> {
    let file = |suffix: &str| dir.join(format!("{name}.{suffix}")).display().to_string();
    let issuer_file = |suffix: &str| dir.join(format!("{issuer}.{suffix}")).display().to_string();
    std::fs::write(file("ext"), format!("{extension}\n"))?;
    let (key, csr, subject) = (file("key"), file("csr"), format!("/CN={name}"));
    openssl(
        &[
            &["req", "-new"][..],
            &NEW_P256_KEY,
            &["-keyout", &key, "-out", &csr, "-subj", &subject],
        ]
        .concat(),
    )?;
    openssl(&[
        "x509",
        "-req",
        "-in",
        &file("csr"),
        "-CA",
        &issuer_file("crt"),
        "-CAkey",
        &issuer_file("key"),
        "-CAcreateserial",
        "-days",
        &days.to_string(),
        "-out",
        &file("crt"),
        "-extfile",
        &file("ext"),
    ])?;
    Ok(())
}

fn openssl(args: &[&str]) -> io::Result<String> {
    let output = Command::new("openssl").args(args).output()?;
    if !output.status.success() {
        return Err(io::Error::other(format!(
            "openssl {} failed: {}",
            args.first().unwrap_or(&""),
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pki_chains_to_its_own_ca_only() {
        let Some(_) = crate::require("openssl") else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let pki = Pki::generate(dir.path()).unwrap();
        let verify = |ca: &Path, cert: &Path| {
            let ca = ca.display().to_string();
            openssl(&["verify", "-CAfile", &ca, &cert.display().to_string()]).is_ok()
        };
        assert!(verify(&pki.ca, &pki.server_cert));
        assert!(verify(&pki.ca, &pki.client_cert));
        assert!(!verify(&pki.ca, &pki.foreign_cert));
        let key = openssl(&[
            "pkey",
            "-in",
            &pki.client_key.display().to_string(),
            "-text_pub",
        ])
        .unwrap();
        assert!(key.contains("P-256"), "{key}");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let days = (not_after_unix(&pki.server_cert).unwrap() - now) as f64 / 86_400.0;
        assert!((days - f64::from(SERVER_DAYS)).abs() < 0.01, "{days}");
    }

    #[test]
    fn civil_dates() {
        assert_eq!(parse_utc("1970-01-01 00:00:00"), Some(0));
        assert_eq!(parse_utc("2000-03-01 00:00:01"), Some(951_868_801));
        assert_eq!(parse_utc("2026-12-13 16:48:36"), Some(1_797_180_516));
        assert_eq!(parse_utc("garbage"), None);
    }
}
