//! Release rules on small hand-made grids. The randomized proof that no answer set
//! leaks is in `tests/release_differencing.rs`.

use super::*;
use chrono::{Duration, TimeZone};

const OPERATOR: OrgId = OrgId(9);
const CITY: OrgId = OrgId(1);

fn t(h: i64, m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 7, 14, 0, 0, 0).unwrap() + Duration::minutes(h * 60 + m)
}

/// Four quarters of 21:00-22:00 on the Prado beach with the given contributor counts
/// (values equal to counts, as for presence).
fn prado(counts: [u32; 4]) -> Dataset {
    let cells = counts
        .iter()
        .enumerate()
        .map(|(i, &n)| BaseCell {
            zone: "prado".to_owned(),
            start: t(21, 15 * i as i64),
            value: i64::from(n),
            contributors: n,
        })
        .collect();
    Dataset {
        owner: OPERATOR,
        k: 20,
        base: BucketSize::Quarter,
        settled_until: None,
        zone_parents: HashMap::new(),
        coverage: None,
        cells,
    }
}

fn query(bucket: BucketSize, from: DateTime<Utc>, to: DateTime<Utc>) -> AggregateQuery {
    AggregateQuery {
        zones: vec!["prado".to_owned()],
        from,
        to,
        bucket,
    }
}

fn values(release: &Release) -> Vec<Cell> {
    release.cells.iter().map(|c| c.value).collect()
}

#[test]
fn the_owner_sees_its_cells_unsuppressed() {
    let data = prado([3, 50, 50, 50]);
    let answer = release(
        &data,
        Some(OPERATOR),
        &query(BucketSize::Quarter, t(21, 0), t(22, 0)),
    )
    .unwrap();
    assert!(!answer.controlled);
    assert_eq!(
        values(&answer),
        vec![
            Cell::Value(3),
            Cell::Value(50),
            Cell::Value(50),
            Cell::Value(50)
        ]
    );
    assert_eq!(answer.grand_total, Cell::Value(153));
}

#[test]
fn a_cell_under_k_is_marked_suppressed_never_zero() {
    let data = prado([3, 50, 50, 50]);
    let answer = release(
        &data,
        Some(CITY),
        &query(BucketSize::Quarter, t(21, 0), t(22, 0)),
    )
    .unwrap();
    assert!(answer.controlled);
    assert_eq!(values(&answer)[0], Cell::Suppressed);
    assert!(values(&answer).contains(&Cell::Value(50)), "{answer:?}");
}

#[test]
fn the_hour_total_cannot_be_used_to_recover_the_small_quarter() {
    let data = prado([3, 50, 50, 50]);
    let hour = release(
        &data,
        Some(CITY),
        &query(BucketSize::Hour, t(21, 0), t(22, 0)),
    )
    .unwrap();
    let quarters = release(
        &data,
        Some(CITY),
        &query(BucketSize::Quarter, t(21, 0), t(22, 0)),
    )
    .unwrap();
    let shown: Vec<i64> = values(&quarters)
        .iter()
        .filter_map(|c| match c {
            Cell::Value(v) => Some(*v),
            _ => None,
        })
        .collect();
    // Either the hour is withheld, or a second quarter is withheld with the small
    // one, so that the hour less the shown quarters is 53, not 3.
    match values(&hour)[0] {
        Cell::Value(total) => assert!(total - shown.iter().sum::<i64>() >= 20, "{quarters:?}"),
        other => assert_eq!(other, Cell::Suppressed),
    }
    assert!(shown.len() <= 2, "{quarters:?}");
}

#[test]
fn small_quarters_are_published_together_as_their_hour() {
    let data = prado([8, 7, 9, 6]);
    let hour = release(
        &data,
        Some(CITY),
        &query(BucketSize::Hour, t(21, 0), t(22, 0)),
    )
    .unwrap();
    assert_eq!(values(&hour), vec![Cell::Value(30)]);
    let quarters = release(
        &data,
        Some(CITY),
        &query(BucketSize::Quarter, t(21, 0), t(22, 0)),
    )
    .unwrap();
    assert!(values(&quarters).iter().all(|c| *c == Cell::Suppressed));
    assert_eq!(
        quarters.zone_totals[0].value,
        Cell::Value(30),
        "the total uses the published hour"
    );
}

#[test]
fn two_small_quarters_hidden_together_keep_the_hour_publishable() {
    // Residual {q1, q2} has 12 + 10 = 22 >= 20 contributors: the hour adds only their sum.
    let data = prado([12, 10, 50, 50]);
    let hour = release(
        &data,
        Some(CITY),
        &query(BucketSize::Hour, t(21, 0), t(22, 0)),
    )
    .unwrap();
    assert_eq!(values(&hour), vec![Cell::Value(122)]);
}

#[test]
fn windows_are_snapped_outward_to_the_grid() {
    let data = prado([30, 30, 30, 30]);
    let answer = release(
        &data,
        Some(CITY),
        &query(BucketSize::Hour, t(21, 10), t(21, 20)),
    )
    .unwrap();
    assert_eq!((answer.from, answer.to), (t(21, 0), t(22, 0)));
    let quarters = release(
        &data,
        Some(CITY),
        &query(BucketSize::Quarter, t(21, 10), t(21, 20)),
    )
    .unwrap();
    assert_eq!((quarters.from, quarters.to), (t(21, 0), t(21, 30)));
}

