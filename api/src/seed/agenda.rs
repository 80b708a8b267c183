//! Generates a plausible day of Marseille's public-space agenda: markets every
//! morning, concerts and shows in the evening, OM home games, demonstrations,
//! nautical and sports events at weekends, festivals, official visits.
//!
//! Each day is generated from its own seed, so re-seeding a day gives the same
//! events and a later start can top up the rolling window without touching the
//! days already there.

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use entity::enums::{EventCategory, PublicProfile, ResourceKind};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One generated event, before it is stored.
#[derive(Debug, Clone)]
pub struct PlannedEvent {
    /// Title.
    pub title: String,
    /// Category.
    pub category: EventCategory,
    /// Venue code.
    pub venue: &'static str,
    /// Local (Europe/Paris) start.
    pub start: chrono::NaiveDateTime,
    /// Duration in minutes.
    pub minutes: i64,
    /// Expected attendance.
    pub attendance: i64,
    /// Organizer.
    pub organizer: &'static str,
    /// Public profile.
    pub profile: PublicProfile,
    /// Alcohol served.
    pub alcohol: bool,
    /// Series key.
    pub series: Option<String>,
    /// Planned resources; empty when the organizer has not filed a plan yet.
    pub deployment: Vec<(ResourceKind, i32)>,
}

/// Base seed mixed with the day so that every day differs but is reproducible.
const SEED_BASE: u64 = 0x4d41_5253_4549_4c4c; // "MARSEILL"

/// Share of events with no deployment filed yet (the agenda flags them).
const NO_DEPLOYMENT_SHARE: f64 = 0.12;

