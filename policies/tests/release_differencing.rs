//! Done-when of the release rules: an attacker who reasons. Seeded random data sets
//! with many small cells and nested zones (two sites inside an arrondissement, a
//! second arrondissement) get hundreds of random queries each (overlapping windows,
//! every bucket size, several and nested zones, zone, bucket and grand totals), all
//! answered to a non-owner. The attacker turns every published value into an
//! equation over the atoms (leaf zone x base bucket, the rest of an arrondissement
//! outside its sites included), every atom into a whole number at least 0, and,
//! better informed than any real one, every withheld cell that is truly under k
//! into "at most k - 1". Integer programs then bound every cell that counts 1 to
//! k - 1 people: none may be narrowed below [0, k - 1]. The same attacker catches
//! a releaser that only suppresses small cells.

// Test code, as clippy.toml intends: a panic in a helper is a failed assertion too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use policies::grid::BucketSize;
use policies::permissions::OrgId;
use policies::release::{AggregateQuery, BaseCell, Cell, Dataset, Release, release};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use support::Knowledge;

const OWNER: OrgId = OrgId(9);
const VIEWER: OrgId = OrgId(1);
/// Shown zones, and the leaves the attacker models: sites, rests, lone zones.
const ZONES: [&str; 4] = ["13208", "prado", "velodrome", "13201"];
const LEAVES: [&str; 4] = ["prado", "velodrome", "13208-rest", "13201"];
const DAYS: i64 = 1;

fn day0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 7, 14, 0, 0, 0).unwrap()
}

fn leaves_of(zone: &str) -> Vec<usize> {
    match zone {
        "13208" => vec![0, 1, 2],
        "prado" => vec![0],
        "velodrome" => vec![1],
        "13201" => vec![3],
        other => panic!("unknown zone {other}"),
    }
}

/// The atoms of a data set as the attacker models them, with their true amounts.
struct Atoms {
    base: BucketSize,
    buckets: i64,
    value: Vec<i64>,
    contributors: Vec<i64>,
}

impl Atoms {
    fn new(data: &Dataset) -> Self {
        let buckets = DAYS * 86_400 / data.base.seconds();
        let n = LEAVES.len() * buckets as usize;
        let mut atoms = Atoms {
            base: data.base,
            buckets,
            value: vec![0; n],
            contributors: vec![0; n],
        };
        let mut stored: HashMap<(&str, i64), (i64, i64)> = HashMap::new();
        for cell in &data.cells {
            let b = (cell.start - day0()).num_seconds() / data.base.seconds();
            stored.insert(
                (cell.zone.as_str(), b),
                (cell.value, i64::from(cell.contributors)),
            );
        }
        for b in 0..buckets {
            let get = |z| stored.get(&(z, b)).copied().unwrap_or_default();
            let (prado, velodrome, whole, lone) =
                (get("prado"), get("velodrome"), get("13208"), get("13201"));
            // The documented rest: the arrondissement less its sites, never below 0.
            let rest = (
                (whole.0 - prado.0 - velodrome.0).max(0),
                (whole.1 - prado.1 - velodrome.1).max(0),
            );
            for (leaf, amount) in [prado, velodrome, rest, lone].into_iter().enumerate() {
                let i = atoms.index(leaf, b);
                atoms.value[i] = amount.0;
                atoms.contributors[i] = amount.1;
            }
        }
        atoms
    }

    fn index(&self, leaf: usize, bucket: i64) -> usize {
        leaf * self.buckets as usize + bucket as usize
    }

