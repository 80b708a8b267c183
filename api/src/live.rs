//! Real time on the read side: how a stored change reaches the subscribers.
//!
//! The database is the bus. Every new assessment and every change of a density
//! alert is a row; each server instance runs a dispatcher that reads the rows it has
//! not yet published and hands them to its subscribers ([`Hub`]). What wakes it:
//! - in this process, the commit of any unit of work ([`wake`]);
//! - on PostgreSQL, `NOTIFY platform_live`, sent by triggers on the tables when any
//!   instance (or the command line) writes them, which this instance LISTENs to;
//! - a poll every second, for what the two above miss (another process writing the
//!   same SQLite file, a listener reconnecting).
//!
//! The same wake-ups drive the re-scorer, which takes the queue of events to
//! re-score (`services::live`) after a short pause that gathers a burst into one
//! pass. Instances share nothing but the database, so a city scales out by adding
//! instances behind a load balancer: whichever takes a request re-scores, and every
//! instance publishes the new assessment to its own subscribers.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{assessment, live_alert};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::{broadcast, watch};

/// How often the dispatcher and the re-scorer look even without a wake-up.
const POLL: Duration = Duration::from_secs(1);
/// How long the re-scorer waits after a wake-up, so that a burst of batches is
/// re-scored once.
const COALESCE: Duration = Duration::from_millis(40);
/// Assessment ids below the highest published one that are read again: a
/// transaction that took its ids earlier may commit later (PostgreSQL).
const ID_SLACK: i64 = 2_000;
/// Alerts changed this long before the last look are read again, for the same
/// reason.
const ALERT_SLACK: chrono::Duration = chrono::Duration::seconds(10);
/// Messages a slow subscriber may fall behind before it skips some.
const CHANNEL_CAPACITY: usize = 4_096;
/// Assessments read per statement by the dispatcher.
const READ_CHUNK: usize = 500;
/// The PostgreSQL notification channel (see the live migration's triggers).
pub const CHANNEL: &str = "platform_live";

static WAKE: LazyLock<watch::Sender<u64>> = LazyLock::new(|| watch::channel(0).0);

/// Wakes the dispatchers and re-scorers of this process: called after every commit.
pub fn wake() {
    WAKE.send_modify(|n| *n = n.wrapping_add(1));
}

/// How many wakes this process has seen: a value kept since a generation is valid
/// while it has not moved (see `graphql::extensions::cache`).
pub fn generation() -> u64 {
    *WAKE.borrow()
}

/// Something the subscribers may want to know. The row is read once by the
/// dispatcher and shared by every subscription it concerns.
#[derive(Debug, Clone)]
pub enum LiveMessage {
    /// A new assessment of an event.
    Assessment {
        /// Its event.
        event_id: i64,
        /// The assessment as stored.
        row: Arc<assessment::Model>,
    },
    /// A density alert was raised, changed or cleared.
    Alert {
        /// Its site.
        zone_id: i64,
        /// The alert as it now stands.
        row: Arc<live_alert::Model>,
    },
}

/// This instance's subscribers' side of the bus.
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<LiveMessage>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            sender: broadcast::channel(CHANNEL_CAPACITY).0,
        }
    }
}

impl Hub {
    /// A receiver of every message published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveMessage> {
        self.sender.subscribe()
    }

    /// Subscribers connected now.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }

    fn publish(&self, message: LiveMessage) {
        // No subscriber is not an error.
        let _ = self.sender.send(message);
    }
}

/// Starts the dispatcher, the re-scorer and, on PostgreSQL, the listener.
pub fn start(db: DatabaseConnection, hub: Hub) {
    if db.get_database_backend() == DbBackend::Postgres {
        tokio::spawn(listen(db.clone()));
    }
    tokio::spawn(rescore(db.clone()));
    tokio::spawn(dispatch(db, hub));
}

/// Waits for a wake-up or the poll interval.
async fn next_turn(wake: &mut watch::Receiver<u64>) {
    tokio::select! {
        _ = wake.changed() => {}
        _ = tokio::time::sleep(POLL) => {}
    }
}

