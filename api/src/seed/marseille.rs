//! Reference data about Marseille used by the demo seed: arrondissements, sites,
//! venues, organizations and their sources.
//!
//! Populations and areas are INSEE figures (as published with the arrondissements'
//! outlines); venue capacities are the venues' published capacities, rounded where
//! the venue announces a range.

use entity::enums::{
    AccessClass, Granularity, OrganizationKind, SourceKind, SourceStatus, VenueKind, ZoneLevel,
};

/// A zone to seed.
pub struct ZoneSeed {
    /// Public code (INSEE code or slug).
    pub code: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Level.
    pub level: ZoneLevel,
    /// Code of the parent zone.
    pub parent: Option<&'static str>,
    /// Resident population.
    pub population: Option<i64>,
    /// Area in km².
    pub area_km2: Option<f64>,
}

/// The city, its 16 arrondissements and a few sites watched on their own.
#[rustfmt::skip]
pub const ZONES: &[ZoneSeed] = &[
    z("13055", "Marseille", ZoneLevel::City, None, Some(873_076), Some(240.62)),
    z("13201", "1er arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(40_202), Some(1.77)),
    z("13202", "2e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(24_889), Some(3.16)),
    z("13203", "3e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(47_774), Some(2.53)),
    z("13204", "4e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(48_073), Some(2.85)),
    z("13205", "5e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(46_275), Some(2.17)),
    z("13206", "6e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(43_070), Some(2.05)),
    z("13207", "7e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(35_174), Some(5.77)),
    z("13208", "8e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(80_725), Some(19.03)),
    z("13209", "9e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(74_521), Some(63.38)),
    z("13210", "10e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(56_191), Some(10.72)),
    z("13211", "11e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(57_755), Some(33.44)),
    z("13212", "12e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(60_800), Some(14.08)),
    z("13213", "13e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(91_758), Some(27.96)),
    z("13214", "14e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(62_199), Some(16.39)),
    z("13215", "15e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(76_419), Some(16.59)),
    z("13216", "16e arrondissement", ZoneLevel::Arrondissement, Some("13055"), Some(16_390), Some(14.23)),
    z("site-vieux-port", "Vieux-Port", ZoneLevel::Site, Some("13201"), None, Some(0.12)),
    z("site-plages-prado", "Plages du Prado", ZoneLevel::Site, Some("13208"), None, Some(0.26)),
    z("site-velodrome", "Abords de l'Orange Vélodrome", ZoneLevel::Site, Some("13208"), None, Some(0.35)),
    z("site-canebiere", "La Canebière", ZoneLevel::Site, Some("13201"), None, Some(0.05)),
];

const fn z(
    code: &'static str,
    name: &'static str,
    level: ZoneLevel,
    parent: Option<&'static str>,
    population: Option<i64>,
    area_km2: Option<f64>,
) -> ZoneSeed {
    ZoneSeed {
        code,
        name,
        level,
        parent,
        population,
        area_km2,
    }
}

/// A venue to seed.
pub struct VenueSeed {
    /// Public code (slug).
    pub code: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Code of its zone.
    pub zone: &'static str,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Kind.
    pub kind: VenueKind,
    /// Capacity, when bounded.
    pub capacity: Option<i64>,
    /// Area in m².
    pub area_m2: Option<f64>,
    /// Indoors.
    pub indoor: bool,
    /// Sensitive site.
    pub sensitive: bool,
    /// DPS access class.
    pub access: AccessClass,
    /// Public rescue delay in minutes.
    pub rescue_min: i32,
}

#[allow(clippy::too_many_arguments)]
const fn v(
    code: &'static str,
    name: &'static str,
    zone: &'static str,
    (lat, lon): (f64, f64),
    kind: VenueKind,
    capacity: Option<i64>,
    area_m2: Option<f64>,
    (indoor, sensitive): (bool, bool),
    access: AccessClass,
    rescue_min: i32,
) -> VenueSeed {
    VenueSeed {
        code,
        name,
        zone,
        lat,
        lon,
        kind,
        capacity,
        area_m2,
        indoor,
        sensitive,
        access,
        rescue_min,
    }
}

use AccessClass::{Clear, Difficult, Moderate, VeryDifficult};
use VenueKind as K;

/// Real venues of Marseille with their capacities.
#[rustfmt::skip]
pub const VENUES: &[VenueSeed] = &[
    v("orange-velodrome", "Orange Vélodrome", "site-velodrome", (43.2698, 5.3959), K::Stadium, Some(67_394), Some(77_000.0), (false, true), VeryDifficult, 10),
    v("le-dome", "Le Dôme", "13204", (43.3086, 5.3962), K::Hall, Some(8_500), Some(6_000.0), (true, false), Clear, 10),
    v("palais-des-sports", "Palais des Sports", "13208", (43.2676, 5.3995), K::Hall, Some(7_200), Some(5_500.0), (true, false), Clear, 10),
    v("parc-chanot", "Parc Chanot", "13208", (43.2711, 5.3915), K::Hall, Some(25_000), Some(160_000.0), (false, false), Moderate, 10),
    v("vieux-port", "Vieux-Port (quai de la Fraternité)", "site-vieux-port", (43.2951, 5.3742), K::Port, Some(40_000), Some(25_000.0), (false, true), Moderate, 10),
    v("plages-prado", "Plages du Prado", "site-plages-prado", (43.2605, 5.3747), K::Beach, Some(30_000), Some(260_000.0), (false, true), VeryDifficult, 20),
    v("parc-borely", "Parc Borély", "13208", (43.2597, 5.3820), K::Park, Some(30_000), Some(170_000.0), (false, false), VeryDifficult, 20),
    v("mucem-j4", "Mucem et esplanade du J4", "13202", (43.2967, 5.3611), K::Museum, Some(10_000), Some(15_000.0), (false, true), Moderate, 10),
    v("stade-delort", "Stade Pierre-Delort", "13208", (43.2672, 5.3926), K::Stadium, Some(5_000), Some(20_000.0), (false, false), Clear, 10),
    v("notre-dame-garde", "Notre-Dame de la Garde", "13206", (43.2840, 5.3712), K::Monument, Some(2_000), Some(8_000.0), (false, false), VeryDifficult, 20),
    v("hopital-timone", "Hôpital de la Timone", "13205", (43.2897, 5.4024), K::Hospital, None, None, (true, true), Clear, 10),
    v("hopital-nord", "Hôpital Nord", "13215", (43.3795, 5.3634), K::Hospital, None, None, (true, true), Clear, 10),
    v("silo-arenc", "Le Silo", "13202", (43.3106, 5.3664), K::Hall, Some(2_050), Some(2_000.0), (true, false), Clear, 10),
    v("theatre-criee", "Théâtre de la Criée", "13207", (43.2928, 5.3690), K::Hall, Some(800), Some(1_500.0), (true, false), Clear, 10),
    v("opera-marseille", "Opéra de Marseille", "13201", (43.2948, 5.3759), K::Hall, Some(1_800), Some(2_500.0), (true, false), Clear, 10),
    v("cours-julien", "Cours Julien", "13206", (43.2940, 5.3834), K::Square, Some(3_000), Some(6_000.0), (false, false), Clear, 10),
    v("la-canebiere", "La Canebière", "site-canebiere", (43.2971, 5.3800), K::Street, Some(20_000), Some(30_000.0), (false, false), Clear, 10),
    v("gare-saint-charles", "Gare Saint-Charles", "13201", (43.3027, 5.3806), K::Station, Some(15_000), Some(20_000.0), (true, true), Difficult, 10),
    v("palais-pharo", "Palais du Pharo", "13207", (43.2927, 5.3611), K::Hall, Some(1_500), Some(10_000.0), (false, false), Moderate, 10),
    v("friche-belle-de-mai", "Friche la Belle de Mai", "13203", (43.3107, 5.3903), K::Hall, Some(6_000), Some(45_000.0), (false, false), Moderate, 10),
    v("palais-longchamp", "Palais Longchamp", "13204", (43.3046, 5.3944), K::Park, Some(5_000), Some(30_000.0), (false, false), Difficult, 10),
    v("place-castellane", "Place Castellane", "13206", (43.2863, 5.3838), K::Square, Some(5_000), Some(7_000.0), (false, false), Clear, 10),
    v("stade-vallier", "Stade Vallier", "13204", (43.3027, 5.3997), K::Stadium, Some(1_500), Some(9_000.0), (false, false), Clear, 10),
    v("calanque-sormiou", "Calanque de Sormiou", "13209", (43.2134, 5.4202), K::Park, Some(2_500), Some(400_000.0), (false, true), VeryDifficult, 40),
    v("vallon-des-auffes", "Vallon des Auffes", "13207", (43.2857, 5.3499), K::Port, Some(1_500), Some(3_000.0), (false, true), Difficult, 20),
    v("marche-noailles", "Marché des Capucins (Noailles)", "13201", (43.2952, 5.3805), K::Street, Some(3_000), Some(2_500.0), (false, false), Difficult, 10),
    v("plage-catalans", "Plage des Catalans", "13207", (43.2906, 5.3585), K::Beach, Some(3_000), Some(10_000.0), (false, true), Moderate, 10),
    v("dock-des-suds", "Dock des Suds", "13202", (43.3155, 5.3662), K::Hall, Some(5_000), Some(8_000.0), (true, false), Clear, 10),
    v("port-pointe-rouge", "Port de la Pointe Rouge", "13208", (43.2466, 5.3710), K::Port, Some(4_000), Some(40_000.0), (false, true), Moderate, 20),
    v("avenue-prado", "Avenue du Prado", "13208", (43.2780, 5.3880), K::Street, Some(30_000), Some(60_000.0), (false, false), Clear, 10),
    v("place-bargemon", "Place Bargemon (Hôtel de Ville)", "13202", (43.2961, 5.3697), K::Square, Some(3_000), Some(4_000.0), (false, false), Clear, 10),
    v("prefecture", "Place de la Préfecture", "13206", (43.2899, 5.3790), K::Square, Some(4_000), Some(5_000.0), (false, true), Clear, 10),
];

/// An organization to seed.
pub struct OrganizationSeed {
    /// Public code (slug).
    pub code: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Municipal or partner.
    pub kind: OrganizationKind,
    /// Role for the platform.
    pub description: &'static str,
}

/// The municipal services and partner agencies named by the city.
#[rustfmt::skip]
pub const ORGANIZATIONS: &[OrganizationSeed] = &[
    o("police-municipale", "Police municipale de Marseille", OrganizationKind::Municipal, "Municipal police activity and presence on public space."),
    o("csu", "Centre de supervision urbaine", OrganizationKind::Municipal, "Urban supervision centre: event logs (never images)."),
    o("parcs-jardins", "Direction des parcs et jardins", OrganizationKind::Municipal, "Parks staff reports."),
    o("espace-public", "Direction de l'espace public (marchés)", OrganizationKind::Municipal, "Market locations and days, public-space occupation permits."),
    o("culture", "Direction de l'action culturelle", OrganizationKind::Municipal, "Cultural agenda of the city."),
    o("rtm", "Régie des transports métropolitains (RTM)", OrganizationKind::Partner, "Public transport operator: transit load and disruptions, aggregated."),
    o("bmpm", "Bataillon de marins-pompiers de Marseille", OrganizationKind::Partner, "Fire brigade: interventions, aggregated by zone and hour."),
    o("ddsp13", "Direction départementale de la sécurité publique des Bouches-du-Rhône", OrganizationKind::Partner, "National police: offences and interventions, aggregated."),
    o("prefecture-police", "Préfecture de police des Bouches-du-Rhône", OrganizationKind::Partner, "Declared demonstrations and official visits."),
    o("meteo-france", "Météo-France", OrganizationKind::Partner, "Weather observations and forecasts (station Marignane 13054001)."),
    o("operateurs-mobiles", "Opérateurs de téléphonie mobile", OrganizationKind::Partner, "Aggregated presence counts from mobile networks (never individual traces)."),
];

const fn o(
    code: &'static str,
    name: &'static str,
    kind: OrganizationKind,
    description: &'static str,
) -> OrganizationSeed {
    OrganizationSeed {
        code,
        name,
        kind,
        description,
    }
}

/// A source to seed.
pub struct SourceSeed {
    /// Public code (slug).
    pub code: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Code of the owning organization.
    pub organization: &'static str,
    /// Kind of dataset.
    pub kind: SourceKind,
    /// Fields informed, comma-separated.
    pub fields: &'static str,
    /// Records or aggregates.
    pub granularity: Granularity,
    /// Metrics allowed, comma-separated.
    pub metrics: &'static str,
    /// Minimum contributors per cell (k).
    pub k: i32,
    /// Finest bucket in minutes.
    pub min_bucket: i32,
    /// Finest zone level.
    pub min_zone: ZoneLevel,
    /// Status.
    pub status: SourceStatus,
}

use Granularity::{Aggregate, Record};
use SourceStatus::{Active, Draft};

/// The datasets the platform pools. Partner data is aggregate-only (k = 11 by
/// default, 20 for phone presence counts as operators publish).
#[rustfmt::skip]
pub const SOURCES: &[SourceSeed] = &[
    s("pm-activite", "Activité de la police municipale", "police-municipale", SourceKind::Incidents, "tranquillity,security", Record, "incidents", 1, 1, ZoneLevel::Site, Active),
    s("csu-journal", "Journal du centre de supervision urbaine", "csu", SourceKind::Reports, "tranquillity,security,mobility", Record, "reports", 1, 1, ZoneLevel::Site, Active),
    s("parcs-signalements", "Signalements des agents des parcs", "parcs-jardins", SourceKind::Reports, "tranquillity", Record, "reports", 1, 1, ZoneLevel::Site, Active),
    s("marches", "Marchés et occupations du domaine public", "espace-public", SourceKind::Markets, "tranquillity,mobility", Record, "markets", 1, 1, ZoneLevel::Site, Active),
    s("agenda-culturel", "Agenda culturel de la ville", "culture", SourceKind::Events, "tranquillity,security,mobility", Record, "events", 1, 1, ZoneLevel::Site, Active),
    s("rtm-frequentation", "Fréquentation et perturbations du réseau RTM", "rtm", SourceKind::Transit, "mobility", Aggregate, "transit_load,disruptions", 11, 15, ZoneLevel::Arrondissement, Active),
    s("bmpm-interventions", "Interventions des marins-pompiers", "bmpm", SourceKind::Incidents, "security", Aggregate, "interventions", 11, 60, ZoneLevel::Arrondissement, Active),
    s("ddsp-faits", "Faits constatés par la police nationale", "ddsp13", SourceKind::Incidents, "security,tranquillity", Aggregate, "offences", 11, 1440, ZoneLevel::Arrondissement, Active),
    s("prefecture-declarations", "Manifestations déclarées et visites officielles", "prefecture-police", SourceKind::Events, "security,mobility", Record, "events", 1, 1, ZoneLevel::Site, Active),
    s("meteo-observations", "Observations et prévisions météorologiques", "meteo-france", SourceKind::Weather, "security,mobility", Aggregate, "temperature,rain,wind_gust", 1, 60, ZoneLevel::City, Active),
    s("presence-operateurs", "Comptages de présence agrégés", "operateurs-mobiles", SourceKind::Presence, "tranquillity,security,mobility", Aggregate, "presence", 20, 15, ZoneLevel::Site, Active),
    s("presence-quartiers", "Comptages de présence par quartier (projet)", "operateurs-mobiles", SourceKind::Presence, "tranquillity,mobility", Aggregate, "presence", 20, 60, ZoneLevel::Quartier, Draft),
];

#[allow(clippy::too_many_arguments)]
const fn s(
    code: &'static str,
    name: &'static str,
    organization: &'static str,
    kind: SourceKind,
    fields: &'static str,
    granularity: Granularity,
    metrics: &'static str,
    k: i32,
    min_bucket: i32,
    min_zone: ZoneLevel,
    status: SourceStatus,
) -> SourceSeed {
    SourceSeed {
        code,
        name,
        organization,
        kind,
        fields,
        granularity,
        metrics,
        k,
        min_bucket,
        min_zone,
        status,
    }
}
