//! The demo data of the embedded default: Marseille's zones, venues, organizations
//! and sources, and the agenda of the coming days.
//!
//! Seeding is idempotent: reference rows are inserted only when missing (by code),
//! and each agenda day is generated once, recorded in `demo_seed_day`. A later start
//! tops the rolling window up with the days that have come into it.

pub mod agenda;
pub mod history;
pub mod marseille;
pub mod presence;
pub mod reference;
pub mod register;
pub mod users;

use std::collections::HashMap;

use chrono::{Days, NaiveDate, Utc};
use entity::enums::EventStatus;
use entity::{deployment, event, organization, seed_day, source, venue, zone};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};

use crate::context::{Operation, OperationKind, RequestContext};
use crate::services::work::Change;
use crate::time::paris_local_to_utc;

/// How many days ahead the demo agenda is kept filled.
pub const DEMO_WINDOW_DAYS: u64 = 30;

/// What a seeding run added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    /// Reference rows (zones, venues, organizations, sources) inserted.
    pub reference_rows: usize,
    /// Agenda days generated.
    pub days: usize,
    /// Events inserted.
    pub events: usize,
}

/// Seeds what is missing, for the window starting `today` (Europe/Paris).
pub async fn run(db: &DatabaseConnection, today: NaiveDate) -> Result<SeedReport, DbErr> {
    let ctx = RequestContext::task("seed");
    let operation = Operation::named(OperationKind::Task, "demo data", "seedDemoData");
    let work = Change::new(&ctx, &operation)
        .begin(db)
        .await
        .map_err(startup_error)?;
    let txn = work.txn();
    let mut report = SeedReport {
        reference_rows: seed_reference(txn).await?,
        ..SeedReport::default()
    };
    report.reference_rows += register::seed(txn).await?;
    let venues: HashMap<String, venue::Model> = venue::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|v| (v.code.clone(), v))
        .collect();
    for offset in 0..DEMO_WINDOW_DAYS {
        let day = today + Days::new(offset);
        if seed_day::Entity::find_by_id(day).one(txn).await?.is_some() {
            continue;
        }
        report.events += seed_day_events(txn, day, &venues).await?;
        report.days += 1;
        seed_day::Entity::insert(seed_day::ActiveModel {
            day: Set(day),
            seeded_at: Set(Utc::now()),
        })
        .exec(txn)
        .await?;
    }
    // A start that finds everything in place changes nothing and records nothing.
    if report.reference_rows > 0 || report.days > 0 {
        let summary = format!(
            "{} reference rows, {} agenda days, {} events",
            report.reference_rows, report.days, report.events
        );
        let rows = (report.reference_rows + report.events) as i64;
        work.commit_with_summary(rows, Some(summary))
            .await
            .map_err(startup_error)?;
    }
    Ok(report)
}

/// An error of a seeding step, as the startup reports it (with its cause).
pub(crate) fn startup_error(err: crate::error::ApiError) -> DbErr {
    match err {
        crate::error::ApiError::Internal(cause) => DbErr::Custom(cause.chain()),
        other => DbErr::Custom(other.to_string()),
    }
}

