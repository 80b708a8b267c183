//! The batching writer: read operations hand their entries to one task that writes
//! them in batches, so the audit never serializes the hot path; mutations wait for
//! their entry (or write it in their own transaction, see `scope`).
//!
//! The queue is bounded for the requests that feed it most: a GraphQL request waits
//! for room before its entries are queued ([`AuditWriter::enqueue_when_room`]), so
//! under a load the database cannot write as fast, requests slow down to the
//! audit's pace instead of the queue (and the memory) growing without end. No entry
//! is ever dropped.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::{Semaphore, mpsc, oneshot};

use crate::services::audit::Draft;

/// Largest batch written in one transaction.
const MAX_BATCH: usize = 2000;
/// How long the writer gathers entries before a write: under load, one commit then
/// carries many entries instead of one commit per request.
const LINGER: Duration = Duration::from_millis(25);

/// Entries queued at most by [`AuditWriter::enqueue_when_room`] before its callers
/// wait: a few batches, a few megabytes.
pub const ROOM: usize = 2 * MAX_BATCH;

enum Command {
    /// An entry, and whether it holds one of the queue's places.
    Entry(Box<Draft>, bool),
    Flush(oneshot::Sender<()>),
}

/// Handle to the writer task.
#[derive(Clone)]
pub struct AuditWriter {
    tx: mpsc::UnboundedSender<Command>,
    /// Free places in the queue.
    room: Arc<Semaphore>,
}

impl AuditWriter {
    /// Starts the writer task on `db`.
    pub fn start(db: DatabaseConnection) -> Self {
        Self::with_room(db, ROOM)
    }

    /// Starts the writer task on `db` with `room` places in its queue.
    pub fn with_room(db: DatabaseConnection, room: usize) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let room = Arc::new(Semaphore::new(room.max(1)));
        tokio::spawn(run(db, rx, Arc::clone(&room)));
        AuditWriter { tx, room }
    }

    /// Queues an entry at once, room or not (for the rare entries of callers that
    /// cannot wait); it is written with the next batch.
    pub fn enqueue(&self, draft: Draft) {
        self.send(draft, false);
    }

    /// Queues an entry once the queue has room for it.
    pub async fn enqueue_when_room(&self, draft: Draft) {
        // The place is given back by the writer once the entry is written.
        let placed = match self.room.acquire().await {
            Ok(place) => {
                place.forget();
                true
            }
            Err(_) => false,
        };
        self.send(draft, placed);
    }

    fn send(&self, draft: Draft, placed: bool) {
        if self
            .tx
            .send(Command::Entry(Box::new(draft), placed))
            .is_err()
        {
            tracing::error!("audit writer stopped; an entry was not recorded");
        }
    }

    /// Places free in the queue now.
    pub fn room(&self) -> usize {
        self.room.available_permits()
    }

    /// Waits until every entry queued before this call is written.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Command::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }

    /// Queues an entry and waits until it is written.
    pub async fn record(&self, draft: Draft) {
        self.enqueue(draft);
        self.flush().await;
    }
}

async fn run(
    db: DatabaseConnection,
    mut rx: mpsc::UnboundedReceiver<Command>,
    room: Arc<Semaphore>,
) {
    while let Some(first) = rx.recv().await {
        if matches!(first, Command::Entry(..)) {
            tokio::time::sleep(LINGER).await;
        }
        let mut batch = Vec::new();
        let mut placed = 0;
        let mut waiting = Vec::new();
        let mut next = Some(first);
        while let Some(command) = next.take() {
            match command {
                Command::Entry(draft, held) => {
                    batch.push(*draft);
                    placed += usize::from(held);
                }
                Command::Flush(done) => waiting.push(done),
            }
            if batch.len() >= MAX_BATCH {
                break;
            }
            next = rx.try_recv().ok();
        }
        write(&db, batch).await;
        room.add_permits(placed);
        for done in waiting {
            let _ = done.send(());
        }
    }
}

async fn write(db: &DatabaseConnection, batch: Vec<Draft>) {
    if batch.is_empty() {
        return;
    }
    // A busy database is retried a few times before the batch is reported lost.
    for attempt in 0..5u64 {
        let result = crate::services::work::record_entries(db, &batch).await;
        match result {
            Ok(()) => return,
            Err(err) if attempt < 4 => {
                tracing::warn!(error = %err, attempt, "audit batch failed; retrying");
                tokio::time::sleep(Duration::from_millis(20 * (attempt + 1))).await;
            }
            Err(err) => tracing::error!(error = %err, entries = batch.len(), "audit batch lost"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::Context;

    use sea_orm::{EntityTrait, PaginatorTrait};

    use super::*;

    fn draft(name: &str) -> Draft {
        Draft {
            at: chrono::Utc::now(),
            actor: "test".to_owned(),
            operation_type: "query".to_owned(),
            operation_name: name.to_owned(),
            outcome: "allowed".to_owned(),
            ..Draft::default()
        }
    }

    #[tokio::test]
    async fn a_full_queue_makes_its_callers_wait_and_loses_nothing() {
        let db = sea_orm::Database::connect("sqlite::memory:").await;
        let Ok(db) = db else {
            panic!("an in-memory SQLite database: {db:?}");
        };
        let migrated = crate::db::migrate(&db).await;
        assert!(migrated.is_ok(), "{migrated:?}");
        let before = entity::audit_entry::Entity::find().count(&db).await;
        let writer = AuditWriter::with_room(db.clone(), 2);
        writer.enqueue_when_room(draft("one")).await;
        writer.enqueue_when_room(draft("two")).await;
        assert_eq!(writer.room(), 0);
        // The test's runtime has one thread: the writer has not run yet, so the
        // third caller finds no room and waits.
        let mut third = pin!(writer.enqueue_when_room(draft("three")));
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        assert!(
            third.as_mut().poll(&mut cx).is_pending(),
            "it waits for room"
        );
        third.await;
        writer.flush().await;
        assert_eq!(writer.room(), 2, "every place given back once written");
        let after = entity::audit_entry::Entity::find().count(&db).await;
        assert_eq!(
            (before.ok(), after.ok()),
            (Some(0), Some(3)),
            "all three entries are written"
        );
    }
}
