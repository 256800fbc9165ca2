//! The `sportello` command: serve (default), migrate, openapi, retention, create-user, seed-demo.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sportello::app::Application;
use sportello::bootstrap;
use sportello::config::Settings;
use sportello::db::{self, Database};
use sportello::domain::role::Role;

#[derive(Parser)]
#[command(name = "sportello", version, about = "API for networks of integrated immigrant service desks")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (JSON) to standard output.
    Openapi,
    /// Anonymise closed cases past the retention period (SPORTELLO_RETENTION_DAYS after closure, default
    /// 3650). Without --apply, only lists them.
    Retention {
        /// Erase them (without it: a dry run that changes nothing).
        #[arg(long)]
        apply: bool,
    },
    /// Create a user in an existing organization.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Organization code (e.g. PLATFORM) or id.
        #[arg(long)]
        organization: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Load a fictitious demo network (the Crema social-care district: desks, providers, registry, a user
    /// for every role and a few hundred cases over two years) into a fresh database. Does nothing if the
    /// demo is there already; refuses a database holding other data. Every demo user's password is
    /// SPORTELLO_DEMO_PASSWORD, or the public "demo-password-2026": never use the demo for real data.
    SeedDemo,
}

fn parse_role(s: &str) -> Result<Role, String> {
    use sportello::domain::Code;
    Role::parse(s).ok_or_else(|| {
        format!("one of: {}", Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "))
    })
}

fn main() -> ExitCode {
    sportello::memory::limit_arenas();
    let cli = Cli::parse();
    // Before the logger, so RUST_LOG may come from .env too.
    let _ = dotenvy::dotenv();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => sportello::openapi::to_json().map(|json| print!("{json}")).map_err(Into::into),
        Command::Serve => serve(),
        Command::Migrate => migrate(),
        Command::Retention { apply } => retention(apply),
        Command::CreateUser { username, role, organization, display_name, password_stdin } => {
            create_user(&username, role, &organization, display_name, password_stdin)
        }
        Command::SeedDemo => seed_demo(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sportello: {e}");
            ExitCode::FAILURE
        }
    }
}

type AnyResult = Result<(), Box<dyn std::error::Error>>;

fn serve() -> AnyResult {
    let settings = Settings::from_env()?;
    let bind = settings.bind;
    let backend = settings.database.backend_name();
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        log::info!("Sportello listening on http://{bind} ({backend}); Swagger UI at /swagger-ui/");
        app.run_until_stopped().await?;
        Ok(())
    })
}

fn migrate() -> AnyResult {
    let settings = Settings::from_env()?;
    let db = Database::connect(&settings.database, 1)?;
    let applied = db.migrate()?;
    println!("applied {applied} migration(s)");
    Ok(())
}

fn retention(apply: bool) -> AnyResult {
    let settings = Settings::from_env()?;
    let db = Database::connect(&settings.database, 1)?;
    db.migrate()?;
    let mut conn = db.get()?;
    let documents = sportello::db::document_store::DocumentStore::open(&settings.documents.store)?;
    let report = sportello::retention::run(&mut conn, &documents, settings.retention_days, db::now(), apply)?;
    print!("{report}");
    Ok(())
}

fn create_user(
    username: &str,
    role: Role,
    organization: &str,
    display_name: Option<String>,
    password_stdin: bool,
) -> AnyResult {
    let settings = Settings::from_env()?;
    let db = Database::connect(&settings.database, 1)?;
    db.migrate()?;
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        (line.trim_end_matches(['\r', '\n']).to_string(), false)
    } else {
        (sportello::auth::password::generate()?, true)
    };
    let mut conn = db.get()?;
    let user = db::users::create_from_cli(&mut conn, username, role, organization, display_name, &password)?;
    println!("created user '{}' ({}) with id {}", user.username, user.role, user.id);
    if generated {
        println!("password: {password}");
    }
    Ok(())
}

fn seed_demo() -> AnyResult {
    use sportello::demo;
    let settings = Settings::from_env()?;
    let db = Database::connect(&settings.database, 1)?;
    db.migrate()?;
    bootstrap::ensure_platform_admin(&db, &settings)?;
    let chosen = std::env::var(demo::PASSWORD_VARIABLE).ok().filter(|p| !p.is_empty());
    let password = chosen.as_deref().unwrap_or(demo::DEFAULT_PASSWORD);
    let mut conn = db.get()?;
    let started = std::time::Instant::now();
    let report = demo::seed(&mut conn, db::now(), password)?;
    print!("{report}");
    match (report.already_seeded, chosen.is_some()) {
        (true, _) => println!("  password: as when the demo was loaded"),
        (false, true) => println!("  password: the value of {}", demo::PASSWORD_VARIABLE),
        (false, false) => println!(
            "  password: {password} (public: a demo, never for real data; set {} to choose another)",
            demo::PASSWORD_VARIABLE
        ),
    }
    if !report.already_seeded {
        println!("Done in {:.1} s.", started.elapsed().as_secs_f64());
    }
    Ok(())
}
