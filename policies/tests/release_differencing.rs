//! Done-when of the release rule: seeded random data sets and thousands of random
//! queries (overlapping windows, every bucket size, several zones, zone, bucket and
//! grand totals), all answered to a non-owner. Every published value becomes an
//! equation over the base cells; exact elimination then shows that no base cell
//! under k is determined by all of them together, and that no withheld cell was ever
//! shown as a number. The same harness catches a naive releaser that leaks.

// Test code, as clippy.toml intends: a panic in a helper is a failed assertion too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, TimeZone, Utc};
use policies::grid::BucketSize;
use policies::permissions::OrgId;
use policies::release::{AggregateQuery, BaseCell, Cell, Dataset, Release, release};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use support::RowSpace;

const OWNER: OrgId = OrgId(9);
const VIEWER: OrgId = OrgId(1);
const ZONES: [&str; 3] = ["prado", "corniche", "vieux-port"];
const DAYS: i64 = 2;

fn day0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 7, 14, 0, 0, 0).unwrap()
}

/// A published value and the region it sums: zones x [from, to).
struct Claim {
    zones: Vec<String>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    value: Cell,
}

/// Every number of an answer, with the region it claims to sum.
fn claims(answer: &Release, query_zones: &[String]) -> Vec<Claim> {
    let mut zones: Vec<String> = Vec::new();
    for zone in query_zones {
        if !zones.contains(zone) {
            zones.push(zone.clone());
        }
    }
    let step = Duration::seconds(answer.bucket.seconds());
    let mut out = Vec::new();
    for cell in &answer.cells {
        let (from, to) = (cell.start, cell.start + step);
        out.push(Claim {
            zones: vec![cell.zone.clone()],
            from,
            to,
            value: cell.value,
        });
    }
    for total in &answer.zone_totals {
        let zones = vec![total.zone.clone()];
        out.push(Claim {
            zones,
            from: answer.from,
            to: answer.to,
            value: total.value,
        });
    }
    for total in &answer.bucket_totals {
        let (from, to) = (total.start, total.start + step);
        out.push(Claim {
            zones: zones.clone(),
            from,
            to,
            value: total.value,
        });
    }
    out.push(Claim {
        zones,
        from: answer.from,
        to: answer.to,
        value: answer.grand_total,
    });
    out
}

/// The data set's base cells, numbered as columns of the equations.
struct Columns<'a> {
    cells: &'a [BaseCell],
    by_zone: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Columns<'a> {
    fn new(data: &'a Dataset) -> Self {
        let mut by_zone: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, cell) in data.cells.iter().enumerate() {
            by_zone.entry(cell.zone.as_str()).or_default().push(i);
        }
        Self {
            cells: &data.cells,
            by_zone,
        }
    }

    fn support(&self, claim: &Claim) -> Vec<usize> {
        claim
            .zones
            .iter()
            .flat_map(|zone| self.by_zone.get(zone.as_str()).into_iter().flatten())
            .copied()
            .filter(|&i| claim.from <= self.cells[i].start && self.cells[i].start < claim.to)
            .collect()
    }
}

/// What an attacker learned from a stream of answers.
struct Attacker<'a> {
    columns: Columns<'a>,
    space: RowSpace,
    seen: BTreeSet<Vec<usize>>,
    equations: usize,
}

impl<'a> Attacker<'a> {
    fn new(data: &'a Dataset) -> Self {
        let space = RowSpace::new(data.cells.len());
        Self {
            columns: Columns::new(data),
            space,
            seen: BTreeSet::new(),
            equations: 0,
        }
    }

    /// Records every published value, checking it against the truth and that nothing
    /// withheld or empty was shown as a number.
    fn learn(&mut self, claims: &[Claim], k: u32, base: BucketSize) {
        for claim in claims {
            let support = self.columns.support(claim);
            let truth: i64 = support.iter().map(|&i| self.columns.cells[i].value).sum();
            let is_base_cell = claim.zones.len() == 1
                && claim.to - claim.from == Duration::seconds(base.seconds());
            match claim.value {
                Cell::Value(v) => {
                    assert!(
                        !support.is_empty(),
                        "a region without data was shown as {v}"
                    );
                    assert_eq!(v, truth, "a published value is not the sum of its region");
                    if is_base_cell {
                        let contributors = self.columns.cells[support[0]].contributors;
                        assert!(contributors >= k, "a base cell under k was shown as {v}");
                    }
                    self.equations += 1;
                    if self.seen.insert(support.clone()) {
                        self.space.add_sum(&support);
                    }
                }
                Cell::NoData => {
                    assert!(support.is_empty(), "a region with data was shown as empty")
                }
                Cell::Suppressed | Cell::Pending => {
                    assert!(!support.is_empty() || matches!(claim.value, Cell::Pending));
                }
            }
        }
    }

    /// The base cells under k that the attacker can compute exactly.
    fn disclosed(&self, k: u32) -> Vec<usize> {
        (0..self.columns.cells.len())
            .filter(|&i| self.columns.cells[i].contributors < k && self.space.determined(i))
            .collect()
    }
}

