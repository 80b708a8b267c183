//! An event's assessment as the schema shows it: expected load per field in real
//! units with its 80 % interval, risks on the absolute 0-10 scale, the requirements with
//! their basis, the adequacy of the planned deployment (missing kinds named), first aid
//! by the DPS grid, and the explanation of every number.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::assessment;
use scoring::features::Field;

use crate::graphql::enums::ResourceKind;
use crate::graphql::scalars::Date;
use crate::services::scoring::{self as service, features::stored_kind};

/// The three fields of risk.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RiskField {
    /// Nuisance, incivilities, occupation of public space.
    Tranquillity,
    /// Incidents, offences, rescue.
    Security,
    /// Traffic, transit, access.
    Mobility,
}

impl From<Field> for RiskField {
    fn from(value: Field) -> Self {
        match value {
            Field::Tranquillity => RiskField::Tranquillity,
            Field::Security => RiskField::Security,
            Field::Mobility => RiskField::Mobility,
        }
    }
}

/// Level of first-aid coverage of the national DPS grid.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DpsType {
    /// RIS up to 0.25: no minimum.
    None,
    /// RIS up to 1.125: an alert and first-aid point of 2 workers.
    Paps,
    /// RIS up to 12: small-scale DPS.
    DpsPe,
    /// RIS up to 36: medium-scale DPS.
    DpsMe,
    /// RIS over 36: large-scale DPS, the prefecture involved.
    DpsGe,
}

impl From<scoring::dps::DpsType> for DpsType {
    fn from(value: scoring::dps::DpsType) -> Self {
        use scoring::dps::DpsType as D;
        match value {
            D::None => DpsType::None,
            D::Paps => DpsType::Paps,
            D::DpsPe => DpsType::DpsPe,
            D::DpsMe => DpsType::DpsMe,
            D::DpsGe => DpsType::DpsGe,
        }
    }
}

/// The risk of one field.
#[derive(SimpleObject)]
pub struct FieldRisk {
    /// The field.
    pub field: RiskField,
    /// Risk from 0 to 10 on the field's absolute scale (fixed reference points on the expected load, see the scoring method): 2 about half a patient or incident (or exits at 30 % of capacity), 5 about 3 (70 %), 8 about 15 (120 %).
    pub risk: f64,
}

/// Incidents expected in one field during the event.
#[derive(SimpleObject)]
pub struct ExpectedIncidents {
    /// The field.
    pub field: RiskField,
    /// Expected count of the field's learned model (a mean): police-relevant incidents, patients, traffic and transit incidents.
    pub incidents: f64,
}

/// What an expected load counts.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum LoadUnit {
    /// Patients presenting to first aid during the event.
    Patients,
    /// Patients taken to hospital.
    HospitalTransfers,
    /// Police-relevant incidents (public order, nuisance, thefts).
    PoliceIncidents,
    /// People leaving in the busiest half hour over what the transit and roads serving the site carry in half an hour (1.0 = saturated).
    OverloadRatio,
}

impl From<scoring::load::LoadUnit> for LoadUnit {
    fn from(value: scoring::load::LoadUnit) -> Self {
        use scoring::load::LoadUnit as U;
        match value {
            U::Patients => LoadUnit::Patients,
            U::HospitalTransfers => LoadUnit::HospitalTransfers,
            U::PoliceIncidents => LoadUnit::PoliceIncidents,
            U::OverloadRatio => LoadUnit::OverloadRatio,
        }
    }
}

/// An expected load in real units with its 80 % interval.
#[derive(SimpleObject)]
pub struct ExpectedLoad {
    /// The field the load belongs to.
    pub field: RiskField,
    /// What is counted.
    pub unit: LoadUnit,
    /// The unit in words.
    pub unit_words: String,
    /// Expected value (a mean).
    pub value: f64,
    /// Lower end of the 80 % interval (10th percentile).
    pub low: f64,
    /// Upper end of the 80 % interval (90th percentile).
    pub high: f64,
}

/// The mobility figures behind the overload ratio.
#[derive(SimpleObject)]
pub struct EgressLoad {
    /// People expected to leave in the busiest half hour.
    pub peak_outflow: f64,
    /// People per half hour the metro near the site and its roads carry away.
    pub capacity: f64,
}

/// One required kind of resource, with the load and ratio it comes from.
#[derive(SimpleObject)]
pub struct Requirement {
    /// Kind of resource.
    pub kind: ResourceKind,
    /// People (or vehicles) required.
    pub count: i32,
    /// The load and the ratio the count comes from, in words.
    pub basis: String,
}