/// Generates the events starting on `day` (Europe/Paris).
pub fn events_for_day(day: NaiveDate) -> Vec<PlannedEvent> {
    let seed = SEED_BASE ^ u64::from(day.num_days_from_ce().unsigned_abs());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let weekday = day.weekday();
    let weekend = matches!(weekday, Weekday::Sat | Weekday::Sun);
    let mut out = Vec::new();

    // Markets: the Capucins every morning but Sunday, Cours Julien on Wednesdays
    // and Saturdays, the Prado market every morning.
    if weekday != Weekday::Sun {
        out.push(market(
            &mut rng,
            day,
            "Marché des Capucins",
            "marche-noailles",
            2_500,
        ));
    }
    if matches!(weekday, Weekday::Wed | Weekday::Sat) {
        out.push(market(
            &mut rng,
            day,
            "Marché du Cours Julien",
            "cours-julien",
            1_800,
        ));
    }
    out.push(market(
        &mut rng,
        day,
        "Marché du Prado",
        "avenue-prado",
        4_000,
    ));

    // Olympique de Marseille plays at home about every other week-end.
    if weekday == Weekday::Sat && day.iso_week().week().is_multiple_of(2) {
        let opponent = *[
            "Paris SG",
            "OL",
            "LOSC",
            "Stade Rennais",
            "OGC Nice",
            "RC Lens",
            "AS Monaco",
            "FC Nantes",
        ]
        .choose(&mut rng)
        .unwrap_or(&"Paris SG");
        let attendance = rng.random_range(52_000..=65_900);
        out.push(event(
            &mut rng,
            format!("OM - {opponent} (Ligue 1)"),
            EventCategory::FootballMatch,
            "orange-velodrome",
            day,
            (21, 0),
            150,
            attendance,
            "Olympique de Marseille",
            PublicProfile::Seated,
            true,
            Some("om-ligue1".to_owned()),
        ));
    }

    // Evening shows: one to three a day, more at weekends.
    let shows = if weekend {
        rng.random_range(2..=4)
    } else {
        rng.random_range(1..=3)
    };
    for _ in 0..shows {
        let (title, venue, cap, profile) = *SHOWS.choose(&mut rng).unwrap_or(&SHOWS[0]);
        let attendance = (f64::from(cap) * rng.random_range(0.55..0.98)).round() as i64;
        let category = if matches!(
            venue,
            "le-dome" | "silo-arenc" | "dock-des-suds" | "friche-belle-de-mai"
        ) {
            EventCategory::Concert
        } else {
            EventCategory::Cultural
        };
        let hour = rng.random_range(19..=21);
        out.push(event(
            &mut rng,
            title.to_owned(),
            category,
            venue,
            day,
            (hour, 0),
            150,
            attendance,
            "Direction de l'action culturelle",
            profile,
            category == EventCategory::Concert,
            None,
        ));
    }

    // Daytime cultural visits and exhibitions.
    if rng.random_bool(0.7) {
        let attendance = rng.random_range(800..4_000);
        out.push(event(
            &mut rng,
            "Exposition et visites au Mucem".to_owned(),
            EventCategory::Cultural,
            "mucem-j4",
            day,
            (10, 0),
            480,
            attendance,
            "Mucem",
            PublicProfile::StandingDynamic,
            false,
            Some("mucem-expo".to_owned()),
        ));
    }

    // Weekend sports and nautical events.
    if weekend {
        let (title, venue, category, attendance) = *WEEKEND.choose(&mut rng).unwrap_or(&WEEKEND[0]);
        let attendance = (f64::from(attendance) * rng.random_range(0.7..1.2)).round() as i64;
        let hour = rng.random_range(9..=15);
        out.push(event(
            &mut rng,
            title.to_owned(),
            category,
            venue,
            day,
            (hour, 0),
            240,
            attendance,
            "Office municipal des sports",
            PublicProfile::StandingDynamic,
            false,
            None,
        ));
    }

    // Demonstrations, declared to the prefecture, mostly on weekdays and Saturdays.
    if weekday != Weekday::Sun && rng.random_bool(0.3) {
        let (title, venue) = *DEMONSTRATIONS
            .choose(&mut rng)
            .unwrap_or(&DEMONSTRATIONS[0]);
        let attendance = rng.random_range(300..8_000);
        let hour = rng.random_range(10..=18);
        out.push(event(
            &mut rng,
            title.to_owned(),
            EventCategory::Demonstration,
            venue,
            day,
            (hour, 30),
            180,
            attendance,
            "Intersyndicale des Bouches-du-Rhône",
            PublicProfile::StandingDynamic,
            false,
            None,
        ));
    }

    // Occasional official visits and large festivals.
    if day.ordinal() % 11 == 3 || rng.random_bool(0.04) {
        out.push(event(
            &mut rng,
            "Visite officielle ministérielle".to_owned(),
            EventCategory::OfficialVisit,
            "place-bargemon",
            day,
            (11, 0),
            120,
            400,
            "Préfecture des Bouches-du-Rhône",
            PublicProfile::Standing,
            false,
            None,
        ));
    }
    if weekend && rng.random_bool(0.35) {
        let (title, venue, attendance) = *FESTIVALS.choose(&mut rng).unwrap_or(&FESTIVALS[0]);
        let attendance = (f64::from(attendance) * rng.random_range(0.7..1.0)).round() as i64;
        out.push(event(
            &mut rng,
            title.to_owned(),
            EventCategory::Festival,
            venue,
            day,
            (16, 0),
            480,
            attendance,
            "Ville de Marseille",
            PublicProfile::StandingDynamic,
            true,
            Some(format!("festival-{venue}")),
        ));
    }
    if weekday == Weekday::Sun || rng.random_bool(0.1) {
        let attendance = rng.random_range(500..1_800);
        out.push(event(
            &mut rng,
            "Messe et pèlerinage".to_owned(),
            EventCategory::Religious,
            "notre-dame-garde",
            day,
            (10, 30),
            120,
            attendance,
            "Sanctuaire Notre-Dame de la Garde",
            PublicProfile::Standing,
            false,
            None,
        ));
    }
    out
}

