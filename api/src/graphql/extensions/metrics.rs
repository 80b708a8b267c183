//! Counts and times every root field by name, type and outcome. Labels are only ever
//! the schema's own root field names (anything else is counted as `other`), so no
//! client can grow the label space.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextRequest, NextResolve, ResolveInfo,
};
use async_graphql::{Response, ServerResult, Value};

use crate::metrics::Metrics;

/// Creates the metrics extension.
pub struct RootFieldMetrics {
    /// Where figures go.
    pub metrics: Arc<Metrics>,
    /// The schema's root field names, the only labels allowed.
    pub roots: Arc<HashSet<String>>,
}

impl ExtensionFactory for RootFieldMetrics {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RootFieldMetricsExtension {
            metrics: Arc::clone(&self.metrics),
            roots: Arc::clone(&self.roots),
            resolved: std::sync::atomic::AtomicBool::new(false),
        })
    }
}

struct RootFieldMetricsExtension {
    metrics: Arc<Metrics>,
    roots: Arc<HashSet<String>>,
    /// Whether any root field ran (otherwise the document failed before execution).
    resolved: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl Extension for RootFieldMetricsExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let started = Instant::now();
        let response = next.run(ctx).await;
        if !self.resolved.load(std::sync::atomic::Ordering::Relaxed) {
            self.metrics.observe(
                "other",
                "request",
                response.errors.is_empty(),
                started.elapsed().as_secs_f64(),
            );
        }
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.path_node.parent.is_some() || info.is_for_introspection {
            return next.run(ctx, info).await;
        }
        self.resolved
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let name = if self.roots.contains(info.name) {
            info.name
        } else {
            "other"
        };
        let kind = if info.parent_type == "Mutation" {
            "mutation"
        } else {
            "query"
        };
        let started = Instant::now();
        let result = next.run(ctx, info).await;
        self.metrics
            .observe(name, kind, result.is_ok(), started.elapsed().as_secs_f64());
        result
    }
}
