//! The reference data shipped with the platform (`reference/`, sources and licences
//! in its README), imported at the embedded default's first start so that the
//! history, the model and the map use the real Marignane weather, the real holidays,
//! the official quartiers and arrondissements and the metro stops. Each kind is
//! imported only while none of it is stored, through the same imports as
//! `api import`, each an audited change of the platform.

use entity::enums::ZoneLevel;
use entity::{holiday, transit_stop, weather_day, zone};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use crate::context::{Operation, OperationKind, RequestContext};
use crate::error::ApiResult;
use crate::services::imports::calendar::DEFAULT_ACADEMY;
use crate::services::imports::transit::Feed;
use crate::services::imports::zones::ZoneOptions;
use crate::services::imports::{ImportReport, calendar, transit, weather, zones};
use crate::services::work::Change;

const WEATHER: &[u8] =
    include_bytes!("../../../reference/weather/marignane_13054001_daily_key_1980-2024.csv.gz");
const PUBLIC_HOLIDAYS: &[u8] =
    include_bytes!("../../../reference/calendar/jours_feries_seuls_1950-2050.csv");
const SCHOOL_HOLIDAYS: &[u8] =
    include_bytes!("../../../reference/calendar/vacances-scolaires_1990-2026_daily.csv.gz");
const SCHOOL_CALENDAR: &[u8] =
    include_bytes!("../../../reference/calendar/fr-en-calendrier-scolaire_2017-2026.csv");
const QUARTIERS: &[u8] =
    include_bytes!("../../../reference/geo/marseille_111_quartiers.geojson.gz");
const GTFS_STOPS: &str = include_str!("../../../reference/gtfs-metro/stops.txt");
const GTFS_ROUTES: &str = include_str!("../../../reference/gtfs-metro/routes.txt");
const GTFS_STOP_TIMES: &str = include_str!("../../../reference/gtfs-metro/stop_times.txt");

/// Imports what is not stored yet; returns what each import did.
pub async fn run(db: &DatabaseConnection) -> ApiResult<Vec<ImportReport>> {
    let ctx = RequestContext::task("reference data");
    let op = |name: &str, field: &str| Operation::named(OperationKind::Task, name, field);
    let mut reports = Vec::new();
    if weather_day::Entity::find().count(db).await? == 0 {
        let operation = op("first-start weather import", "importWeather");
        reports.push(weather::import(db, Change::new(&ctx, &operation), WEATHER, &()).await?);
    }
    if holiday::Entity::find().count(db).await? == 0 {
        let operation = op("first-start holiday import", "importHolidays");
        // The official calendar first, then the daily file over the days it covers.
        for file in [PUBLIC_HOLIDAYS, SCHOOL_CALENDAR, SCHOOL_HOLIDAYS] {
            let change = Change::new(&ctx, &operation);
            reports.push(calendar::import(db, change, file, DEFAULT_ACADEMY, &()).await?);
        }
    }
    let quartiers = zone::Entity::find()
        .filter(zone::Column::Level.eq(ZoneLevel::Quartier))
        .count(db)
        .await?;
    if quartiers == 0 {
        let operation = op("first-start zone import", "importZones");
        let change = Change::new(&ctx, &operation);
        reports.push(zones::import(db, change, QUARTIERS, &ZoneOptions::quartiers(), &()).await?);
    }
    if transit_stop::Entity::find().count(db).await? == 0 {
        let operation = op("first-start transit import", "importTransit");
        let feed = Feed {
            stops: GTFS_STOPS.to_owned(),
            routes: GTFS_ROUTES.to_owned(),
            stop_times: GTFS_STOP_TIMES.to_owned(),
            trips: None,
        };
        reports.push(transit::import(db, Change::new(&ctx, &operation), &feed, &()).await?);
    }
    Ok(reports)
}
