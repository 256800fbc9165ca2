//! Settings from the environment (`SPORTELLO_*`, `.env` honoured), validated once at start.
//! Every error names the variable at fault.

use std::{fmt, net::SocketAddr, path::PathBuf};

use crate::domain::Code;
use crate::domain::document::FileFormat;

/// Where the data lives: chosen from the URL, refusing what looks like a typo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(raw.to_string()));
        }
        let path = raw.strip_prefix("sqlite://").unwrap_or(raw);
        if path.contains("://") {
            return Err("use postgres://… or a SQLite file path (optionally sqlite://…)".into());
        }
        if path.is_empty() {
            return Err("empty database path".into());
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseUrl,
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    /// None: generate one into the data dir (local runs only).
    pub jwt_secret: Option<Vec<u8>>,
    pub admin_password: Option<String>,
    pub cors_origins: Vec<String>,
    pub workers: usize,
    pub db_pool_size: u32,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// Login attempts allowed per client address and minute.
    pub login_rate_per_minute: u32,
    /// Days after closure after which `sportello retention --apply` anonymises a case.
    pub retention_days: u32,
    /// Admit webhook URLs over plain http and to private, loopback and link-local addresses (closed
    /// networks, tests). Off by default: a subscription could otherwise reach internal services (SSRF).
    pub webhook_allow_private: bool,
    /// How often the webhook worker looks for new changes and due deliveries.
    pub webhook_poll: std::time::Duration,
    pub documents: DocumentSettings,
}

/// Uploads: how large, which formats, and where the bytes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSettings {
    /// The largest file accepted, in bytes (413 beyond).
    pub max_bytes: usize,
    /// The formats accepted, recognised from the bytes.
    pub formats: Vec<FileFormat>,
    pub store: DocumentStoreLocation,
}

impl DocumentSettings {
    /// Room for the boundaries, part headers and text parts around the file of an upload form.
    const FORM_OVERHEAD: usize = 64 * 1024;

    /// The largest request body an upload may have: the file limit plus the form around it.
    pub fn upload_body_limit(&self) -> usize {
        self.max_bytes + Self::FORM_OVERHEAD
    }
}

/// Where uploaded bytes are written. Rows remember where theirs went, so switching later keeps old files
/// readable (the directory must stay configured for them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentStoreLocation {
    /// In the database, beside the metadata: one backup, and every node of a cluster reads them.
    Database,
    /// Files in a directory (a volume shared by every node, if there are several).
    Directory(PathBuf),
}

/// 10 MiB: a scanned permit or a signed plan, with room to spare.
pub const DEFAULT_DOCUMENT_MAX_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.variable, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn bad(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError { variable, message: message.into() }
}

