//! Venues as reference data: creating and changing them (each change validated as a
//! whole, written, its events re-assessed and audited in one transaction), and the
//! site factors of the DPS grid an event uses: its venue's access class (E1) and
//! rescue delay (E2), unless the event overrides them for a stage or a marquee.

use chrono::Utc;
use entity::enums::{AccessClass, VenueKind};
use entity::{event, venue};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};

use crate::error::{ApiError, ApiResult};
use crate::services::catalog::ZoneTree;
use crate::services::work::Change;

/// Longest venue name.
pub const MAX_NAME: usize = 120;
/// Longest venue code (the column's width).
pub const MAX_CODE: usize = 64;
/// Largest capacity accepted: above the largest crowd a Marseille site has held
/// (the Prado beaches and the Vieux-Port hold a few hundred thousand at most).
pub const MAX_CAPACITY: i64 = 1_000_000;
/// Largest area accepted, in m2: 50 km2, above the Calanques' land part within the
/// city, the largest natural area an event may use.
pub const MAX_AREA_M2: f64 = 50_000_000.0;
/// Longest public rescue delay accepted, in minutes: the grid's last class starts at
/// 30 minutes; three hours covers a boat-only cove.
pub const MAX_RESCUE_DELAY_MIN: i32 = 180;
/// Public rescue delay assumed for an event without a venue (a street event in town).
pub const DEFAULT_RESCUE_DELAY_MIN: i32 = 10;
/// Latitudes accepted: the city (43.17 to 43.39) and its immediate surroundings.
const LATITUDE: std::ops::RangeInclusive<f64> = 43.10..=43.45;
/// Longitudes accepted: the city (5.28 to 5.56) and its immediate surroundings,
/// including the Frioul islands.
const LONGITUDE: std::ops::RangeInclusive<f64> = 5.20..=5.65;

/// A new venue.
#[derive(Debug, Clone)]
pub struct NewVenue {
    /// Stable public code: lowercase letters, digits and single hyphens.
    pub code: String,
    /// Display name.
    pub name: String,
    /// The most precise zone the venue lies in.
    pub zone_id: i64,
    /// Latitude, WGS 84.
    pub latitude: f64,
    /// Longitude, WGS 84.
    pub longitude: f64,
    /// Kind.
    pub kind: VenueKind,
    /// Most people it holds, when bounded.
    pub capacity: Option<i64>,
    /// Usable area in m2, when known.
    pub area_m2: Option<f64>,
    /// Indoors.
    pub indoor: bool,
    /// A sensitive site (hospital, stadium, coastline).
    pub sensitive: bool,
    /// Access class for rescuers (DPS grid E1).
    pub access_class: AccessClass,
    /// Public rescue delay in minutes (DPS grid E2).
    pub rescue_delay_min: i32,
}

/// Changes to a venue; absent fields keep their value, `Some(None)` clears a
/// nullable one.
#[derive(Debug, Clone, Default)]
pub struct VenueChanges {
    /// New name.
    pub name: Option<String>,
    /// New zone.
    pub zone_id: Option<i64>,
    /// New latitude.
    pub latitude: Option<f64>,
    /// New longitude.
    pub longitude: Option<f64>,
    /// New kind.
    pub kind: Option<VenueKind>,
    /// New capacity, or none (unbounded).
    pub capacity: Option<Option<i64>>,
    /// New area, or none (unknown).
    pub area_m2: Option<Option<f64>>,
    /// New indoor flag.
    pub indoor: Option<bool>,
    /// New sensitive flag.
    pub sensitive: Option<bool>,
    /// New access class.
    pub access_class: Option<AccessClass>,
    /// New rescue delay.
    pub rescue_delay_min: Option<i32>,
}

/// Checks a public rescue delay in minutes (a venue's or an event's override).
pub fn check_rescue_delay(path: &str, minutes: i32) -> ApiResult<()> {
    if (0..=MAX_RESCUE_DELAY_MIN).contains(&minutes) {
        Ok(())
    } else {
        Err(ApiError::bad_input(
            path,
            format!("a rescue delay is between 0 and {MAX_RESCUE_DELAY_MIN} minutes"),
        ))
    }
}

