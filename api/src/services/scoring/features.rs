//! From stored rows to what the risk model reads: an event with its venue, the day's
//! calendar and weather, the events around it and its planned deployment become
//! `scoring::features::EventFeatures` and `ResourceCounts`. Loaded set-wise, so that a
//! pass over the 30-day agenda costs a handful of queries, not a few per event.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, Timelike};
use chrono_tz::Europe::Paris;
use entity::enums::{self as db, EventStatus};
use entity::{deployment, event, holiday, venue, weather_day};
use scoring::adequacy::ResourceCounts;
use scoring::dps::{PublicProfile, SiteAccess};
use scoring::features::{DayWeather, EventCategory, EventFeatures, VenueKind};
use scoring::history::calendar;
use scoring::load;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::ApiResult;
use crate::services::catalog::ZoneTree;
use crate::services::imports::calendar::Coverage;
use crate::services::scoring::inputs;

/// Shortest duration the model accepts (a few minutes' ceremony counts as a quarter hour).
const MIN_DURATION_HOURS: f64 = 0.25;

/// `public` rows of the `holiday` table.
pub const PUBLIC_HOLIDAY: &str = "public";
/// `school` rows of the `holiday` table (zone B).
pub const SCHOOL_HOLIDAY: &str = "school";

/// Maps the stored category to the model's (religious gatherings have no category
/// of their own in the model and count as "other").
pub fn category(value: db::EventCategory) -> EventCategory {
    match value {
        db::EventCategory::FootballMatch => EventCategory::FootballMatch,
        db::EventCategory::Concert => EventCategory::Concert,
        db::EventCategory::Festival => EventCategory::Festival,
        db::EventCategory::Market => EventCategory::Market,
        db::EventCategory::Demonstration => EventCategory::Demonstration,
        db::EventCategory::OfficialVisit => EventCategory::OfficialVisit,
        db::EventCategory::Cultural => EventCategory::Cultural,
        db::EventCategory::Sports => EventCategory::Sports,
        db::EventCategory::Nautical => EventCategory::Nautical,
        db::EventCategory::Religious | db::EventCategory::Other => EventCategory::Other,
    }
}

/// The stored category of a model category (the history generator's events).
pub fn stored_category(value: EventCategory) -> db::EventCategory {
    match value {
        EventCategory::FootballMatch => db::EventCategory::FootballMatch,
        EventCategory::Concert => db::EventCategory::Concert,
        EventCategory::Festival => db::EventCategory::Festival,
        EventCategory::Market => db::EventCategory::Market,
        EventCategory::Demonstration => db::EventCategory::Demonstration,
        EventCategory::OfficialVisit => db::EventCategory::OfficialVisit,
        EventCategory::Cultural => db::EventCategory::Cultural,
        EventCategory::Sports => db::EventCategory::Sports,
        EventCategory::Nautical => db::EventCategory::Nautical,
        EventCategory::Other => db::EventCategory::Other,
    }
}

/// Maps a stored venue kind; kinds the model does not know count as "other".
pub fn venue_kind(value: db::VenueKind) -> VenueKind {
    match value {
        db::VenueKind::Stadium => VenueKind::Stadium,
        db::VenueKind::Beach => VenueKind::Beach,
        db::VenueKind::Street => VenueKind::Street,
        db::VenueKind::Square => VenueKind::Square,
        db::VenueKind::Park => VenueKind::Park,
        db::VenueKind::Hall => VenueKind::Hall,
        db::VenueKind::Port => VenueKind::Port,
        db::VenueKind::Museum
        | db::VenueKind::Monument
        | db::VenueKind::Hospital
        | db::VenueKind::Station
        | db::VenueKind::Other => VenueKind::Other,
    }
}

/// Maps the stored public profile (DPS grid P2).
pub fn profile(value: db::PublicProfile) -> PublicProfile {
    match value {
        db::PublicProfile::Seated => PublicProfile::Seated,
        db::PublicProfile::Standing => PublicProfile::Standing,
        db::PublicProfile::StandingStatic => PublicProfile::StandingStatic,
        db::PublicProfile::StandingDynamic => PublicProfile::StandingDynamic,
    }
}

/// The stored public profile of a model profile.
pub fn stored_profile(value: PublicProfile) -> db::PublicProfile {
    match value {
        PublicProfile::Seated => db::PublicProfile::Seated,
        PublicProfile::Standing => db::PublicProfile::Standing,
        PublicProfile::StandingStatic => db::PublicProfile::StandingStatic,
        PublicProfile::StandingDynamic => db::PublicProfile::StandingDynamic,
    }
}

