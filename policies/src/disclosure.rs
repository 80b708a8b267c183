//! Ingestion-side disclosure control (DESIGN §6): each source declares its rules
//! (minimum contributors k, finest bucket, finest zone level, schema of fields,
//! granularity), and a batch of observations is accepted whole or refused whole at
//! its first offending record, named by index and rule, so that nothing of a bad
//! batch is ever stored.
//!
//! Partner data must arrive already aggregated: these checks are the platform's
//! refusal to become the place where small groups or people could be singled out.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};

use crate::grid::{BucketSize, ZoneLevel, unix};
use crate::pii::{self, PiiKind};

/// Whether a source sends records (each row an event the owner recorded) or
/// aggregates (each row a count over people).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    /// Record-level data of the city itself (incidents): k does not apply.
    Record,
    /// Aggregated counts over people: k applies to every cell.
    Aggregate,
}

/// The disclosure rules of one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRules {
    /// Minimum number of contributors of a cell.
    pub k: u32,
    /// Finest time bucket accepted.
    pub min_bucket: BucketSize,
    /// Finest zone level accepted.
    pub min_zone_level: ZoneLevel,
    /// The metrics (fields) of the source's schema.
    pub fields: BTreeSet<String>,
    /// Records or aggregates.
    pub granularity: Granularity,
}

impl SourceRules {
    /// The platform's default k: the threshold French statistical practice uses
    /// for counts of people.
    pub const DEFAULT_K: u32 = 11;
    /// Phone operators publish presence counts only from 20 people; the platform
    /// keeps their own threshold.
    pub const PHONE_PRESENCE_K: u32 = 20;

    /// Aggregate rules with the defaults: k = 11, 15-minute buckets, quartier level.
    pub fn aggregate<'a>(fields: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            k: Self::DEFAULT_K,
            min_bucket: BucketSize::Quarter,
            min_zone_level: ZoneLevel::Quartier,
            fields: fields.into_iter().map(str::to_owned).collect(),
            granularity: Granularity::Aggregate,
        }
    }

    /// Phone operators' presence counts: k = 20, 15-minute buckets, down to a site
    /// (a beach is a site, and k = 20 is what makes it safe).
    pub fn phone_presence() -> Self {
        Self {
            k: Self::PHONE_PRESENCE_K,
            min_zone_level: ZoneLevel::Site,
            ..Self::aggregate(["presence"])
        }
    }

    /// Record-level rules for the city's own data (no k), other defaults unchanged.
    pub fn records<'a>(fields: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            granularity: Granularity::Record,
            ..Self::aggregate(fields)
        }
    }
}

/// One observation of a batch, as received.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// The level of the zone it describes.
    pub zone_level: ZoneLevel,
    /// The metric (field) measured.
    pub metric: String,
    /// The start of its time bucket.
    pub bucket_start: DateTime<Utc>,
    /// The length of its time bucket, in minutes.
    pub bucket_minutes: i64,
    /// The measured value.
    pub value: f64,
    /// How many people contributed to it (required for aggregate sources).
    pub contributors: Option<u32>,
    /// Optional free text sent with it.
    pub text: Option<String>,
    /// Optional labels sent with it.
    pub labels: Vec<String>,
}

/// The rule a record broke.
#[derive(Debug, Clone, PartialEq)]
pub enum Violation {
    /// The metric is not in the source's schema.
    UnknownField(String),
    /// The zone is finer than the source allows.
    ZoneTooFine {
        /// The record's level.
        level: ZoneLevel,
        /// The finest accepted.
        min: ZoneLevel,
    },
    /// The bucket is shorter than the source allows.
    BucketTooFine {
        /// The record's bucket length, minutes.
        minutes: i64,
        /// The finest accepted.
        min: BucketSize,
    },
    /// The bucket length is not on the hierarchy, or its start is not on the
    /// boundaries of its length.
    BucketNotAligned {
        /// The record's bucket length, minutes.
        minutes: i64,
        /// The record's bucket start.
        start: DateTime<Utc>,
    },
    /// The value is negative.
    NegativeValue(f64),
    /// The value is not a finite number.
    InvalidValue,
    /// The cell counts fewer than k contributors (or does not say how many).
    KAnonymity {
        /// The record's contributor count, if given.
        contributors: Option<u32>,
        /// The source's k.
        k: u32,
    },
    /// A text or label looks like personal data.
    PersonalData(Vec<PiiKind>),
    /// The metric already has cells of another bucket length: a data set has one
    /// base grid, or a 60-minute cell and its 15-minute cells would add up twice.
    BucketLengthChanged {
        /// The record's bucket length, minutes.
        minutes: i64,
        /// The length the metric has.
        established: i64,
    },
}

