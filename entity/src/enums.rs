//! Enumerations stored as short text values, shared by several tables.
//!
//! Text (not database enum types) keeps SQLite and PostgreSQL identical and lets a
//! migration add a value without altering a type.

use sea_orm::entity::prelude::*;

/// Level of a zone in the city's hierarchy, from the whole city down to a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ZoneLevel {
    /// The whole city.
    #[sea_orm(string_value = "city")]
    City,
    /// One of the 16 arrondissements (INSEE 13201..13216).
    #[sea_orm(string_value = "arrondissement")]
    Arrondissement,
    /// One of the 111 official quartiers.
    #[sea_orm(string_value = "quartier")]
    Quartier,
    /// A named site (a beach, a square, a stadium's surroundings).
    #[sea_orm(string_value = "site")]
    Site,
}

/// Kind of venue, which drives crowd and access assumptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum VenueKind {
    /// Stadium.
    #[sea_orm(string_value = "stadium")]
    Stadium,
    /// Beach.
    #[sea_orm(string_value = "beach")]
    Beach,
    /// Street or avenue.
    #[sea_orm(string_value = "street")]
    Street,
    /// Square.
    #[sea_orm(string_value = "square")]
    Square,
    /// Park or garden.
    #[sea_orm(string_value = "park")]
    Park,
    /// Concert or exhibition hall.
    #[sea_orm(string_value = "hall")]
    Hall,
    /// Port or quay.
    #[sea_orm(string_value = "port")]
    Port,
    /// Museum.
    #[sea_orm(string_value = "museum")]
    Museum,
    /// Place of worship or monument.
    #[sea_orm(string_value = "monument")]
    Monument,
    /// Hospital (a sensitive site).
    #[sea_orm(string_value = "hospital")]
    Hospital,
    /// Transport hub (station).
    #[sea_orm(string_value = "station")]
    Station,
    /// Any other kind.
    #[sea_orm(string_value = "other")]
    Other,
}

/// Access class of a site for rescuers (the E1 factor of the national DPS grid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AccessClass {
    /// Permanent building or public road with clear access (0.25).
    #[sea_orm(string_value = "clear")]
    Clear,
    /// Temporary stands, natural area up to 2 ha, carry of 150-300 m (0.30).
    #[sea_orm(string_value = "moderate")]
    Moderate,
    /// Natural area of 2-5 ha, carry of 300-600 m, other difficult access (0.35).
    #[sea_orm(string_value = "difficult")]
    Difficult,
    /// Natural area over 5 ha, carry over 600 m, banks, stairs, dense crowd (0.40).
    #[sea_orm(string_value = "very_difficult")]
    VeryDifficult,
}

/// Whether an organization is a municipal service or a partner agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OrganizationKind {
    /// A service of the city.
    #[sea_orm(string_value = "municipal")]
    Municipal,
    /// An agency outside the city that shares data under an agreement.
    #[sea_orm(string_value = "partner")]
    Partner,
}

/// What a source's dataset holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SourceKind {
    /// Planned events.
    #[sea_orm(string_value = "events")]
    Events,
    /// Incidents or interventions.
    #[sea_orm(string_value = "incidents")]
    Incidents,
    /// Aggregated presence counts.
    #[sea_orm(string_value = "presence")]
    Presence,
    /// Transit load and disruptions.
    #[sea_orm(string_value = "transit")]
    Transit,
    /// Weather observations and forecasts.
    #[sea_orm(string_value = "weather")]
    Weather,
    /// Staff reports and logs.
    #[sea_orm(string_value = "reports")]
    Reports,
    /// Market locations and days.
    #[sea_orm(string_value = "markets")]
    Markets,
}

/// Whether a source sends individual records or aggregates only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Granularity {
    /// Individual records (municipal data only).
    #[sea_orm(string_value = "record")]
    Record,
    /// Aggregated counts only.
    #[sea_orm(string_value = "aggregate")]
    Aggregate,
}

/// Lifecycle of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SourceStatus {
    /// Described but not yet allowed to ingest.
    #[sea_orm(string_value = "draft")]
    Draft,
    /// Ingesting.
    #[sea_orm(string_value = "active")]
    Active,
    /// Stopped.
    #[sea_orm(string_value = "suspended")]
    Suspended,
}

/// Category of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum EventCategory {
    /// Football match.
    #[sea_orm(string_value = "football_match")]
    FootballMatch,
    /// Concert.
    #[sea_orm(string_value = "concert")]
    Concert,
    /// Festival.
    #[sea_orm(string_value = "festival")]
    Festival,
    /// Market.
    #[sea_orm(string_value = "market")]
    Market,
    /// Demonstration.
    #[sea_orm(string_value = "demonstration")]
    Demonstration,
    /// Official visit.
    #[sea_orm(string_value = "official_visit")]
    OfficialVisit,
    /// Cultural event.
    #[sea_orm(string_value = "cultural")]
    Cultural,
    /// Sports event other than football.
    #[sea_orm(string_value = "sports")]
    Sports,
    /// Nautical event.
    #[sea_orm(string_value = "nautical")]
    Nautical,
    /// Religious celebration.
    #[sea_orm(string_value = "religious")]
    Religious,
    /// Anything else.
    #[sea_orm(string_value = "other")]
    Other,
}

/// How the public behaves, the P2 factor of the national DPS grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum PublicProfile {
    /// Seated (0.25).
    #[sea_orm(string_value = "seated")]
    Seated,
    /// Standing (0.30).
    #[sea_orm(string_value = "standing")]
    Standing,
    /// Standing, static (0.35).
    #[sea_orm(string_value = "standing_static")]
    StandingStatic,
    /// Standing, dynamic (0.40).
    #[sea_orm(string_value = "standing_dynamic")]
    StandingDynamic,
}

/// Planning status of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EventStatus {
    /// Announced, not yet confirmed.
    #[sea_orm(string_value = "planned")]
    Planned,
    /// Confirmed by its organizer.
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    /// Postponed to a later date.
    #[sea_orm(string_value = "postponed")]
    Postponed,
    /// Moved to another place.
    #[sea_orm(string_value = "moved")]
    Moved,
    /// Cancelled.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// Kind of planned resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum ResourceKind {
    /// Municipal police officers.
    #[sea_orm(string_value = "municipal_police")]
    MunicipalPolice,
    /// National police officers.
    #[sea_orm(string_value = "national_police")]
    NationalPolice,
    /// Fire and rescue staff.
    #[sea_orm(string_value = "fire_rescue")]
    FireRescue,
    /// First-aid workers of an approved association (DPS).
    #[sea_orm(string_value = "first_aid")]
    FirstAid,
    /// Stewards employed by the organizer.
    #[sea_orm(string_value = "stewards")]
    Stewards,
    /// Operators at the urban supervision centre.
    #[sea_orm(string_value = "video_operators")]
    VideoOperators,
    /// Extra transit capacity (vehicles or staff).
    #[sea_orm(string_value = "transit_reinforcement")]
    TransitReinforcement,
}