/// Planned against required resources of one kind.
#[derive(SimpleObject)]
pub struct KindAdequacy {
    /// Kind of resource.
    pub kind: ResourceKind,
    /// Planned by the deployment.
    pub planned: i32,
    /// Required by the rules for this expected load.
    pub required: i32,
    /// planned / required in %, one decimal; null when nothing is required.
    pub percent: Option<f64>,
}

/// First aid by the national DPS grid (arrêté of 7 November 2006).
#[derive(SimpleObject)]
pub struct FirstAid {
    /// The grid's risk index (RIS).
    pub ris: f64,
    /// First-aid workers required.
    pub workers: i32,
    /// Level of coverage.
    pub dps_type: DpsType,
}

/// A span of history a model learned from.
#[derive(SimpleObject)]
pub struct TrainingWindow {
    /// First day.
    pub first: Date,
    /// Last day.
    pub last: Date,
    /// Number of past events.
    pub events: i64,
}

impl TrainingWindow {
    /// From the scoring crate's window.
    pub fn new(first: NaiveDate, last: NaiveDate, events: usize) -> Self {
        TrainingWindow {
            first: Date(first),
            last: Date(last),
            events: i64::try_from(events).unwrap_or(i64::MAX),
        }
    }
}

/// One feature's part in a field's expected incidents.
#[derive(SimpleObject)]
pub struct Contribution {
    /// The model input (a design column, e.g. `category_concert`, `log_attendance`).
    pub feature: String,
    /// The event's value of that input.
    pub value: f64,
    /// The learned coefficient (log scale).
    pub coefficient: f64,
    /// coefficient x value: what the input adds to the log of expected incidents.
    pub log_contribution: f64,
    /// How many times the input multiplies expected incidents.
    pub factor: f64,
}

/// Why a field's expected incidents are what they are.
#[derive(SimpleObject)]
pub struct FieldExplanation {
    /// The field.
    pub field: RiskField,
    /// Expected count per thousand attendees of the reference event.
    pub baseline_rate: f64,
    /// The event's exposure in thousand attendees.
    pub exposure: f64,
    /// Expected incidents: exposure x baseline rate x the product of the factors.
    pub expected_incidents: f64,
    /// Non-zero contributions, largest effect first.
    pub contributions: Vec<Contribution>,
}

/// The explanation of an assessment.
#[derive(SimpleObject)]
pub struct Explanation {
    /// Version of the model that scored.
    pub model_version: String,
    /// The history the model learned from.
    pub training_window: TrainingWindow,
    /// One explanation per field.
    pub fields: Vec<FieldExplanation>,
}

/// Where the day's weather an assessment read comes from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum WeatherBasis {
    /// The weather station's observed day (imported Météo-France daily climatology).
    Observed,
    /// The weather feed's cells for the day (forecasts for the coming days): highest temperature, summed rain, strongest gust.
    Forecast,
    /// The climatological normal of the calendar day: the mean of the imported station days within a week of it, every imported year.
    Normal,
    /// Nothing known (no forecast, no imported station history): a mild, dry, calm day, which adds nothing to the risk.
    Unknown,
}

impl From<scoring::features::WeatherBasis> for WeatherBasis {
    fn from(value: scoring::features::WeatherBasis) -> Self {
        use scoring::features::WeatherBasis as B;
        match value {
            B::Observed => WeatherBasis::Observed,
            B::Forecast => WeatherBasis::Forecast,
            B::Normal => WeatherBasis::Normal,
            B::Unknown => WeatherBasis::Unknown,
        }
    }
}

/// The context inputs an assessment read (weather, transit, live presence, past editions), as the model saw them.
#[derive(SimpleObject)]
pub struct AssessmentInputs {
    /// Where the day's weather comes from; null for assessments computed before it was recorded.
    pub weather_basis: Option<WeatherBasis>,
    /// The day's maximum temperature, °C (heat counts above 25 °C).
    pub max_temp_c: f64,
    /// The day's rain, mm.
    pub rain_mm: f64,
    /// The day's strongest wind gust, m/s (counts above 15 m/s).
    pub wind_gust_ms: f64,
    /// Whether a transit disruption was announced in the event's arrondissement (or citywide) during its hours.
    pub transit_disruption: bool,
    /// Peak presence counted during the event over the zone's usual level at that time plus the expected attendance (1.0 = as expected); null before counts exist.
    pub presence_ratio: Option<f64>,
    /// Incidents per 1,000 attendees at the series' past editions over the rate of all past events of its category (1.0 = typical); null for an event without a series or past edition.
    pub past_incident_index: Option<f64>,
}

/// One scoring of an event by the risk model: advice for the supervision team, never a decision.
pub struct Assessment {
    /// The row; its JSON columns are empty when `light`.
    row: assessment::Model,
    /// Read without its JSON columns: the fields built from them load the whole
    /// row first (one batched query for all such assessments of a request).
    light: bool,
}

