//! The register of processing and the DPIA tables: processing activities, DPIA
//! versions, their answers, measures and evaluations.
//!
//! `source.processing_activity_id` already exists (agenda migration); SQLite cannot
//! add a foreign key to an existing table, so the link is checked by the services.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates the register's tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProcessingActivity::Table)
                    .col(big_pk_auto(ProcessingActivity::Id))
                    .col(string_len_uniq(ProcessingActivity::Code, 64))
                    .col(string(ProcessingActivity::Name))
                    .col(text(ProcessingActivity::Description))
                    .col(string(ProcessingActivity::ControllerContact))
                    .col(string(ProcessingActivity::DpoContact))
                    .col(json(ProcessingActivity::Purposes))
                    .col(string_len(ProcessingActivity::LegalBasis, 24))
                    .col(text(ProcessingActivity::LegalBasisDetails))
                    .col(json(ProcessingActivity::DataSubjectCategories))
                    .col(json(ProcessingActivity::DataCategories))
                    .col(json(ProcessingActivity::Recipients))
                    .col(json(ProcessingActivity::Transfers))
                    .col(integer(ProcessingActivity::RetentionDays))
                    .col(text(ProcessingActivity::RetentionDetails))
                    .col(json(ProcessingActivity::SecurityMeasures))
                    .col(timestamp_with_time_zone(ProcessingActivity::CreatedAt))
                    .col(timestamp_with_time_zone(ProcessingActivity::UpdatedAt))
                    .check(Expr::col(ProcessingActivity::RetentionDays).gt(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Dpia::Table)
                    .col(big_pk_auto(Dpia::Id))
                    .col(big_integer(Dpia::ProcessingActivityId))
                    .col(integer(Dpia::Version))
                    .col(big_integer_null(Dpia::PreviousVersionId))
                    .col(string_len(Dpia::Status, 24))
                    .col(string(Dpia::Name))
                    .col(string(Dpia::AuthorName))
                    .col(string(Dpia::EvaluatorName))
                    .col(string(Dpia::ValidatorName))
                    .col(big_integer_null(Dpia::AuthorUserId))
                    .col(integer_null(Dpia::DpoStatus))
                    .col(text(Dpia::DpoOpinion))
                    .col(string(Dpia::DposNames))
                    .col(boolean_null(Dpia::ConcernedPeopleSearchedOpinion))
                    .col(text(Dpia::ConcernedPeopleSearchedContent))
                    .col(string(Dpia::PeopleNames))
                    .col(integer_null(Dpia::ConcernedPeopleStatus))
                    .col(text(Dpia::ConcernedPeopleOpinion))
                    .col(text(Dpia::RejectionReason))
                    .col(text(Dpia::AppliedAdjustments))
                    .col(boolean(Dpia::Signed))
                    .col(timestamp_with_time_zone_null(Dpia::ValidatedAt))
                    .col(string_null(Dpia::CnilReference))
                    .col(timestamp_with_time_zone_null(Dpia::CnilSubmittedAt))
                    .col(text_null(Dpia::CnilAnswer))
                    .col(boolean_null(Dpia::CnilFavourable))
                    .col(timestamp_with_time_zone_null(Dpia::CnilAnsweredAt))
                    .col(timestamp_with_time_zone(Dpia::CreatedAt))
                    .col(timestamp_with_time_zone(Dpia::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Dpia::Table, Dpia::ProcessingActivityId)
                            .to(ProcessingActivity::Table, ProcessingActivity::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Dpia::Table, Dpia::PreviousVersionId)
                            .to(Dpia::Table, Dpia::Id),
                    )
                    .check(Expr::col(Dpia::Version).gte(1))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_dpia_activity_version")
                    .table(Dpia::Table)
                    .col(Dpia::ProcessingActivityId)
                    .col(Dpia::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DpiaAnswer::Table)
                    .col(big_pk_auto(DpiaAnswer::Id))
                    .col(big_integer(DpiaAnswer::DpiaId))
                    .col(integer(DpiaAnswer::QuestionId))
                    .col(text_null(DpiaAnswer::Text))
                    .col(integer_null(DpiaAnswer::Gauge))
                    .col(json(DpiaAnswer::List))
                    .col(timestamp_with_time_zone(DpiaAnswer::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DpiaAnswer::Table, DpiaAnswer::DpiaId)
                            .to(Dpia::Table, Dpia::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_dpia_answer_question")
                    .table(DpiaAnswer::Table)
                    .col(DpiaAnswer::DpiaId)
                    .col(DpiaAnswer::QuestionId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DpiaMeasure::Table)
                    .col(big_pk_auto(DpiaMeasure::Id))
                    .col(big_integer(DpiaMeasure::DpiaId))
                    .col(integer(DpiaMeasure::Number))
                    .col(string(DpiaMeasure::Title))
                    .col(text(DpiaMeasure::Content))
                    .col(timestamp_with_time_zone(DpiaMeasure::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DpiaMeasure::Table, DpiaMeasure::DpiaId)
                            .to(Dpia::Table, Dpia::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_dpia_measure_number")
                    .table(DpiaMeasure::Table)
                    .col(DpiaMeasure::DpiaId)
                    .col(DpiaMeasure::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DpiaEvaluation::Table)
                    .col(big_pk_auto(DpiaEvaluation::Id))
                    .col(big_integer(DpiaEvaluation::DpiaId))
                    .col(string_len(DpiaEvaluation::ReferenceTo, 32))
                    .col(string_len(DpiaEvaluation::Status, 16))
                    .col(integer(DpiaEvaluation::GaugeX))
                    .col(integer(DpiaEvaluation::GaugeY))
                    .col(text(DpiaEvaluation::ActionPlanComment))
                    .col(text(DpiaEvaluation::EvaluationComment))
                    .col(string(DpiaEvaluation::PersonInCharge))
                    .col(timestamp_with_time_zone_null(
                        DpiaEvaluation::EstimatedImplementationDate,
                    ))
                    .col(timestamp_with_time_zone(DpiaEvaluation::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DpiaEvaluation::Table, DpiaEvaluation::DpiaId)
                            .to(Dpia::Table, Dpia::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_dpia_evaluation_reference")
                    .table(DpiaEvaluation::Table)
                    .col(DpiaEvaluation::DpiaId)
                    .col(DpiaEvaluation::ReferenceTo)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DpiaEvaluation::Table.into_iden(),
            DpiaMeasure::Table.into_iden(),
            DpiaAnswer::Table.into_iden(),
            Dpia::Table.into_iden(),
            ProcessingActivity::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ProcessingActivity {
    Table,
    Id,
    Code,
    Name,
    Description,
    ControllerContact,
    DpoContact,
    Purposes,
    LegalBasis,
    LegalBasisDetails,
    DataSubjectCategories,
    DataCategories,
    Recipients,
    Transfers,
    RetentionDays,
    RetentionDetails,
    SecurityMeasures,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Dpia {
    Table,
    Id,
    ProcessingActivityId,
    Version,
    PreviousVersionId,
    Status,
    Name,
    AuthorName,
    EvaluatorName,
    ValidatorName,
    AuthorUserId,
    DpoStatus,
    DpoOpinion,
    DposNames,
    ConcernedPeopleSearchedOpinion,
    ConcernedPeopleSearchedContent,
    PeopleNames,
    ConcernedPeopleStatus,
    ConcernedPeopleOpinion,
    RejectionReason,
    AppliedAdjustments,
    Signed,
    ValidatedAt,
    CnilReference,
    CnilSubmittedAt,
    CnilAnswer,
    CnilFavourable,
    CnilAnsweredAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DpiaAnswer {
    Table,
    Id,
    DpiaId,
    QuestionId,
    Text,
    Gauge,
    List,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DpiaMeasure {
    Table,
    Id,
    DpiaId,
    Number,
    Title,
    Content,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DpiaEvaluation {
    Table,
    Id,
    DpiaId,
    ReferenceTo,
    Status,
    GaugeX,
    GaugeY,
    ActionPlanComment,
    EvaluationComment,
    PersonInCharge,
    EstimatedImplementationDate,
    CreatedAt,
}
