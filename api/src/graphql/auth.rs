//! Login, sessions, users and partner tokens.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{partner_token, user};
use policies::roles::Role;
use sea_orm::DatabaseConnection;

use crate::auth::Viewer;
use crate::auth::service::{self, AuthState, Tokens};
use crate::error::ApiError;
use crate::graphql::extensions::Acting;
use crate::graphql::loaders::Loaders;
use crate::graphql::scalars::parse_id;
use crate::graphql::types::catalog::Organization;

/// A person who logs in.
pub struct User(pub user::Model);

/// A person who logs in.
#[Object]
impl User {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Login e-mail (a work address).
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// Role: admin, supervisor, analyst, partner or dpo.
    async fn role(&self) -> &str {
        &self.0.role
    }
    /// Organization the person works for.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(ctx
            .data::<Loaders>()?
            .organizations
            .load_one(id)
            .await?
            .map(Organization))
    }
    /// Whether the account is currently locked.
    async fn locked(&self) -> bool {
        self.0.locked_until.is_some_and(|until| until > Utc::now())
    }
    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A partner agency's scoped token (never its secret).
pub struct PartnerToken(pub partner_token::Model);

/// A partner agency's scoped token (never its secret).
#[Object]
impl PartnerToken {
    /// Identifier, also the public part of the token.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// A name for people.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// Organization the token acts for.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        Ok(ctx
            .data::<Loaders>()?
            .organizations
            .load_one(self.0.organization_id)
            .await?
            .map(Organization))
    }
    /// What the token may do, e.g. `ingest:rtm-frequentation`, `read:agenda`, `read:aggregates:mobility`.
    async fn scopes(&self) -> Vec<String> {
        self.0
            .scopes
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }
    /// Purposes the token may declare.
    async fn purposes(&self) -> Vec<String> {
        self.0
            .purposes
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }
    /// Expiry.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// When it was issued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was revoked, if it was.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// Last time it was presented.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
}

/// Tokens of a session.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Access token (JWT, EdDSA), sent as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// When the access token expires (15 minutes by default).
    pub access_token_expires_at: DateTime<Utc>,
    /// Refresh token: single use, exchanged with `refreshToken` for new tokens.
    pub refresh_token: String,
    /// When the refresh token expires.
    pub refresh_token_expires_at: DateTime<Utc>,
    /// The person logged in.
    pub user: User,
}

impl From<Tokens> for AuthPayload {
    fn from(tokens: Tokens) -> Self {
        AuthPayload {
            access_token: tokens.access_token,
            access_token_expires_at: tokens.access_expires_at,
            refresh_token: tokens.refresh_token,
            refresh_token_expires_at: tokens.refresh_expires_at,
            user: User(tokens.user),
        }
    }
}

/// A new user.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Work e-mail.
    pub email: String,
    /// Role: admin, supervisor, analyst, partner or dpo.
    pub role: String,
    /// Organization the person works for: a city service for the city's roles (admin,
    /// supervisor, analyst, dpo), a partner agency for the partner role; a role that
    /// contradicts the register of organizations is refused with `POLICY_VIOLATION`
    /// (`CITY_ROLE_IN_PARTNER_ORGANIZATION` or `PARTNER_ROLE_IN_CITY_ORGANIZATION`).
    pub organization_id: ID,
    /// Initial password, at least 12 characters.
    pub password: String,
}

/// A partner token to issue.
#[derive(InputObject)]
pub struct IssuePartnerTokenInput {
    /// Organization the token acts for.
    pub organization_id: ID,
    /// A name for people.
    pub label: String,
    /// Scopes, e.g. `ingest:<source code>`, `read:agenda`, `read:events`, `read:aggregates:<tranquillity|security|mobility|presence>`.
    pub scopes: Vec<String>,
    /// Purposes the token may declare, e.g. `event_planning`, `statistics`, `ingestion`.
    pub purposes: Vec<String>,
    /// Validity in days, 1 to 366.
    pub days: i32,
}

/// A token just issued, with its secret.
#[derive(SimpleObject)]
pub struct IssuePartnerTokenPayload {
    /// The token.
    pub token: PartnerToken,
    /// The bearer value, shown this once only: store it in the partner's secret store.
    pub secret: String,
}

/// Who am I, users and tokens.
#[derive(Default)]
pub struct AuthQuery;

/// Who am I, users and tokens.
#[Object]
impl AuthQuery {
    /// The person or token making the request.
    async fn me(&self, ctx: &Context<'_>) -> Result<Viewer> {
        Ok(ctx.data::<Viewer>()?.clone())
    }

    /// Every user (administrators).
    async fn users(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(service::list_users(db)
            .await?
            .into_iter()
            .map(User)
            .collect())
    }

    /// Every partner token, newest first (administrators).
    async fn partner_tokens(&self, ctx: &Context<'_>) -> Result<Vec<PartnerToken>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(service::list_partner_tokens(db)
            .await?
            .into_iter()
            .map(PartnerToken)
            .collect())
    }
}

