//! Live inputs moving scores: a weather forecast (heat, rain, wind), the normal of
//! the imported station years when no forecast exists, a transit disruption in the
//! event's arrondissement and hours, live presence above the usual crowd, and the
//! incidents of a series' past editions. Each arrives the way it would (ingested by
//! its partner, or stored as history), the coming days are re-scored, and the
//! assessment read over GraphQL shows the input, its contribution and the move.

use api::services::history::{HistoryPlan, seed_history};
use api::services::work::Change;
use chrono::{DateTime, Datelike, Days, Duration, DurationRound, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use platform_tests::{Backend, TestApp, on_both_backends};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const CREATE: &str = r#"mutation($input: CreateEventInput!) {
  createEvent(input: $input) { event { id } }
}"#;

const READ: &str = r#"query($id: ID!) { event(id: $id) { assessment {
  id risk riskByField { field risk } expected { field incidents }
  inputs { weatherBasis maxTempC rainMm windGustMs transitDisruption presenceRatio pastIncidentIndex }
  explanation { fields { field contributions { feature value factor } } } } } }"#;

const INGEST: &str =
    "mutation($input: IngestObservationsInput!) { ingestObservations(input: $input) { accepted } }";

const ISSUE: &str =
    "mutation($input: IssuePartnerTokenInput!) { issuePartnerToken(input: $input) { secret } }";

/// A server with three years of synthetic history and a model trained on it.
async fn app_with_model(backend: Backend) -> Option<TestApp> {
    let app = TestApp::spawn_with(backend, |s| s.seed_history = false).await?;
    let plan = HistoryPlan::calendar_years(2022, 3, 3_000, 7);
    seed_history(&app.db, &plan, &())
        .await
        .expect("history seeded");
    platform_tests::train_for_tests(&app.db).await;
    Some(app)
}

/// Tomorrow in Marseille: in the window of a re-scoring pass from today.
fn tomorrow() -> NaiveDate {
    Utc::now().with_timezone(&Paris).date_naive() + Days::new(1)
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour, 0, 0).unwrap().and_utc()
}

/// Re-scores the events of today and the next two days, as the server's pass does.
async fn rescore(app: &TestApp) {
    let (ctx, operation) = api::services::scoring::scoring_task("live inputs test");
    let today = Utc::now().with_timezone(&Paris).date_naive();
    api::services::scoring::rescore_window(&app.db, Change::new(&ctx, &operation), today, 3, false)
        .await
        .expect("re-scoring pass");
}

async fn venue_id(app: &TestApp, code: &str) -> Value {
    let venues = app
        .graphql_as("supervisor", "{ venues { id code } }", json!({}))
        .await;
    venues["data"]["venues"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["code"] == code))
        .map(|v| v["id"].clone())
        .unwrap_or_else(|| panic!("seeded venue {code}"))
}

/// Creates an event at `venue` and returns its id.
async fn create_event(
    app: &TestApp,
    venue: &str,
    (starts, ends): (DateTime<Utc>, DateTime<Utc>),
    attendance: i64,
    series: Option<&str>,
) -> Value {
    let input = json!({
        "title": "Fête du Panier", "category": "FESTIVAL", "venueId": venue_id(app, venue).await,
        "startsAt": starts, "endsAt": ends, "expectedAttendance": attendance,
        "publicProfile": "STANDING_DYNAMIC", "alcohol": true, "series": series
    });
    let body = app
        .graphql_as("supervisor", CREATE, json!({ "input": input }))
        .await;
    assert!(body["errors"].is_null(), "creation failed: {body}");
    body["data"]["createEvent"]["event"]["id"].clone()
}

/// The event's current assessment.
async fn assessment(app: &TestApp, id: &Value) -> Value {
    let body = app
        .graphql_as("supervisor", READ, json!({ "id": id }))
        .await;
    assert!(body["errors"].is_null(), "read failed: {body}");
    let assessment = body["data"]["event"]["assessment"].clone();
    assert!(assessment["id"].is_string(), "the event is scored: {body}");
    assessment
}

fn field_value(assessment: &Value, list: &str, field: &str, key: &str) -> f64 {
    assessment[list]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["field"] == field))
        .and_then(|i| i[key].as_f64())
        .unwrap_or_else(|| panic!("{list} of {field}: {assessment}"))
}

fn risk(assessment: &Value, field: &str) -> f64 {
    field_value(assessment, "riskByField", field, "risk")
}

fn expected(assessment: &Value, field: &str) -> f64 {
    field_value(assessment, "expected", field, "incidents")
}

