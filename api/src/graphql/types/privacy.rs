//! The privacy layer as the schema shows it: released aggregates (a value or the
//! reason it is withheld, never a 0 in place of a hidden number), incident records,
//! and, in `records`, incident records, ingestion receipts and retention reports.

use async_graphql::{Context, Enum, Object, Result};
use chrono::{DateTime, Duration, Utc};
use policies::grid;
use policies::release::Cell;

use crate::error::ApiError;
use crate::graphql::loaders::Loaders;
use crate::graphql::types::catalog::Zone;
use crate::services::aggregates::AggregateAnswer;

pub mod records;

/// Length of the buckets of an aggregate, from the fixed grid aligned on UTC.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum BucketSize {
    /// 15 minutes, starting at :00, :15, :30 or :45.
    FifteenMinutes,
    /// One hour, starting on the hour.
    Hour,
    /// One UTC day, starting at 00:00 UTC.
    Day,
}

impl From<BucketSize> for grid::BucketSize {
    fn from(size: BucketSize) -> Self {
        match size {
            BucketSize::FifteenMinutes => grid::BucketSize::Quarter,
            BucketSize::Hour => grid::BucketSize::Hour,
            BucketSize::Day => grid::BucketSize::Day,
        }
    }
}

impl From<grid::BucketSize> for BucketSize {
    fn from(size: grid::BucketSize) -> Self {
        match size {
            grid::BucketSize::Quarter => BucketSize::FifteenMinutes,
            grid::BucketSize::Hour => BucketSize::Hour,
            grid::BucketSize::Day => BucketSize::Day,
        }
    }
}

/// What a released number is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CellStatus {
    /// The value is shown.
    Value,
    /// Withheld by disclosure control, whatever the reason: too few people behind
    /// it, nobody at all, or it would narrow another withheld number. Viewers who do
    /// not own the data see this one status for all of them. It will not be shown later.
    Suppressed,
    /// Withheld because data may still arrive for its UTC day; shown once the whole
    /// day is settled.
    Pending,
    /// No data lies under it (shown to the data's owner only: to anyone else an
    /// empty bucket is withheld like a small one).
    NoData,
}

fn status(cell: Cell) -> CellStatus {
    match cell {
        Cell::Value(_) => CellStatus::Value,
        Cell::Suppressed => CellStatus::Suppressed,
        Cell::Pending => CellStatus::Pending,
        Cell::NoData => CellStatus::NoData,
    }
}

fn value(cell: Cell) -> Option<i64> {
    match cell {
        Cell::Value(v) => Some(v),
        _ => None,
    }
}

pub(crate) async fn load_zone(ctx: &Context<'_>, id: i64) -> Result<Zone> {
    let row = ctx.data::<Loaders>()?.zones.load_one(id).await?;
    row.map(Zone)
        .ok_or_else(|| ApiError::not_found(format!("zone {id}")).into())
}

/// Zone ids travel through the release module as text.
fn zone_id(text: &str) -> Result<i64> {
    text.parse()
        .map_err(|_| ApiError::internal(std::fmt::Error).into())
}

/// An aggregate answered under disclosure control.
pub struct AggregateRelease(pub AggregateAnswer);

/// An aggregate answered under disclosure control: cells per zone and bucket, and
/// totals per zone, per bucket and overall. The owner of the data sees its numbers
/// as they are; anyone else sees small or recoverable numbers suppressed.
#[Object]
impl AggregateRelease {
    /// The zone asked for (the city is answered per arrondissement).
    async fn zone(&self) -> Zone {
        Zone(self.0.zone.clone())
    }
    /// Start of the window answered: the window asked, widened to the bucket grid.
    async fn from(&self) -> DateTime<Utc> {
        self.0.release.from
    }
    /// End of the window answered (exclusive).
    async fn to(&self) -> DateTime<Utc> {
        self.0.release.to
    }
    /// Length of the cells' buckets.
    async fn bucket(&self) -> BucketSize {
        self.0.release.bucket.into()
    }
    /// Whether disclosure control applied to some of the data (false when the viewer
    /// owns all of it).
    async fn controlled(&self) -> bool {
        self.0.release.controlled
    }
    /// Buckets ending after this instant may still receive data: they are pending
    /// for viewers who do not own the data.
    async fn settled_until(&self) -> DateTime<Utc> {
        self.0.settled_until
    }
    /// The cells, zone by zone, then in time order.
    async fn cells(&self) -> Result<Vec<AggregateCell>> {
        let minutes = self.0.release.bucket.minutes();
        self.0
            .release
            .cells
            .iter()
            .map(|cell| {
                Ok(AggregateCell {
                    zone_id: zone_id(&cell.zone)?,
                    start: cell.start,
                    end: cell.start + Duration::minutes(minutes),
                    cell: cell.value,
                })
            })
            .collect()
    }
    /// One total per zone over the whole window.
    async fn zone_totals(&self) -> Result<Vec<AggregateZoneTotal>> {
        self.0
            .release
            .zone_totals
            .iter()
            .map(|total| {
                Ok(AggregateZoneTotal {
                    zone_id: zone_id(&total.zone)?,
                    cell: total.value,
                })
            })
            .collect()
    }
    /// One total per bucket over the zones answered.
    async fn bucket_totals(&self) -> Vec<AggregateBucketTotal> {
        let minutes = self.0.release.bucket.minutes();
        self.0
            .release
            .bucket_totals
            .iter()
            .map(|total| AggregateBucketTotal {
                start: total.start,
                end: total.start + Duration::minutes(minutes),
                cell: total.value,
            })
            .collect()
    }
    /// The total over every zone and the whole window.
    async fn total(&self) -> AggregateTotal {
        AggregateTotal(self.0.release.grand_total)
    }
}