impl Settings {
    /// Reads the process environment (after loading `.env` if present).
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds settings from any lookup, so tests can vary them without touching the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());

        let data_dir = PathBuf::from(var("SPORTELLO_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database = match var("SPORTELLO_DATABASE_URL") {
            Some(raw) => DatabaseUrl::parse(&raw).map_err(|m| bad("SPORTELLO_DATABASE_URL", m))?,
            None => DatabaseUrl::Sqlite(data_dir.join("sportello.db")),
        };
        let bind = var("SPORTELLO_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse::<SocketAddr>()
            .map_err(|e| bad("SPORTELLO_BIND", format!("expected host:port, e.g. 127.0.0.1:8080 ({e})")))?;
        let jwt_secret = match var("SPORTELLO_JWT_SECRET") {
            Some(s) if s.len() < 32 => return Err(bad("SPORTELLO_JWT_SECRET", "must be at least 32 bytes")),
            Some(s) => Some(s.into_bytes()),
            None => None,
        };
        let admin_password = match var("SPORTELLO_ADMIN_PASSWORD") {
            Some(p) if p.chars().count() < 12 => {
                return Err(bad("SPORTELLO_ADMIN_PASSWORD", "must be at least 12 characters"));
            }
            other => other,
        };
        let cors_origins = match var("SPORTELLO_CORS_ORIGINS") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(|o| {
                    if (o.starts_with("https://") || o.starts_with("http://")) && !o.ends_with('/') {
                        Ok(o.to_string())
                    } else {
                        Err(bad(
                            "SPORTELLO_CORS_ORIGINS",
                            format!("'{o}' is not an origin like https://app.example.org"),
                        ))
                    }
                })
                .collect::<Result<_, _>>()?,
        };
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let workers = parse_number(var("SPORTELLO_WORKERS"), "SPORTELLO_WORKERS", cores, 1, 256)?;
        let login_rate_per_minute = parse_number(
            var("SPORTELLO_LOGIN_RATE_PER_MINUTE"),
            "SPORTELLO_LOGIN_RATE_PER_MINUTE",
            60,
            1,
            100_000,
        )? as u32;
        let db_pool_size =
            parse_number(var("SPORTELLO_DB_POOL_SIZE"), "SPORTELLO_DB_POOL_SIZE", 8, 1, 512)? as u32;
        // Ten years by default: the span Italian social services commonly keep closed case files.
        let retention_days =
            parse_number(var("SPORTELLO_RETENTION_DAYS"), "SPORTELLO_RETENTION_DAYS", 3650, 1, 36_500)?
                as u32;
        let webhook_allow_private = match var("SPORTELLO_WEBHOOK_ALLOW_PRIVATE").as_deref() {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(_) => return Err(bad("SPORTELLO_WEBHOOK_ALLOW_PRIVATE", "expected true or false")),
        };
        let webhook_poll = std::time::Duration::from_millis(parse_number(
            var("SPORTELLO_WEBHOOK_POLL_MS"),
            "SPORTELLO_WEBHOOK_POLL_MS",
            1000,
            10,
            60_000,
        )? as u64);
        let documents = document_settings(&var, &data_dir)?;
        Ok(Settings {
            database,
            bind,
            data_dir,
            jwt_secret,
            admin_password,
            cors_origins,
            workers,
            db_pool_size,
            jwt_issuer: var("SPORTELLO_JWT_ISSUER").unwrap_or_else(|| "sportello".into()),
            jwt_audience: var("SPORTELLO_JWT_AUDIENCE").unwrap_or_else(|| "sportello-api".into()),
            login_rate_per_minute,
            retention_days,
            webhook_allow_private,
            webhook_poll,
            documents,
        })
    }
}