fn valid_code(code: &str) -> bool {
    (2..=MAX_CODE).contains(&code.len())
        && code.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Checks a complete venue; returns its name trimmed and screened. `id` is the
/// venue being changed, if any (its own code is not a duplicate).
async fn validate<C: ConnectionTrait>(db: &C, v: &NewVenue, id: Option<i64>) -> ApiResult<String> {
    if !valid_code(&v.code) {
        return Err(ApiError::bad_input(
            "input.code",
            format!(
                "code has 2 to {MAX_CODE} lowercase letters or digits, in words joined by single hyphens"
            ),
        ));
    }
    let name =
        crate::services::text::free_text("input.name", &v.name, MAX_NAME, true).map_err(|_| {
            ApiError::bad_input("input.name", format!("name has 1 to {MAX_NAME} characters"))
        })?;
    if !v.latitude.is_finite() || !LATITUDE.contains(&v.latitude) {
        return Err(ApiError::bad_input(
            "input.latitude",
            format!(
                "latitude must be a number between {} and {} (Marseille and its surroundings)",
                LATITUDE.start(),
                LATITUDE.end()
            ),
        ));
    }
    if !v.longitude.is_finite() || !LONGITUDE.contains(&v.longitude) {
        return Err(ApiError::bad_input(
            "input.longitude",
            format!(
                "longitude must be a number between {} and {} (Marseille and its surroundings)",
                LONGITUDE.start(),
                LONGITUDE.end()
            ),
        ));
    }
    if v.capacity.is_some_and(|c| !(1..=MAX_CAPACITY).contains(&c)) {
        return Err(ApiError::bad_input(
            "input.capacity",
            format!("capacity must be between 1 and {MAX_CAPACITY}, or null when unbounded"),
        ));
    }
    if v.area_m2
        .is_some_and(|a| !a.is_finite() || a <= 0.0 || a > MAX_AREA_M2)
    {
        return Err(ApiError::bad_input(
            "input.areaM2",
            format!("areaM2 must be positive and at most {MAX_AREA_M2:.0}, or null when unknown"),
        ));
    }
    check_rescue_delay("input.rescueDelayMinutes", v.rescue_delay_min)?;
    let tree = ZoneTree::load(db).await?;
    if tree.get(v.zone_id).is_none() {
        return Err(ApiError::bad_input(
            "input.zoneId",
            format!("unknown zone {}", v.zone_id),
        ));
    }
    let taken = venue::Entity::find()
        .filter(venue::Column::Code.eq(v.code.as_str()))
        .one(db)
        .await?
        .is_some_and(|other| Some(other.id) != id);
    if taken {
        return Err(ApiError::bad_input(
            "input.code",
            "another venue already has this code",
        ));
    }
    Ok(name)
}

/// Creates a venue.
pub async fn create(
    db: &DatabaseConnection,
    change: Change<'_>,
    input: NewVenue,
) -> ApiResult<venue::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let name = validate(txn, &input, None).await?;
    let saved = venue::ActiveModel {
        code: Set(input.code),
        name: Set(name),
        zone_id: Set(input.zone_id),
        latitude: Set(input.latitude),
        longitude: Set(input.longitude),
        kind: Set(input.kind),
        capacity: Set(input.capacity),
        area_m2: Set(input.area_m2),
        indoor: Set(input.indoor),
        sensitive: Set(input.sensitive),
        access_class: Set(input.access_class),
        rescue_delay_min: Set(input.rescue_delay_min),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(ApiError::unique_as_conflict(
        "another venue already has this code",
    ))?;
    work.commit(1).await?;
    Ok(saved)
}

/// Applies changes to a venue, validating the result as a whole; its events still
/// to come are re-assessed (their first aid depends on the venue's factors).
pub async fn update(
    db: &DatabaseConnection,
    change: Change<'_>,
    id: i64,
    changes: VenueChanges,
) -> ApiResult<venue::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let current = venue::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("venue {id}")))?;
    let merged = NewVenue {
        code: current.code.clone(),
        name: changes.name.unwrap_or_else(|| current.name.clone()),
        zone_id: changes.zone_id.unwrap_or(current.zone_id),
        latitude: changes.latitude.unwrap_or(current.latitude),
        longitude: changes.longitude.unwrap_or(current.longitude),
        kind: changes.kind.unwrap_or(current.kind),
        capacity: changes.capacity.unwrap_or(current.capacity),
        area_m2: changes.area_m2.unwrap_or(current.area_m2),
        indoor: changes.indoor.unwrap_or(current.indoor),
        sensitive: changes.sensitive.unwrap_or(current.sensitive),
        access_class: changes.access_class.unwrap_or(current.access_class),
        rescue_delay_min: changes.rescue_delay_min.unwrap_or(current.rescue_delay_min),
    };
    let name = validate(txn, &merged, Some(id)).await?;
    let old_zone = current.zone_id;
    let mut row: venue::ActiveModel = current.into();
    row.name = Set(name);
    row.zone_id = Set(merged.zone_id);
    row.latitude = Set(merged.latitude);
    row.longitude = Set(merged.longitude);
    row.kind = Set(merged.kind);
    row.capacity = Set(merged.capacity);
    row.area_m2 = Set(merged.area_m2);
    row.indoor = Set(merged.indoor);
    row.sensitive = Set(merged.sensitive);
    row.access_class = Set(merged.access_class);
    row.rescue_delay_min = Set(merged.rescue_delay_min);
    let saved = row.update(txn).await?;
    if saved.zone_id != old_zone {
        // Events at the venue take its zone (unless they were placed in a wider one).
        event::Entity::update_many()
            .col_expr(event::Column::ZoneId, Expr::value(saved.zone_id))
            .filter(event::Column::VenueId.eq(id))
            .filter(event::Column::ZoneId.eq(old_zone))
            .exec(txn)
            .await?;
    }
    let coming = event::Entity::find()
        .filter(event::Column::VenueId.eq(id))
        .filter(event::Column::EndsAt.gt(Utc::now()))
        .all(txn)
        .await?;
    crate::services::scoring::refresh_events(txn, &coming, "venue changed").await?;
    work.commit(1).await?;
    Ok(saved)
}