fn market(
    rng: &mut ChaCha8Rng,
    day: NaiveDate,
    title: &str,
    venue: &'static str,
    size: i64,
) -> PlannedEvent {
    let attendance = (size as f64 * rng.random_range(0.7..1.2)).round() as i64;
    event(
        rng,
        title.to_owned(),
        EventCategory::Market,
        venue,
        day,
        (7, 0),
        360,
        attendance,
        "Direction de l'espace public",
        PublicProfile::StandingDynamic,
        false,
        Some(format!("marche-{venue}")),
    )
}

#[allow(clippy::too_many_arguments)]
fn event(
    rng: &mut ChaCha8Rng,
    title: String,
    category: EventCategory,
    venue: &'static str,
    day: NaiveDate,
    (hour, minute): (u32, u32),
    minutes: i64,
    attendance: i64,
    organizer: &'static str,
    profile: PublicProfile,
    alcohol: bool,
    series: Option<String>,
) -> PlannedEvent {
    let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN);
    let deployment = if rng.random_bool(NO_DEPLOYMENT_SHARE) {
        Vec::new()
    } else {
        let expected = expected_by_planner(
            category,
            venue,
            day,
            (hour, minutes),
            attendance,
            (profile, alcohol),
        );
        plan(rng, expected)
    };
    PlannedEvent {
        title,
        category,
        venue,
        start: day.and_time(time),
        minutes,
        attendance,
        organizer,
        profile,
        alcohol,
        series,
        deployment,
    }
}

/// Share of filed plans sized to what the event calls for (100-135 % of it).
const ADEQUATE_SHARE: f64 = 0.66;
/// Share of filed plans short of it (60-92 %); the rest are oversized (150-220 %).
const SHORT_SHARE: f64 = 0.17;
/// Share of filed plans that leave out one required kind (the organiser forgot it).
const MISSING_KIND_SHARE: f64 = 0.08;

/// What a planner expects of an event: the loads of the mass-gathering literature and
/// the city's incident levels (`scoring::history::truth`, the typical venue and
/// opponent), at the seeded venue, on a mild day.
fn expected_by_planner(
    category: EventCategory,
    venue: &str,
    day: NaiveDate,
    (hour, minutes): (u32, i64),
    attendance: i64,
    (profile, alcohol): (PublicProfile, bool),
) -> Option<scoring::adequacy::RequirementInput> {
    use crate::services::scoring::features as f;
    use scoring::load::{self, LoadUnit};
    let site = super::marseille::VENUES.iter().find(|v| v.code == venue)?;
    let kind = f::venue_kind(site.kind);
    let features = scoring::features::EventFeatures {
        category: f::category(category),
        date: day,
        start_hour: u8::try_from(hour).ok()?,
        duration_hours: minutes as f64 / 60.0,
        attendance: u32::try_from(attendance.max(1)).ok()?,
        venue_kind: kind,
        venue_capacity: site.capacity.and_then(|c| u32::try_from(c).ok()),
        indoor: site.indoor,
        alcohol,
        public_holiday: false,
        school_holiday: false,
        weather: scoring::features::DayWeather::default(),
        weather_basis: None,
        concurrent_events: 0,
        transit_disruption: false,
        presence_ratio: None,
        past_incident_index: None,
        public_profile: f::profile(profile),
        site_access: f::site_access(site.access),
        rescue_delay_minutes: u32::try_from(site.rescue_min).ok()?,
        egress_capacity: Some(load::egress_capacity(kind, Some((site.lat, site.lon)))),
    };
    let truth = scoring::history::truth::TrueEffects::standard(None);
    let theta = Some(scoring::history::truth::DEFAULT_OVERDISPERSION_SHAPE);
    let mean = |field| truth.mean(field, &features, 1.0, 1.0);
    let patients = mean(scoring::features::Field::Security);
    let (overload, peak_outflow, egress_capacity) = load::overload(&features);
    Some(scoring::adequacy::RequirementInput {
        category: features.category,
        attendance: features.attendance,
        duration_hours: features.duration_hours,
        profile: features.public_profile,
        bounded: features.venue_capacity.is_some(),
        load: load::EventLoad {
            incidents: load::count_load(
                LoadUnit::PoliceIncidents,
                mean(scoring::features::Field::Tranquillity),
                theta,
            ),
            patients: load::count_load(LoadUnit::Patients, patients, theta),
            transfers: load::count_load(
                LoadUnit::HospitalTransfers,
                patients * load::TRANSFER_SHARE,
                theta,
            ),
            overload,
            peak_outflow,
            egress_capacity,
        },
        first_aid: scoring::dps::compute(&features.dps_input()),
    })
}

