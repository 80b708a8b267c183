//! What the model knows about one event: its features as plain values (category,
//! attendance, venue, calendar, weather, context), the three fields of risk, and the
//! incident counts a history row carries. Encoding into numbers lives in `design`.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::dps::{DpsInput, PublicProfile, RescueDelay, SiteAccess};

/// The three fields of risk the platform scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Nuisance, incivilities, occupation of public space.
    Tranquillity,
    /// Incidents, offences, rescue.
    Security,
    /// Traffic, transit, access.
    Mobility,
}

impl Field {
    /// Every field, in the order used by vectors indexed by field.
    pub const ALL: [Field; 3] = [Field::Tranquillity, Field::Security, Field::Mobility];

    /// Stable lower-case name (used in JSON and model cards).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Tranquillity => "tranquillity",
            Self::Security => "security",
            Self::Mobility => "mobility",
        }
    }

    /// Position in `Field::ALL`.
    pub const fn index(self) -> usize {
        match self {
            Self::Tranquillity => 0,
            Self::Security => 1,
            Self::Mobility => 2,
        }
    }
}

/// Incidents recorded for one event, by field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldCounts {
    /// Tranquillity incidents (nuisance, incivilities, occupation).
    pub tranquillity: u32,
    /// Security incidents (offences, rescue).
    pub security: u32,
    /// Mobility incidents (traffic, transit, access).
    pub mobility: u32,
}

impl FieldCounts {
    /// The count of one field.
    pub const fn get(&self, field: Field) -> u32 {
        match field {
            Field::Tranquillity => self.tranquillity,
            Field::Security => self.security,
            Field::Mobility => self.mobility,
        }
    }
}

/// Kind of event. The model's reference level is `Market`, the most frequent kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventCategory {
    /// Professional football match.
    FootballMatch,
    /// Concert.
    Concert,
    /// Festival (several hours or days, several stages).
    Festival,
    /// Open-air market.
    Market,
    /// Declared demonstration.
    Demonstration,
    /// Official visit (head of state, minister) with security perimeter.
    OfficialVisit,
    /// Cultural event (exhibition, theatre, museum night).
    Cultural,
    /// Sports event other than professional football (race, tournament).
    Sports,
    /// Nautical event (regatta, harbour festival).
    Nautical,
    /// Anything else.
    Other,
}

impl EventCategory {
    /// Every category.
    pub const ALL: [EventCategory; 10] = [
        Self::FootballMatch,
        Self::Concert,
        Self::Festival,
        Self::Market,
        Self::Demonstration,
        Self::OfficialVisit,
        Self::Cultural,
        Self::Sports,
        Self::Nautical,
        Self::Other,
    ];

    /// Stable lower-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::FootballMatch => "football_match",
            Self::Concert => "concert",
            Self::Festival => "festival",
            Self::Market => "market",
            Self::Demonstration => "demonstration",
            Self::OfficialVisit => "official_visit",
            Self::Cultural => "cultural",
            Self::Sports => "sports",
            Self::Nautical => "nautical",
            Self::Other => "other",
        }
    }
}

/// Kind of venue. The model's reference level is `Street`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VenueKind {
    /// Stadium (e.g. Orange Vélodrome, 67,394 seats).
    Stadium,
    /// Beach (e.g. Prado beaches).
    Beach,
    /// Street or avenue.
    Street,
    /// Square or esplanade.
    Square,
    /// Park or garden.
    Park,
    /// Hall, theatre, arena.
    Hall,
    /// Port or quay (Vieux-Port).
    Port,
    /// Anything else.
    Other,
}

impl VenueKind {
    /// Every venue kind.
    pub const ALL: [VenueKind; 8] = [
        Self::Stadium,
        Self::Beach,
        Self::Street,
        Self::Square,
        Self::Park,
        Self::Hall,
        Self::Port,
        Self::Other,
    ];

    /// Stable lower-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Stadium => "stadium",
            Self::Beach => "beach",
            Self::Street => "street",
            Self::Square => "square",
            Self::Park => "park",
            Self::Hall => "hall",
            Self::Port => "port",
            Self::Other => "other",
        }
    }
}

