//! The register of processing as the schema shows it: processing activities, their
//! sources, the enums of the register and DPIA, and the mutations' payloads. The
//! DPIA itself is in `register/dpia.rs`.

pub mod compare;
pub mod dpia;

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums as db_enums;
use entity::register::dpia as db_dpia;
use entity::register::dpia_evaluation as db_evaluation;
use entity::register::processing_activity as db_activity;
use entity::source;
use sea_orm::DatabaseConnection;

use crate::services::register::activities::ActivityView;
use crate::services::register::dpias::{self, DpiaFilter};
use crate::services::register::store::json_list;
use crate::services::register::workflow;

pub use self::dpia::Dpia;

/// Declares a GraphQL enum mirroring a storage enum, with both conversions, so the
/// schema is written on purpose and a stored value never leaks into it.
macro_rules! mirror {
    ($(#[$meta:meta])* $name:ident => $db:path { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl From<$db> for $name {
            fn from(value: $db) -> Self {
                use $db as D;
                match value { $(D::$variant => $name::$variant),+ }
            }
        }

        impl From<$name> for $db {
            fn from(value: $name) -> Self {
                use $db as D;
                match value { $($name::$variant => D::$variant),+ }
            }
        }
    };
}

mirror! {
    /// Lawful basis of a processing (GDPR art. 6.1).
    LegalBasis => db_activity::LegalBasis {
        /// Art. 6.1.a: consent of the data subjects.
        Consent,
        /// Art. 6.1.b: performance of a contract.
        Contract,
        /// Art. 6.1.c: a legal obligation of the controller.
        LegalObligation,
        /// Art. 6.1.d: vital interests of a person.
        VitalInterests,
        /// Art. 6.1.e: a task carried out in the public interest (the city's usual basis).
        PublicTask,
        /// Art. 6.1.f: legitimate interests (not open to a public authority's tasks).
        LegitimateInterests,
    }
}

mirror! {
    /// Where a DPIA version stands: DRAFT -> SUBMITTED -> DPO_REVIEWED -> VALIDATED or REJECTED -> SUBMITTED_TO_CNIL -> CNIL_ANSWERED.
    DpiaStatus => db_dpia::DpiaStatus {
        /// Being written by its author (admin or supervisor).
        Draft,
        /// Submitted to the DPO, waiting for the opinion.
        Submitted,
        /// The DPO's opinion is recorded; waiting for an admin's decision.
        DpoReviewed,
        /// Validated by an admin: frozen, its sources may run.
        Validated,
        /// Rejected by an admin; its author may rework it.
        Rejected,
        /// Validated and sent to the CNIL: frozen.
        SubmittedToCnil,
        /// The CNIL's answer is recorded: frozen.
        CnilAnswered,
        /// A later version was validated: frozen and archived.
        Superseded,
    }
}

mirror! {
    /// The verdict on one part of a DPIA, as the CNIL method grades it.
    EvaluationStatus => db_evaluation::EvaluationStatus {
        /// Not evaluated yet (CNIL code 0).
        Pending,
        /// Not enough information: back to the author (CNIL code 1).
        ToCorrect,
        /// Acceptable once the action plan is carried out (CNIL code 2).
        Improvable,
        /// Acceptable as it is (CNIL code 3).
        Acceptable,
    }
}

mirror! {
    /// Lifecycle of a data source.
    SourceStatus => db_enums::SourceStatus {
        /// Described but not allowed to ingest.
        Draft,
        /// Ingesting; only while its processing activity's DPIA is validated.
        Active,
        /// Stopped.
        Suspended,
    }
}

/// Format of a DPIA export.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DpiaExportFormat {
    /// The CNIL PIA tool's JSON file `{pia, answers, measures, evaluations, comments}`, to open in that tool.
    CnilPia,
    /// A readable report in Markdown (French), for the file sent to the CNIL.
    Markdown,
}

/// A data source as the register shows it: which processing it belongs to and whether it runs.
pub struct RegisteredSource(pub source::Model);

/// A data source as the register shows it: which processing it belongs to and whether it runs.
#[Object]
impl RegisteredSource {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Stable public code.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Lifecycle status.
    async fn status(&self) -> SourceStatus {
        self.0.status.into()
    }
    /// The processing activity it belongs to, if registered.
    async fn processing_activity_id(&self) -> Option<ID> {
        self.0.processing_activity_id.map(|id| ID(id.to_string()))
    }
}

/// A processing activity of the register (GDPR art. 30).
pub struct ProcessingActivity(pub Arc<ActivityView>);