async fn seed_reference<C: ConnectionTrait>(db: &C) -> Result<usize, DbErr> {
    let mut inserted = 0;
    let mut zone_ids: HashMap<&str, i64> = crate::services::catalog::zones_without_outline()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|z| {
            marseille::ZONES
                .iter()
                .find(|seed| seed.code == z.code)
                .map(|seed| (seed.code, z.id))
        })
        .collect();
    for seed in marseille::ZONES {
        if zone_ids.contains_key(seed.code) {
            continue;
        }
        let parent_id = seed.parent.and_then(|code| zone_ids.get(code).copied());
        let row = zone::Entity::insert(zone::ActiveModel {
            code: Set(seed.code.to_owned()),
            name: Set(seed.name.to_owned()),
            level: Set(seed.level),
            parent_id: Set(parent_id),
            population: Set(seed.population),
            area_km2: Set(seed.area_km2),
            outline: Set(None),
            ..Default::default()
        })
        .exec(db)
        .await?;
        zone_ids.insert(seed.code, row.last_insert_id);
        inserted += 1;
    }

    let existing_venues: Vec<String> = venue::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|v| v.code)
        .collect();
    for seed in marseille::VENUES {
        if existing_venues.iter().any(|code| code == seed.code) {
            continue;
        }
        let Some(zone_id) = zone_ids.get(seed.zone).copied() else {
            return Err(DbErr::Custom(format!(
                "venue {} names unknown zone {}",
                seed.code, seed.zone
            )));
        };
        venue::Entity::insert(venue::ActiveModel {
            code: Set(seed.code.to_owned()),
            name: Set(seed.name.to_owned()),
            zone_id: Set(zone_id),
            latitude: Set(seed.lat),
            longitude: Set(seed.lon),
            kind: Set(seed.kind),
            capacity: Set(seed.capacity),
            area_m2: Set(seed.area_m2),
            indoor: Set(seed.indoor),
            sensitive: Set(seed.sensitive),
            access_class: Set(seed.access),
            rescue_delay_min: Set(seed.rescue_min),
            ..Default::default()
        })
        .exec(db)
        .await?;
        inserted += 1;
    }

    let mut org_ids: HashMap<String, i64> = organization::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.code, o.id))
        .collect();
    for seed in marseille::ORGANIZATIONS {
        if org_ids.contains_key(seed.code) {
            continue;
        }
        let row = organization::Entity::insert(organization::ActiveModel {
            code: Set(seed.code.to_owned()),
            name: Set(seed.name.to_owned()),
            kind: Set(seed.kind),
            description: Set(seed.description.to_owned()),
            ..Default::default()
        })
        .exec(db)
        .await?;
        org_ids.insert(seed.code.to_owned(), row.last_insert_id);
        inserted += 1;
    }

    for seed in marseille::SOURCES {
        let exists = source::Entity::find()
            .filter(source::Column::Code.eq(seed.code))
            .one(db)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let Some(organization_id) = org_ids.get(seed.organization).copied() else {
            return Err(DbErr::Custom(format!(
                "source {} names unknown organization {}",
                seed.code, seed.organization
            )));
        };
        source::Entity::insert(source::ActiveModel {
            code: Set(seed.code.to_owned()),
            name: Set(seed.name.to_owned()),
            organization_id: Set(organization_id),
            kind: Set(seed.kind),
            fields: Set(seed.fields.to_owned()),
            granularity: Set(seed.granularity),
            metrics: Set(seed.metrics.to_owned()),
            min_contributors: Set(seed.k),
            min_bucket_minutes: Set(seed.min_bucket),
            min_zone_level: Set(seed.min_zone),
            processing_activity_id: Set(None),
            status: Set(seed.status),
            ..Default::default()
        })
        .exec(db)
        .await?;
        inserted += 1;
    }
    Ok(inserted)
}

async fn seed_day_events<C: ConnectionTrait>(
    db: &C,
    day: NaiveDate,
    venues: &HashMap<String, venue::Model>,
) -> Result<usize, DbErr> {
    let planned = agenda::events_for_day(day);
    let now = Utc::now();
    for item in &planned {
        let Some(venue) = venues.get(item.venue) else {
            return Err(DbErr::Custom(format!(
                "event {} names unknown venue {}",
                item.title, item.venue
            )));
        };
        let starts_at = paris_local_to_utc(item.start);
        let ends_at = starts_at + chrono::Duration::minutes(item.minutes);
        let inserted = event::Entity::insert(event::ActiveModel {
            title: Set(item.title.clone()),
            category: Set(item.category),
            venue_id: Set(Some(venue.id)),
            zone_id: Set(venue.zone_id),
            starts_at: Set(starts_at),
            ends_at: Set(ends_at),
            expected_attendance: Set(item.attendance),
            organizer: Set(Some(item.organizer.to_owned())),
            public_profile: Set(item.profile),
            alcohol: Set(item.alcohol),
            status: Set(EventStatus::Confirmed),
            status_reason: Set(None),
            series: Set(item.series.clone()),
            source_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec(db)
        .await?;
        if item.deployment.is_empty() {
            continue;
        }
        let rows = item
            .deployment
            .iter()
            .map(|(kind, count)| deployment::ActiveModel {
                event_id: Set(inserted.last_insert_id),
                kind: Set(*kind),
                count: Set(*count),
                shift_start: Set(starts_at - chrono::Duration::hours(1)),
                shift_end: Set(ends_at + chrono::Duration::hours(1)),
                organization_id: Set(None),
                updated_at: Set(now),
                ..Default::default()
            });
        deployment::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(planned.len())
}
