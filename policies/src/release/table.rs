//! One released table: a data set's cells of one UTC day in one group of nested
//! zones (an arrondissement with the sites inside it, when the source sends both).
//!
//! Its cells are the *nodes*: every shown zone crossed with every time bucket of
//! the day, from the base size up to the day. Underneath are the *atoms*: the leaf
//! zones crossed with the base buckets, where a zone sent with zones inside it also
//! has a hidden leaf, its *rest* (the zone minus its parts), which is never shown
//! but which an attacker can aim at by subtracting a site from its arrondissement.
//! Every node's value is the sum of its atoms, so every published number is one
//! linear equation over the atoms.

use std::collections::HashMap;

use crate::grid::BucketSize;

/// A value and its contributors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Amount {
    /// The count.
    pub value: i64,
    /// People behind it.
    pub contributors: u64,
}

impl Amount {
    fn add(self, other: Amount) -> Amount {
        Amount {
            value: self.value.saturating_add(other.value),
            contributors: self.contributors.saturating_add(other.contributors),
        }
    }
}

/// A zone of the table: a shown zone, or the hidden rest of one.
#[derive(Debug, Clone)]
pub(super) struct TableZone {
    /// The zone's name; `None` for a rest.
    pub name: Option<String>,
    /// Zones of the table directly inside it (with its rest last).
    pub children: Vec<usize>,
    /// Its parent in the table.
    pub parent: Option<usize>,
}

/// A time bucket of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    /// Its size.
    pub size: BucketSize,
    /// Its start, Unix seconds.
    pub start: i64,
}

impl Span {
    fn contains(self, other: Span) -> bool {
        self.start <= other.start
            && other.start + other.size.seconds() <= self.start + self.size.seconds()
    }
}

/// A cell of the table: a zone crossed with a time bucket.
#[derive(Debug, Clone)]
pub(super) struct TableNode {
    /// Its zone (index into `Table::zones`).
    pub zone: usize,
    /// Its bucket (index into `Table::spans`).
    pub span: usize,
    /// The atoms it sums.
    pub atoms: Vec<usize>,
    /// Its value and contributors.
    pub amount: Amount,
    /// Whether it can appear in an answer (its zone is not a rest).
    pub shown: bool,
}

/// One table, ready for the publication decision.
#[derive(Debug, Clone)]
pub(super) struct Table {
    /// The zones: shown ones and rests.
    pub zones: Vec<TableZone>,
    /// The day's buckets, coarsest first.
    pub spans: Vec<Span>,
    /// The atoms' amounts.
    pub atoms: Vec<Amount>,
    /// Every zone crossed with every bucket.
    pub nodes: Vec<TableNode>,
    /// The node of a (zone name, bucket start, bucket size).
    index: HashMap<(String, i64, BucketSize), usize>,
}

