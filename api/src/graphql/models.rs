//! Trained risk models and the publication gate: `trainedModels` lists what training
//! stored, published or rejected; `publishModel` publishes a rejected model on an
//! administrator's written reason.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::risk_model;
use sea_orm::DatabaseConnection;

use crate::graphql::extensions::Acting;
use crate::graphql::scalars::{Date, parse_id};
use crate::services::scoring::models;

/// Whether a trained model scores events.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ModelStatus {
    /// It met its backtest floors, or an administrator published it with a written reason.
    Published,
    /// The publication gate refused it (floors missed, or no backtest): kept for review, it scores nothing.
    Rejected,
}

impl From<risk_model::ModelStatus> for ModelStatus {
    fn from(value: risk_model::ModelStatus) -> Self {
        match value {
            risk_model::ModelStatus::Published => ModelStatus::Published,
            risk_model::ModelStatus::Rejected => ModelStatus::Rejected,
        }
    }
}

/// A risk model as training stored it, with what the publication gate made of it.
pub struct TrainedModel(pub risk_model::Model);

/// A risk model as training stored it, with what the publication gate made of it.
#[Object]
impl TrainedModel {
    /// Identifier, to pass to `publishModel`.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Version label shown with every score.
    async fn version(&self) -> &str {
        &self.0.version
    }
    /// Published or rejected.
    async fn status(&self) -> ModelStatus {
        self.0.status.into()
    }
    /// Why the gate refused it (the floors missed, or no backtest); null when it passed.
    async fn gate_refusal(&self) -> Option<&str> {
        self.0.gate_refusal.as_deref()
    }
    /// The administrator's written reason for publishing it although the gate refused it; null otherwise.
    async fn publication_reason(&self) -> Option<&str> {
        self.0.publication_reason.as_deref()
    }
    /// Who published it (the training command when the gate let it through); null while rejected.
    async fn published_by(&self) -> Option<&str> {
        self.0.published_by.as_deref()
    }
    /// When it was published (UTC); the latest publication scores. Null while rejected.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// Who trained it (a command, or the first start).
    async fn trained_by(&self) -> &str {
        &self.0.trained_by
    }
    /// When it was trained (UTC).
    async fn trained_at(&self) -> DateTime<Utc> {
        self.0.trained_at
    }
    /// First day of the history it learned from.
    async fn window_first(&self) -> Date {
        Date(self.0.window_first)
    }
    /// Last day of the history it learned from.
    async fn window_last(&self) -> Date {
        Date(self.0.window_last)
    }
    /// Whether a backtest was run on held-out years.
    async fn backtested(&self) -> bool {
        self.0.backtest_json.is_some()
    }
}

/// Result of `publishModel`.
#[derive(SimpleObject)]
pub struct PublishModelPayload {
    /// The model, now published and scoring the coming days.
    pub model: TrainedModel,
}

/// Reading trained models.
#[derive(Default)]
pub struct ModelQuery;

#[Object]
impl ModelQuery {
    /// Every trained model, newest first, published or rejected by the publication gate.
    async fn trained_models(&self, ctx: &Context<'_>) -> Result<Vec<TrainedModel>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(models::list(db)
            .await?
            .into_iter()
            .map(TrainedModel)
            .collect())
    }
}

/// Overruling the publication gate.
#[derive(Default)]
pub struct ModelMutation;

#[Object]
impl ModelMutation {
    /// Publishes a model the publication gate refused, on a written reason kept with the model and in the audit log; the coming 30 days are re-scored with it.
    async fn publish_model(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the rejected model.")] id: ID,
        #[graphql(
            desc = "Why the model is published although it missed its floors, 1 to 2,000 characters; personal data is redacted."
        )]
        reason: String,
    ) -> Result<PublishModelPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let saved =
            models::publish(db, Acting::of(ctx)?.change(), parse_id(&id, "id")?, &reason).await?;
        Ok(PublishModelPayload {
            model: TrainedModel(saved),
        })
    }
}
