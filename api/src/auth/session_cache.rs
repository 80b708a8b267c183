//! The viewers of sessions checked a moment ago.
//!
//! Every request with an access token would otherwise read its session and its user
//! (two statements) although neither changes between two requests of a screen. A
//! session found valid is kept for a few seconds (`auth.session_cache_secs`; 0
//! turns the cache off). Whatever this process changes that could end a session or
//! alter its viewer (logout, a revoked session, a locked account) clears the cache
//! in the same call, so the next request is checked against the database again.
//! Another server process on the same PostgreSQL is seen within the TTL.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::auth::Viewer;

/// Most sessions kept: past it the cache starts over, which bounds its memory
/// whatever the number of clients.
const CAPACITY: usize = 10_000;

/// Valid sessions by id, each with the viewer it stands for and when it was read.
#[derive(Debug)]
pub struct SessionCache {
    /// How long a checked session is trusted without a read.
    ttl: Duration,
    /// Session id -> (viewer without purpose, when checked).
    entries: Mutex<HashMap<String, (Viewer, Instant)>>,
    /// Bumped by every clear: a check that began before a clear does not store its
    /// (maybe already outdated) answer after it.
    generation: AtomicU64,
}

impl SessionCache {
    /// A cache keeping entries for `ttl` (none when zero).
    pub fn new(ttl: Duration) -> Self {
        SessionCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    /// Taken before reading a session from the database, handed back to [`put`].
    ///
    /// [`put`]: SessionCache::put
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The viewer of session `sid` checked less than the TTL ago for `user_id`.
    pub fn get(&self, sid: &str, user_id: i64) -> Option<Viewer> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        let (viewer, checked) = entries.get(sid)?;
        (checked.elapsed() < self.ttl && viewer.user_id == Some(user_id)).then(|| viewer.clone())
    }

    /// Keeps the viewer of a session just found valid, unless the cache was cleared
    /// since `generation` was taken.
    pub fn put(&self, sid: &str, viewer: &Viewer, generation: u64) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if self.generation.load(Ordering::SeqCst) != generation {
                return;
            }
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            let mut kept = viewer.clone();
            kept.purpose = None;
            entries.insert(sid.to_owned(), (kept, Instant::now()));
        }
    }

    /// Forgets every session: called by whatever ends a session or changes an
    /// account, so that the next request reads the database.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(user_id: i64) -> Viewer {
        Viewer {
            user_id: Some(user_id),
            ..Viewer::anonymous()
        }
    }

    #[test]
    fn a_cleared_cache_forgets_every_session() {
        let cache = SessionCache::new(Duration::from_secs(60));
        cache.put("s1", &viewer(7), cache.generation());
        assert!(cache.get("s1", 7).is_some(), "a fresh entry is found");
        cache.clear();
        assert!(cache.get("s1", 7).is_none(), "cleared entries are gone");
    }

    #[test]
    fn a_session_is_found_only_for_its_own_user() {
        let cache = SessionCache::new(Duration::from_secs(60));
        cache.put("s1", &viewer(7), cache.generation());
        assert!(cache.get("s1", 8).is_none(), "another subject misses");
    }

    #[test]
    fn a_check_begun_before_a_clear_is_not_kept() {
        let cache = SessionCache::new(Duration::from_secs(60));
        let before = cache.generation();
        cache.clear();
        cache.put("s1", &viewer(7), before);
        assert!(
            cache.get("s1", 7).is_none(),
            "an answer older than the clear is dropped"
        );
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let cache = SessionCache::new(Duration::ZERO);
        cache.put("s1", &viewer(7), cache.generation());
        assert!(cache.get("s1", 7).is_none(), "the cache is off");
    }
}
