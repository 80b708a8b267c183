//! The history the risk model learns from: past events in the `event` table with
//! their observed incidents per field in `event_outcome`. For the demo, it is drawn
//! by `scoring::history::generate` (deterministic for a seed, with real weather and
//! holidays where imported) and its events are placed at the seeded venues of the
//! same kind. Storing 50,000 events takes multi-row inserts in one transaction.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use entity::enums::{EventStatus, VenueKind as DbVenueKind, ZoneLevel};
use entity::{event, event_outcome, platform_setting, venue};
use scoring::features::{EventCategory, HistoryRow, VenueKind};
use scoring::history::{self, CalendarInputs, GeneratorConfig};
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait};

use crate::context::{Operation, OperationKind, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::services::scoring::features::{stored_category, stored_profile, venue_kind};
use crate::services::scoring::imports::imported_calendar;
use crate::services::scoring::models::{GENERATOR_KEY, Progress};
use crate::services::work::Change;
use crate::time::{paris_day_start, paris_local_to_utc};

/// Events per multi-row insert: 17 columns x 1,000 rows stays under SQLite's 32,766
/// parameters and PostgreSQL's 65,535.
const CHUNK: usize = 1_000;

/// What history to generate: a generator configuration and the days to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPlan {
    /// The generator's configuration (calendar years, events a year, seed).
    pub config: GeneratorConfig,
    /// First day kept.
    pub first_day: NaiveDate,
    /// Last day kept: no kept event runs past it.
    pub last_day: NaiveDate,
}

impl HistoryPlan {
    /// Ten years up to `yesterday`, about 5,000 events a year, the default seed.
    pub fn ten_years_to(yesterday: NaiveDate) -> Self {
        let first_day = yesterday
            .checked_sub_months(chrono::Months::new(120))
            .and_then(|d| d.succ_opt())
            .unwrap_or(yesterday);
        use chrono::Datelike;
        let config = GeneratorConfig {
            first_year: first_day.year(),
            years: u32::try_from(yesterday.year() - first_day.year() + 1).unwrap_or(1),
            ..GeneratorConfig::default()
        };
        HistoryPlan {
            config,
            first_day,
            last_day: yesterday,
        }
    }

    /// Whole calendar years: `years` from `first_year`, `events_per_year` a year.
    pub fn calendar_years(first_year: i32, years: u32, events_per_year: u32, seed: u64) -> Self {
        let years = years.max(1);
        let last_year = first_year + i32::try_from(years).unwrap_or(1) - 1;
        HistoryPlan {
            config: GeneratorConfig {
                seed,
                first_year,
                years,
                events_per_year,
                ..GeneratorConfig::default()
            },
            first_day: NaiveDate::from_ymd_opt(first_year, 1, 1).unwrap_or_default(),
            last_day: NaiveDate::from_ymd_opt(last_year, 12, 31).unwrap_or_default(),
        }
    }
}

/// What seeding the history did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryReport {
    /// Past events stored.
    pub events: usize,
    /// Whether a history was already there (nothing done).
    pub already_there: bool,
}

