//! The register of processing and the DPIA workflow over GraphQL. Resolvers read
//! the caller, call one service function and wrap its result; who may take each
//! step is the permission matrix's to say.

pub mod inputs;

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use sea_orm::DatabaseConnection;

use crate::graphql::extensions::Acting;
use crate::graphql::scalars::{parse_id, parse_opt_id};
use crate::graphql::types::register::compare::{DpiaComparison, DpiaExportFile};
use crate::graphql::types::register::{
    CreateDpiaPayload, Dpia, DpiaExportFormat, DpiaStatus, ImportDpiaPayload, ProcessingActivity,
    RecordCnilAnswerPayload, RecordDpoOpinionPayload, RegisteredSource, RejectDpiaPayload,
    SetSourceStatusPayload, SourceStatus, SubmitDpiaPayload, SubmitDpiaToCnilPayload,
    UpdateDpiaPayload, UpsertProcessingActivityPayload, ValidateDpiaPayload,
};
use crate::services::register::dpias::{self, DpiaFilter};
use crate::services::register::files::{self, ExportFormat};
use crate::services::register::{activities, gate};
use inputs::{CreateDpiaInput, ProcessingActivityInput, RecordDpoOpinionInput, UpdateDpiaInput};

/// Loads a version after a workflow step, for its payload.
async fn reload(db: &DatabaseConnection, id: i64) -> Result<Dpia> {
    Ok(Dpia::new(dpias::get(db, id).await?))
}

/// Reading the register and the DPIAs.
#[derive(Default)]
pub struct RegisterQuery;

#[Object]
impl RegisterQuery {
    /// Every processing activity of the register (GDPR art. 30), by code. The register is short (a few dozen entries), so it is a plain list.
    async fn processing_activities(&self, ctx: &Context<'_>) -> Result<Vec<ProcessingActivity>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let views = activities::list(db, None).await?;
        Ok(views
            .into_iter()
            .map(|v| ProcessingActivity(Arc::new(v)))
            .collect())
    }

    /// One processing activity.
    async fn processing_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the processing activity.")] id: ID,
    ) -> Result<ProcessingActivity> {
        let db = ctx.data::<DatabaseConnection>()?;
        let view = activities::get(db, parse_id(&id, "id")?).await?;
        Ok(ProcessingActivity(Arc::new(view)))
    }

    /// DPIA versions, by processing activity then newest version first.
    async fn dpias(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the versions of this processing activity's DPIA.")]
        processing_activity_id: Option<ID>,
        #[graphql(desc = "Only the versions in this status.")] status: Option<DpiaStatus>,
    ) -> Result<Vec<Dpia>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let filter = DpiaFilter {
            processing_activity_id: parse_opt_id(
                processing_activity_id.as_ref(),
                "processingActivityId",
            )?,
            status: status.map(Into::into),
        };
        let documents = dpias::list(db, filter).await?;
        Ok(documents.into_iter().map(Dpia::new).collect())
    }

    /// One DPIA version.
    async fn dpia(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the DPIA version.")] id: ID,
    ) -> Result<Dpia> {
        let db = ctx.data::<DatabaseConnection>()?;
        reload(db, parse_id(&id, "id")?).await
    }

    /// A DPIA version as a file: the CNIL PIA tool's JSON (as text, to parse) or a Markdown report.
    async fn dpia_export(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the DPIA version.")] id: ID,
        #[graphql(desc = "Format of the file.")] format: DpiaExportFormat,
    ) -> Result<DpiaExportFile> {
        let db = ctx.data::<DatabaseConnection>()?;
        let service_format = match format {
            DpiaExportFormat::CnilPia => ExportFormat::CnilPia,
            DpiaExportFormat::Markdown => ExportFormat::Markdown,
        };
        let file = files::export(db, parse_id(&id, "id")?, service_format).await?;
        Ok(DpiaExportFile {
            format,
            file_name: file.file_name,
            media_type: file.media_type.to_owned(),
            content: file.content,
        })
    }

    /// What changed from one DPIA version to another: answers, measures and header texts.
    async fn dpia_compare(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the first (usually older) version.")] a: ID,
        #[graphql(desc = "Identifier of the second (usually newer) version.")] b: ID,
    ) -> Result<DpiaComparison> {
        let db = ctx.data::<DatabaseConnection>()?;
        let (first, second, changes) =
            files::compare(db, parse_id(&a, "a")?, parse_id(&b, "b")?).await?;
        Ok(DpiaComparison {
            a: Dpia::new(first),
            b: Dpia::new(second),
            changes,
        })
    }
}

/// Keeping the register and moving DPIAs through their workflow.
#[derive(Default)]
pub struct RegisterMutation;