    /// The atoms of zones x [from, to).
    fn region(&self, zones: &[&str], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<usize> {
        let mut leaves: Vec<usize> = zones.iter().flat_map(|z| leaves_of(z)).collect();
        leaves.sort_unstable();
        leaves.dedup();
        let step = self.base.seconds();
        let first = ((from - day0()).num_seconds() / step).max(0);
        let last = ((to - day0()).num_seconds() / step).min(self.buckets);
        let mut out: Vec<usize> = leaves
            .iter()
            .flat_map(|&leaf| (first..last).map(move |b| (leaf, b)))
            .map(|(leaf, b)| self.index(leaf, b))
            .collect();
        out.sort_unstable();
        out
    }

    fn sum(&self, region: &[usize], of: &[i64]) -> i64 {
        region.iter().map(|&a| of[a]).sum()
    }
}

/// A released number, the zones and window it sums, and whether it is one cell.
struct Claim {
    zones: Vec<String>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    value: Cell,
    single: bool,
}

fn claims(answer: &Release, zones: &[String]) -> Vec<Claim> {
    let step = Duration::seconds(answer.bucket.seconds());
    let mut out: Vec<Claim> = answer
        .cells
        .iter()
        .map(|c| Claim {
            zones: vec![c.zone.clone()],
            from: c.start,
            to: c.start + step,
            value: c.value,
            single: true,
        })
        .collect();
    for total in &answer.zone_totals {
        out.push(Claim {
            zones: vec![total.zone.clone()],
            from: answer.from,
            to: answer.to,
            value: total.value,
            single: false,
        });
    }
    // Totals over several zones are only summed when the zones do not nest.
    let nested = zones.iter().any(|z| z == "13208")
        && zones.iter().any(|z| z == "prado" || z == "velodrome");
    if !nested {
        for total in &answer.bucket_totals {
            out.push(Claim {
                zones: zones.to_vec(),
                from: total.start,
                to: total.start + step,
                value: total.value,
                single: false,
            });
        }
        out.push(Claim {
            zones: zones.to_vec(),
            from: answer.from,
            to: answer.to,
            value: answer.grand_total,
            single: false,
        });
    }
    out
}

/// An attacker learning from answers, checked against the truth as he goes.
struct Attacker<'a> {
    atoms: &'a Atoms,
    k: i64,
    knowledge: Knowledge,
}

impl Attacker<'_> {
    fn learn(&mut self, claims: &[Claim]) {
        for claim in claims {
            let zones: Vec<&str> = claim.zones.iter().map(String::as_str).collect();
            let region = self.atoms.region(&zones, claim.from, claim.to);
            let truth = self.atoms.sum(&region, &self.atoms.value);
            match claim.value {
                Cell::Value(v) => {
                    assert_eq!(v, truth, "a published value is not its region's sum");
                    if claim.single {
                        let people = self.atoms.sum(&region, &self.atoms.contributors);
                        assert!(
                            v >= self.k && people >= self.k,
                            "{v} ({people}) under k released"
                        );
                    }
                    self.knowledge.equal(region, v);
                }
                Cell::NoData => panic!("a non-owner was told a region is empty"),
                Cell::Pending => panic!("settled data shown as pending"),
                Cell::Suppressed if claim.single && truth < self.k => {
                    self.knowledge.at_most(region, self.k - 1);
                }
                Cell::Suppressed => {}
            }
        }
    }

    /// Every cell (leaf or shown zone, any bucket) counting 1 to k - 1 people that
    /// the attacker narrows below [0, k - 1], and how many such cells were checked.
    fn narrowed(&self) -> (Vec<String>, usize) {
        let mut found = Vec::new();
        let mut checked = 0;
        let sizes: Vec<BucketSize> = BucketSize::ALL
            .into_iter()
            .filter(|s| *s >= self.atoms.base)
            .collect();
        let regions: Vec<Vec<&str>> = vec![
            vec!["13208"],
            vec!["prado"],
            vec!["velodrome"],
            vec!["13201"],
        ];
        for size in sizes {
            let count = DAYS * 86_400 / size.seconds();
            for i in 0..count {
                let from = day0() + Duration::seconds(i * size.seconds());
                let to = from + Duration::seconds(size.seconds());
                let mut targets: Vec<(String, Vec<usize>)> = regions
                    .iter()
                    .map(|z| (z.join("+"), self.atoms.region(z, from, to)))
                    .collect();
                // The rest of 13208 outside its sites, never shown but aimed at.
                let rest: Vec<usize> = self
                    .atoms
                    .region(&["13208"], from, to)
                    .into_iter()
                    .filter(|a| {
                        !self
                            .atoms
                            .region(&["prado", "velodrome"], from, to)
                            .contains(a)
                    })
                    .collect();
                targets.push(("rest of 13208".to_owned(), rest));
                for (name, region) in targets {
                    let value = self.atoms.sum(&region, &self.atoms.value);
                    let people = self.atoms.sum(&region, &self.atoms.contributors);
                    if value < 1 || (value >= self.k && people >= self.k) {
                        continue;
                    }
                    checked += 1;
                    let bounds = self.knowledge.bounds(&region);
                    if bounds.low > 0 || bounds.high < self.k - 1 {
                        found.push(format!(
                            "{name} {from} {size}: {value} narrowed to [{}, {}]",
                            bounds.low, bounds.high
                        ));
                    }
                }
            }
        }
        (found, checked)
    }
}

