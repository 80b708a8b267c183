//! The GraphQL schema: roots merged from per-domain parts, limits, extensions.

pub mod agenda;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod document;
pub mod enums;
pub mod events;
pub mod extensions;
pub mod imports;
pub mod live;
pub mod loaders;
pub mod models;
pub mod pagination;
pub mod privacy;
pub mod register;
pub mod scalars;
pub mod scoring;
pub mod types;
pub mod venues;

use std::sync::Arc;

use async_graphql::{MergedObject, Schema, SchemaBuilder};
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
    models::ModelQuery,
    live::LiveQuery,
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
    venues::VenueMutation,
    models::ModelMutation,
    imports::ImportMutation,
);

/// The schema type served.
pub type AppSchema = Schema<QueryRoot, MutationRoot, live::SubscriptionRoot>;

fn builder() -> SchemaBuilder<QueryRoot, MutationRoot, live::SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        live::SubscriptionRoot,
    )
}

/// The schema with its data, limits and extensions.
pub fn build(
    settings: &Settings,
    db: DatabaseConnection,
    readers: DatabaseConnection,
    metrics: Arc<Metrics>,
    auth: Arc<crate::auth::service::AuthState>,
    audit: Arc<crate::services::audit::writer::AuditWriter>,
    hub: crate::live::Hub,
) -> AppSchema {
    let limits = settings.limits.clone();
    let mut builder = builder()
        .data(db)
        .data(crate::db::Readers(readers))
        .data(limits.clone())
        .data(auth)
        .data(Arc::clone(&audit))
        .data(hub)
        // The parser's own guard against stack exhaustion; the limits that mean
        // something to clients are checked by `extensions::limits`.
        .limit_recursive_depth(64)
        .register_output_type::<crate::error::ErrorCode>()
        // The first wraps the others: errors are coded after everything else ran.
        .extension(extensions::errors::ErrorCodes)
        .extension(extensions::metrics::RootFieldMetrics {
            metrics,
            roots: Arc::new(root_field_names()),
        });
    // Only the agenda benchmark turns the read audit off, to measure its cost.
    if settings.audit_enabled {
        builder = builder.extension(extensions::audit::Audit { writer: audit });
    }
    let index = Arc::new(document::SchemaIndex::from_sdl(&sdl()));
    builder = builder
        .extension(extensions::limits::DocumentLimits {
            limits: limits.clone(),
            index: Arc::clone(&index),
        })
        .extension(extensions::guard::Guard { index })
        // Innermost: what it answers has passed the guard, and is audited.
        .extension(extensions::cache::Cache {
            answers: Default::default(),
        });
    if !settings.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder()
        .register_output_type::<crate::error::ErrorCode>()
        .finish()
        .sdl()
}

/// The names of the schema's root fields (queries, mutations and subscriptions),
/// read from its SDL.
pub fn root_field_names() -> std::collections::HashSet<String> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let Ok(document) = async_graphql::parser::parse_schema(sdl()) else {
        return Default::default();
    };
    document
        .definitions
        .iter()
        .filter_map(|definition| match definition {
            TypeSystemDefinition::Type(ty)
                if ["Query", "Mutation", "Subscription"].contains(&ty.node.name.node.as_str()) =>
            {
                match &ty.node.kind {
                    TypeKind::Object(object) => Some(object.fields.iter()),
                    _ => None,
                }
            }
            _ => None,
        })
        .flatten()
        .map(|field| field.node.name.node.to_string())
        .collect()
}