/// Maps the stored access class (DPS grid E1).
pub fn site_access(value: db::AccessClass) -> SiteAccess {
    match value {
        db::AccessClass::Clear => SiteAccess::Easy,
        db::AccessClass::Moderate => SiteAccess::Moderate,
        db::AccessClass::Difficult => SiteAccess::Difficult,
        db::AccessClass::VeryDifficult => SiteAccess::VeryDifficult,
    }
}

/// Maps a model resource kind to the stored one.
pub fn stored_kind(value: scoring::adequacy::ResourceKind) -> db::ResourceKind {
    use scoring::adequacy::ResourceKind as K;
    match value {
        K::FirstAid => db::ResourceKind::FirstAid,
        K::Stewards => db::ResourceKind::Stewards,
        K::MunicipalPolice => db::ResourceKind::MunicipalPolice,
        K::NationalPolice => db::ResourceKind::NationalPolice,
        K::FireRescue => db::ResourceKind::FireRescue,
        K::VideoOperators => db::ResourceKind::VideoOperators,
        K::TransitReinforcement => db::ResourceKind::TransitReinforcement,
    }
}

/// Sums an event's deployment rows into the model's counts.
pub fn planned(rows: &[deployment::Model]) -> ResourceCounts {
    let mut counts = ResourceCounts::default();
    for row in rows {
        let n = u32::try_from(row.count).unwrap_or(0);
        let slot = match row.kind {
            db::ResourceKind::FirstAid => &mut counts.first_aid,
            db::ResourceKind::Stewards => &mut counts.stewards,
            db::ResourceKind::MunicipalPolice => &mut counts.municipal_police,
            db::ResourceKind::NationalPolice => &mut counts.national_police,
            db::ResourceKind::FireRescue => &mut counts.fire_rescue,
            db::ResourceKind::VideoOperators => &mut counts.video_operators,
            db::ResourceKind::TransitReinforcement => &mut counts.transit_reinforcement,
        };
        *slot = slot.saturating_add(n);
    }
    counts
}

/// Imported calendar and weather around a set of days; computed holidays outside the
/// days an import covers; the observed weather of the days that have it.
#[derive(Debug, Default)]
pub struct CalendarView {
    public: BTreeSet<NaiveDate>,
    school: BTreeSet<NaiveDate>,
    coverage: Coverage,
    weather: BTreeMap<NaiveDate, DayWeather>,
}

impl CalendarView {
    /// Loads what is imported between `first` and `last` (inclusive).
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        first: NaiveDate,
        last: NaiveDate,
    ) -> ApiResult<Self> {
        let mut view = CalendarView {
            coverage: Coverage::load(db).await?,
            ..CalendarView::default()
        };
        for row in holiday::Entity::find()
            .filter(holiday::Column::Day.between(first, last))
            .all(db)
            .await?
        {
            match row.kind.as_str() {
                PUBLIC_HOLIDAY => view.public.insert(row.day),
                _ => view.school.insert(row.day),
            };
        }
        view.weather = weather_day::Entity::find()
            .filter(weather_day::Column::Day.between(first, last))
            .all(db)
            .await?
            .into_iter()
            .map(|w| (w.day, weather(&w)))
            .collect();
        Ok(view)
    }

    fn public_holiday(&self, day: NaiveDate) -> bool {
        if self.coverage.covers(PUBLIC_HOLIDAY, day) {
            self.public.contains(&day)
        } else {
            calendar::public_holidays(day.year()).contains(&day)
        }
    }

    fn school_holiday(&self, day: NaiveDate) -> bool {
        if self.coverage.covers(SCHOOL_HOLIDAY, day) {
            self.school.contains(&day)
        } else {
            calendar::school_holidays(day.year()).contains(&day)
        }
    }

    /// The day's observed weather, when imported (`inputs` supplies the others).
    fn weather(&self, day: NaiveDate) -> Option<DayWeather> {
        self.weather.get(&day).copied()
    }
}

/// The model's reading of an imported weather row: a value the station did not
/// report reads as the neutral day's.
pub fn weather(row: &weather_day::Model) -> DayWeather {
    let neutral = DayWeather::default();
    DayWeather {
        max_temp_c: row.max_temp_c.unwrap_or(neutral.max_temp_c),
        rain_mm: row.rain_mm.unwrap_or(neutral.rain_mm),
        wind_gust_ms: row.wind_gust_ms.unwrap_or(neutral.wind_gust_ms),
    }
}

