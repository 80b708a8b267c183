//! Demo presence counts: what the phone operators' source (`presence-operateurs`)
//! would have sent over the last 14 days, every 15 minutes, for each arrondissement
//! and each watched site (the Prado beaches, the Vieux-Port, La Canebière, the
//! Vélodrome's surroundings).
//!
//! The shapes follow what such counts show: residents at night, workers and
//! visitors in the centre by day, quieter weekday evenings, beaches that fill on
//! summer afternoons and empty in winter. Like the operators, cells under the
//! source's k (20 people) are not sent at all. One ingestion batch per UTC day,
//! keyed `demo-presence-<day>`, makes the seed idempotent: a day already there is
//! skipped, a restart tops the window up.

use std::f64::consts::PI;

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Europe::Paris;
use entity::{ingestion_batch, observation, source, zone};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use crate::context::{Operation, OperationKind, RequestContext};
use crate::services::aggregates::PRESENCE_METRIC;
use crate::services::ingest::IngestReceipt;
use crate::services::work::Change;

/// The source the counts belong to.
const SOURCE: &str = "presence-operateurs";
/// Days of history kept filled, ending yesterday (UTC).
pub const PRESENCE_DAYS: u64 = 14;
/// Operators do not send cells under their threshold.
const K: f64 = 20.0;
/// Rows per INSERT statement.
const CHUNK: usize = 400;

/// How a zone's presence moves through the day and the year.
#[derive(Clone, Copy)]
enum Profile {
    /// Residents, plus workers by day in proportion to `centrality` (negative for
    /// districts people leave in the morning).
    District { residents: f64, centrality: f64 },
    /// A beach: an afternoon crowd that follows the season.
    Beach { capacity: f64 },
    /// A public place: a day crowd with an evening peak, busier at weekends.
    Place { day: f64, evening: f64 },
}

/// The profile of a seeded zone, by code.
fn profile(code: &str, population: Option<i64>) -> Option<Profile> {
    let residents = population.map(|p| p as f64);
    let district = |centrality| {
        residents.map(|residents| Profile::District {
            residents,
            centrality,
        })
    };
    match code {
        // The centre: offices, shops, the port, the station.
        "13201" => district(1.2),
        "13202" | "13206" => district(0.6),
        "13203" | "13207" => district(0.1),
        "13208" => district(0.15),
        c if c.starts_with("132") => district(-0.12),
        "site-plages-prado" => Some(Profile::Beach { capacity: 30_000.0 }),
        "site-vieux-port" => Some(Profile::Place {
            day: 3_500.0,
            evening: 5_000.0,
        }),
        "site-canebiere" => Some(Profile::Place {
            day: 2_500.0,
            evening: 1_200.0,
        }),
        "site-velodrome" => Some(Profile::Place {
            day: 600.0,
            evening: 400.0,
        }),
        _ => None,
    }
}

/// A smooth bump from 0 to 1 and back over the hours `[from, to]` (local time).
fn bump(hour: f64, from: f64, to: f64) -> f64 {
    if hour <= from || hour >= to {
        return 0.0;
    }
    (PI * (hour - from) / (to - from)).sin().powi(2)
}

/// 1 at mid-July, near 0 in mid-January: the beach season.
fn summer(day_of_year: u32) -> f64 {
    let phase = 2.0 * PI * (f64::from(day_of_year) - 200.0) / 365.0;
    0.5 * (1.0 + phase.cos())
}

/// The expected count of a zone at a local time.
fn expected(profile: Profile, local: chrono::DateTime<chrono_tz::Tz>) -> f64 {
    let hour = f64::from(local.hour()) + f64::from(local.minute()) / 60.0;
    let weekend = local.weekday().num_days_from_monday() >= 5;
    let season = summer(local.ordinal());
    match profile {
        Profile::District {
            residents,
            centrality,
        } => {
            let work = if weekend { 0.35 } else { 1.0 };
            let leisure = if weekend { 0.25 } else { 0.1 };
            let day = centrality * work * bump(hour, 6.5, 19.5)
                + centrality.max(0.0) * leisure * bump(hour, 14.0, 23.5);
            residents * (0.92 + day) * (1.0 + 0.06 * season)
        }
        Profile::Beach { capacity } => {
            let crowd = if weekend { 1.0 } else { 0.6 };
            let afternoon = bump(hour, 9.0, 21.0).powf(0.7);
            capacity * crowd * afternoon * (0.02 + 0.98 * season.powi(2))
        }
        Profile::Place { day, evening } => {
            let busy = if weekend { 1.3 } else { 1.0 };
            let people = day * bump(hour, 7.0, 20.0) + evening * bump(hour, 17.0, 25.0);
            busy * people * (0.85 + 0.3 * season) + 0.05 * day
        }
    }
}