/// The caller of a request: a person logged in, or a partner agency's token.
#[Object]
impl Viewer {
    /// Who: an e-mail or a partner token's label.
    async fn actor(&self) -> &str {
        &self.actor
    }
    /// Role of a person; null for a partner token.
    #[graphql(name = "role")]
    async fn role_name(&self) -> Option<&'static str> {
        self.role().map(|r| r.as_str())
    }
    /// Identifier of the person, if a person.
    async fn user_id(&self) -> Option<ID> {
        self.user_id.map(|id| ID(id.to_string()))
    }
    /// Identifier of the partner token, if a token.
    async fn token_id(&self) -> Option<ID> {
        self.token_id.map(|id| ID(id.to_string()))
    }
    /// Identifier of the caller's organization.
    async fn organization_id(&self) -> Option<ID> {
        self.organization_id.map(|id| ID(id.to_string()))
    }
    /// Scopes of a partner token; empty for a person.
    async fn scopes(&self) -> Vec<String> {
        match &self.subject {
            policies::permissions::Subject::PartnerToken { scopes, .. } => {
                scopes.iter().map(ToString::to_string).collect()
            }
            _ => Vec::new(),
        }
    }
    /// Purpose declared for this request (`X-Purpose` header).
    async fn purpose(&self) -> Option<&'static str> {
        self.purpose.map(|p| p.as_str())
    }
}

/// Logging in and out, users and tokens.
#[derive(Default)]
pub struct AuthMutation;

fn auth_state<'a>(ctx: &Context<'a>) -> Result<&'a Arc<AuthState>> {
    ctx.data::<Arc<AuthState>>()
}

/// Logging in and out, users and tokens.
#[Object]
impl AuthMutation {
    /// Logs in with an e-mail and a password. Five failures within 15 minutes lock the e-mail for a while (`RATE_LIMITED`); the answer never says whether the e-mail exists.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Work e-mail.")] email: String,
        #[graphql(desc = "Password.", secret)] password: String,
    ) -> Result<AuthPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let acting = Acting::of(ctx)?;
        Ok(
            service::login(db, auth_state(ctx)?, acting.change(), &email, password)
                .await?
                .into(),
        )
    }

    /// Exchanges a refresh token for new tokens. The old one dies; presenting it again revokes the whole session.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The refresh token received at login or at the last refresh.",
            secret
        )]
        token: String,
    ) -> Result<AuthPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let acting = Acting::of(ctx)?;
        Ok(
            service::refresh(db, auth_state(ctx)?, acting.change(), &token)
                .await?
                .into(),
        )
    }

    /// Ends the caller's session (or the session of the refresh token given); its access tokens stop working at once. True when a session was ended.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Refresh token of the session to end, when the caller has no valid access token.",
            secret
        )]
        refresh_token: Option<String>,
    ) -> Result<bool> {
        let db = ctx.data::<DatabaseConnection>()?;
        let acting = Acting::of(ctx)?;
        let session = acting.ctx().viewer.session_id.clone();
        Ok(service::logout(
            db,
            auth_state(ctx)?,
            acting.change(),
            session,
            refresh_token.as_deref(),
        )
        .await?)
    }

    /// Creates a user (administrators).
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user to create.")] input: CreateUserInput,
    ) -> Result<User> {
        let db = ctx.data::<DatabaseConnection>()?;
        let role = Role::parse(&input.role)
            .map_err(|err| ApiError::bad_input("input.role", err.to_string()))?;
        let org = Some(parse_id(&input.organization_id, "input.organizationId")?);
        let acting = Acting::of(ctx)?;
        let new = service::NewUser {
            email: input.email,
            role,
            organization_id: org,
            password: input.password,
        };
        let user = service::create_user(db, auth_state(ctx)?, acting.change(), new).await?;
        Ok(User(user))
    }

    /// Issues a scoped token for a partner agency (administrators). The secret is returned once.
    async fn issue_partner_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token to issue.")] input: IssuePartnerTokenInput,
    ) -> Result<IssuePartnerTokenPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let acting = Acting::of(ctx)?;
        let new = service::NewPartnerToken {
            organization_id: parse_id(&input.organization_id, "input.organizationId")?,
            label: input.label,
            scopes: input.scopes,
            purposes: input.purposes,
            days: i64::from(input.days),
        };
        let issued = service::issue_partner_token(db, acting.change(), &new).await?;
        Ok(IssuePartnerTokenPayload {
            token: PartnerToken(issued.token),
            secret: issued.secret,
        })
    }

    /// Revokes a partner token (administrators); effective on the very next request.
    async fn revoke_partner_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the token.")] id: ID,
    ) -> Result<PartnerToken> {
        let db = ctx.data::<DatabaseConnection>()?;
        let acting = Acting::of(ctx)?;
        Ok(PartnerToken(
            service::revoke_partner_token(db, acting.change(), parse_id(&id, "id")?).await?,
        ))
    }
}
