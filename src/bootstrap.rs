//! First start: the platform organization, the first admin, and the JWT secret of local runs.

use std::io::Write;
use std::path::Path;

use base64::Engine;

use crate::auth::password;
use crate::config::Settings;
use crate::db::{self, Database, organizations::OrganizationRow, users::UserRow};
use crate::domain::{Code, organization::OrganizationKind, role::Role};
use crate::error::{Error, Result};

pub const PLATFORM_CODE: &str = "PLATFORM";

/// On an empty database: one platform organization and an `admin` whose password comes from
/// SPORTELLO_ADMIN_PASSWORD or is generated and printed once.
pub fn ensure_platform_admin(db: &Database, settings: &Settings) -> Result<()> {
    let mut conn = db.get()?;
    if db::users::count(&mut conn)? > 0 {
        return Ok(());
    }
    let (password, generated) = match &settings.admin_password {
        Some(p) => (p.clone(), false),
        None => (password::generate()?, true),
    };
    let hash = password::hash(&password)?;
    let now = db::now();
    let org = OrganizationRow {
        id: db::new_id(),
        name: "Sportello platform".into(),
        kind: OrganizationKind::Other.as_str().into(),
        code: PLATFORM_CODE.into(),
        tax_id: None,
        municipality: None,
        district: None,
        address: None,
        email: None,
        phone: None,
        active: true,
        version: 1,
        created_at: now,
        updated_at: now,
        plans_need_approval: false,
    };
    let admin = UserRow::new(&org.id, "admin", "Platform administrator", None, Role::Admin, hash);
    db::write_tx(&mut conn, |c| {
        if db::organizations::find_by_code(c, PLATFORM_CODE)?.is_none() {
            db::organizations::insert(c, &org)?;
            db::users::insert(c, &admin)
        } else {
            Err(Error::internal("bootstrap", "platform organization exists but no users"))
        }
    })?;
    if generated {
        // Printed once, on purpose, to the terminal that started the server; never logged.
        println!(
            "\n  Sportello is ready. Log in as 'admin' with password: {password}\n  (shown only this once; set SPORTELLO_ADMIN_PASSWORD to choose it)\n"
        );
        let _ = std::io::stdout().flush();
    }
    log::info!("bootstrapped the platform organization and the admin user");
    Ok(())
}

/// The HS256 key: SPORTELLO_JWT_SECRET, or one generated once into the data dir (0600) so that
/// tokens survive restarts of a local run.
pub fn jwt_secret(settings: &Settings) -> Result<Vec<u8>> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.clone());
    }
    let path = settings.data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= 32 {
            log::warn!("SPORTELLO_JWT_SECRET is not set: using the key kept in {}", path.display());
            return Ok(existing.as_bytes().to_vec());
        }
    }
    let mut bytes = [0u8; 48];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal("random", e))?;
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    write_private(&path, &secret).map_err(|e| Error::internal("writing the JWT secret", e))?;
    log::warn!(
        "SPORTELLO_JWT_SECRET is not set: generated a key into {} (set the variable in production, \
         and the same value on every node)",
        path.display()
    );
    Ok(secret.into_bytes())
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(content.as_bytes())?;
    file.sync_all()
}