/// The value of `feature` in `field`'s contributions, if it contributes.
fn contribution(assessment: &Value, field: &str, feature: &str) -> Option<f64> {
    assessment["explanation"]["fields"]
        .as_array()?
        .iter()
        .find(|f| f["field"] == field)?["contributions"]
        .as_array()?
        .iter()
        .find(|c| c["feature"] == feature)?["value"]
        .as_f64()
}

fn contributes_anywhere(assessment: &Value, feature: &str) -> bool {
    ["TRANQUILLITY", "SECURITY", "MOBILITY"]
        .iter()
        .any(|field| contribution(assessment, field, feature).is_some())
}

/// A partner token of `org` that may ingest `source`.
async fn partner_token(app: &TestApp, org: &str, source: &str) -> String {
    let org_id = entity::organization::Entity::find()
        .filter(entity::organization::Column::Code.eq(org))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("organization {org} is seeded"))
        .id;
    let scope = format!("ingest:{source}");
    let body = app
        .graphql_as(
            "admin",
            ISSUE,
            json!({ "input": { "organizationId": org_id.to_string(), "label": "live inputs test",
                "scopes": [scope], "purposes": ["ingestion"], "days": 1 } }),
        )
        .await;
    body["data"]["issuePartnerToken"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("token issued: {body}"))
        .to_owned()
}

