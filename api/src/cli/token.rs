//! `api token issue|list|revoke`: partner agencies' scoped tokens from the console.

use clap::Subcommand;

use super::CliError;
use super::platform::{CommandChange, Platform};
use crate::auth::service::{self, NewPartnerToken};

/// `api token ...`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a scoped token for an organization; prints the secret once.
    Issue {
        /// Code of the organization the token acts for.
        #[arg(long)]
        org: String,
        /// Scopes, comma-separated (e.g. `ingest:rtm-frequentation,read:agenda`).
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// Allowed purposes, comma-separated (e.g. `ingestion,statistics`).
        #[arg(long, value_delimiter = ',')]
        purposes: Vec<String>,
        /// Validity in days.
        #[arg(long, default_value_t = 90)]
        days: i64,
        /// A name for people.
        #[arg(long)]
        label: Option<String>,
    },
    /// List tokens.
    List,
    /// Revoke a token by id; effective on the very next request.
    Revoke {
        /// The token's id.
        id: i64,
    },
}

/// Runs `api token ...`.
pub async fn run(platform: &Platform, command: TokenCommand) -> Result<(), CliError> {
    match command {
        TokenCommand::Issue {
            org,
            scopes,
            purposes,
            days,
            label,
        } => {
            let organization = service::organization_by_code(&platform.db, &org).await?;
            let new = NewPartnerToken {
                organization_id: organization.id,
                label: label.unwrap_or_else(|| format!("{org} token")),
                scopes,
                purposes,
                days,
            };
            let change = CommandChange::new("token issue", "issuePartnerToken");
            let result = service::issue_partner_token(&platform.db, change.change(), &new).await;
            let issued = change.settle(platform, result).await?;
            eprintln!(
                "token {} for {} expires {}; the secret below is shown once:",
                issued.token.id, organization.code, issued.token.expires_at
            );
            println!("{}", issued.secret);
        }
        TokenCommand::List => {
            for token in service::list_partner_tokens(&platform.db).await? {
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
            let change = CommandChange::new("token revoke", "revokePartnerToken");
            let result = service::revoke_partner_token(&platform.db, change.change(), id).await;
            let token = change.settle(platform, result).await?;
            println!("token {} revoked", token.id);
        }
    }
    Ok(())
}