/// A data set of presence-like counts: mostly small cells (the hard case), some
/// large ones, some missing.
fn random_dataset(rng: &mut ChaCha8Rng) -> Dataset {
    let k = [5, 11, 20][rng.random_range(0..3)];
    let base = if rng.random_bool(0.8) {
        BucketSize::Quarter
    } else {
        BucketSize::Hour
    };
    let count = DAYS * 86_400 / base.seconds();
    let mut cells = Vec::new();
    for zone in ZONES {
        for i in 0..count {
            if rng.random_bool(0.1) {
                continue;
            }
            let contributors: u32 = match rng.random_range(0..10) {
                0..=5 => rng.random_range(0..k),
                6..=7 => rng.random_range(k..3 * k),
                _ => rng.random_range(0..500),
            };
            let value = i64::from(contributors) * rng.random_range(1..4);
            let start = day0() + Duration::seconds(i * base.seconds());
            cells.push(BaseCell {
                zone: zone.to_owned(),
                start,
                value,
                contributors,
            });
        }
    }
    Dataset {
        owner: OWNER,
        k,
        base,
        settled_until: None,
        cells,
    }
}

fn random_query(rng: &mut ChaCha8Rng, base: BucketSize) -> AggregateQuery {
    let sizes: Vec<BucketSize> = BucketSize::ALL.into_iter().filter(|s| *s >= base).collect();
    let bucket = sizes[rng.random_range(0..sizes.len())];
    let zone_count = rng.random_range(1..=ZONES.len());
    let zones = (0..zone_count)
        .map(|_| ZONES[rng.random_range(0..ZONES.len())].to_owned())
        .collect();
    // Windows start anywhere (unaligned, even outside the data) and overlap freely.
    let from = day0() + Duration::minutes(rng.random_range(-120..DAYS * 1_440 + 120));
    let to = from + Duration::minutes(rng.random_range(1..=30 * 60));
    AggregateQuery {
        zones,
        from,
        to,
        bucket,
    }
}

#[test]
fn no_set_of_answers_lets_a_non_owner_derive_a_cell_under_k() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_2025);
    let (datasets, queries_per_dataset) = (12, 400);
    let mut total_equations = 0;
    for round in 0..datasets {
        let data = random_dataset(&mut rng);
        let mut attacker = Attacker::new(&data);
        for _ in 0..queries_per_dataset {
            let query = random_query(&mut rng, data.base);
            let answer = release(&data, Some(VIEWER), &query).unwrap();
            assert!(answer.controlled);
            attacker.learn(&claims(&answer, &query.zones), data.k, data.base);
        }
        let disclosed = attacker.disclosed(data.k);
        assert!(
            disclosed.is_empty(),
            "round {round}: cells {disclosed:?} under k are derivable"
        );
        total_equations += attacker.equations;
        println!(
            "round {round}: k={} base={} cells={} equations={} rank={}",
            data.k,
            data.base,
            data.cells.len(),
            attacker.equations,
            attacker.space.rank()
        );
    }
    println!(
        "{} queries, {total_equations} published values checked",
        datasets * queries_per_dataset
    );
}

/// A releaser that suppresses small cells but publishes every coarser total as is:
/// the textbook differencing leak.
fn naive_release(data: &Dataset, query: &AggregateQuery) -> Vec<Claim> {
    let answer = release(data, Some(data.owner), query).unwrap();
    let base_seconds = data.base.seconds();
    let mut out = claims(&answer, &query.zones);
    for claim in &mut out {
        let is_base_cell =
            claim.zones.len() == 1 && (claim.to - claim.from).num_seconds() == base_seconds;
        let small = data
            .cells
            .iter()
            .any(|c| c.zone == claim.zones[0] && c.start == claim.from && c.contributors < data.k);
        if is_base_cell && small {
            claim.value = Cell::Suppressed;
        }
    }
    out
}

#[test]
fn the_checker_catches_a_releaser_that_publishes_totals_over_suppressed_cells() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let data = random_dataset(&mut rng);
    let mut attacker = Attacker::new(&data);
    for _ in 0..200 {
        let query = random_query(&mut rng, data.base);
        attacker.learn(&naive_release(&data, &query), data.k, data.base);
    }
    let disclosed = attacker.disclosed(data.k);
    assert!(
        !disclosed.is_empty(),
        "the naive releaser's leak went unnoticed"
    );
    println!(
        "naive releaser: {} cells under k derivable",
        disclosed.len()
    );
}

#[test]
fn the_checker_catches_the_hour_minus_three_quarters_attack() {
    let start = day0() + Duration::hours(21);
    let cells = [3, 50, 50, 50]
        .iter()
        .enumerate()
        .map(|(i, &n)| BaseCell {
            zone: "prado".to_owned(),
            start: start + Duration::minutes(15 * i as i64),
            value: n,
            contributors: n as u32,
        })
        .collect();
    let data = Dataset {
        owner: OWNER,
        k: 20,
        base: BucketSize::Quarter,
        settled_until: None,
        cells,
    };
    let query = |bucket| AggregateQuery {
        zones: vec!["prado".to_owned()],
        from: start,
        to: start + Duration::hours(1),
        bucket,
    };
    let mut naive = Attacker::new(&data);
    naive.learn(
        &naive_release(&data, &query(BucketSize::Quarter)),
        data.k,
        data.base,
    );
    naive.learn(
        &naive_release(&data, &query(BucketSize::Hour)),
        data.k,
        data.base,
    );
    assert_eq!(
        naive.disclosed(data.k),
        vec![0],
        "naive: the small quarter is derived"
    );

    let mut safe = Attacker::new(&data);
    for bucket in [BucketSize::Quarter, BucketSize::Hour, BucketSize::Day] {
        let answer = release(&data, Some(VIEWER), &query(bucket)).unwrap();
        safe.learn(&claims(&answer, &["prado".to_owned()]), data.k, data.base);
    }
    assert!(
        safe.disclosed(data.k).is_empty(),
        "the real releaser must not leak it"
    );
}