async fn rescore(db: DatabaseConnection) {
    let mut wake = WAKE.subscribe();
    loop {
        next_turn(&mut wake).await;
        tokio::time::sleep(COALESCE).await;
        // Mark what this pass covers as seen: its own commit wakes it once more,
        // which finds the queue empty.
        wake.borrow_and_update();
        match crate::services::live::rescore_requested(&db).await {
            Ok(report) if report.requests > 0 => {
                tracing::debug!(?report, "queued events re-scored");
            }
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(error = %err, "live re-scoring failed; retrying");
                tokio::time::sleep(POLL).await;
            }
        }
    }
}

/// What the dispatcher has published, to publish each row once.
struct Published {
    /// The highest assessment id when the dispatcher started: what was stored
    /// before is not news.
    baseline: i64,
    assessments: BTreeSet<i64>,
    highest: i64,
    alerts: HashSet<(i64, DateTime<Utc>)>,
    alerts_since: DateTime<Utc>,
}

async fn dispatch(db: DatabaseConnection, hub: Hub) {
    let mut wake = WAKE.subscribe();
    let highest = assessment::Entity::find()
        .select_only()
        .column_as(assessment::Column::Id.max(), "max")
        .into_tuple::<Option<i64>>()
        .one(&db)
        .await
        .ok()
        .flatten()
        .flatten()
        .unwrap_or(0);
    let mut published = Published {
        baseline: highest,
        assessments: BTreeSet::new(),
        highest,
        alerts: HashSet::new(),
        alerts_since: Utc::now(),
    };
    loop {
        next_turn(&mut wake).await;
        wake.borrow_and_update();
        if let Err(err) = publish_new(&db, &hub, &mut published).await {
            tracing::warn!(error = %err, "live dispatch failed; retrying");
        }
    }
}

async fn publish_new(
    db: &DatabaseConnection,
    hub: &Hub,
    published: &mut Published,
) -> Result<(), sea_orm::DbErr> {
    let floor = published
        .highest
        .saturating_sub(ID_SLACK)
        .max(published.baseline);
    let ids: Vec<i64> = assessment::Entity::find()
        .select_only()
        .column(assessment::Column::Id)
        .filter(assessment::Column::Id.gt(floor))
        .order_by_asc(assessment::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let new: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !published.assessments.contains(id))
        .collect();
    // Whole rows, once for every subscriber, and only when someone listens.
    let mut rows: HashMap<i64, assessment::Model> = HashMap::new();
    if hub.subscribers() > 0 {
        for chunk in new.chunks(READ_CHUNK) {
            for row in assessment::Entity::find()
                .filter(assessment::Column::Id.is_in(chunk.to_vec()))
                .all(db)
                .await?
            {
                rows.insert(row.id, row);
            }
        }
    }
    for id in new {
        published.assessments.insert(id);
        if let Some(row) = rows.remove(&id) {
            hub.publish(LiveMessage::Assessment {
                event_id: row.event_id,
                row: Arc::new(row),
            });
        }
    }
    if let Some(last) = ids.last() {
        published.highest = published.highest.max(*last);
    }
    let floor = published.highest.saturating_sub(ID_SLACK);
    published.assessments = published.assessments.split_off(&floor);

    let since = published.alerts_since - ALERT_SLACK;
    let looked_at = Utc::now();
    let alerts = live_alert::Entity::find()
        .filter(live_alert::Column::UpdatedAt.gt(since))
        .order_by_asc(live_alert::Column::UpdatedAt)
        .all(db)
        .await?;
    for alert in alerts {
        if published.alerts.insert((alert.id, alert.updated_at)) {
            hub.publish(LiveMessage::Alert {
                zone_id: alert.zone_id,
                row: Arc::new(alert),
            });
        }
    }
    published.alerts.retain(|(_, at)| *at > since);
    published.alerts_since = looked_at;
    Ok(())
}

/// LISTENs to the other instances' writes and wakes this one; reconnects when the
/// connection drops.
async fn listen(db: DatabaseConnection) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let pool = db.get_postgres_connection_pool();
        match PgListener::connect_with(pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    // What was written while not listening is found by this look.
                    wake();
                    while let Ok(notification) = listener.recv().await {
                        tracing::trace!(table = notification.payload(), "live notification");
                        wake();
                    }
                    tracing::warn!("live listener disconnected; reconnecting");
                }
                Err(err) => tracing::warn!(error = %err, "cannot LISTEN; retrying"),
            },
            Err(err) => tracing::warn!(error = %err, "cannot connect the live listener; retrying"),
        }
        tokio::time::sleep(POLL).await;
    }
}