/// A plan as a city files it: what the planner expects the event to call for, most of
/// the time sized to it, sometimes short, sometimes oversized, now and then with one
/// kind left out.
fn plan(
    rng: &mut ChaCha8Rng,
    expected: Option<scoring::adequacy::RequirementInput>,
) -> Vec<(ResourceKind, i32)> {
    use crate::services::scoring::features::stored_kind;
    let Some(input) = expected else {
        return Vec::new();
    };
    let required = scoring::adequacy::requirements(&input);
    let draw = rng.random_range(0.0..1.0);
    let (low, high) = if draw < ADEQUATE_SHARE {
        (1.0, 1.35)
    } else if draw < ADEQUATE_SHARE + SHORT_SHARE {
        (0.6, 0.92)
    } else {
        (1.5, 2.2)
    };
    let left_out = (required.len() > 1 && rng.random_bool(MISSING_KIND_SHARE))
        .then(|| rng.random_range(0..required.len()));
    required
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != left_out)
        .map(|(_, r)| {
            let factor = rng.random_range(low..high);
            let count = (f64::from(r.count) * factor).round().max(1.0);
            (stored_kind(r.kind), count.min(f64::from(i32::MAX)) as i32)
        })
        .collect()
}

type Show = (&'static str, &'static str, i32, PublicProfile);

#[rustfmt::skip]
const SHOWS: &[Show] = &[
    ("Concert au Dôme", "le-dome", 8_500, PublicProfile::StandingDynamic),
    ("Concert au Silo", "silo-arenc", 2_050, PublicProfile::Standing),
    ("Soirée électro au Dock des Suds", "dock-des-suds", 5_000, PublicProfile::StandingDynamic),
    ("Soirée sur le toit-terrasse de la Friche", "friche-belle-de-mai", 3_000, PublicProfile::StandingDynamic),
    ("Représentation à l'Opéra", "opera-marseille", 1_800, PublicProfile::Seated),
    ("Spectacle à la Criée", "theatre-criee", 800, PublicProfile::Seated),
    ("Match de handball au Palais des Sports", "palais-des-sports", 7_200, PublicProfile::Seated),
    ("Concert au Palais du Pharo", "palais-pharo", 1_500, PublicProfile::Seated),
    ("Cinéma en plein air", "palais-longchamp", 2_500, PublicProfile::Seated),
    ("Concert au Cours Julien", "cours-julien", 1_500, PublicProfile::StandingStatic),
];

type Weekend = (&'static str, &'static str, EventCategory, i32);

#[rustfmt::skip]
const WEEKEND: &[Weekend] = &[
    ("Régate à la Pointe Rouge", "port-pointe-rouge", EventCategory::Nautical, 2_000),
    ("Course à pied du Prado", "avenue-prado", EventCategory::Sports, 8_000),
    ("Tournoi de beach-volley", "plages-prado", EventCategory::Sports, 3_000),
    ("Rugby au stade Delort", "stade-delort", EventCategory::Sports, 4_000),
    ("Fête nautique du Vieux-Port", "vieux-port", EventCategory::Nautical, 12_000),
    ("Randonnée dans les calanques", "calanque-sormiou", EventCategory::Sports, 1_200),
    ("Baignade et animations aux Catalans", "plage-catalans", EventCategory::Nautical, 2_500),
];