#[Object]
impl RegisterMutation {
    /// Creates or replaces (by code) a processing activity, and links its sources. Admin or DPO.
    async fn upsert_processing_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The register entry.")] input: ProcessingActivityInput,
    ) -> Result<UpsertProcessingActivityPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let view = activities::upsert(db, Acting::of(ctx)?.change(), input.into_service()?).await?;
        Ok(UpsertProcessingActivityPayload {
            processing_activity: ProcessingActivity(Arc::new(view)),
        })
    }

    /// Drafts the first DPIA of a processing activity. Admin or supervisor (the author).
    async fn create_dpia(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The draft.")] input: CreateDpiaInput,
    ) -> Result<CreateDpiaPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let (activity, draft) = input.into_service()?;
        let model = dpias::create(db, Acting::of(ctx)?.change(), activity, draft).await?;
        Ok(CreateDpiaPayload {
            dpia: reload(db, model.id).await?,
        })
    }

    /// Changes a DPIA: in place while a draft (a rejected one returns to draft); a frozen (validated) one gets a new draft version and stays unchanged. Admin or supervisor.
    async fn update_dpia(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the DPIA version; it must be the latest.")] id: ID,
        #[graphql(desc = "The changes.")] input: UpdateDpiaInput,
    ) -> Result<UpdateDpiaPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let id = parse_id(&id, "id")?;
        let model = dpias::update(db, Acting::of(ctx)?.change(), id, input.into()).await?;
        Ok(UpdateDpiaPayload {
            new_version: model.id != id,
            dpia: reload(db, model.id).await?,
        })
    }

    /// Submits a complete draft to the DPO. Admin or supervisor.
    async fn submit_dpia(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the DPIA version.")] id: ID,
    ) -> Result<SubmitDpiaPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let model = dpias::submit(db, Acting::of(ctx)?.change(), parse_id(&id, "id")?).await?;
        Ok(SubmitDpiaPayload {
            dpia: reload(db, model.id).await?,
        })
    }

    /// Records the DPO's opinion and evaluations on a submitted DPIA. DPO only.
    async fn record_dpo_opinion(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the DPIA version.")] id: ID,
        #[graphql(desc = "The opinion and evaluations.")] input: RecordDpoOpinionInput,
    ) -> Result<RecordDpoOpinionPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let model = dpias::record_dpo_opinion(
            db,
            Acting::of(ctx)?.change(),
            parse_id(&id, "id")?,
            input.into(),
        )
        .await?;
        Ok(RecordDpoOpinionPayload {
            dpia: reload(db, model.id).await?,
        })
    }

    /// Validates a DPIA that has the DPO's opinion; it is then frozen and earlier validated versions are superseded. Admin only.
    async fn validate_dpia(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the DPIA version.")] id: ID,
        #[graphql(
            desc = "Whether the validation is signed (CNIL status 3) rather than simple (2).",
            default = false
        )]
        signed: bool,
        #[graphql(desc = "Validator's name; the caller's when omitted.")] validator_name: Option<
            String,
        >,
    ) -> Result<ValidateDpiaPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let model = dpias::validate(
            db,
            Acting::of(ctx)?.change(),
            parse_id(&id, "id")?,
            validator_name,
            signed,
        )
        .await?;
        Ok(ValidateDpiaPayload {
            dpia: reload(db, model.id).await?,
        })
    }

    /// Rejects a DPIA that has the DPO's opinion, with a reason; its author may rework it. Admin only.
    async fn reject_dpia(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the DPIA version.")] id: ID,
        #[graphql(desc = "Why it is rejected; required.")] reason: String,
        #[graphql(desc = "Validator's name; the caller's when omitted.")] validator_name: Option<
            String,
        >,
    ) -> Result<RejectDpiaPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let model = dpias::reject(
            db,
            Acting::of(ctx)?.change(),
            parse_id(&id, "id")?,
            &reason,
            validator_name,
        )
        .await?;
        Ok(RejectDpiaPayload {
            dpia: reload(db, model.id).await?,
        })
    }

    /// Records that a validated DPIA was sent to the CNIL. Admin or DPO.
    async fn submit_dpia_to_cnil(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the DPIA version.")] id: ID,
        #[graphql(desc = "The CNIL's reference of the submission, if known.")] reference: Option<
            String,
        >,
    ) -> Result<SubmitDpiaToCnilPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let model = dpias::submit_to_cnil(
            db,
            Acting::of(ctx)?.change(),
            parse_id(&id, "id")?,
            reference,
        )
        .await?;
        Ok(SubmitDpiaToCnilPayload {
            dpia: reload(db, model.id).await?,
        })
    }

    /// Records the CNIL's answer to a submitted DPIA; an unfavourable answer stops its sources. Admin or DPO.
    async fn record_cnil_answer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the DPIA version.")] id: ID,
        #[graphql(desc = "Whether the CNIL's answer allows the processing.")] favourable: bool,
        #[graphql(desc = "The answer, summarized or quoted; required.")] answer: String,
    ) -> Result<RecordCnilAnswerPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let model = dpias::record_cnil_answer(
            db,
            Acting::of(ctx)?.change(),
            parse_id(&id, "id")?,
            favourable,
            &answer,
        )
        .await?;
        Ok(RecordCnilAnswerPayload {
            dpia: reload(db, model.id).await?,
        })
    }

    /// Reads a CNIL PIA tool file into a new draft: version 1 of the activity's DPIA, or its next version when the latest is frozen. Admin or supervisor.
    async fn import_dpia(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The processing activity the DPIA assesses.")] processing_activity_id: ID,
        #[graphql(
            desc = "The file's JSON text `{pia, answers, measures, evaluations, comments}`."
        )]
        file: String,
    ) -> Result<ImportDpiaPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let activity = parse_id(&processing_activity_id, "processingActivityId")?;
        let model = files::import(db, Acting::of(ctx)?.change(), activity, &file).await?;
        Ok(ImportDpiaPayload {
            dpia: reload(db, model.id).await?,
        })
    }

    /// Changes a source's status; activating it requires a validated DPIA of its processing activity (else POLICY_VIOLATION, rule DPIA_NOT_VALIDATED or SOURCE_NOT_REGISTERED). Admin only.
    async fn set_source_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the source.")] source_id: ID,
        #[graphql(desc = "The new status.")] status: SourceStatus,
    ) -> Result<SetSourceStatusPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let id = parse_id(&source_id, "sourceId")?;
        let source =
            gate::set_source_status(db, Acting::of(ctx)?.change(), id, status.into()).await?;
        Ok(SetSourceStatusPayload {
            source: RegisteredSource(source),
        })
    }
}