#[test]
fn buckets_without_data_say_so_to_the_owner_only() {
    let data = prado([30, 30, 30, 30]);
    let q = query(BucketSize::Hour, t(22, 0), t(23, 0));
    let own = release(&data, Some(OPERATOR), &q).unwrap();
    assert_eq!(values(&own), vec![Cell::NoData]);
    assert_eq!(own.grand_total, Cell::NoData);
    // To anyone else an empty bucket looks like a small one: otherwise "withheld"
    // would tell that someone is there.
    let answer = release(&data, Some(CITY), &q).unwrap();
    assert_eq!(values(&answer), vec![Cell::Suppressed]);
    assert_eq!(answer.grand_total, Cell::Suppressed);
}

#[test]
fn a_value_under_k_is_withheld_whatever_its_contributors() {
    let mut data = prado([30, 30, 30, 30]);
    data.cells[0].value = 3;
    let answer = release(
        &data,
        Some(CITY),
        &query(BucketSize::Quarter, t(21, 0), t(22, 0)),
    )
    .unwrap();
    assert_eq!(values(&answer)[0], Cell::Suppressed);
    assert_eq!(released_count(19.4), 19);
    assert_eq!(
        released_count(0.4),
        1,
        "a counted cell is never released as 0"
    );
    assert_eq!(released_count(0.0), 0);
    assert_eq!(released_count(f64::NAN), 0);
}

#[test]
fn a_site_inside_its_arrondissement_never_gives_away_the_rest() {
    // 13208 counts 31 people, 25 of them at the Vélodrome: the rest is 6.
    let mut data = prado([30, 30, 30, 30]);
    data.cells.truncate(1);
    data.cells[0].zone = "13208".to_owned();
    data.cells[0].value = 31;
    data.cells[0].contributors = 31;
    data.cells.push(BaseCell {
        zone: "velodrome".to_owned(),
        start: t(21, 0),
        value: 25,
        contributors: 25,
    });
    data.zone_parents
        .insert("velodrome".to_owned(), "13208".to_owned());
    for bucket in BucketSize::ALL {
        let ask = |zone: &str| AggregateQuery {
            zones: vec![zone.to_owned()],
            ..query(bucket, t(21, 0), t(21, 15))
        };
        let whole = release(&data, Some(CITY), &ask("13208")).unwrap().cells[0].value;
        let site = release(&data, Some(CITY), &ask("velodrome")).unwrap().cells[0].value;
        assert!(
            !matches!((whole, site), (Cell::Value(_), Cell::Value(_))),
            "{bucket}: {whole:?} and {site:?}"
        );
    }
}

#[test]
fn unsettled_days_are_withheld_from_non_owners_only() {
    let mut data = prado([30, 30, 30, 30]);
    // A table is decided once, when its whole day is settled.
    data.settled_until = Some(t(21, 30));
    let q = query(BucketSize::Quarter, t(21, 0), t(22, 0));
    let answer = release(&data, Some(CITY), &q).unwrap();
    assert_eq!(values(&answer), vec![Cell::Pending; 4]);
    assert_eq!(answer.grand_total, Cell::Pending);
    data.settled_until = Some(t(24, 0));
    let settled = release(&data, Some(CITY), &q).unwrap();
    assert_eq!(values(&settled), vec![Cell::Value(30); 4]);
    let own = release(&data, Some(OPERATOR), &q).unwrap();
    assert_eq!(own.grand_total, Cell::Value(120));
}

#[test]
fn bad_queries_and_datasets_are_refused_with_codes() {
    let mut data = prado([30, 30, 30, 30]);
    data.base = BucketSize::Hour;
    let fine = release(
        &data,
        Some(CITY),
        &query(BucketSize::Quarter, t(21, 0), t(22, 0)),
    );
    assert_eq!(fine.unwrap_err().code(), "BUCKET_TOO_FINE");
    let misaligned = release(
        &data,
        Some(CITY),
        &query(BucketSize::Hour, t(21, 0), t(22, 0)),
    );
    assert_eq!(misaligned.unwrap_err().code(), "INVALID_BASE_CELL");
    let data = prado([30, 30, 30, 30]);
    let empty = release(
        &data,
        Some(CITY),
        &query(BucketSize::Hour, t(22, 0), t(21, 0)),
    );
    assert_eq!(empty.unwrap_err().code(), "EMPTY_WINDOW");
    let mut no_zone = query(BucketSize::Hour, t(21, 0), t(22, 0));
    no_zone.zones.clear();
    assert_eq!(
        release(&data, Some(CITY), &no_zone).unwrap_err().code(),
        "NO_ZONE"
    );
    let huge = query(BucketSize::Quarter, t(0, 0), t(0, 0) + Duration::days(400));
    assert_eq!(
        release(&data, Some(CITY), &huge).unwrap_err().code(),
        "ANSWER_TOO_LARGE"
    );
}