/// The day's weather where the event happens (daily values, as Météo-France publishes).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DayWeather {
    /// Maximum temperature, °C (DPClim `TX`).
    pub max_temp_c: f64,
    /// Rain over the day, mm (DPClim `RR`).
    pub rain_mm: f64,
    /// Strongest instantaneous wind gust, m/s (DPClim `FXI`).
    pub wind_gust_ms: f64,
}

impl Default for DayWeather {
    /// A mild, dry, calm day: no weather term contributes.
    fn default() -> Self {
        Self {
            max_temp_c: 20.0,
            rain_mm: 0.0,
            wind_gust_ms: 8.0,
        }
    }
}

/// Where the day's weather values of an event come from. Recorded with the features
/// so an assessment says what it read; the encoding does not use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeatherBasis {
    /// The station's observed day (imported daily climatology).
    Observed,
    /// The weather feed's cells for the day: forecasts for the coming days.
    Forecast,
    /// The climatological normal of the calendar day, from the imported station
    /// history.
    Normal,
    /// Nothing known: the neutral day, which adds nothing to the risk.
    Unknown,
}

/// Everything the model and the DPS grid need about one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventFeatures {
    /// Kind of event.
    pub category: EventCategory,
    /// Local (Europe/Paris) date of the start; the weekday is derived from it.
    pub date: NaiveDate,
    /// Local start hour, 0-23.
    pub start_hour: u8,
    /// Duration in hours (more than 0).
    pub duration_hours: f64,
    /// Expected attendance (maximum present at once), at least 1.
    pub attendance: u32,
    /// Kind of venue.
    pub venue_kind: VenueKind,
    /// Venue capacity, when it has one (streets and beaches usually do not).
    pub venue_capacity: Option<u32>,
    /// Whether the event is indoors.
    pub indoor: bool,
    /// Whether alcohol is sold or allowed.
    pub alcohol: bool,
    /// Whether the day is a French public holiday.
    pub public_holiday: bool,
    /// Whether the day falls in the school holidays of zone B (Aix-Marseille).
    pub school_holiday: bool,
    /// The day's weather (forecast before, observed after).
    pub weather: DayWeather,
    /// Where `weather` comes from; `None` where it was not recorded (history rows,
    /// assessments stored before it was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weather_basis: Option<WeatherBasis>,
    /// Other events overlapping in time in the same arrondissement.
    pub concurrent_events: u32,
    /// Whether a transit disruption (strike, closed line) is announced for the day.
    pub transit_disruption: bool,
    /// Live presence count divided by the expected attendance (phone operators'
    /// aggregated counts), when one is available; 1.0 means as expected.
    pub presence_ratio: Option<f64>,
    /// Incidents per attendee at this event's past editions divided by the citywide
    /// average of its category (1.0 = typical), when the event has past editions.
    pub past_incident_index: Option<f64>,
    /// The public's profile (DPS grid P2).
    pub public_profile: PublicProfile,
    /// The venue's access class (DPS grid E1).
    pub site_access: SiteAccess,
    /// Public rescue delay to the venue, minutes (DPS grid E2).
    pub rescue_delay_minutes: u32,
    /// People per half hour the transit and roads serving the site carry away
    /// (`load::egress_capacity`); the road figure of the venue kind when unknown.
    #[serde(default)]
    pub egress_capacity: Option<f64>,
}

impl EventFeatures {
    /// Day of the week of the start.
    pub fn weekday(&self) -> Weekday {
        self.date.weekday()
    }

    /// Attendance divided by capacity, when the venue has a capacity.
    pub fn capacity_use(&self) -> Option<f64> {
        self.venue_capacity
            .filter(|capacity| *capacity > 0)
            .map(|capacity| f64::from(self.attendance) / f64::from(capacity))
    }

    /// The DPS grid's input for this event.
    pub fn dps_input(&self) -> DpsInput {
        DpsInput {
            public: u64::from(self.attendance),
            profile: self.public_profile,
            site: self.site_access,
            rescue_delay: RescueDelay::from_minutes(self.rescue_delay_minutes),
        }
    }
}

/// One past event with what happened: a training row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// The event as it was known.
    pub features: EventFeatures,
    /// Incidents recorded during the event, by field.
    pub incidents: FieldCounts,
}
