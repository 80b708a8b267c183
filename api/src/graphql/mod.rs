//! The GraphQL schema: roots merged from per-domain parts, limits, extensions.

pub mod agenda;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod enums;
pub mod events;
pub mod extension;
pub mod loaders;
pub mod privacy;
pub mod register;
pub mod scalars;
pub mod scoring;
pub mod types;

use std::sync::Arc;

use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

use crate::metrics::Metrics;
use crate::settings::Settings;

/// Every query of the platform.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    agenda::AgendaQuery,
    events::EventQuery,
    catalog::CatalogQuery,
    auth::AuthQuery,
    audit::AuditQuery,
    register::RegisterQuery,
    scoring::ScoringQuery,
    privacy::PrivacyQuery,
);

/// Every mutation of the platform.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    events::EventMutation,
    auth::AuthMutation,
    register::RegisterMutation,
    scoring::ScoringMutation,
    privacy::PrivacyMutation,
);

/// The schema type served.
pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

fn builder() -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
}

/// The schema with its data, limits and extensions.
pub fn build(
    settings: &Settings,
    db: DatabaseConnection,
    metrics: Arc<Metrics>,
    auth: Arc<crate::auth::service::AuthState>,
    audit: Arc<crate::services::audit::writer::AuditWriter>,
) -> AppSchema {
    let limits = settings.limits.clone();
    let mut builder = builder()
        .data(db)
        .data(limits.clone())
        .data(auth)
        .data(Arc::clone(&audit))
        .limit_depth(limits.depth)
        .limit_complexity(limits.complexity)
        .limit_recursive_depth(limits.depth * 2)
        .extension(extension::Observability { metrics, audit });
    if !settings.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// The id of the HTTP request an operation runs in, for logs and audit entries.
#[derive(Debug, Clone)]
pub struct RequestIdentifier(pub String);
