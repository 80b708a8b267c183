//! The batching writer: read operations hand their entries to one task that writes
//! them in batches, so the audit never serializes the hot path; mutations wait for
//! their entry (or write it in their own transaction, see `scope`).

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};

use crate::services::audit::Draft;

/// Largest batch written in one transaction.
const MAX_BATCH: usize = 500;
/// How long the writer gathers entries before a write: under load, one commit then
/// carries many entries instead of one commit per request.
const LINGER: Duration = Duration::from_millis(25);

enum Command {
    Entry(Box<Draft>),
    Flush(oneshot::Sender<()>),
}

/// Handle to the writer task.
#[derive(Clone)]
pub struct AuditWriter {
    tx: mpsc::UnboundedSender<Command>,
}

impl AuditWriter {
    /// Starts the writer task on `db`.
    pub fn start(db: DatabaseConnection) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(db, rx));
        AuditWriter { tx }
    }

    /// Queues an entry; it is written with the next batch.
    pub fn enqueue(&self, draft: Draft) {
        if self.tx.send(Command::Entry(Box::new(draft))).is_err() {
            tracing::error!("audit writer stopped; an entry was not recorded");
        }
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

async fn run(db: DatabaseConnection, mut rx: mpsc::UnboundedReceiver<Command>) {
    while let Some(first) = rx.recv().await {
        if matches!(first, Command::Entry(_)) {
            tokio::time::sleep(LINGER).await;
        }
        let mut batch = Vec::new();
        let mut waiting = Vec::new();
        let mut next = Some(first);
        while let Some(command) = next.take() {
            match command {
                Command::Entry(draft) => batch.push(*draft),
                Command::Flush(done) => waiting.push(done),
            }
            if batch.len() >= MAX_BATCH {
                break;
            }
            next = rx.try_recv().ok();
        }
        write(&db, batch).await;
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
        let result = crate::services::work::record_entries(db, batch.clone()).await;
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
