//! Administration commands: accounts and partner tokens from the command line.

use std::io::BufRead;

use api::auth::passwords::PasswordService;
use api::auth::service::{self, AuthState};
use api::cli::{TokenCommand, UserCommand};
use api::settings::Settings;
use api::{auth, db};
use policies::roles::Role;

async fn connect(settings: &Settings) -> Result<sea_orm::DatabaseConnection, String> {
    let conn = db::connect(settings).await.map_err(|e| e.to_string())?;
    db::migrate(&conn).await.map_err(|e| e.to_string())?;
    Ok(conn)
}

/// `api user add|list`.
pub async fn user(settings: &Settings, command: UserCommand) -> Result<(), String> {
    let conn = connect(settings).await?;
    match command {
        UserCommand::Add { email, role, org } => {
            let role = Role::parse(&role).map_err(|e| e.to_string())?;
            let org_id = match org {
                Some(code) => Some(
                    service::organization_by_code(&conn, &code)
                        .await
                        .map_err(|e| e.to_string())?
                        .id,
                ),
                None => None,
            };
            eprintln!("Password (read from standard input):");
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .map_err(|e| e.to_string())?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let auth = AuthState {
                keys: auth::keys::KeySet::load(settings).map_err(|e| e.to_string())?,
                passwords: PasswordService::new(&settings.auth).map_err(|e| e.to_string())?,
                settings: settings.auth.clone(),
            };
            let user = service::create_user(&conn, &auth, &email, role, org_id, password)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "created user {} ({}) with id {}",
                user.email, user.role, user.id
            );
        }
        UserCommand::List => {
            for user in service::list_users(&conn)
                .await
                .map_err(|e| e.to_string())?
            {
                println!("{:>5}  {:<10}  {}", user.id, user.role, user.email);
            }
        }
    }
    Ok(())
}

/// `api token issue|list|revoke`.
pub async fn token(settings: &Settings, command: TokenCommand) -> Result<(), String> {
    let conn = connect(settings).await?;
    match command {
        TokenCommand::Issue {
            org,
            scopes,
            purposes,
            days,
            label,
        } => {
            let organization = service::organization_by_code(&conn, &org)
                .await
                .map_err(|e| e.to_string())?;
            let label = label.unwrap_or_else(|| format!("{org} token"));
            let issued = service::issue_partner_token(
                &conn,
                organization.id,
                &label,
                &scopes,
                &purposes,
                days,
                None,
            )
            .await
            .map_err(|e| e.to_string())?;
            eprintln!(
                "token {} for {} expires {}; the secret below is shown once:",
                issued.token.id, organization.code, issued.token.expires_at
            );
            println!("{}", issued.secret);
        }
        TokenCommand::List => {
            for token in service::list_partner_tokens(&conn)
                .await
                .map_err(|e| e.to_string())?
            {
                let state = if token.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:>5}  {:<8}  org {:<4} expires {}  last used {}  {}  [{}]",
                    token.id,
                    state,
                    token.organization_id,
                    token.expires_at.format("%Y-%m-%d"),
                    token
                        .last_used_at
                        .map_or("never".to_owned(), |t| t.to_rfc3339()),
                    token.label,
                    token.scopes
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let token = service::revoke_partner_token(&conn, id)
                .await
                .map_err(|e| e.to_string())?;
            println!("token {} revoked", token.id);
        }
    }
    Ok(())
}

/// `api audit verify`: prints the result; an error (non-zero exit) when broken.
pub async fn audit_verify(settings: &Settings) -> Result<(), String> {
    let conn = connect(settings).await?;
    let result = api::services::audit::verify::verify(&conn)
        .await
        .map_err(|e| e.to_string())?;
    if result.ok {
        println!("audit chain verified: {} entries", result.checked);
        return Ok(());
    }
    Err(format!(
        "audit chain broken at entry {}: {} ({} entries verified before it)",
        result.first_broken_seq.unwrap_or(0),
        result.problem.unwrap_or_default(),
        result.checked
    ))
}
