//! Ingestion rules, one test per rule and the whole-batch behaviour.

use super::*;
use chrono::TimeZone;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 7, 14, h, m, 0).unwrap()
}

fn presence(value: f64, contributors: u32) -> Observation {
    Observation {
        zone_level: ZoneLevel::Site,
        metric: "presence".to_owned(),
        bucket_start: at(21, 15),
        bucket_minutes: 15,
        value,
        contributors: Some(contributors),
        text: None,
        labels: Vec::new(),
    }
}

fn refusal(rules: &SourceRules, batch: &[Observation]) -> (usize, &'static str) {
    let error = validate_batch(rules, batch).unwrap_err();
    (error.index, error.code())
}

#[test]
fn a_clean_batch_is_accepted() {
    let batch = vec![presence(1_200.0, 1_200), presence(20.0, 20)];
    assert_eq!(
        validate_batch(&SourceRules::phone_presence(), &batch),
        Ok(())
    );
}

#[test]
fn the_batch_is_refused_at_its_first_offending_record() {
    let batch = vec![presence(500.0, 500), presence(19.0, 19), presence(3.0, 3)];
    let error = validate_batch(&SourceRules::phone_presence(), &batch).unwrap_err();
    assert_eq!(error.index, 1);
    assert_eq!(
        error.violation,
        Violation::KAnonymity {
            contributors: Some(19),
            k: 20
        }
    );
    assert!(
        error
            .to_string()
            .starts_with("record 1: the cell counts 19 contributors"),
        "{error}"
    );
}

#[test]
fn default_k_is_eleven_and_phone_presence_k_is_twenty() {
    let rules = SourceRules::aggregate(["presence"]);
    let mut ok = presence(11.0, 11);
    ok.zone_level = ZoneLevel::Quartier;
    assert_eq!(validate_batch(&rules, &[ok.clone()]), Ok(()));
    assert_eq!(
        refusal(&SourceRules::phone_presence(), &[presence(11.0, 11)]),
        (0, "K_ANONYMITY")
    );
}

#[test]
fn aggregates_without_a_contributor_count_are_refused() {
    let mut record = presence(40.0, 40);
    record.contributors = None;
    assert_eq!(
        refusal(&SourceRules::phone_presence(), &[record]),
        (0, "K_ANONYMITY")
    );
}

#[test]
fn record_level_sources_do_not_apply_k() {
    let mut record = presence(1.0, 1);
    record.zone_level = ZoneLevel::Quartier;
    record.metric = "incidents".to_owned();
    assert_eq!(
        validate_batch(&SourceRules::records(["incidents"]), &[record]),
        Ok(())
    );
}

#[test]
fn buckets_finer_than_allowed_are_refused() {
    let mut rules = SourceRules::phone_presence();
    rules.min_bucket = BucketSize::Hour;
    assert_eq!(
        refusal(&rules, &[presence(50.0, 50)]),
        (0, "BUCKET_TOO_FINE")
    );
    let mut five = presence(50.0, 50);
    five.bucket_minutes = 5;
    assert_eq!(
        refusal(&SourceRules::phone_presence(), &[five]),
        (0, "BUCKET_TOO_FINE")
    );
}

#[test]
fn buckets_off_the_grid_are_refused() {
    let rules = SourceRules::phone_presence();
    let mut shifted = presence(50.0, 50);
    shifted.bucket_start = at(21, 10);
    let mut odd_length = presence(50.0, 50);
    odd_length.bucket_minutes = 30;
    let mut hour_at_quarter = presence(50.0, 50);
    hour_at_quarter.bucket_minutes = 60;
    for record in [shifted, odd_length, hour_at_quarter] {
        assert_eq!(
            refusal(&rules, std::slice::from_ref(&record)),
            (0, "BUCKET_NOT_ALIGNED"),
            "{record:?}"
        );
    }
    let mut hour = presence(50.0, 50);
    hour.bucket_minutes = 60;
    hour.bucket_start = at(21, 0);
    assert_eq!(validate_batch(&rules, &[hour]), Ok(()));
}

#[test]
fn zones_finer_than_allowed_are_refused() {
    let rules = SourceRules::aggregate(["presence"]);
    assert_eq!(refusal(&rules, &[presence(50.0, 50)]), (0, "ZONE_TOO_FINE"));
}

#[test]
fn fields_outside_the_schema_are_refused() {
    let mut record = presence(50.0, 50);
    record.metric = "age_band".to_owned();
    let error = validate_batch(&SourceRules::phone_presence(), &[record]).unwrap_err();
    assert_eq!(
        error.violation,
        Violation::UnknownField("age_band".to_owned())
    );
}

#[test]
fn negative_and_non_finite_values_are_refused() {
    let rules = SourceRules::phone_presence();
    assert_eq!(
        refusal(&rules, &[presence(-1.0, 50)]),
        (0, "NEGATIVE_VALUE")
    );
    assert_eq!(
        refusal(&rules, &[presence(f64::NAN, 50)]),
        (0, "INVALID_VALUE")
    );
}

#[test]
fn texts_and_labels_that_look_like_personal_data_are_refused() {
    let rules = SourceRules::phone_presence();
    let mut with_text = presence(50.0, 50);
    with_text.text = Some("rappeler le 06 12 34 56 78".to_owned());
    let mut with_label = presence(50.0, 50);
    with_label.labels = vec!["plage".to_owned(), "AB-123-CD".to_owned()];
    let mut clean = presence(50.0, 50);
    clean.text = Some("Affluence plage du Prado, 21h15".to_owned());
    let batch = vec![clean, with_text, with_label];
    let error = validate_batch(&rules, &batch).unwrap_err();
    assert_eq!(error.index, 1);
    assert_eq!(
        error.violation,
        Violation::PersonalData(vec![PiiKind::Phone])
    );
    let error = validate_batch(&rules, &batch[2..]).unwrap_err();
    assert_eq!(
        error.violation,
        Violation::PersonalData(vec![PiiKind::Plate])
    );
}