/// One zone and bucket of an aggregate.
pub struct AggregateCell {
    zone_id: i64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    cell: Cell,
}

/// One zone and bucket of an aggregate: a value, or the reason it is withheld.
#[Object]
impl AggregateCell {
    /// The zone.
    async fn zone(&self, ctx: &Context<'_>) -> Result<Zone> {
        load_zone(ctx, self.zone_id).await
    }
    /// Start of the bucket.
    async fn start(&self) -> DateTime<Utc> {
        self.start
    }
    /// End of the bucket (exclusive).
    async fn end(&self) -> DateTime<Utc> {
        self.end
    }
    /// Whether the value is shown, and why not.
    async fn status(&self) -> CellStatus {
        status(self.cell)
    }
    /// The value; null unless `status` is `VALUE` (a withheld number is never 0).
    async fn value(&self) -> Option<i64> {
        value(self.cell)
    }
    /// True when disclosure control withholds the value.
    async fn suppressed(&self) -> bool {
        self.cell == Cell::Suppressed
    }
}

/// The total of one zone over the window.
pub struct AggregateZoneTotal {
    zone_id: i64,
    cell: Cell,
}

/// The total of one zone over the window: a value, or the reason it is withheld.
#[Object]
impl AggregateZoneTotal {
    /// The zone.
    async fn zone(&self, ctx: &Context<'_>) -> Result<Zone> {
        load_zone(ctx, self.zone_id).await
    }
    /// Whether the total is shown, and why not.
    async fn status(&self) -> CellStatus {
        status(self.cell)
    }
    /// The total; null unless `status` is `VALUE`.
    async fn value(&self) -> Option<i64> {
        value(self.cell)
    }
    /// True when disclosure control withholds the total.
    async fn suppressed(&self) -> bool {
        self.cell == Cell::Suppressed
    }
}

/// The total of one bucket over the zones.
pub struct AggregateBucketTotal {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    cell: Cell,
}

/// The total of one bucket over the zones: a value, or the reason it is withheld.
#[Object]
impl AggregateBucketTotal {
    /// Start of the bucket.
    async fn start(&self) -> DateTime<Utc> {
        self.start
    }
    /// End of the bucket (exclusive).
    async fn end(&self) -> DateTime<Utc> {
        self.end
    }
    /// Whether the total is shown, and why not.
    async fn status(&self) -> CellStatus {
        status(self.cell)
    }
    /// The total; null unless `status` is `VALUE`.
    async fn value(&self) -> Option<i64> {
        value(self.cell)
    }
    /// True when disclosure control withholds the total.
    async fn suppressed(&self) -> bool {
        self.cell == Cell::Suppressed
    }
}

/// The grand total of an aggregate.
pub struct AggregateTotal(Cell);

/// The total over every zone and the whole window: a value, or the reason it is withheld.
#[Object]
impl AggregateTotal {
    /// Whether the total is shown, and why not.
    async fn status(&self) -> CellStatus {
        status(self.0)
    }
    /// The total; null unless `status` is `VALUE`.
    async fn value(&self) -> Option<i64> {
        value(self.0)
    }
    /// True when disclosure control withholds the total.
    async fn suppressed(&self) -> bool {
        self.0 == Cell::Suppressed
    }
}
