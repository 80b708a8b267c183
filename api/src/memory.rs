//! Memory handed back to the system when the start-up is over.
//!
//! The allocator (mimalloc 2, see `main.rs`) returns a thread's freed pages to the
//! system 10 ms after they were freed, but only when that thread next allocates or
//! frees. The start-up (migrations, demo data, the first model, the scoring pass of
//! the coming days) runs on the main thread, which then only waits for the server
//! to stop: the tens of megabytes it freed stayed resident for the process's whole
//! life. `release_freed` hands them back at once. The runtime's worker threads
//! (the audit's writer, the live updates) work in bursts and then wait too: they
//! release when they go idle, at most four times a second each.

/// Returns to the system the memory the calling thread's heap has freed, and the
/// free memory of abandoned heaps and of the allocator's arenas.
#[allow(unsafe_code)]
pub fn release_freed() {
    // SAFETY: `mi_collect` takes no pointer and reads no caller memory; mimalloc
    // allows it at any time from any thread (it only visits the calling thread's
    // heap and the shared structures it already synchronises).
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// At most this often per thread: a thread under load parks many times a second.
const IDLE_RELEASE_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

thread_local! {
    static LAST_RELEASE: std::cell::Cell<Option<std::time::Instant>> =
        const { std::cell::Cell::new(None) };
}

/// `release_freed` for a thread about to wait for work (a runtime's park hook),
/// at most every `IDLE_RELEASE_EVERY` on each thread.
pub fn release_freed_when_idle() {
    release_when_due();
}

/// `release_freed` unless this thread did less than `IDLE_RELEASE_EVERY` ago;
/// whether it did.
fn release_when_due() -> bool {
    let now = std::time::Instant::now();
    let due = LAST_RELEASE.with(|last| match last.get() {
        Some(at) if now.duration_since(at) < IDLE_RELEASE_EVERY => false,
        _ => {
            last.set(Some(now));
            true
        }
    });
    if due {
        release_freed();
    }
    due
}

#[cfg(test)]
mod tests {
    /// The unit tests run on the allocator the server runs on.
    #[global_allocator]
    static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

    fn resident_anonymous_kib() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .unwrap_or_default()
            .lines()
            .find_map(|line| line.strip_prefix("RssAnon:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn memory_freed_by_a_thread_leaves_the_process_when_released() {
        // On a thread of its own, as the start-up on the main thread: 64 MiB in
        // small blocks, written so that they are resident, then freed.
        let released = std::thread::spawn(|| {
            let blocks: Vec<Vec<u8>> = (0..16_384).map(|i| vec![i as u8; 4096]).collect();
            let held = resident_anonymous_kib();
            drop(blocks);
            let freed = resident_anonymous_kib();
            super::release_freed();
            let after = resident_anonymous_kib();
            (held, freed, after)
        })
        .join();
        let Ok((held, freed, after)) = released else {
            panic!("the thread ran to its end");
        };
        assert!(
            freed + 32 * 1024 > held,
            "freed blocks stay resident until released: {held} kB held, {freed} kB once freed"
        );
        assert!(
            after + 32 * 1024 < freed,
            "at least half of the 64 MiB leaves once released: {freed} kB before, {after} kB after"
        );
    }

    #[test]
    fn an_idle_thread_releases_at_most_every_quarter_second() {
        let releases = std::thread::spawn(|| {
            let first = super::release_when_due();
            let again = super::release_when_due();
            std::thread::sleep(super::IDLE_RELEASE_EVERY);
            let later = super::release_when_due();
            (first, again, later)
        })
        .join();
        let Ok((first, again, later)) = releases else {
            panic!("the thread ran to its end");
        };
        assert!(first, "a thread's first wait releases");
        assert!(!again, "a wait right after does not");
        assert!(later, "a wait a quarter second later does");
    }
}
