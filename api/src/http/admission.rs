//! How many GraphQL operations run at once. Each one holds its document, its loaders'
//! rows and the answer it builds (about 1.5 MiB for an agenda computed afresh), so
//! past a few per core more of them add memory and latency, not throughput: the
//! cores are already busy. Operations beyond the bound wait their turn, and the
//! wait counts in the operation's time limit, so a queue cannot grow past what the
//! limit lets finish.

use std::future::Future;
use std::time::Duration;

use tokio::sync::Semaphore;

/// Operations at once per core, by default. A kept answer takes well under a
/// millisecond, so the turn of a cheap request behind a costly one is short.
pub const PER_CORE: usize = 2;
/// Fewest operations at once, whatever the cores: a slow read must not hold up
/// every other caller.
pub const AT_LEAST: usize = 4;

/// The default bound on operations at once on this machine.
pub fn default_bound() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores * PER_CORE).max(AT_LEAST)
}

/// The operation did not finish, its wait included, within the time limit.
#[derive(Debug, PartialEq, Eq)]
pub struct Elapsed;

/// Runs `work` when one of `gate`'s turns is free, all within `limit`. On expiry
/// `work` is dropped, waiting or running, which cancels it.
pub async fn within<T>(
    gate: &Semaphore,
    limit: Duration,
    work: impl Future<Output = T>,
) -> Result<T, Elapsed> {
    tokio::time::timeout(limit, async {
        // A closed gate would be a wiring bug; running unbounded beats refusing all.
        let _turn = gate.acquire().await.ok();
        work.await
    })
    .await
    .map_err(|_| Elapsed)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn no_more_than_the_bound_run_at_once() {
        let gate = Arc::new(Semaphore::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let (gate, running, most) = (gate.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    within(&gate, Duration::from_secs(30), async {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.ok(), Some(Ok(())));
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn the_wait_counts_in_the_time_limit() {
        let gate = Semaphore::new(1);
        let held = gate.acquire().await.ok();
        let ran = AtomicUsize::new(0);
        let result = within(&gate, Duration::from_millis(20), async {
            ran.fetch_add(1, Ordering::SeqCst);
        })
        .await;
        assert_eq!(result, Err(Elapsed));
        assert_eq!(ran.load(Ordering::SeqCst), 0, "it never got its turn");
        drop(held);
        let result = within(&gate, Duration::from_millis(20), async { 7 }).await;
        assert_eq!(result, Ok(7));
    }

    #[test]
    fn the_default_bound_scales_with_the_cores() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert!(default_bound() >= AT_LEAST);
        assert!(default_bound() >= cores * PER_CORE);
    }
}
