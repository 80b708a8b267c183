//! Imports of the real files the platform ships (`reference/`): their counts, a
//! second import that changes nothing, per-day calendar coverage, and a broken file
//! that stores nothing.

use api::cli::CommandChange;
use api::services::imports::calendar::{self, Coverage, DEFAULT_ACADEMY};
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
