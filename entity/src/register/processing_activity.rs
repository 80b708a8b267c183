//! One processing activity of the register (GDPR art. 30): who is responsible,
//! why data is processed, what data, for whom and for how long.

use sea_orm::entity::prelude::*;

/// Lawful basis of a processing (GDPR art. 6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum LegalBasis {
    /// Art. 6.1.a: consent of the data subjects.
    #[sea_orm(string_value = "consent")]
    Consent,
    /// Art. 6.1.b: performance of a contract.
    #[sea_orm(string_value = "contract")]
    Contract,
    /// Art. 6.1.c: a legal obligation of the controller.
    #[sea_orm(string_value = "legal_obligation")]
    LegalObligation,
    /// Art. 6.1.d: vital interests of a person.
    #[sea_orm(string_value = "vital_interests")]
    VitalInterests,
    /// Art. 6.1.e: a task carried out in the public interest.
    #[sea_orm(string_value = "public_task")]
    PublicTask,
    /// Art. 6.1.f: legitimate interests (not open to public authorities' tasks).
    #[sea_orm(string_value = "legitimate_interests")]
    LegitimateInterests,
}

/// One processing activity row. List-valued fields are JSON arrays of strings.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "processing_activity")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Stable public code (slug); the seed finds its rows by it.
    #[sea_orm(unique)]
    pub code: String,
    /// Name of the processing.
    pub name: String,
    /// What the processing does, in a few sentences.
    pub description: String,
    /// Functional contact of the controller (a service's address, never a person's).
    pub controller_contact: String,
    /// Functional contact of the data protection officer.
    pub dpo_contact: String,
    /// Purposes (JSON array of strings).
    pub purposes: Json,
    /// Lawful basis.
    pub legal_basis: LegalBasis,
    /// The text that grounds the basis (law, deliberation).
    pub legal_basis_details: String,
    /// Categories of data subjects (JSON array of strings).
    pub data_subject_categories: Json,
    /// Categories of data (JSON array of strings).
    pub data_categories: Json,
    /// Recipients (JSON array of strings).
    pub recipients: Json,
    /// Transfers outside the European Union (JSON array; empty when none).
    pub transfers: Json,
    /// How long data is kept, in days; the retention job purges past it.
    pub retention_days: i32,
    /// How the retention period was chosen, or what happens at its end.
    pub retention_details: String,
    /// Security measures (JSON array of strings).
    pub security_measures: Json,
    /// When the row was created.
    pub created_at: DateTimeUtc,
    /// When the row last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries in the API's services.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
