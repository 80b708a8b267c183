//! Prometheus metrics: GraphQL root fields by name, type and outcome, with latencies.
//! Labels are the schema's own root field names only (see the metrics extension).

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The platform's metrics, registered in their own registry.
pub struct Metrics {
    registry: Registry,
    operations: IntCounterVec,
    latency: HistogramVec,
    refused: IntCounterVec,
}

impl Metrics {
    /// Creates and registers the metrics.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("platform".to_owned()), None)?;
        let operations = IntCounterVec::new(
            Opts::new(
                "graphql_root_fields_total",
                "GraphQL root fields run, by field, operation type and outcome",
            ),
            &["field", "type", "outcome"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "graphql_root_field_duration_seconds",
                "GraphQL root field latency",
            )
            .buckets(vec![
                0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["field", "type"],
        )?;
        let refused = IntCounterVec::new(
            Opts::new(
                "http_requests_refused_total",
                "Requests refused before execution, by reason (rate_limited, timeout)",
            ),
            &["reason"],
        )?;
        registry.register(Box::new(refused.clone()))?;
        registry.register(Box::new(operations.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        Ok(Metrics {
            registry,
            operations,
            latency,
            refused,
        })
    }

    /// Records one root field run. `field` must be one of the schema's root field
    /// names or `other`: the caller bounds the label space.
    pub fn observe(&self, field: &str, kind: &str, ok: bool, seconds: f64) {
        let outcome = if ok { "ok" } else { "error" };
        self.operations
            .with_label_values(&[field, kind, outcome])
            .inc();
        self.latency
            .with_label_values(&[field, kind])
            .observe(seconds);
    }

    /// Counts a request refused by a rate limit.
    pub fn rate_limited(&self) {
        self.refused.with_label_values(&["rate_limited"]).inc();
    }

    /// Counts an operation cancelled by the execution timeout.
    pub fn timed_out(&self) {
        self.refused.with_label_values(&["timeout"]).inc();
    }

    /// The metrics in Prometheus' text format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|err| prometheus::Error::Msg(err.to_string()))
    }
}
