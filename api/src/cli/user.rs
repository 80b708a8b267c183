//! `api user add|list`: people's accounts from the server's console.

use std::io::BufRead;

use clap::Subcommand;
use policies::roles::Role;

use super::CliError;
use super::platform::{CommandChange, Platform};
use crate::auth::service::{self, NewUser};

/// `api user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        /// Work e-mail.
        #[arg(long)]
        email: String,
        /// Role: admin, supervisor, analyst, partner or dpo.
        #[arg(long)]
        role: String,
        /// Code of the organization the person works for: a city service for the
        /// city's roles, a partner agency for the partner role.
        #[arg(long)]
        org: String,
        /// Read the password from this file (a mounted secret) instead of standard
        /// input; its first line is the password.
        #[arg(long)]
        password_file: Option<std::path::PathBuf>,
    },
    /// List accounts.
    List,
}

/// Runs `api user ...`.
pub async fn run(platform: &Platform, command: UserCommand) -> Result<(), CliError> {
    match command {
        UserCommand::Add {
            email,
            role,
            org,
            password_file,
        } => {
            let role = Role::parse(&role).map_err(|e| CliError::Usage(e.to_string()))?;
            let organization_id = Some(service::organization_by_code(&platform.db, &org).await?.id);
            let password = read_password(password_file.as_deref())?;
            let auth = platform.auth()?;
            let change = CommandChange::new("user add", "createUser");
            let new = NewUser {
                email,
                role,
                organization_id,
                password,
            };
            let result = service::create_user(&platform.db, &auth, change.change(), new).await;
            let user = change.settle(platform, result).await?;
            println!(
                "created user {} ({}) with id {}",
                user.email, user.role, user.id
            );
        }
        UserCommand::List => {
            for user in service::list_users(&platform.db).await? {
                println!("{:>5}  {:<10}  {}", user.id, user.role, user.email);
            }
        }
    }
    Ok(())
}

/// The first line of the password file, or of standard input.
fn read_password(file: Option<&std::path::Path>) -> Result<String, CliError> {
    let line = match file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| CliError::file(path, e))?
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
        None => {
            eprintln!("Password (read from standard input):");
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| CliError::file(std::path::Path::new("<stdin>"), e))?;
            line
        }
    };
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