#[rustfmt::skip]
const DEMONSTRATIONS: &[(&str, &str)] = &[
    ("Manifestation intersyndicale du Vieux-Port à la Préfecture", "vieux-port"),
    ("Rassemblement place de la Préfecture", "prefecture"),
    ("Marche sur la Canebière", "la-canebiere"),
    ("Rassemblement devant l'Hôtel de Ville", "place-bargemon"),
];

#[rustfmt::skip]
const FESTIVALS: &[(&str, &str, i32)] = &[
    ("Festival au parc Borély", "parc-borely", 25_000),
    ("Foire au parc Chanot", "parc-chanot", 20_000),
    ("Fête de quartier sur le Vieux-Port", "vieux-port", 15_000),
    ("Festival sur les plages du Prado", "plages-prado", 20_000),
    ("Festival des arts de la rue au J4", "mucem-j4", 8_000),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_generator_and_the_seeded_velodrome_agree() {
        use crate::services::scoring::features::site_access;
        use scoring::history::catalogue::VELODROME;
        let seeded = crate::seed::marseille::VENUES
            .iter()
            .find(|v| v.code == "orange-velodrome")
            .expect("the Vélodrome is seeded");
        assert_eq!(seeded.capacity, Some(i64::from(VELODROME.capacity)));
        assert_eq!(site_access(seeded.access), VELODROME.access, "DPS grid E1");
        assert_eq!(
            u32::try_from(seeded.rescue_min).ok(),
            Some(VELODROME.rescue_delay_minutes)
        );
        assert_eq!((seeded.lat, seeded.lon), VELODROME.location);
    }

    #[test]
    fn a_football_match_is_planned_with_every_kind_its_load_calls_for() {
        let start = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let game = (0..30)
            .flat_map(|d| events_for_day(start + chrono::Days::new(d)))
            .find(|e| e.category == EventCategory::FootballMatch && !e.deployment.is_empty())
            .expect("a planned OM home game in 30 days");
        for kind in [
            ResourceKind::FirstAid,
            ResourceKind::NationalPolice,
            ResourceKind::TransitReinforcement,
        ] {
            assert!(
                game.deployment.iter().any(|(k, n)| *k == kind && *n > 0)
                    || game.deployment.len() >= 5,
                "{kind:?} in {:?}",
                game.deployment
            );
        }
    }

    #[test]
    fn a_day_is_generated_the_same_way_every_time() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let first: Vec<String> = events_for_day(day).into_iter().map(|e| e.title).collect();
        let second: Vec<String> = events_for_day(day).into_iter().map(|e| e.title).collect();
        assert_eq!(first, second, "same day, same events");
    }

    #[test]
    fn thirty_days_hold_at_least_150_events_of_every_category_most_with_a_plan() {
        let start = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let events: Vec<PlannedEvent> = (0..30)
            .flat_map(|d| events_for_day(start + chrono::Days::new(d)))
            .collect();
        assert!(events.len() >= 150, "only {} events", events.len());
        let planned = events.iter().filter(|e| !e.deployment.is_empty()).count();
        assert!(
            planned * 4 > events.len() * 3,
            "{planned} of {} planned",
            events.len()
        );
        for category in [
            EventCategory::FootballMatch,
            EventCategory::Concert,
            EventCategory::Festival,
            EventCategory::Market,
            EventCategory::Demonstration,
            EventCategory::Cultural,
            EventCategory::Sports,
            EventCategory::Nautical,
            EventCategory::OfficialVisit,
            EventCategory::Religious,
        ] {
            assert!(
                events.iter().any(|e| e.category == category),
                "no {category:?} in 30 days"
            );
        }
    }
}
