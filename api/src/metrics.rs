//! Prometheus metrics: GraphQL operations by name and outcome, with latencies.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// Longest operation name kept as a label; longer names are cut so a client cannot
/// blow up the label space with huge names.
const MAX_LABEL: usize = 64;

/// The platform's metrics, registered in their own registry.
pub struct Metrics {
    registry: Registry,
    operations: IntCounterVec,
    latency: HistogramVec,
}

impl Metrics {
    /// Creates and registers the metrics.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("platform".to_owned()), None)?;
        let operations = IntCounterVec::new(
            Opts::new(
                "graphql_operations_total",
                "GraphQL operations by name, type and outcome",
            ),
            &["operation", "type", "outcome"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "graphql_operation_duration_seconds",
                "GraphQL operation latency",
            )
            .buckets(vec![
                0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["operation", "type"],
        )?;
        registry.register(Box::new(operations.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        Ok(Metrics {
            registry,
            operations,
            latency,
        })
    }

    /// Records one operation.
    pub fn observe(&self, operation: &str, kind: &str, ok: bool, seconds: f64) {
        let operation = label(operation);
        let outcome = if ok { "ok" } else { "error" };
        self.operations
            .with_label_values(&[operation.as_str(), kind, outcome])
            .inc();
        self.latency
            .with_label_values(&[operation.as_str(), kind])
            .observe(seconds);
    }

    /// The metrics in Prometheus' text format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|err| prometheus::Error::Msg(err.to_string()))
    }
}

fn label(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(MAX_LABEL)
        .collect()
}
