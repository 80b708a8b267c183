//! Incident records, ingestion receipts and retention reports as the schema shows them.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{event, incident};

use super::load_zone;
use crate::graphql::types::assessment::RiskField;
use crate::graphql::types::catalog::Zone;
use crate::graphql::types::event::Event;
use crate::services::ingest::IngestOutcome;
use crate::services::retention::{RetentionReport, SourcePurge};

/// A kind of personal data the platform redacts.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PersonalDataKind {
    /// An e-mail address.
    Email,
    /// A bank account number (IBAN).
    Iban,
    /// A French social security number (NIR).
    Nir,
    /// A phone number.
    Phone,
    /// A licence plate.
    Plate,
    /// A passport number.
    Passport,
    /// An identity card number.
    IdCard,
    /// An IP address.
    IpAddress,
    /// A GPS position.
    Coordinates,
    /// A date of birth.
    BirthDate,
}

impl PersonalDataKind {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "email" => Some(Self::Email),
            "iban" => Some(Self::Iban),
            "nir" => Some(Self::Nir),
            "phone" => Some(Self::Phone),
            "plate" => Some(Self::Plate),
            "passport" => Some(Self::Passport),
            "id_card" => Some(Self::IdCard),
            "ip_address" => Some(Self::IpAddress),
            "coordinates" => Some(Self::Coordinates),
            "birth_date" => Some(Self::BirthDate),
            _ => None,
        }
    }
}

/// A municipal incident record.
pub struct Incident {
    /// The record.
    pub model: incident::Model,
    /// Its event, loaded with the page.
    pub event: Option<Arc<event::Model>>,
}

/// An incident recorded by the city, its description redacted of personal data.
#[Object]
impl Incident {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }
    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.model.occurred_at
    }
    /// Where it happened.
    async fn zone(&self, ctx: &Context<'_>) -> Result<Zone> {
        load_zone(ctx, self.model.zone_id).await
    }
    /// Its field of risk.
    async fn field(&self) -> RiskField {
        match self.model.field {
            incident::IncidentField::Tranquillity => RiskField::Tranquillity,
            incident::IncidentField::Security => RiskField::Security,
            incident::IncidentField::Mobility => RiskField::Mobility,
        }
    }
    /// Short category, e.g. `noise`, `brawl`, `parking`.
    async fn category(&self) -> &str {
        &self.model.category
    }
    /// Severity from 1 (minor) to 4 (critical).
    async fn severity(&self) -> i32 {
        self.model.severity
    }
    /// The event it happened at, if any.
    async fn event(&self) -> Option<Event> {
        self.event.as_deref().cloned().map(Event::new)
    }
    /// The description, personal data replaced by placeholders such as `[PHONE]`.
    async fn description(&self) -> &str {
        &self.model.description
    }
    /// How many pieces of personal data were redacted from the description.
    async fn redaction_count(&self) -> i32 {
        self.model.redaction_count
    }
    /// The kinds of personal data redacted.
    async fn redacted_kinds(&self) -> Vec<PersonalDataKind> {
        self.model
            .redaction_kinds
            .split(',')
            .filter_map(PersonalDataKind::parse)
            .collect()
    }
    /// The municipal record source it belongs to.
    async fn source_id(&self) -> ID {
        ID(self.model.source_id.to_string())
    }
    /// When it was recorded.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
}

/// The answer to an ingested batch.
pub struct IngestObservationsPayload(pub IngestOutcome);

/// The answer to a batch: the same on every replay of its idempotency key.
#[Object]
impl IngestObservationsPayload {
    /// The stored batch.
    async fn batch_id(&self) -> ID {
        ID(self.0.receipt.batch_id.to_string())
    }
    /// Its source.
    async fn source_id(&self) -> ID {
        ID(self.0.receipt.source_id.to_string())
    }
    /// The idempotency key it was sent with.
    async fn idempotency_key(&self) -> &str {
        &self.0.receipt.idempotency_key
    }
    /// Observations stored.
    async fn accepted(&self) -> i64 {
        i64::try_from(self.0.receipt.accepted).unwrap_or(i64::MAX)
    }
    /// When the batch was first accepted.
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.receipt.received_at
    }
    /// True when this request replayed a known key and stored nothing.
    async fn replayed(&self) -> bool {
        self.0.replayed
    }
}

/// The answer to `recordIncident`.
#[derive(SimpleObject)]
pub struct RecordIncidentPayload {
    /// The incident as stored (its description redacted).
    pub incident: Incident,
}

/// What a retention run purged.
pub struct RetentionRun(pub RetentionReport);

/// What a retention run purged, per source.
#[Object]
impl RetentionRun {
    /// The instant the run reasoned from.
    async fn ran_at(&self) -> DateTime<Utc> {
        self.0.ran_at
    }
    /// Observations deleted in all.
    async fn observations(&self) -> u64 {
        self.0.observations()
    }
    /// Incident records deleted in all.
    async fn incidents(&self) -> u64 {
        self.0.incidents()
    }
    /// Ingestion batches deleted in all.
    async fn batches(&self) -> u64 {
        self.0.batches()
    }
    /// Every source, with its cutoff and what went.
    async fn sources(&self) -> Vec<SourceRetention> {
        self.0
            .sources
            .iter()
            .cloned()
            .map(SourceRetention)
            .collect()
    }
}

/// One source's part of a retention run.
pub struct SourceRetention(SourcePurge);

/// One source's part of a retention run: the period applied and what went.
#[Object]
impl SourceRetention {
    /// The source.
    async fn source_id(&self) -> ID {
        ID(self.0.source_id.to_string())
    }
    /// Its code.
    async fn source_code(&self) -> &str {
        &self.0.source_code
    }
    /// The processing activity whose retention period applied; null when the source
    /// belongs to none and the platform's default applied.
    async fn processing_activity_id(&self) -> Option<ID> {
        self.0.processing_activity_id.map(|id| ID(id.to_string()))
    }
    /// The retention period applied, in days.
    async fn retention_days(&self) -> i32 {
        self.0.retention_days
    }
    /// Data before this instant (UTC midnight) was purged.
    async fn cutoff(&self) -> DateTime<Utc> {
        self.0.cutoff
    }
    /// Observations deleted.
    async fn observations(&self) -> u64 {
        self.0.observations
    }
    /// Incident records deleted.
    async fn incidents(&self) -> u64 {
        self.0.incidents
    }
    /// Ingestion batches deleted.
    async fn batches(&self) -> u64 {
        self.0.batches
    }
}
