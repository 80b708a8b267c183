//! Imports of the real files the platform ships (`reference/`): their counts, a
//! second import that changes nothing, per-day calendar coverage, and a broken file
//! that stores nothing; events agendas (CSV and iCalendar) imported over GraphQL,
//! once, placed and scored.

use api::cli::CommandChange;
use api::services::imports::calendar::{self, Coverage, DEFAULT_ACADEMY};
use api::services::imports::events::{self, EventWindow};
use api::services::imports::transit::Feed;
use api::services::imports::zones::ZoneOptions;
use api::services::imports::{transit, weather, zones};
use chrono::NaiveDate;
use platform_tests::{Backend, TestApp, on_both_backends};

fn reference(path: &str) -> Vec<u8> {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../reference")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn text(path: &str) -> String {
    String::from_utf8(reference(path)).unwrap()
}

async fn import_weather(
    app: &TestApp,
    bytes: &[u8],
) -> api::error::ApiResult<api::services::imports::ImportReport> {
    let change = CommandChange::new("import weather", "importWeather");
    weather::import(&app.db, change.change(), bytes, &()).await
}

async fn import_holidays(app: &TestApp, path: &str) -> api::services::imports::ImportReport {
    let change = CommandChange::new("import holidays", "importHolidays");
    calendar::import(
        &app.db,
        change.change(),
        &reference(path),
        DEFAULT_ACADEMY,
        &(),
    )
    .await
    .unwrap()
}

async fn the_real_weather_history_is_imported_whole_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let bytes = reference("weather/marignane_13054001_daily_key_1980-2024.csv.gz");
    let first = import_weather(&app, &bytes).await.unwrap();
    assert_eq!(
        (first.read, first.added),
        (16_437, 16_437),
        "{}",
        first.summary()
    );
    assert_eq!(app.count("weather_day").await, 16_437, "no day dropped");
    assert_eq!(
        app.count("weather_day WHERE wind_gust_ms IS NULL AND max_temp_c IS NOT NULL")
            .await,
        79,
        "a day with a missing gust keeps its known temperature"
    );
    assert_eq!(app.count("weather_day WHERE wind_gust_ms = 0").await, 0);
    let second = import_weather(&app, &bytes).await.unwrap();
    assert_eq!(second.written(), 0, "{}", second.summary());
    assert_eq!(second.unchanged, 16_437);
    assert!(second.summary().contains("nothing changed"));
}

async fn a_broken_weather_file_stores_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let broken = "POSTE;DATE;RR;QRR;TX;QTX;FXI;QFXI\n13054001;20240101;0,4;1;12,9;1;9,5;1\n13054001;20240231;0,4;1;12,9;1;9,5;1\n";
    let err = import_weather(&app, broken.as_bytes()).await.unwrap_err();
    assert!(err.to_string().contains("line 3, column 2"), "{err}");
    assert_eq!(app.count("weather_day").await, 0);
}

async fn holidays_cover_their_days_and_a_second_import_changes_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let files = [
        "calendar/jours_feries_seuls_1950-2050.csv",
        "calendar/fr-en-calendrier-scolaire_2017-2026.csv",
        "calendar/vacances-scolaires_1990-2026_daily.csv.gz",
    ];
    // The two school files overlap (and differ on names and a few bridge days):
    // the later import wins over the days it covers; the same file twice in a row
    // changes nothing.
    for file in files {
        let report = import_holidays(&app, file).await;
        assert!(report.added > 0, "{file}: {}", report.summary());
        let again = import_holidays(&app, file).await;
        assert_eq!(again.written(), 0, "{file}: {}", again.summary());
    }
    assert_eq!(app.count("holiday WHERE kind = 'public'").await, 1_107);
    let coverage = Coverage::load(&app.db).await.unwrap();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert!(coverage.covers("school", day(2026, 8, 30)));
    assert!(
        !coverage.covers("school", day(2026, 12, 21)),
        "the daily file stops with the summer of 2026"
    );
    let imported = calendar::imported_calendar(&app.db, 2026, 2026)
        .await
        .unwrap();
    let school = imported.school_holidays.unwrap();
    assert!(
        school.contains(&day(2026, 12, 21)),
        "late December 2026 stays a school holiday"
    );
    assert!(
        school.contains(&day(2026, 2, 23)),
        "winter holidays of zone B, imported"
    );
    assert!(!school.contains(&day(2026, 3, 10)));
}