impl From<assessment::Model> for Assessment {
    fn from(row: assessment::Model) -> Self {
        Assessment { row, light: false }
    }
}

impl Assessment {
    /// An assessment read without its JSON columns
    /// (`services::scoring::current_light_for`).
    pub fn light(row: assessment::Model) -> Self {
        Assessment { row, light: true }
    }

    /// The details stored as JSON, reading the whole row when this one is light.
    async fn details(&self, ctx: &Context<'_>) -> Result<service::StoredDetails> {
        if !self.light {
            return Ok(service::details(&self.row)?);
        }
        let loaders = &ctx.data::<crate::graphql::loaders::Loaders>()?.scoring;
        let full = loaders.by_id.load_one(self.row.id).await?.ok_or_else(|| {
            crate::error::ApiError::not_found(format!("assessment {}", self.row.id))
        })?;
        Ok(service::details(&full)?)
    }
}

/// One scoring of an event by the risk model: advice for the supervision team, never a decision.
#[Object]
impl Assessment {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }
    /// Identifier of the event scored.
    async fn event_id(&self) -> ID {
        ID(self.row.event_id.to_string())
    }
    /// Overall risk from 0 to 10: the highest field risk.
    async fn risk(&self) -> f64 {
        self.row.risk_overall
    }
    /// Risk of each field, tranquillity, security and mobility.
    async fn risk_by_field(&self) -> Vec<FieldRisk> {
        vec![
            FieldRisk {
                field: RiskField::Tranquillity,
                risk: self.row.risk_tranquillity,
            },
            FieldRisk {
                field: RiskField::Security,
                risk: self.row.risk_security,
            },
            FieldRisk {
                field: RiskField::Mobility,
                risk: self.row.risk_mobility,
            },
        ]
    }
    /// Incidents expected during the event, per field.
    async fn expected(&self) -> Vec<ExpectedIncidents> {
        vec![
            ExpectedIncidents {
                field: RiskField::Tranquillity,
                incidents: self.row.expected_tranquillity,
            },
            ExpectedIncidents {
                field: RiskField::Security,
                incidents: self.row.expected_security,
            },
            ExpectedIncidents {
                field: RiskField::Mobility,
                incidents: self.row.expected_mobility,
            },
        ]
    }
    /// Expected load per field in real units with its 80 % interval: police-relevant incidents (tranquillity), patients and hospital transfers (security), overload ratio (mobility); empty for assessments computed before loads existed.
    async fn expected_load(&self, ctx: &Context<'_>) -> Result<Vec<ExpectedLoad>> {
        let Some(load) = self.details(ctx).await?.load else {
            return Ok(Vec::new());
        };
        let item = |field: Field, l: scoring::load::ExpectedLoad| ExpectedLoad {
            field: field.into(),
            unit: l.unit.into(),
            unit_words: l.unit.words().to_owned(),
            value: l.value,
            low: l.low,
            high: l.high,
        };
        Ok(vec![
            item(Field::Tranquillity, load.incidents),
            item(Field::Security, load.patients),
            item(Field::Security, load.transfers),
            item(Field::Mobility, load.overload),
        ])
    }
    /// The peak outflow and the capacity behind the overload ratio; null for assessments computed before loads existed.
    async fn egress(&self, ctx: &Context<'_>) -> Result<Option<EgressLoad>> {
        Ok(self.details(ctx).await?.load.map(|l| EgressLoad {
            peak_outflow: l.peak_outflow,
            capacity: l.egress_capacity,
        }))
    }
    /// Required kinds of resources, each with the load and ratio it comes from; kinds the load does not call for are absent.
    async fn requirements(&self, ctx: &Context<'_>) -> Result<Vec<Requirement>> {
        Ok(self
            .details(ctx)
            .await?
            .requirements
            .into_iter()
            .map(|r| Requirement {
                kind: stored_kind(r.kind).into(),
                count: i32::try_from(r.count).unwrap_or(i32::MAX),
                basis: r.basis,
            })
            .collect())
    }
    /// Required kinds with nothing planned: named here rather than counted as 0 % in the overall adequacy.
    async fn missing_kinds(&self, ctx: &Context<'_>) -> Result<Vec<ResourceKind>> {
        Ok(self
            .details(ctx)
            .await?
            .adequacy
            .missing
            .iter()
            .map(|k| stored_kind(*k).into())
            .collect())
    }
    /// Overall adequacy in %: the least covered required kind among those planned (over 100 % means oversized); null when nothing required is planned (see missingKinds).
    async fn adequacy(&self) -> Option<f64> {
        self.row.adequacy_overall
    }
    /// Planned people of the required kinds that are planned over their required people, in %; null when nothing required is planned.
    async fn adequacy_weighted(&self) -> Option<f64> {
        self.row.adequacy_weighted
    }
    /// Planned against required, for every kind of resource.
    async fn adequacy_by_kind(&self, ctx: &Context<'_>) -> Result<Vec<KindAdequacy>> {
        let details = self.details(ctx).await?;
        Ok(details
            .adequacy
            .by_kind
            .iter()
            .map(|k| KindAdequacy {
                kind: stored_kind(k.kind).into(),
                planned: i32::try_from(k.planned).unwrap_or(i32::MAX),
                required: i32::try_from(k.required).unwrap_or(i32::MAX),
                percent: k.percent,
            })
            .collect())
    }
    /// Required kinds planned below 100 %, missing ones included.
    async fn short_kinds(&self, ctx: &Context<'_>) -> Result<Vec<ResourceKind>> {
        let details = self.details(ctx).await?;
        Ok(details
            .adequacy
            .short
            .iter()
            .map(|k| stored_kind(*k).into())
            .collect())
    }
    /// First aid required by the national DPS grid.
    async fn first_aid(&self) -> FirstAid {
        FirstAid {
            ris: self.row.first_aid_ris,
            workers: self.row.first_aid_workers,
            dps_type: service::dps_type(&self.row).into(),
        }
    }
    /// Why: the contribution of each feature to each field's expected incidents.
    async fn explanation(&self, ctx: &Context<'_>) -> Result<Explanation> {
        let e = self.details(ctx).await?.explanation;
        Ok(Explanation {
            model_version: e.model_version,
            training_window: TrainingWindow::new(
                e.training_window.first,
                e.training_window.last,
                e.training_window.events,
            ),
            fields: e
                .fields
                .into_iter()
                .map(|f| FieldExplanation {
                    field: f.field.into(),
                    baseline_rate: f.baseline_rate,
                    exposure: f.exposure,
                    expected_incidents: f.expected_incidents,
                    contributions: f
                        .contributions
                        .into_iter()
                        .map(|c| Contribution {
                            feature: c.feature,
                            value: c.value,
                            coefficient: c.coefficient,
                            log_contribution: c.log_contribution,
                            factor: c.factor,
                        })
                        .collect(),
                })
                .collect(),
        })
    }
    /// The context inputs the model read for this assessment: the day's weather and where it comes from, transit disruption, live presence, past editions.
    async fn inputs(&self, ctx: &Context<'_>) -> Result<AssessmentInputs> {
        let features = if self.light {
            let loaders = &ctx.data::<crate::graphql::loaders::Loaders>()?.scoring;
            let full = loaders.by_id.load_one(self.row.id).await?.ok_or_else(|| {
                crate::error::ApiError::not_found(format!("assessment {}", self.row.id))
            })?;
            service::inputs::stored_features(&full)?
        } else {
            service::inputs::stored_features(&self.row)?
        };
        Ok(AssessmentInputs {
            weather_basis: features.weather_basis.map(Into::into),
            max_temp_c: features.weather.max_temp_c,
            rain_mm: features.weather.rain_mm,
            wind_gust_ms: features.weather.wind_gust_ms,
            transit_disruption: features.transit_disruption,
            presence_ratio: features.presence_ratio,
            past_incident_index: features.past_incident_index,
        })
    }
    /// Version of the model that scored.
    async fn model_version(&self) -> &str {
        &self.row.model_version
    }
    /// Version of the adequacy rules applied.
    async fn rules_version(&self) -> &str {
        &self.row.rules_version
    }
    /// When the assessment was computed (UTC).
    async fn computed_at(&self) -> DateTime<Utc> {
        self.row.computed_at
    }
    /// What caused this assessment to be computed, in words: an edit of the event or of its deployment, an event created or changed nearby, observations received for its zone and time (presence counts, a forecast, a transit disruption, a density alert), a new model, the daily pass. Null for assessments stored before the cause was recorded.
    async fn triggered_by(&self) -> Option<&str> {
        self.row.triggered_by.as_deref()
    }
    /// Whether the event's inputs (the event, its venue, its deployment, the day's data) changed since this assessment was computed and no new one could be computed (scoring paused, no model published): its risks, expected incidents and adequacy are then out of date. First aid on the event itself (`Event.firstAid`) is always current.
    async fn stale(&self) -> bool {
        self.row.inputs_changed_at.is_some()
    }
    /// When the inputs were first seen to change since this assessment was computed; null while it is current.
    async fn stale_since(&self) -> Option<DateTime<Utc>> {
        self.row.inputs_changed_at
    }
}