/// Sends a batch as `org` to `source`; panics unless every cell is accepted.
async fn ingest(app: &TestApp, org: &str, source: &str, observations: Vec<Value>) {
    let token = partner_token(app, org, source).await;
    let count = observations.len();
    let input = json!({ "sourceId": source, "idempotencyKey": uuid::Uuid::new_v4().to_string(),
        "observations": observations });
    let body: Value = app
        .post(
            Some(&token),
            &[("X-Purpose", "ingestion")],
            json!({ "query": INGEST, "variables": { "input": input } }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["data"]["ingestObservations"]["accepted"], count,
        "batch accepted: {body}"
    );
}

fn cell(
    zone: &str,
    metric: &str,
    start: DateTime<Utc>,
    minutes: i64,
    value: f64,
    people: i64,
) -> Value {
    json!({ "zone": zone, "metric": metric, "bucketStart": start, "bucketMinutes": minutes,
        "value": value, "contributors": people })
}

/// Hourly forecast cells of the weather feed for the city, 09:00-20:00 UTC of `day`.
fn forecast(day: NaiveDate, temperature: f64, rain_per_hour: f64, gust: f64) -> Vec<Value> {
    (9..=20)
        .flat_map(|hour| {
            let start = at(day, hour);
            [
                cell(
                    "13055",
                    "temperature",
                    start,
                    60,
                    temperature - f64::from(20 - hour) * 0.5,
                    1,
                ),
                cell("13055", "rain", start, 60, rain_per_hour, 1),
                cell("13055", "wind_gust", start, 60, gust, 1),
            ]
        })
        .collect()
}

async fn a_forecast_for_the_event_day_moves_its_risk_through_heat_rain_and_wind(backend: Backend) {
    let Some(app) = app_with_model(backend).await else {
        return;
    };
    let day = tomorrow();
    let id = create_event(&app, "parc-borely", (at(day, 15), at(day, 22)), 8_000, None).await;
    let before = assessment(&app, &id).await;
    assert_eq!(
        before["inputs"]["weatherBasis"], "UNKNOWN",
        "no forecast, no station history: the neutral day: {before}"
    );
    assert!(!contributes_anywhere(&before, "heat"), "{before}");

    ingest(
        &app,
        "meteo-france",
        "meteo-observations",
        forecast(day, 34.0, 2.5, 24.0),
    )
    .await;
    rescore(&app).await;

    let after = assessment(&app, &id).await;
    let inputs = &after["inputs"];
    assert_eq!(inputs["weatherBasis"], "FORECAST", "{after}");
    assert_eq!(inputs["maxTempC"], 34.0, "the highest cell: {after}");
    assert_eq!(inputs["rainMm"], 30.0, "twelve hours of 2.5 mm: {after}");
    assert_eq!(inputs["windGustMs"], 24.0, "{after}");
    assert_eq!(
        contribution(&after, "SECURITY", "heat"),
        Some(9.0),
        "9 degrees above 25 °C: {after}"
    );
    assert!(contributes_anywhere(&after, "rain"), "{after}");
    assert_eq!(
        contribution(&after, "MOBILITY", "wind"),
        Some(9.0),
        "9 m/s above 15: {after}"
    );
    assert!(
        expected(&after, "SECURITY") > expected(&before, "SECURITY"),
        "heat brings patients: {} -> {}",
        expected(&before, "SECURITY"),
        expected(&after, "SECURITY")
    );
    assert!(
        risk(&after, "SECURITY") > risk(&before, "SECURITY"),
        "the security risk rises: {before} -> {after}"
    );
    assert!(
        expected(&after, "MOBILITY") > expected(&before, "MOBILITY"),
        "rain slows traffic: {} -> {}",
        expected(&before, "MOBILITY"),
        expected(&after, "MOBILITY")
    );
    assert!(
        after["risk"].as_f64() >= before["risk"].as_f64(),
        "{before} -> {after}"
    );
}

/// Station days of `day`'s calendar day ±3 days in each of `years`, stored as an
/// import of the daily climatology would.
async fn store_station_days(
    app: &TestApp,
    day: NaiveDate,
    years: std::ops::Range<i32>,
    max_temp: f64,
) {
    let mut rows = Vec::new();
    for year in years {
        let anchor = NaiveDate::from_ymd_opt(year, day.month(), day.day().min(28)).unwrap();
        for offset in -3..=3 {
            rows.push(entity::weather_day::ActiveModel {
                day: Set(anchor + Duration::days(offset)),
                station: Set("13054001".to_owned()),
                max_temp_c: Set(Some(max_temp)),
                min_temp_c: Set(Some(max_temp - 10.0)),
                mean_temp_c: Set(Some(max_temp - 5.0)),
                rain_mm: Set(Some(0.0)),
                wind_gust_ms: Set(Some(8.0)),
                mean_wind_ms: Set(Some(3.0)),
                humidity_pct: Set(Some(50.0)),
            });
        }
    }
    entity::weather_day::Entity::insert_many(rows)
        .exec(&app.db)
        .await
        .unwrap();
}

async fn a_future_day_without_forecast_reads_the_normal_of_the_imported_years(backend: Backend) {
    let Some(app) = app_with_model(backend).await else {
        return;
    };
    let day = tomorrow();
    let id = create_event(&app, "parc-borely", (at(day, 15), at(day, 22)), 8_000, None).await;
    let before = assessment(&app, &id).await;
    assert_eq!(before["inputs"]["weatherBasis"], "UNKNOWN", "{before}");

    // Four scorching years around this calendar day (the model learned after).
    store_station_days(&app, day, day.year() - 4..day.year(), 36.0).await;
    rescore(&app).await;

    let normal = assessment(&app, &id).await;
    assert_eq!(normal["inputs"]["weatherBasis"], "NORMAL", "{normal}");
    assert_eq!(normal["inputs"]["maxTempC"], 36.0, "{normal}");
    assert_eq!(
        contribution(&normal, "SECURITY", "heat"),
        Some(11.0),
        "the normal's heat contributes: {normal}"
    );
    assert!(
        risk(&normal, "SECURITY") > risk(&before, "SECURITY"),
        "a hot normal raises the security risk: {before} -> {normal}"
    );

    // A forecast, when one arrives, wins over the normal.
    ingest(
        &app,
        "meteo-france",
        "meteo-observations",
        forecast(day, 18.0, 0.0, 6.0),
    )
    .await;
    rescore(&app).await;
    let forecast = assessment(&app, &id).await;
    assert_eq!(forecast["inputs"]["weatherBasis"], "FORECAST", "{forecast}");
    assert!(
        !contributes_anywhere(&forecast, "heat"),
        "a mild forecast: {forecast}"
    );
    assert!(
        risk(&forecast, "SECURITY") < risk(&normal, "SECURITY"),
        "{normal} -> {forecast}"
    );
}

async fn a_transit_disruption_in_the_event_arrondissement_and_hours_counts(backend: Backend) {
    let Some(app) = app_with_model(backend).await else {
        return;
    };
    let day = tomorrow();
    // Parc Borély is in the 8th arrondissement (13208).
    let id = create_event(&app, "parc-borely", (at(day, 15), at(day, 22)), 8_000, None).await;
    let before = assessment(&app, &id).await;
    assert_eq!(before["inputs"]["transitDisruption"], false, "{before}");

    // Elsewhere, or before the event: not the event's disruption.
    ingest(
        &app,
        "rtm",
        "rtm-frequentation",
        vec![
            cell("13201", "disruptions", at(day, 17), 15, 1.0, 40),
            cell("13208", "disruptions", at(day, 8), 15, 1.0, 40),
            cell("13208", "disruptions", at(day, 18), 15, 0.0, 40),
        ],
    )
    .await;
    rescore(&app).await;
    let unrelated = assessment(&app, &id).await;
    assert_eq!(
        unrelated["inputs"]["transitDisruption"], false,
        "{unrelated}"
    );
    assert!(
        !contributes_anywhere(&unrelated, "transit_disruption"),
        "{unrelated}"
    );

    let mut announced = cell("13208", "disruptions", at(day, 17), 15, 1.0, 40);
    announced["labels"] = json!(["Métro M2", "Rond-Point du Prado"]);
    ingest(&app, "rtm", "rtm-frequentation", vec![announced]).await;
    rescore(&app).await;
    let disrupted = assessment(&app, &id).await;
    assert_eq!(
        disrupted["inputs"]["transitDisruption"], true,
        "{disrupted}"
    );
    assert_eq!(
        contribution(&disrupted, "MOBILITY", "transit_disruption"),
        Some(1.0),
        "{disrupted}"
    );
    assert!(
        expected(&disrupted, "MOBILITY") > expected(&before, "MOBILITY"),
        "a closed line brings traffic and transit incidents: {} -> {}",
        expected(&before, "MOBILITY"),
        expected(&disrupted, "MOBILITY")
    );
    assert!(
        disrupted["risk"].as_f64() >= before["risk"].as_f64(),
        "{before} -> {disrupted}"
    );
}

/// Presence cells stored directly (older than ingestion accepts), 15-minute buckets.
async fn store_presence(app: &TestApp, zone: &str, cells: &[(DateTime<Utc>, f64)]) {
    let source = entity::source::Entity::find()
        .filter(entity::source::Column::Code.eq("presence-operateurs"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("presence source seeded");
    let zone_id = entity::zone::Entity::find()
        .filter(entity::zone::Column::Code.eq(zone))
        .one(&app.db)
        .await
        .unwrap()
        .expect("zone seeded")
        .id;
    let batch = entity::ingestion_batch::Entity::insert(entity::ingestion_batch::ActiveModel {
        source_id: Set(source.id),
        idempotency_key: Set(uuid::Uuid::new_v4().to_string()),
        fingerprint: Set("test".to_owned()),
        observation_count: Set(cells.len() as i32),
        response: Set("{}".to_owned()),
        sent_by: Set("test".to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .exec(&app.db)
    .await
    .unwrap()
    .last_insert_id;
    let rows = cells
        .iter()
        .map(|(start, value)| entity::observation::ActiveModel {
            source_id: Set(source.id),
            zone_id: Set(zone_id),
            metric: Set("presence".to_owned()),
            bucket_start: Set(*start),
            bucket_minutes: Set(15),
            value: Set(*value),
            contributors: Set(Some(*value as i32)),
            note: Set(None),
            labels: Set(None),
            batch_id: Set(batch),
            ..Default::default()
        });
    entity::observation::Entity::insert_many(rows)
        .exec(&app.db)
        .await
        .unwrap();
}

async fn live_presence_above_the_usual_crowd_enters_as_presence_ratio(backend: Backend) {
    let Some(app) = app_with_model(backend).await else {
        return;
    };
    let quarter = Utc::now().duration_trunc(Duration::minutes(15)).unwrap();
    let id = create_event(
        &app,
        "vieux-port",
        (quarter - Duration::hours(1), quarter + Duration::hours(3)),
        2_000,
        None,
    )
    .await;
    // The week before: 1,000 people on the quay at these quarter hours.
    let usual: Vec<(DateTime<Utc>, f64)> = (1..=7)
        .flat_map(|back| {
            let same = quarter - Duration::days(back);
            [(same - Duration::minutes(15), 1_000.0), (same, 1_000.0)]
        })
        .collect();
    store_presence(&app, "site-vieux-port", &usual).await;
    rescore(&app).await;
    let before = assessment(&app, &id).await;
    assert!(
        before["inputs"]["presenceRatio"].is_null(),
        "no count during the event yet: {before}"
    );
    assert!(!contributes_anywhere(&before, "presence_ratio"), "{before}");

    ingest(
        &app,
        "operateurs-mobiles",
        "presence-operateurs",
        vec![
            cell(
                "site-vieux-port",
                "presence",
                quarter - Duration::minutes(15),
                15,
                5_000.0,
                5_000,
            ),
            cell("site-vieux-port", "presence", quarter, 15, 9_000.0, 9_000),
        ],
    )
    .await;
    rescore(&app).await;
    let live = assessment(&app, &id).await;
    let ratio = live["inputs"]["presenceRatio"].as_f64().unwrap_or(0.0);
    assert!(
        (ratio - 3.0).abs() < 1e-9,
        "9,000 counted against 1,000 usual + 2,000 expected: {live}"
    );
    let logged = ["TRANQUILLITY", "SECURITY", "MOBILITY"]
        .iter()
        .find_map(|field| contribution(&live, field, "presence_ratio"));
    assert!(
        logged.is_some_and(|v| (v - 3f64.ln()).abs() < 1e-9),
        "presence_ratio contributes ln 3: {live}"
    );
    // The model keeps presence effects at 0 or above, so a crowd larger than
    // expected never lowers a score; the synthetic history gives presence no effect
    // of its own, and this history's model learned a small positive one (security).
    let total = |a: &Value| {
        ["TRANQUILLITY", "SECURITY", "MOBILITY"]
            .iter()
            .map(|f| expected(a, f))
            .sum::<f64>()
    };
    assert!(
        total(&live) > total(&before),
        "more people than expected, more expected incidents: {before} -> {live}"
    );
    assert!(
        live["risk"].as_f64() >= before["risk"].as_f64(),
        "{before} -> {live}"
    );
}

/// `count` tranquillity incidents recorded at `event_id` while it ran.
async fn store_incidents(app: &TestApp, event_id: i64, at: DateTime<Utc>, count: usize) {
    let source = entity::source::Entity::find()
        .filter(entity::source::Column::Code.eq("pm-activite"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("municipal police source seeded");
    let zone = entity::zone::Entity::find()
        .filter(entity::zone::Column::Code.eq("13208"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("zone seeded")
        .id;
    let rows = (0..count).map(|_| entity::incident::ActiveModel {
        source_id: Set(source.id),
        occurred_at: Set(at),
        zone_id: Set(zone),
        field: Set(entity::incident::IncidentField::Tranquillity),
        category: Set("brawl".to_owned()),
        severity: Set(2),
        event_id: Set(Some(event_id)),
        description: Set("fight near the stage".to_owned()),
        redaction_count: Set(0),
        redaction_kinds: Set(String::new()),
        recorded_by: Set("agent@test.example".to_owned()),
        created_at: Set(at),
        ..Default::default()
    });
    entity::incident::Entity::insert_many(rows)
        .exec(&app.db)
        .await
        .unwrap();
}

async fn a_series_with_troubled_past_editions_raises_its_next_edition(backend: Backend) {
    let Some(app) = app_with_model(backend).await else {
        return;
    };
    let day = tomorrow();
    let hours = (at(day, 15), at(day, 22));
    let id = create_event(&app, "parc-borely", hours, 8_000, Some("fete-du-panier")).await;
    let newcomer = create_event(&app, "parc-borely", hours, 8_000, Some("premiere-edition")).await;
    let before = assessment(&app, &id).await;
    assert!(
        before["inputs"]["pastIncidentIndex"].is_null(),
        "no past edition yet: {before}"
    );

    // Two past editions of 8,000 people with 1,000 incidents each.
    for years_ago in [1, 2] {
        let past = day - Days::new(365 * years_ago);
        let edition = create_event(
            &app,
            "parc-borely",
            (at(past, 15), at(past, 22)),
            8_000,
            Some("fete-du-panier"),
        )
        .await;
        let edition: i64 = edition.as_str().unwrap().parse().unwrap();
        store_incidents(&app, edition, at(past, 20), 1_000).await;
    }
    rescore(&app).await;

    let after = assessment(&app, &id).await;
    let index = after["inputs"]["pastIncidentIndex"].as_f64().unwrap_or(0.0);
    assert!(index > 2.0, "far above the festivals' rate: {after}");
    let logged = contribution(&after, "TRANQUILLITY", "past_incidents");
    assert!(
        logged.is_some_and(|v| (v - index.min(20.0).ln()).abs() < 1e-9),
        "past_incidents contributes the log of the index: {after}"
    );
    assert!(
        expected(&after, "TRANQUILLITY") > expected(&before, "TRANQUILLITY"),
        "troubled editions announce a troubled one: {} -> {}",
        expected(&before, "TRANQUILLITY"),
        expected(&after, "TRANQUILLITY")
    );
    assert!(
        risk(&after, "TRANQUILLITY") > risk(&before, "TRANQUILLITY"),
        "{before} -> {after}"
    );

    let first = assessment(&app, &newcomer).await;
    assert!(
        first["inputs"]["pastIncidentIndex"].is_null(),
        "a new series has no past: {first}"
    );
    assert!(!contributes_anywhere(&first, "past_incidents"), "{first}");
}

on_both_backends!(
    a_forecast_for_the_event_day_moves_its_risk_through_heat_rain_and_wind,
    a_future_day_without_forecast_reads_the_normal_of_the_imported_years,
    a_transit_disruption_in_the_event_arrondissement_and_hours_counts,
    live_presence_above_the_usual_crowd_enters_as_presence_ratio,
    a_series_with_troubled_past_editions_raises_its_next_edition,
);