impl Violation {
    /// The stable machine code of the rule.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownField(_) => "UNKNOWN_FIELD",
            Self::ZoneTooFine { .. } => "ZONE_TOO_FINE",
            Self::BucketTooFine { .. } => "BUCKET_TOO_FINE",
            Self::BucketNotAligned { .. } => "BUCKET_NOT_ALIGNED",
            Self::NegativeValue(_) => "NEGATIVE_VALUE",
            Self::InvalidValue => "INVALID_VALUE",
            Self::KAnonymity { .. } => "K_ANONYMITY",
            Self::PersonalData(_) => "PERSONAL_DATA",
            Self::BucketLengthChanged { .. } => "BUCKET_LENGTH_CHANGED",
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownField(field) => {
                write!(
                    f,
                    "field {} is not in the source's schema",
                    pii::echo(field)
                )
            }
            Self::BucketLengthChanged {
                minutes,
                established,
            } => write!(
                f,
                "a {minutes} min bucket for a metric sent in {established} min buckets: one bucket length per source and metric"
            ),
            Self::ZoneTooFine { level, min } => {
                write!(
                    f,
                    "zone level {level} is finer than the source allows ({min})"
                )
            }
            Self::BucketTooFine { minutes, min } => {
                write!(
                    f,
                    "a {minutes} min bucket is finer than the source allows ({min})"
                )
            }
            Self::BucketNotAligned { minutes, start } => write!(
                f,
                "a {minutes} min bucket starting {start} is not on the fixed grid \
                 (15 min, 60 min or 1440 min, starting on a multiple of its length since 1970-01-01 UTC)"
            ),
            Self::NegativeValue(value) => write!(f, "value {value} is negative"),
            Self::InvalidValue => f.write_str("value is not a finite number"),
            Self::KAnonymity {
                contributors: Some(n),
                k,
            } => {
                write!(f, "the cell counts {n} contributors, fewer than k = {k}")
            }
            Self::KAnonymity {
                contributors: None,
                k,
            } => {
                write!(
                    f,
                    "the cell does not give its contributor count (k = {k} required)"
                )
            }
            Self::PersonalData(kinds) => {
                let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                write!(f, "text looks like personal data ({})", names.join(", "))
            }
        }
    }
}

/// A refused batch: the first offending record and the rule it broke.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("record {index}: {violation}")]
pub struct IngestionError {
    /// Zero-based index of the first offending record in the batch.
    pub index: usize,
    /// What it broke.
    pub violation: Violation,
}

impl IngestionError {
    /// The stable machine code of the broken rule.
    pub fn code(&self) -> &'static str {
        self.violation.code()
    }
}

/// Validates a whole batch against its source's rules; the first offending record
/// refuses the batch. Checks run in a fixed order per record (schema, zone, bucket,
/// value, k, text), so the same batch always gets the same answer.
pub fn validate_batch(rules: &SourceRules, batch: &[Observation]) -> Result<(), IngestionError> {
    for (index, observation) in batch.iter().enumerate() {
        check(rules, observation).map_err(|violation| IngestionError { index, violation })?;
    }
    Ok(())
}

/// Validates one record.
pub fn check(rules: &SourceRules, observation: &Observation) -> Result<(), Violation> {
    if !rules.fields.contains(&observation.metric) {
        return Err(Violation::UnknownField(observation.metric.clone()));
    }
    if observation.zone_level < rules.min_zone_level {
        return Err(Violation::ZoneTooFine {
            level: observation.zone_level,
            min: rules.min_zone_level,
        });
    }
    check_bucket(rules, observation)?;
    if !observation.value.is_finite() {
        return Err(Violation::InvalidValue);
    }
    if observation.value < 0.0 {
        return Err(Violation::NegativeValue(observation.value));
    }
    if rules.granularity == Granularity::Aggregate
        && observation.contributors.is_none_or(|n| n < rules.k)
    {
        return Err(Violation::KAnonymity {
            contributors: observation.contributors,
            k: rules.k,
        });
    }
    let texts = observation.text.iter().chain(observation.labels.iter());
    let kinds: BTreeSet<PiiKind> = texts.flat_map(|text| pii::kinds_in(text)).collect();
    if !kinds.is_empty() {
        return Err(Violation::PersonalData(kinds.into_iter().collect()));
    }
    Ok(())
}

fn check_bucket(rules: &SourceRules, observation: &Observation) -> Result<(), Violation> {
    let minutes = observation.bucket_minutes;
    if minutes < rules.min_bucket.minutes() {
        return Err(Violation::BucketTooFine {
            minutes,
            min: rules.min_bucket,
        });
    }
    let start = observation.bucket_start;
    let aligned = start.timestamp_subsec_nanos() == 0
        && BucketSize::from_minutes(minutes).is_some_and(|size| size.is_aligned(unix(start)));
    if !aligned {
        return Err(Violation::BucketNotAligned {
            minutes,
            start: observation.bucket_start,
        });
    }
    Ok(())
}

/// Checks that each metric keeps one bucket length: the length already stored
/// (`established`, by metric), else the batch's first record of that metric. The
/// first record that differs refuses the batch.
pub fn check_bucket_lengths(
    batch: &[Observation],
    established: &std::collections::HashMap<String, i64>,
) -> Result<(), IngestionError> {
    let mut lengths = established.clone();
    for (index, observation) in batch.iter().enumerate() {
        let length = *lengths
            .entry(observation.metric.clone())
            .or_insert(observation.bucket_minutes);
        if length != observation.bucket_minutes {
            return Err(IngestionError {
                index,
                violation: Violation::BucketLengthChanged {
                    minutes: observation.bucket_minutes,
                    established: length,
                },
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