/// What surrounds the events being scored: venues, zones, overlapping events, calendar.
pub struct Context {
    /// Venues by id.
    pub venues: HashMap<i64, venue::Model>,
    /// The zone hierarchy.
    pub tree: ZoneTree,
    /// Events overlapping the scored ones (themselves included).
    pub window: Vec<event::Model>,
    /// Calendar and weather of the days concerned.
    pub calendar: CalendarView,
    /// Forecasts, normals, disruptions, presence and past editions.
    pub live: inputs::LiveInputs,
}

impl Context {
    /// Loads the context of `events` (which must not be empty to be useful).
    pub async fn load<C: ConnectionTrait>(db: &C, events: &[event::Model]) -> ApiResult<Self> {
        let tree = ZoneTree::load(db).await?;
        let venues = venue::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|v| (v.id, v))
            .collect();
        let (Some(start), Some(end)) = (
            events.iter().map(|e| e.starts_at).min(),
            events.iter().map(|e| e.ends_at).max(),
        ) else {
            return Ok(Context {
                venues,
                tree,
                window: Vec::new(),
                calendar: CalendarView::default(),
                live: inputs::LiveInputs::default(),
            });
        };
        let window = event::Entity::find()
            .filter(crate::services::window::overlapping(db, start, end).await?)
            .all(db)
            .await?;
        let first = start.with_timezone(&Paris).date_naive();
        let last = end.with_timezone(&Paris).date_naive();
        let calendar = CalendarView::load(db, first, last).await?;
        let live = inputs::LiveInputs::load(db, events, &tree, &venues).await?;
        Ok(Context {
            venues,
            tree,
            window,
            calendar,
            live,
        })
    }

    /// Other active events overlapping `e` in the same arrondissement.
    fn concurrent(&self, e: &event::Model) -> u32 {
        let area = self.tree.area_of(e.zone_id);
        let count = self
            .window
            .iter()
            .filter(|o| o.id != e.id && active(o.status))
            .filter(|o| o.starts_at < e.ends_at && o.ends_at > e.starts_at)
            .filter(|o| self.tree.area_of(o.zone_id) == area)
            .count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// The model's features of one stored event.
    pub fn features(&self, e: &event::Model) -> EventFeatures {
        let local = e.starts_at.with_timezone(&Paris);
        let date = local.date_naive();
        let venue = e.venue_id.and_then(|id| self.venues.get(&id));
        let site = crate::services::venues::site_factors(e, venue);
        let seconds = (e.ends_at - e.starts_at).num_seconds().max(0);
        let (weather, weather_basis) = self.live.weather(date, self.calendar.weather(date));
        EventFeatures {
            category: category(e.category),
            date,
            start_hour: u8::try_from(local.hour()).unwrap_or(0),
            duration_hours: (seconds as f64 / 3600.0).max(MIN_DURATION_HOURS),
            attendance: u32::try_from(e.expected_attendance.max(1)).unwrap_or(u32::MAX),
            // An event without a venue happens in the streets of its zone.
            venue_kind: venue.map_or(VenueKind::Street, |v| venue_kind(v.kind)),
            venue_capacity: venue
                .and_then(|v| v.capacity)
                .and_then(|c| u32::try_from(c).ok()),
            indoor: venue.is_some_and(|v| v.indoor),
            alcohol: e.alcohol,
            public_holiday: self.calendar.public_holiday(date),
            school_holiday: self.calendar.school_holiday(date),
            weather,
            weather_basis: Some(weather_basis),
            concurrent_events: self.concurrent(e),
            transit_disruption: self.live.transit_disruption(e.id),
            presence_ratio: self.live.presence_ratio(e.id),
            past_incident_index: self.live.past_incident_index(e.id),
            public_profile: profile(e.public_profile),
            // The event's own factors (a stage, a marquee) replace its venue's.
            site_access: site_access(site.access_class),
            rescue_delay_minutes: u32::try_from(site.rescue_delay_min).unwrap_or(0),
            // What the metro near the venue and its roads carry away; an event
            // without a venue leaves by the streets of its zone.
            egress_capacity: Some(match venue {
                Some(v) => {
                    load::egress_capacity(venue_kind(v.kind), Some((v.latitude, v.longitude)))
                }
                None => load::road_capacity(VenueKind::Street),
            }),
        }
    }
}

/// Whether an event takes place as planned: cancelled and postponed ones do not count
/// as concurrent events, nor in a day's highest risk.
pub fn active(status: EventStatus) -> bool {
    !matches!(status, EventStatus::Cancelled | EventStatus::Postponed)
}

/// Whether an event is scored: a postponed event will still happen (at its new
/// dates), a cancelled one will not.
pub fn scorable(status: EventStatus) -> bool {
    status != EventStatus::Cancelled
}