async fn outlines_and_metro_stops_are_imported_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let geo = reference("geo/marseille_111_quartiers.geojson.gz");
    let options = ZoneOptions::quartiers();
    let change = CommandChange::new("import zones", "importZones");
    let first = zones::import(&app.db, change.change(), &geo, &options, &())
        .await
        .unwrap();
    assert_eq!(first.read, 127, "{}", first.summary());
    assert_eq!(app.count("zone WHERE level = 'quartier'").await, 111);
    assert_eq!(app.count("zone WHERE level = 'arrondissement'").await, 16);
    assert_eq!(
        app.count("zone WHERE level = 'arrondissement' AND outline IS NOT NULL")
            .await,
        16,
        "the seeded arrondissements keep their codes and get the unions"
    );
    let again = zones::import(&app.db, change.change(), &geo, &options, &())
        .await
        .unwrap();
    assert_eq!(again.written(), 0, "{}", again.summary());

    let feed = Feed {
        stops: text("gtfs-metro/stops.txt"),
        routes: text("gtfs-metro/routes.txt"),
        stop_times: text("gtfs-metro/stop_times.txt"),
        trips: None,
    };
    let change = CommandChange::new("import gtfs", "importTransit");
    let first = transit::import(&app.db, change.change(), &feed, &())
        .await
        .unwrap();
    assert_eq!(first.added, 61, "{}", first.summary());
    assert_eq!(app.count("transit_stop").await, 61);
    assert_eq!(
        app.count("transit_stop WHERE zone_id IS NOT NULL").await,
        61
    );
    assert_eq!(app.count("transit_stop WHERE lines = 'M2'").await, 26);
    let again = transit::import(&app.db, change.change(), &feed, &())
        .await
        .unwrap();
    assert_eq!(again.written(), 0, "{}", again.summary());
}

const IMPORT_HOLIDAYS: &str = "mutation($c: String!) { importHolidays(content: $c) {
  kind format read added updated removed unchanged summary } }";

async fn admins_import_over_graphql_with_an_audit_entry_each(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let file = "date,est_jour_ferie,nom_jour_ferie\n2031-07-14,True,Fête nationale\n";
    let vars = serde_json::json!({ "c": file });
    let refused = app
        .graphql_as("supervisor", IMPORT_HOLIDAYS, vars.clone())
        .await;
    assert!(refused["errors"].is_array(), "{refused}");
    assert_eq!(app.count("holiday").await, 0);
    let body = app.graphql_as("admin", IMPORT_HOLIDAYS, vars.clone()).await;
    let summary = &body["data"]["importHolidays"];
    assert_eq!(summary["added"], 1, "{body}");
    assert_eq!(summary["format"], "public-holidays");
    let again = app.graphql_as("admin", IMPORT_HOLIDAYS, vars).await;
    assert_eq!(again["data"]["importHolidays"]["added"], 0, "{again}");
    assert_eq!(again["data"]["importHolidays"]["unchanged"], 1);
    let broken =
        serde_json::json!({ "c": "date,est_jour_ferie\n2031-07-14,True\n2031-14-01,True\n" });
    let body = app.graphql_as("admin", IMPORT_HOLIDAYS, broken).await;
    assert_eq!(
        platform_tests::error_code(&body),
        Some("BAD_USER_INPUT"),
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("line 3"),
        "{body}"
    );
    assert_eq!(
        app.count("holiday").await,
        1,
        "nothing of the broken file stored"
    );
    let too_big = serde_json::json!({ "c": "x".repeat(200_001) });
    let body = app.graphql_as("admin", IMPORT_HOLIDAYS, too_big).await;
    assert!(body["errors"].is_array(), "{body}");
    assert_eq!(
        app.count("audit_entry WHERE resources = 'importHolidays' AND outcome = 'allowed'")
            .await,
        2,
        "an audit entry for each import"
    );
}

on_both_backends!(
    admins_import_over_graphql_with_an_audit_entry_each,
    the_real_weather_history_is_imported_whole_once,
    a_broken_weather_file_stores_nothing,
    holidays_cover_their_days_and_a_second_import_changes_nothing,
    outlines_and_metro_stops_are_imported_once,
);

const IMPORT_EVENTS: &str = "mutation($c: String!, $from: Date) {
  importEvents(content: $c, from: $from, days: 30) {
    kind format read added updated removed unchanged summary } }";

/// A fixed window: the recurrences of June 2026.
const FROM: &str = "2026-06-01";