/// A processing activity of the register (GDPR art. 30).
#[Object]
impl ProcessingActivity {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.activity.id.to_string())
    }
    /// Stable code (slug).
    async fn code(&self) -> &str {
        &self.0.activity.code
    }
    /// Name of the processing.
    async fn name(&self) -> &str {
        &self.0.activity.name
    }
    /// What the processing does.
    async fn description(&self) -> &str {
        &self.0.activity.description
    }
    /// Functional contact of the controller (a service of the city, never a private person).
    async fn controller_contact(&self) -> &str {
        &self.0.activity.controller_contact
    }
    /// Functional contact of the data protection officer.
    async fn dpo_contact(&self) -> &str {
        &self.0.activity.dpo_contact
    }
    /// Purposes.
    async fn purposes(&self) -> Vec<String> {
        json_list(&self.0.activity.purposes)
    }
    /// Lawful basis.
    async fn legal_basis(&self) -> LegalBasis {
        self.0.activity.legal_basis.into()
    }
    /// The text grounding the lawful basis.
    async fn legal_basis_details(&self) -> &str {
        &self.0.activity.legal_basis_details
    }
    /// Categories of data subjects.
    async fn data_subject_categories(&self) -> Vec<String> {
        json_list(&self.0.activity.data_subject_categories)
    }
    /// Categories of data.
    async fn data_categories(&self) -> Vec<String> {
        json_list(&self.0.activity.data_categories)
    }
    /// Recipients.
    async fn recipients(&self) -> Vec<String> {
        json_list(&self.0.activity.recipients)
    }
    /// Transfers outside the European Union; empty when none.
    async fn transfers(&self) -> Vec<String> {
        json_list(&self.0.activity.transfers)
    }
    /// How long data is kept, in days; data past it is purged.
    async fn retention_days(&self) -> i32 {
        self.0.activity.retention_days
    }
    /// How the retention period was chosen.
    async fn retention_details(&self) -> &str {
        &self.0.activity.retention_details
    }
    /// Security measures.
    async fn security_measures(&self) -> Vec<String> {
        json_list(&self.0.activity.security_measures)
    }
    /// The sources that belong to it.
    async fn sources(&self) -> Vec<RegisteredSource> {
        self.0
            .sources
            .iter()
            .cloned()
            .map(RegisteredSource)
            .collect()
    }
    /// Whether a validated DPIA lets its sources run.
    async fn dpia_validated(&self) -> bool {
        self.0
            .dpias
            .iter()
            .any(|d| workflow::opens_gate(d.status, d.cnil_favourable))
    }
    /// Every version of its DPIA, newest first.
    async fn dpias(&self, ctx: &Context<'_>) -> Result<Vec<Dpia>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let filter = DpiaFilter {
            processing_activity_id: Some(self.0.activity.id),
            status: None,
        };
        let documents = dpias::list(db, filter).await?;
        Ok(documents.into_iter().map(Dpia::new).collect())
    }
    /// When the entry was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.activity.created_at
    }
    /// When the entry last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.activity.updated_at
    }
}

/// Result of `upsertProcessingActivity`.
#[derive(SimpleObject)]
pub struct UpsertProcessingActivityPayload {
    /// The entry as stored, with its sources.
    pub processing_activity: ProcessingActivity,
}

/// Result of `setSourceStatus`.
#[derive(SimpleObject)]
pub struct SetSourceStatusPayload {
    /// The source with its new status.
    pub source: RegisteredSource,
}

/// Declares the payload of a DPIA workflow mutation: the version it wrote.
macro_rules! dpia_payload {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {
        $(
            $(#[$meta])*
            #[derive(SimpleObject)]
            pub struct $name {
                /// The DPIA version as stored after the step.
                pub dpia: Dpia,
            }
        )+
    };
}

dpia_payload! {
    /// Result of `createDpia`.
    CreateDpiaPayload,
    /// Result of `submitDpia`.
    SubmitDpiaPayload,
    /// Result of `recordDpoOpinion`.
    RecordDpoOpinionPayload,
    /// Result of `validateDpia`.
    ValidateDpiaPayload,
    /// Result of `rejectDpia`.
    RejectDpiaPayload,
    /// Result of `submitDpiaToCnil`.
    SubmitDpiaToCnilPayload,
    /// Result of `recordCnilAnswer`.
    RecordCnilAnswerPayload,
    /// Result of `importDpia`: a new draft.
    ImportDpiaPayload,
}

/// Result of `updateDpia`.
#[derive(SimpleObject)]
pub struct UpdateDpiaPayload {
    /// The version written: the same one, or a new draft version when the DPIA was frozen.
    pub dpia: Dpia,
    /// Whether the change made a new version (the frozen one is kept unchanged).
    pub new_version: bool,
}