/// Two days of counts: two sites inside 13208 (sent with 13208 itself, which
/// counts them plus its rest) and 13201; mostly small cells, some values apart
/// from their contributor counts, some cells missing.
fn random_dataset(rng: &mut ChaCha8Rng) -> Dataset {
    let k = [3, 5, 11][rng.random_range(0..3)];
    let base = if rng.random_bool(0.8) {
        BucketSize::Hour
    } else {
        BucketSize::Quarter
    };
    let mut cells = Vec::new();
    let mut push = |zone: &str, b: i64, value: i64, contributors: i64| {
        cells.push(BaseCell {
            zone: zone.to_owned(),
            start: day0() + Duration::seconds(b * base.seconds()),
            value,
            contributors: contributors as u32,
        });
    };
    let small = |rng: &mut ChaCha8Rng| -> i64 {
        match rng.random_range(0..10) {
            0..=5 => rng.random_range(1..k as i64),
            6..=8 => rng.random_range(k as i64..3 * k as i64),
            _ => rng.random_range(0..60),
        }
    };
    for b in 0..DAYS * 86_400 / base.seconds() {
        let mut inside = 0;
        for site in ["prado", "velodrome"] {
            if rng.random_bool(0.6) {
                let value = small(rng);
                inside += value;
                push(site, b, value, value);
            }
        }
        if rng.random_bool(0.8) {
            let whole = inside + rng.random_range(0..k as i64);
            if whole > 0 {
                push("13208", b, whole, whole);
            }
        }
        if rng.random_bool(0.7) {
            let value = small(rng);
            // Now and then a value apart from its contributors (a count of visits).
            let contributors = if rng.random_bool(0.1) {
                value + k as i64
            } else {
                value
            };
            push("13201", b, value, contributors);
        }
    }
    let zone_parents = [
        ("prado", "13208"),
        ("velodrome", "13208"),
        ("13208", "13055"),
        ("13201", "13055"),
    ]
    .into_iter()
    .map(|(z, p)| (z.to_owned(), p.to_owned()))
    .collect();
    Dataset {
        owner: OWNER,
        k,
        base,
        settled_until: None,
        zone_parents,
        coverage: None,
        cells,
    }
}

fn random_query(rng: &mut ChaCha8Rng, base: BucketSize) -> AggregateQuery {
    let sizes: Vec<BucketSize> = BucketSize::ALL.into_iter().filter(|s| *s >= base).collect();
    let bucket = sizes[rng.random_range(0..sizes.len())];
    let zones = (0..rng.random_range(1..=3))
        .map(|_| ZONES[rng.random_range(0..ZONES.len())].to_owned())
        .collect();
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
fn no_set_of_answers_narrows_a_small_cell_below_k() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_2026);
    let (datasets, queries) = (6, 100);
    let (mut total_checked, mut total_equations) = (0, 0);
    for round in 0..datasets {
        let data = random_dataset(&mut rng);
        let atoms = Atoms::new(&data);
        let mut attacker = Attacker {
            atoms: &atoms,
            k: i64::from(data.k),
            knowledge: Knowledge::new(atoms.value.len()),
        };
        for _ in 0..queries {
            let query = random_query(&mut rng, data.base);
            let answer = release(&data, Some(VIEWER), &query).unwrap();
            assert!(answer.controlled);
            attacker.learn(&claims(&answer, &query.zones));
        }
        let (narrowed, checked) = attacker.narrowed();
        println!(
            "round {round}: k={} base={} cells={} published sums={} caps={} small cells checked={checked} narrowed={}",
            data.k,
            data.base,
            data.cells.len(),
            attacker.knowledge.equalities(),
            attacker.knowledge.caps(),
            narrowed.len()
        );
        assert!(narrowed.is_empty(), "round {round}: {narrowed:#?}");
        total_checked += checked;
        total_equations += attacker.knowledge.equalities();
    }
    assert!(total_checked > 100, "the data sets must hold small cells");
    assert!(total_equations > 100, "the answers must publish something");
    println!(
        "{} queries, {total_equations} distinct published sums, {total_checked} small cells bounded, none narrowed",
        datasets * queries
    );
}