const AGENDA_ICS: &str = "BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VEVENT\r
UID:om-psg-2026@ville\r
SUMMARY:OM - PSG\r
CATEGORIES:Football\r
DTSTART;TZID=Europe/Paris:20260614T200000\r
DTEND;TZID=Europe/Paris:20260614T230000\r
LOCATION:Orange Velodrome\\, boulevard Michelet\r
X-EXPECTED-ATTENDANCE:65000\r
X-PUBLIC-PROFILE:standing_dynamic\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:concert-vieux-port@ville\r
SUMMARY:Concert au Vieux-Port\r
CATEGORIES:concert\r
DTSTART:20260620T180000Z\r
DURATION:PT3H\r
GEO:43.2940;5.3830\r
X-EXPECTED-ATTENDANCE:8000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:marche@ville\r
SUMMARY:Marché du soir\r
CATEGORIES:marché\r
DTSTART;TZID=Europe/Paris:20260105T170000\r
DTEND;TZID=Europe/Paris:20260105T210000\r
RRULE:FREQ=WEEKLY;BYDAY=MO\r
LOCATION:Parc Borely\r
X-EXPECTED-ATTENDANCE:1200\r
END:VEVENT\r
END:VCALENDAR\r
";

async fn import_quartiers(app: &TestApp) {
    let change = CommandChange::new("import zones", "importZones");
    zones::import(
        &app.db,
        change.change(),
        &reference("geo/marseille_111_quartiers.geojson.gz"),
        &ZoneOptions::quartiers(),
        &(),
    )
    .await
    .unwrap();
}

async fn admins_import_an_icalendar_agenda_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    import_quartiers(&app).await;
    let before = app.count("event").await;
    let vars = serde_json::json!({ "c": AGENDA_ICS, "from": FROM });
    let refused = app
        .graphql_as("supervisor", IMPORT_EVENTS, vars.clone())
        .await;
    assert!(refused["errors"].is_array(), "{refused}");
    let body = app.graphql_as("admin", IMPORT_EVENTS, vars.clone()).await;
    let summary = &body["data"]["importEvents"];
    assert_eq!(summary["format"], "icalendar", "{body}");
    // Two events and the five Mondays of June 2026.
    assert_eq!(
        (summary["read"].as_i64(), summary["added"].as_i64()),
        (Some(7), Some(7)),
        "{body}"
    );
    assert_eq!(app.count("event").await, before + 7);
    assert_eq!(
        app.count(
            "event WHERE external_key LIKE 'ics:marche@ville/%' AND series = 'ics:marche@ville'"
        )
        .await,
        5
    );
    assert_eq!(
        app.count(
            "event WHERE external_key = 'ics:om-psg-2026@ville' AND venue_id = \
             (SELECT id FROM venue WHERE code = 'orange-velodrome')"
        )
        .await,
        1,
        "LOCATION matched to its venue whatever the accents"
    );
    assert_eq!(
        app.count(
            "event WHERE external_key = 'ics:concert-vieux-port@ville' AND venue_id IS NULL \
             AND zone_id IN (SELECT id FROM zone WHERE level = 'quartier')"
        )
        .await,
        1,
        "GEO placed in the quartier containing it"
    );
    let again = app.graphql_as("admin", IMPORT_EVENTS, vars.clone()).await;
    let summary = &again["data"]["importEvents"];
    assert_eq!(summary["added"], 0, "{again}");
    assert_eq!(summary["updated"], 0, "{again}");
    assert_eq!(summary["unchanged"], 7, "{again}");
    assert!(
        summary["summary"]
            .as_str()
            .unwrap()
            .contains("nothing changed")
    );
    assert_eq!(app.count("event").await, before + 7);
    // A changed attendance updates the one event.
    let changed = AGENDA_ICS.replace("X-EXPECTED-ATTENDANCE:8000", "X-EXPECTED-ATTENDANCE:9000");
    let body = app
        .graphql_as(
            "admin",
            IMPORT_EVENTS,
            serde_json::json!({ "c": changed, "from": FROM }),
        )
        .await;
    assert_eq!(body["data"]["importEvents"]["updated"], 1, "{body}");
    assert_eq!(app.count("event WHERE expected_attendance = 9000").await, 1);
    // An unknown time zone refuses the whole file, by line, and stores nothing.
    let broken = AGENDA_ICS
        .replace("X-EXPECTED-ATTENDANCE:8000", "X-EXPECTED-ATTENDANCE:100")
        .replace(
            "TZID=Europe/Paris:20260105T210000",
            "TZID=Europe/Marseille:20260105T210000",
        );
    let body = app
        .graphql_as(
            "admin",
            IMPORT_EVENTS,
            serde_json::json!({ "c": broken, "from": FROM }),
        )
        .await;
    assert_eq!(
        platform_tests::error_code(&body),
        Some("BAD_USER_INPUT"),
        "{body}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("line 27") && message.contains("time zone"),
        "{body}"
    );
    assert_eq!(app.count("event WHERE expected_attendance = 100").await, 0);
    assert_eq!(app.count("event").await, before + 7);
    assert_eq!(
        app.count("audit_entry WHERE resources = 'importEvents' AND outcome = 'allowed'")
            .await,
        3,
        "an audit entry for each import"
    );
}