/// Seeds the missing days of the window ending yesterday; returns the rows added.
pub async fn run(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let Some(source) = source::Entity::find()
        .filter(source::Column::Code.eq(SOURCE))
        .one(db)
        .await?
    else {
        return Ok(0);
    };
    let zones: Vec<(zone::Model, Profile)> = crate::services::catalog::zones_without_outline()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|z| profile(&z.code, z.population).map(|p| (z, p)))
        .collect();
    let today = now.date_naive();
    let mut added = 0;
    for back in (1..=PRESENCE_DAYS).rev() {
        let Some(day) = today.checked_sub_days(Days::new(back)) else {
            continue;
        };
        added += seed_day(db, &source, &zones, day, now).await?;
    }
    Ok(added)
}

/// Seeds one UTC day as one batch, unless its batch exists.
async fn seed_day(
    db: &DatabaseConnection,
    source: &source::Model,
    zones: &[(zone::Model, Profile)],
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let key = format!("demo-presence-{day}");
    let ctx = RequestContext::task("seed");
    let operation = Operation::named(OperationKind::Task, "demo presence counts", "seedDemoData");
    let work = Change::new(&ctx, &operation)
        .begin(db)
        .await
        .map_err(super::startup_error)?;
    let txn = work.txn();
    let exists = ingestion_batch::Entity::find()
        .filter(ingestion_batch::Column::SourceId.eq(source.id))
        .filter(ingestion_batch::Column::IdempotencyKey.eq(key.as_str()))
        .one(txn)
        .await?
        .is_some();
    if exists {
        return Ok(0);
    }
    let start = day.and_time(chrono::NaiveTime::MIN).and_utc();
    // One generator per day: the same day always gets the same counts.
    let mut rng = ChaCha8Rng::seed_from_u64(u64::from(day.num_days_from_ce().unsigned_abs()));
    let mut cells = Vec::new();
    for (zone, profile) in zones {
        for quarter in 0..96 {
            let at = start + Duration::minutes(15 * quarter);
            let noise = 1.0 + 0.08 * (rng.random::<f64>() - 0.5);
            let count = (expected(*profile, at.with_timezone(&Paris)) * noise).round();
            if count >= K {
                cells.push((zone.id, at, count));
            }
        }
    }
    let receipt = IngestReceipt {
        batch_id: 0,
        source_id: source.id,
        idempotency_key: key.clone(),
        accepted: cells.len(),
        received_at: now,
    };
    let batch = ingestion_batch::Entity::insert(ingestion_batch::ActiveModel {
        source_id: Set(source.id),
        idempotency_key: Set(key),
        fingerprint: Set("demo-seed".to_owned()),
        observation_count: Set(i32::try_from(cells.len()).unwrap_or(i32::MAX)),
        response: Set(String::new()),
        sent_by: Set("demo seed".to_owned()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?
    .last_insert_id;
    let response = serde_json::to_string(&IngestReceipt {
        batch_id: batch,
        ..receipt
    })
    .map_err(|e| DbErr::Custom(e.to_string()))?;
    ingestion_batch::Entity::update_many()
        .col_expr(
            ingestion_batch::Column::Response,
            sea_orm::sea_query::Expr::value(response),
        )
        .filter(ingestion_batch::Column::Id.eq(batch))
        .exec(txn)
        .await?;
    for chunk in cells.chunks(CHUNK) {
        let rows = chunk
            .iter()
            .map(|(zone_id, at, count)| observation::ActiveModel {
                source_id: Set(source.id),
                zone_id: Set(*zone_id),
                metric: Set(PRESENCE_METRIC.to_owned()),
                bucket_start: Set(*at),
                bucket_minutes: Set(15),
                value: Set(*count),
                contributors: Set(Some(*count as i32)),
                note: Set(None),
                labels: Set(None),
                batch_id: Set(batch),
                ..Default::default()
            });
        observation::Entity::insert_many(rows).exec(txn).await?;
    }
    let summary = format!("{} presence cells of {day}", cells.len());
    work.commit_with_summary(cells.len() as i64, Some(summary))
        .await
        .map_err(super::startup_error)?;
    Ok(cells.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> chrono::DateTime<chrono_tz::Tz> {
        Paris
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .unwrap_or_else(|| Paris.timestamp_opt(0, 0).unwrap())
    }

    #[test]
    fn beaches_fill_on_summer_afternoons_and_stay_empty_in_winter_nights() {
        let beach = Profile::Beach { capacity: 30_000.0 };
        let july = expected(beach, at(2026, 7, 18, 16));
        let november = expected(beach, at(2026, 11, 18, 16));
        let night = expected(beach, at(2026, 7, 18, 3));
        assert!(july > 15_000.0, "{july}");
        assert!(november < 1_500.0, "{november}");
        assert!(night < K, "{night}");
    }

    #[test]
    fn the_centre_fills_by_day_and_residential_districts_empty() {
        let centre = Profile::District {
            residents: 40_000.0,
            centrality: 1.2,
        };
        let suburb = Profile::District {
            residents: 60_000.0,
            centrality: -0.12,
        };
        let tuesday_noon = at(2026, 11, 17, 13);
        let tuesday_night = at(2026, 11, 17, 3);
        assert!(expected(centre, tuesday_noon) > 1.8 * expected(centre, tuesday_night));
        assert!(expected(suburb, tuesday_noon) < expected(suburb, tuesday_night));
    }
}