/// A releaser that withholds exactly the cells under k, with one status, and
/// publishes everything else: statuses plus sums pin small cells.
fn leaky_release(data: &Dataset, atoms: &Atoms, query: &AggregateQuery) -> Vec<Claim> {
    let answer = release(data, Some(data.owner), query).unwrap();
    let mut out = claims(&answer, &query.zones);
    for claim in &mut out {
        let zones: Vec<&str> = claim.zones.iter().map(String::as_str).collect();
        let region = atoms.region(&zones, claim.from, claim.to);
        let value = atoms.sum(&region, &atoms.value);
        let people = atoms.sum(&region, &atoms.contributors);
        claim.value = if value >= i64::from(data.k) && people >= i64::from(data.k) {
            Cell::Value(value)
        } else {
            Cell::Suppressed
        };
    }
    out
}

#[test]
fn the_attacker_catches_a_releaser_that_only_suppresses_small_cells() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let data = random_dataset(&mut rng);
    let atoms = Atoms::new(&data);
    let mut attacker = Attacker {
        atoms: &atoms,
        k: i64::from(data.k),
        knowledge: Knowledge::new(atoms.value.len()),
    };
    for _ in 0..100 {
        let query = random_query(&mut rng, data.base);
        attacker.learn(&leaky_release(&data, &atoms, &query));
    }
    let (narrowed, checked) = attacker.narrowed();
    println!(
        "leaky releaser: {} of {checked} small cells narrowed, e.g. {:?}",
        narrowed.len(),
        narrowed.first()
    );
    assert!(!narrowed.is_empty(), "the leak went unnoticed");
}

#[test]
fn the_issue_example_a_day_of_twelve_pins_nothing() {
    // 12 incidents in 11 hours, each alone in its quarter: the day is published,
    // and the quarters and hours cannot be told apart from empty ones.
    let day = day0();
    let cells = (0..12)
        .map(|i| BaseCell {
            zone: "13201".to_owned(),
            start: day + Duration::minutes(60 * (i % 11) + 15 * (i / 11)),
            value: 1,
            contributors: 1,
        })
        .collect();
    let data = Dataset {
        owner: OWNER,
        k: 11,
        base: BucketSize::Quarter,
        settled_until: None,
        zone_parents: HashMap::new(),
        coverage: None,
        cells,
    };
    let atoms = Atoms::new(&data);
    let mut attacker = Attacker {
        atoms: &atoms,
        k: 11,
        knowledge: Knowledge::new(atoms.value.len()),
    };
    for bucket in BucketSize::ALL {
        let query = AggregateQuery {
            zones: vec!["13201".to_owned()],
            from: day,
            to: day + Duration::days(1),
            bucket,
        };
        let answer = release(&data, Some(VIEWER), &query).unwrap();
        if bucket == BucketSize::Day {
            assert_eq!(answer.cells[0].value, Cell::Value(12));
        } else {
            assert!(answer.cells.iter().all(|c| c.value == Cell::Suppressed));
        }
        attacker.learn(&claims(&answer, &query.zones));
    }
    let (narrowed, checked) = attacker.narrowed();
    assert!(
        checked >= 12 + 11,
        "every quarter and hour with an incident"
    );
    assert!(narrowed.is_empty(), "{narrowed:#?}");
}