fn document_settings(
    var: &impl Fn(&str) -> Option<String>,
    data_dir: &std::path::Path,
) -> Result<DocumentSettings, ConfigError> {
    let max_bytes = parse_number(
        var("SPORTELLO_DOCUMENT_MAX_BYTES"),
        "SPORTELLO_DOCUMENT_MAX_BYTES",
        DEFAULT_DOCUMENT_MAX_BYTES,
        1024,
        1024 * 1024 * 1024,
    )?;
    let formats = match var("SPORTELLO_DOCUMENT_TYPES") {
        None => FileFormat::DEFAULT_ALLOWED.to_vec(),
        Some(list) => {
            let formats = list
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| {
                    FileFormat::parse(t).ok_or_else(|| {
                        let known: Vec<&str> = FileFormat::ALL.iter().map(|f| f.as_str()).collect();
                        bad("SPORTELLO_DOCUMENT_TYPES", format!("'{t}' is not one of {}", known.join(", ")))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            if formats.is_empty() {
                return Err(bad("SPORTELLO_DOCUMENT_TYPES", "name at least one format"));
            }
            crate::domain::distinct(formats)
        }
    };
    let store = match var("SPORTELLO_DOCUMENT_STORE").as_deref() {
        None | Some("database") => DocumentStoreLocation::Database,
        Some("directory") => DocumentStoreLocation::Directory(
            var("SPORTELLO_DOCUMENTS_DIR").map(PathBuf::from).unwrap_or_else(|| data_dir.join("documents")),
        ),
        Some(_) => return Err(bad("SPORTELLO_DOCUMENT_STORE", "expected database or directory")),
    };
    Ok(DocumentSettings { max_bytes, formats, store })
}

fn parse_number(
    raw: Option<String>,
    variable: &'static str,
    default: usize,
    min: usize,
    max: usize,
) -> Result<usize, ConfigError> {
    match raw {
        None => Ok(default),
        Some(s) => match s.trim().parse::<usize>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(bad(variable, format!("expected a whole number from {min} to {max}"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_to_sqlite_in_the_data_dir() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.database, DatabaseUrl::Sqlite(PathBuf::from("./data/sportello.db")));
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(s.jwt_secret.is_none());
    }

    #[test]
    fn postgres_and_sqlite_urls_are_recognised() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").unwrap(),
            DatabaseUrl::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap(),
            DatabaseUrl::Sqlite("/tmp/x.db".into())
        );
        assert!(DatabaseUrl::parse("postgress://u@h/db").is_err());
        assert!(DatabaseUrl::parse("mysql://u@h/db").is_err());
    }

    #[test]
    fn errors_name_the_variable() {
        assert_eq!(settings(&[("SPORTELLO_BIND", "nope")]).unwrap_err().variable, "SPORTELLO_BIND");
        assert_eq!(
            settings(&[("SPORTELLO_JWT_SECRET", "short")]).unwrap_err().variable,
            "SPORTELLO_JWT_SECRET"
        );
        assert_eq!(settings(&[("SPORTELLO_WORKERS", "0")]).unwrap_err().variable, "SPORTELLO_WORKERS");
        assert_eq!(
            settings(&[("SPORTELLO_CORS_ORIGINS", "https://a.example, ftp://b")]).unwrap_err().variable,
            "SPORTELLO_CORS_ORIGINS"
        );
        assert_eq!(
            settings(&[("SPORTELLO_ADMIN_PASSWORD", "short")]).unwrap_err().variable,
            "SPORTELLO_ADMIN_PASSWORD"
        );
    }

    #[test]
    fn documents_default_to_10_mib_of_pdf_png_jpeg_in_the_database() {
        let s = settings(&[]).unwrap().documents;
        assert_eq!(s.max_bytes, 10 * 1024 * 1024);
        assert_eq!(s.formats, vec![FileFormat::Pdf, FileFormat::Png, FileFormat::Jpeg]);
        assert_eq!(s.store, DocumentStoreLocation::Database);
        let s = settings(&[
            ("SPORTELLO_DATA_DIR", "/srv/sportello"),
            ("SPORTELLO_DOCUMENT_STORE", "directory"),
            ("SPORTELLO_DOCUMENT_TYPES", "pdf, tiff"),
            ("SPORTELLO_DOCUMENT_MAX_BYTES", "2048"),
        ])
        .unwrap()
        .documents;
        assert_eq!(s.store, DocumentStoreLocation::Directory("/srv/sportello/documents".into()));
        assert_eq!(s.formats, vec![FileFormat::Pdf, FileFormat::Tiff]);
        assert_eq!(s.max_bytes, 2048);
        for (var, value) in [
            ("SPORTELLO_DOCUMENT_STORE", "s3"),
            ("SPORTELLO_DOCUMENT_TYPES", "pdf,exe"),
            ("SPORTELLO_DOCUMENT_TYPES", " , "),
            ("SPORTELLO_DOCUMENT_MAX_BYTES", "10"),
        ] {
            assert_eq!(settings(&[(var, value)]).unwrap_err().variable, var);
        }
    }

    #[test]
    fn cors_origins_are_split() {
        let s = settings(&[("SPORTELLO_CORS_ORIGINS", "https://a.example, http://localhost:3000")]).unwrap();
        assert_eq!(s.cors_origins, vec!["https://a.example", "http://localhost:3000"]);
    }
}
