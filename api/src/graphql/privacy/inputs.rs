//! Inputs of the privacy operations, and their conversion to the services' values.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};
use entity::incident::IncidentField;

use crate::error::ApiResult;
use crate::graphql::scalars::{parse_id, parse_opt_id};
use crate::graphql::types::assessment::RiskField;
use crate::services::{incidents, ingest};

/// A batch of observations for one source.
#[derive(InputObject)]
pub struct IngestObservationsInput {
    /// The source: its id, or its code as written in `ingest:<code>` scopes.
    pub source_id: ID,
    /// The sender's key for this batch (1 to 128 printable characters, e.g. a UUID):
    /// sending the batch again with the same key returns the first answer and
    /// stores nothing twice.
    pub idempotency_key: String,
    /// The observations, 1 to 2,000; the batch is accepted whole or refused whole.
    pub observations: Vec<ObservationInput>,
}

/// One aggregated cell: a zone, a metric, an aligned time bucket, a value and the
/// number of people behind it.
#[derive(InputObject)]
pub struct ObservationInput {
    /// Code of the zone: the INSEE code of an arrondissement (e.g. `13208`) or a
    /// site's code (e.g. `site-plages-prado`); no finer than the source allows.
    pub zone: String,
    /// The metric, one of the source's metrics (e.g. `presence`).
    pub metric: String,
    /// Start of the bucket (UTC), on the grid of its length: a quarter hour, an hour
    /// or midnight UTC.
    pub bucket_start: DateTime<Utc>,
    /// Length of the bucket in minutes: 15, 60 or 1440, no finer than the source allows.
    pub bucket_minutes: i32,
    /// The value, zero or more.
    pub value: f64,
    /// How many people contributed; required by aggregate sources, at least their k.
    pub contributors: Option<i32>,
    /// Optional free text (up to 1,000 characters); refused if it looks like personal data.
    pub note: Option<String>,
    /// Optional labels (up to 20); refused if one looks like personal data.
    #[graphql(default)]
    pub labels: Vec<String>,
}

impl From<IngestObservationsInput> for ingest::BatchInput {
    fn from(input: IngestObservationsInput) -> Self {
        ingest::BatchInput {
            source: input.source_id.to_string(),
            idempotency_key: input.idempotency_key,
            observations: input
                .observations
                .into_iter()
                .map(|o| ingest::ObservationInput {
                    zone: o.zone,
                    metric: o.metric,
                    bucket_start: o.bucket_start,
                    bucket_minutes: o.bucket_minutes,
                    value: o.value,
                    contributors: o.contributors,
                    note: o.note,
                    labels: o.labels,
                })
                .collect(),
        }
    }
}

/// The field of an incident as stored.
pub fn incident_field(field: RiskField) -> IncidentField {
    match field {
        RiskField::Tranquillity => IncidentField::Tranquillity,
        RiskField::Security => IncidentField::Security,
        RiskField::Mobility => IncidentField::Mobility,
    }
}

/// An incident to record.
#[derive(InputObject)]
pub struct RecordIncidentInput {
    /// When it happened (UTC); within the last 7 days, after which statistics are settled.
    pub occurred_at: DateTime<Utc>,
    /// Where: an arrondissement, a quartier or a site.
    pub zone_id: ID,
    /// Its field of risk.
    pub field: RiskField,
    /// Short category (1 to 64 letters, digits, spaces, `-` or `_`), e.g. `noise`.
    pub category: String,
    /// Severity from 1 (minor) to 4 (critical).
    pub severity: i32,
    /// The event it happened at, if any.
    pub event_id: Option<ID>,
    /// What happened (1 to 4,000 characters). Personal data (phone numbers, e-mail
    /// addresses, licence plates, IBANs, social security numbers) is replaced by
    /// placeholders before it is stored.
    pub description: String,
    /// The municipal record source; the recorder's organization's own when omitted.
    pub source_id: Option<ID>,
}

impl RecordIncidentInput {
    /// The service's value; fails on a malformed id.
    pub fn into_service(self) -> ApiResult<incidents::NewIncident> {
        Ok(incidents::NewIncident {
            occurred_at: self.occurred_at,
            zone_id: parse_id(&self.zone_id, "input.zoneId")?,
            field: incident_field(self.field),
            category: self.category,
            severity: self.severity,
            event_id: parse_opt_id(self.event_id.as_ref(), "input.eventId")?,
            description: self.description,
            source_id: parse_opt_id(self.source_id.as_ref(), "input.sourceId")?,
        })
    }
}

/// Filter of the `incidents` list; criteria combine with AND.
#[derive(InputObject, Default)]
pub struct IncidentFilter {
    /// Incidents at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Incidents before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Incidents in this zone or in a zone inside it.
    pub zone_id: Option<ID>,
    /// Incidents of this field.
    pub field: Option<RiskField>,
    /// Incidents at this event.
    pub event_id: Option<ID>,
    /// Incidents at least this severe (1 to 4).
    pub min_severity: Option<i32>,
}

impl IncidentFilter {
    /// The service's filter; fails on a malformed id.
    pub fn into_service(self) -> ApiResult<incidents::IncidentFilter> {
        Ok(incidents::IncidentFilter {
            from: self.from,
            to: self.to,
            zone_id: parse_opt_id(self.zone_id.as_ref(), "filter.zoneId")?,
            field: self.field.map(incident_field),
            event_id: parse_opt_id(self.event_id.as_ref(), "filter.eventId")?,
            min_severity: self.min_severity,
        })
    }
}