/// The DPS grid's site factors of an event, and whether the event overrides its
/// venue's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteFactors {
    /// Access class for rescuers (E1) in effect.
    pub access_class: AccessClass,
    /// Whether the event sets it instead of its venue.
    pub access_class_overridden: bool,
    /// Public rescue delay in minutes (E2) in effect.
    pub rescue_delay_min: i32,
    /// Whether the event sets it instead of its venue.
    pub rescue_delay_overridden: bool,
}

/// The site factors of `e` at `venue` (its venue, if it has one): the event's
/// overrides, else the venue's values, else those of a street in town.
pub fn site_factors(e: &event::Model, venue: Option<&venue::Model>) -> SiteFactors {
    SiteFactors {
        access_class: e
            .access_class_override
            .or(venue.map(|v| v.access_class))
            .unwrap_or(AccessClass::Clear),
        access_class_overridden: e.access_class_override.is_some(),
        rescue_delay_min: e
            .rescue_delay_override_min
            .or(venue.map(|v| v.rescue_delay_min))
            .unwrap_or(DEFAULT_RESCUE_DELAY_MIN),
        rescue_delay_overridden: e.rescue_delay_override_min.is_some(),
    }
}

/// First aid required for `e` at `venue` by the national DPS grid: it needs no
/// model, so it is always computed from the event as it stands.
pub fn first_aid(e: &event::Model, venue: Option<&venue::Model>) -> scoring::dps::DpsResult {
    use crate::services::scoring::features::{profile, site_access};
    let site = site_factors(e, venue);
    scoring::dps::compute(&scoring::dps::DpsInput {
        public: u64::try_from(e.expected_attendance.max(1)).unwrap_or(1),
        profile: profile(e.public_profile),
        site: site_access(site.access_class),
        rescue_delay: scoring::dps::RescueDelay::from_minutes(
            u32::try_from(site.rescue_delay_min).unwrap_or(0),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(access: Option<AccessClass>, delay: Option<i32>) -> event::Model {
        let now = Utc::now();
        event::Model {
            id: 1,
            title: "Concert".into(),
            category: entity::enums::EventCategory::Concert,
            venue_id: Some(1),
            zone_id: 1,
            starts_at: now,
            ends_at: now + chrono::Duration::hours(4),
            expected_attendance: 10_000,
            organizer: None,
            public_profile: entity::enums::PublicProfile::StandingDynamic,
            alcohol: false,
            status: entity::enums::EventStatus::Planned,
            status_reason: None,
            series: None,
            source_id: None,
            access_class_override: access,
            rescue_delay_override_min: delay,
            external_key: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn venue() -> venue::Model {
        venue::Model {
            id: 1,
            code: "esplanade".into(),
            name: "Esplanade".into(),
            zone_id: 1,
            latitude: 43.3,
            longitude: 5.37,
            kind: VenueKind::Square,
            capacity: None,
            area_m2: None,
            indoor: false,
            sensitive: false,
            access_class: AccessClass::Moderate,
            rescue_delay_min: 15,
        }
    }

    #[test]
    fn an_events_override_wins_over_its_venue_and_a_street_is_the_default() {
        let site = venue();
        let plain = site_factors(&event(None, None), Some(&site));
        assert_eq!(plain.access_class, AccessClass::Moderate);
        assert_eq!(plain.rescue_delay_min, 15);
        assert!(!plain.access_class_overridden && !plain.rescue_delay_overridden);
        let stage = site_factors(
            &event(Some(AccessClass::VeryDifficult), Some(40)),
            Some(&site),
        );
        assert_eq!(stage.access_class, AccessClass::VeryDifficult);
        assert_eq!(stage.rescue_delay_min, 40);
        assert!(stage.access_class_overridden && stage.rescue_delay_overridden);
        let street = site_factors(&event(None, None), None);
        assert_eq!(street.access_class, AccessClass::Clear);
        assert_eq!(street.rescue_delay_min, DEFAULT_RESCUE_DELAY_MIN);
    }

    #[test]
    fn first_aid_reads_the_factors_in_effect_in_exact_hundredths() {
        // 10,000 standing, moving people: 0.40 + 0.40 + 0.40 = 1.20 exactly gives
        // RIS 12 and 12 workers of a DPS-PE, not the DPS-ME floats would give.
        let grid = first_aid(
            &event(Some(AccessClass::VeryDifficult), Some(40)),
            Some(&venue()),
        );
        assert_eq!(grid.ris_millionths, 12_000_000);
        assert_eq!(grid.workers, 12);
        assert_eq!(grid.dps_type, scoring::dps::DpsType::DpsPe);
    }

    #[test]
    fn codes_are_lowercase_words_joined_by_single_hyphens() {
        for good in ["velodrome", "parc-borely", "plage-du-prado-2"] {
            assert!(valid_code(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "Velodrome",
            "parc--borely",
            "-parc",
            "parc-",
            "parc borely",
            "parc_b",
        ] {
            assert!(!valid_code(bad), "{bad:?}");
        }
    }
}