/// Generates and stores the history unless one is already stored.
pub async fn seed_history(
    db: &sea_orm::DatabaseConnection,
    plan: &HistoryPlan,
    progress: &dyn Progress,
) -> ApiResult<HistoryReport> {
    if event_outcome::Entity::find().count(db).await? > 0 {
        return Ok(HistoryReport {
            events: 0,
            already_there: true,
        });
    }
    progress.stage("generating history");
    let last_year = plan.config.first_year + i32::try_from(plan.config.years).unwrap_or(1) - 1;
    let calendar = imported_calendar(db, plan.config.first_year, last_year).await?;
    let inputs = CalendarInputs {
        weather: Some(&calendar.weather),
        public_holidays: calendar.public_holidays.as_ref(),
        school_holidays: calendar.school_holidays.as_ref(),
    };
    let generated = history::generate(&plan.config, &inputs)
        .map_err(|err| ApiError::bad_input("config", err.to_string()))?;
    let end = paris_day_start(plan.last_day + Duration::days(1));
    let rows: Vec<(HistoryRow, chrono::DateTime<Utc>, chrono::DateTime<Utc>)> = generated
        .rows
        .into_iter()
        .filter(|r| r.features.date >= plan.first_day && r.features.date <= plan.last_day)
        .map(|r| {
            let hour = NaiveTime::from_hms_opt(u32::from(r.features.start_hour), 0, 0)
                .unwrap_or(NaiveTime::MIN);
            let starts_at = paris_local_to_utc(r.features.date.and_time(hour));
            let seconds = (r.features.duration_hours * 3600.0).round() as i64;
            (r, starts_at, starts_at + Duration::seconds(seconds.max(60)))
        })
        .filter(|(_, _, ends_at)| *ends_at <= end)
        .collect();
    let places = Places::load(db).await?;
    let origin = format!("synthetic:{}", plan.config.seed);
    let ctx = RequestContext::task("history");
    let operation = Operation::named(OperationKind::Task, "synthetic history", "seedHistory");
    let work = Change::new(&ctx, &operation).begin(db).await?;
    let txn = work.txn();
    progress.stage("storing history");
    let now = Utc::now();
    let mut stored = 0;
    for chunk in rows.chunks(CHUNK) {
        let events = chunk
            .iter()
            .enumerate()
            .map(|(i, (row, starts_at, ends_at))| {
                let (venue_id, zone_id, name) = places.pick(&row.features, stored + i);
                event::ActiveModel {
                    title: Set(format!("{} · {name}", label(row.features.category))),
                    category: Set(stored_category(row.features.category)),
                    venue_id: Set(venue_id),
                    zone_id: Set(zone_id),
                    starts_at: Set(*starts_at),
                    ends_at: Set(*ends_at),
                    expected_attendance: Set(i64::from(row.features.attendance)),
                    organizer: Set(None),
                    public_profile: Set(stored_profile(row.features.public_profile)),
                    alcohol: Set(row.features.alcohol),
                    status: Set(EventStatus::Confirmed),
                    status_reason: Set(None),
                    series: Set(None),
                    source_id: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
            });
        let ids = insert_events(txn, events.collect(), chunk.len()).await?;
        let outcomes = chunk.iter().zip(ids).map(|((row, _, _), id)| {
            let count = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
            Ok(event_outcome::ActiveModel {
                event_id: Set(id),
                tranquillity: Set(count(row.incidents.tranquillity)),
                security: Set(count(row.incidents.security)),
                mobility: Set(count(row.incidents.mobility)),
                features: Set(serde_json::to_string(&row.features).map_err(ApiError::internal)?),
                origin: Set(origin.clone()),
            })
        });
        event_outcome::Entity::insert_many(outcomes.collect::<ApiResult<Vec<_>>>()?)
            .exec_without_returning(txn)
            .await?;
        stored += chunk.len();
        progress.rows(stored as u64, rows.len() as u64);
    }
    platform_setting::Entity::insert(platform_setting::ActiveModel {
        key: Set(GENERATOR_KEY.to_owned()),
        value: Set(serde_json::to_string(&plan.config).map_err(ApiError::internal)?),
        updated_by: Set("history seed".to_owned()),
        updated_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    let summary = format!(
        "{stored} synthetic past events with their incidents ({} to {})",
        plan.first_day, plan.last_day
    );
    work.commit_with_summary(stored as i64, Some(summary))
        .await?;
    Ok(HistoryReport {
        events: stored,
        already_there: false,
    })
}

/// Inserts events and returns their ids in insertion order. PostgreSQL returns them;
/// on SQLite the writer holds the database lock for the whole transaction, so the
/// ids of one statement are consecutive and end at the last inserted rowid.
async fn insert_events<C: ConnectionTrait>(
    db: &C,
    rows: Vec<event::ActiveModel>,
    count: usize,
) -> ApiResult<Vec<i64>> {
    if db.get_database_backend() == DbBackend::Postgres {
        let mut ids = event::Entity::insert_many(rows)
            .exec_with_returning_keys(db)
            .await?;
        // One statement draws its ids from the sequence in VALUES order.
        ids.sort_unstable();
        return Ok(ids);
    }
    let last = event::Entity::insert_many(rows)
        .exec(db)
        .await?
        .last_insert_id
        .ok_or_else(|| ApiError::internal(sea_orm::DbErr::UnpackInsertId))?;
    let count = i64::try_from(count).map_err(ApiError::internal)?;
    Ok((last - count + 1..=last).collect())
}

fn label(category: EventCategory) -> &'static str {
    match category {
        EventCategory::FootballMatch => "Match de football",
        EventCategory::Concert => "Concert",
        EventCategory::Festival => "Festival",
        EventCategory::Market => "Marché",
        EventCategory::Demonstration => "Manifestation",
        EventCategory::OfficialVisit => "Visite officielle",
        EventCategory::Cultural => "Événement culturel",
        EventCategory::Sports => "Événement sportif",
        EventCategory::Nautical => "Événement nautique",
        EventCategory::Other => "Événement",
    }
}

/// The seeded venues by the model's venue kind, and a fallback zone.
struct Places {
    by_kind: HashMap<VenueKind, Vec<venue::Model>>,
    biggest_stadium: Option<venue::Model>,
    fallback_zone: i64,
}

impl Places {
    async fn load<C: ConnectionTrait>(db: &C) -> ApiResult<Self> {
        let mut venues = venue::Entity::find().all(db).await?;
        venues.sort_by_key(|v| v.id);
        let zones = crate::services::catalog::zones_without_outline()
            .all(db)
            .await?;
        let fallback_zone = zones
            .iter()
            .filter(|z| z.level == ZoneLevel::Arrondissement)
            .chain(zones.iter())
            .map(|z| z.id)
            .next()
            .ok_or_else(|| {
                ApiError::Conflict(
                    "no zone to place past events in: seed the reference data first".into(),
                )
            })?;
        let biggest_stadium = venues
            .iter()
            .filter(|v| v.kind == DbVenueKind::Stadium)
            .max_by_key(|v| v.capacity)
            .cloned();
        let mut by_kind: HashMap<VenueKind, Vec<venue::Model>> = HashMap::new();
        // Nobody holds an event at a hospital: sensitive sites are watched, not used.
        for v in venues
            .into_iter()
            .filter(|v| v.kind != DbVenueKind::Hospital)
        {
            by_kind.entry(venue_kind(v.kind)).or_default().push(v);
        }
        Ok(Places {
            by_kind,
            biggest_stadium,
            fallback_zone,
        })
    }

    /// A venue of the event's kind (OM's home games at the largest stadium), chosen
    /// by position so the mapping is deterministic; the fallback zone without one.
    fn pick(
        &self,
        features: &scoring::features::EventFeatures,
        index: usize,
    ) -> (Option<i64>, i64, String) {
        let chosen = if features.category == EventCategory::FootballMatch {
            self.biggest_stadium.as_ref()
        } else {
            self.by_kind
                .get(&features.venue_kind)
                .filter(|list| !list.is_empty())
                .map(|list| &list[index.wrapping_mul(7_919) % list.len()])
        };
        match chosen {
            Some(v) => (Some(v.id), v.zone_id, v.name.clone()),
            None => (None, self.fallback_zone, "Marseille".to_owned()),
        }
    }
}