const AGENDA_CSV: &str = "\
id,title,category,starts_at,ends_at,expected_attendance,venue,zone
a1,OM - Lyon,football_match,2026-06-14T21:00:00+02:00,2026-06-14T23:00:00+02:00,60000,orange-velodrome,
a2,Fête du quartier,festival,2026-06-21 18:00,2026-06-21 23:30,3000,,13208
a3,Marché aux livres,marché,2026-06-27,2026-06-27,800,parc borély,
";

async fn a_csv_agenda_with_an_error_stores_nothing_and_imports_once_fixed(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let before = app.count("event").await;
    let broken = AGENDA_CSV.replace("2026-06-27,2026-06-27", "2026-06-27,2026-06-32");
    let change = CommandChange::new("import events", "importEvents");
    let window = EventWindow {
        from: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        days: 30,
        default_attendance: None,
    };
    let err = events::import(&app.db, change.change(), broken.as_bytes(), &window, &())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("line 4, column 5 (ends_at)"),
        "{err}"
    );
    let unknown = AGENDA_CSV.replace("parc borély", "parc inconnu");
    let err = events::import(&app.db, change.change(), unknown.as_bytes(), &window, &())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("line 4, column 7 (venue)"),
        "{err}"
    );
    assert_eq!(
        app.count("event").await,
        before,
        "nothing of either file stored"
    );
    let first = events::import(
        &app.db,
        change.change(),
        AGENDA_CSV.as_bytes(),
        &window,
        &(),
    )
    .await
    .unwrap();
    assert_eq!(
        (first.format, first.added),
        ("csv", 3),
        "{}",
        first.summary()
    );
    assert_eq!(app.count("event WHERE external_key LIKE 'csv:a%'").await, 3);
    let again = events::import(
        &app.db,
        change.change(),
        AGENDA_CSV.as_bytes(),
        &window,
        &(),
    )
    .await
    .unwrap();
    assert_eq!(again.written(), 0, "{}", again.summary());
    assert_eq!(app.count("event").await, before + 3);
}

async fn imported_events_are_scored_as_created_ones(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let plan = api::services::history::HistoryPlan::calendar_years(2022, 3, 3_000, 7);
    api::services::history::seed_history(&app.db, &plan, &())
        .await
        .expect("history seeded");
    platform_tests::train_for_tests(&app.db).await;
    let change = CommandChange::new("import events", "importEvents");
    let window = EventWindow {
        from: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        days: 30,
        default_attendance: None,
    };
    let report = events::import(
        &app.db,
        change.change(),
        AGENDA_CSV.as_bytes(),
        &window,
        &(),
    )
    .await
    .unwrap();
    assert_eq!(report.added, 3, "{}", report.summary());
    assert_eq!(
        app.count(
            "assessment WHERE event_id IN (SELECT id FROM event WHERE external_key IS NOT NULL)"
        )
        .await,
        3,
        "one assessment for each imported event"
    );
    let again = events::import(
        &app.db,
        change.change(),
        AGENDA_CSV.as_bytes(),
        &window,
        &(),
    )
    .await
    .unwrap();
    assert_eq!(again.written(), 0);
    assert_eq!(
        app.count(
            "assessment WHERE event_id IN (SELECT id FROM event WHERE external_key IS NOT NULL)"
        )
        .await,
        3,
        "an unchanged event is not scored again"
    );
}

on_both_backends!(
    admins_import_an_icalendar_agenda_once,
    a_csv_agenda_with_an_error_stores_nothing_and_imports_once_fixed,
    imported_events_are_scored_as_created_ones,
);