impl Table {
    /// Builds the table of one day (`day_start`, Unix seconds) from the stored
    /// cells of its zones: `cells[zone][base start]`; `parents` gives each zone's
    /// parent among the table's zones (absent for the root).
    pub fn build(
        day_start: i64,
        base: BucketSize,
        zone_names: &[String],
        parents: &HashMap<String, String>,
        cells: &HashMap<String, HashMap<i64, Amount>>,
    ) -> Table {
        let mut zones: Vec<TableZone> = zone_names
            .iter()
            .map(|name| TableZone {
                name: Some(name.clone()),
                children: Vec::new(),
                parent: None,
            })
            .collect();
        let position: HashMap<&str, usize> = zone_names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        for (i, name) in zone_names.iter().enumerate() {
            if let Some(&p) = parents.get(name).and_then(|p| position.get(p.as_str())) {
                zones[i].parent = Some(p);
                zones[p].children.push(i);
            }
        }
        // A zone with parts gets a hidden rest: what it counts outside them.
        for i in 0..zone_names.len() {
            if !zones[i].children.is_empty() {
                let rest = zones.len();
                zones.push(TableZone {
                    name: None,
                    children: Vec::new(),
                    parent: Some(i),
                });
                zones[i].children.push(rest);
            }
        }
        let spans = day_spans(day_start, base);
        let bases: Vec<usize> = (0..spans.len())
            .filter(|&s| spans[s].size == base)
            .collect();
        let leaves: Vec<usize> = (0..zones.len())
            .filter(|&z| zones[z].children.is_empty())
            .collect();
        let stored = |zone: usize, start: i64| -> Amount {
            zones[zone]
                .name
                .as_ref()
                .and_then(|n| cells.get(n))
                .and_then(|c| c.get(&start))
                .copied()
                .unwrap_or_default()
        };
        let mut atoms = Vec::with_capacity(leaves.len() * bases.len());
        let mut atom_of: HashMap<(usize, usize), usize> = HashMap::new();
        for &leaf in &leaves {
            for &b in &bases {
                let start = spans[b].start;
                let amount = match (zones[leaf].name.is_some(), zones[leaf].parent) {
                    (false, Some(parent)) => {
                        // The rest: the parent's count less its parts' counts. A
                        // parent sent below its parts makes an empty rest, so a
                        // released parent is never below the sum of its parts.
                        let whole = stored(parent, start);
                        let parts = zones[parent]
                            .children
                            .iter()
                            .filter(|&&c| c != leaf)
                            .fold(Amount::default(), |sum, &c| sum.add(stored(c, start)));
                        Amount {
                            value: (whole.value - parts.value).max(0),
                            contributors: whole.contributors.saturating_sub(parts.contributors),
                        }
                    }
                    _ => stored(leaf, start),
                };
                atom_of.insert((leaf, b), atoms.len());
                atoms.push(amount);
            }
        }
        let mut nodes = Vec::with_capacity(zones.len() * spans.len());
        let mut index = HashMap::new();
        for zone in 0..zones.len() {
            let under = leaves_under(&zones, zone);
            for (s, span) in spans.iter().enumerate() {
                let atom_ids: Vec<usize> = under
                    .iter()
                    .flat_map(|&leaf| {
                        bases
                            .iter()
                            .filter(|&&b| span.contains(spans[b]))
                            .map(move |&b| (leaf, b))
                    })
                    .filter_map(|key| atom_of.get(&key).copied())
                    .collect();
                let amount = atom_ids
                    .iter()
                    .fold(Amount::default(), |sum, &a| sum.add(atoms[a]));
                if let Some(name) = &zones[zone].name {
                    index.insert((name.clone(), span.start, span.size), nodes.len());
                }
                nodes.push(TableNode {
                    zone,
                    span: s,
                    atoms: atom_ids,
                    amount,
                    shown: zones[zone].name.is_some(),
                });
            }
        }
        Table {
            zones,
            spans,
            atoms,
            nodes,
            index,
        }
    }

    /// The node of a shown zone and bucket, if the table holds it.
    pub fn node(&self, zone: &str, start: i64, size: BucketSize) -> Option<usize> {
        self.index.get(&(zone.to_owned(), start, size)).copied()
    }

    /// Whether node `outer` covers every atom of node `inner`.
    pub fn covers(&self, outer: usize, inner: usize) -> bool {
        let (o, i) = (&self.nodes[outer], &self.nodes[inner]);
        self.spans[o.span].contains(self.spans[i.span]) && self.zone_contains(o.zone, i.zone)
    }

    fn zone_contains(&self, outer: usize, inner: usize) -> bool {
        let mut zone = Some(inner);
        while let Some(z) = zone {
            if z == outer {
                return true;
            }
            zone = self.zones[z].parent;
        }
        false
    }

    /// The nodes directly under `node`: the same zone on the next finer buckets,
    /// and the zone's parts on the same bucket.
    pub fn children(&self, node: usize) -> Vec<usize> {
        let n = &self.nodes[node];
        let spans = self.spans.len();
        let span = self.spans[n.span];
        let finer = (0..spans).filter(|&s| {
            let other = self.spans[s];
            span.size.finer() == Some(other.size) && span.contains(other)
        });
        let mut out: Vec<usize> = finer.map(|s| n.zone * spans + s).collect();
        out.extend(
            self.zones[n.zone]
                .children
                .iter()
                .map(|&z| z * spans + n.span),
        );
        out
    }
}

/// The zones' leaves under `zone` (itself when it has no parts).
fn leaves_under(zones: &[TableZone], zone: usize) -> Vec<usize> {
    if zones[zone].children.is_empty() {
        return vec![zone];
    }
    zones[zone]
        .children
        .iter()
        .flat_map(|&c| leaves_under(zones, c))
        .collect()
}

/// The day's buckets from the day down to `base`, coarsest first.
fn day_spans(day_start: i64, base: BucketSize) -> Vec<Span> {
    let mut spans = Vec::new();
    for size in BucketSize::ALL.into_iter().rev().filter(|s| *s >= base) {
        let count = BucketSize::Day.seconds() / size.seconds();
        spans.extend((0..count).map(|i| Span {
            size,
            start: day_start + i * size.seconds(),
        }));
    }
    spans
}
