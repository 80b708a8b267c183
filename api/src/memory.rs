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
//!
//! The start-up also runs code the server never runs again (migrations, seeding,
//! training, the command line), and the kernel maps an executable's pages 64 KB at a
//! time around each one used: after it, most of the binary's 35 MB of machine code
//! stayed counted in the process's resident memory. `release_code_pages` drops
//! those mappings; the pages the server goes on using come back from the page cache
//! at their next use (a minor fault, no disk read), the others stay out.

/// Returns to the system the memory the calling thread's heap has freed, and the
/// free memory of abandoned heaps and of the allocator's arenas.
#[allow(unsafe_code)]
pub fn release_freed() {
    // SAFETY: `mi_collect` takes no pointer and reads no caller memory; mimalloc
    // allows it at any time from any thread (it only visits the calling thread's
    // heap and the shared structures it already synchronises).
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// Drops the process's mappings of its own machine code (the executable's
/// read-only, executable segments), returning the bytes of address space they
/// cover. Their pages are clean copies of the file, never written: a later use maps
/// them again from the page cache. Writable or relocated segments are left alone.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub fn release_code_pages() -> usize {
    let (Ok(exe), Ok(maps)) = (
        std::fs::read_link("/proc/self/exe"),
        std::fs::read_to_string("/proc/self/maps"),
    ) else {
        return 0;
    };
    let mut released = 0;
    for line in maps.lines() {
        // start-end perms offset device inode path
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [range, perms, _, _, _, path] = fields[..] else {
            continue;
        };
        if perms != "r-xp" || std::path::Path::new(path) != exe {
            continue;
        }
        let Some((start, end)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (
            usize::from_str_radix(start, 16),
            usize::from_str_radix(end, 16),
        ) else {
            continue;
        };
        // SAFETY: the range is one whole mapping of this process, read-only and
        // private, of the executable file: `MADV_DONTNEED` only removes its page
        // table entries, and the next access maps the same file contents again.
        // No memory of the program's data is touched.
        let done = unsafe {
            libc::madvise(
                start as *mut libc::c_void,
                end.saturating_sub(start),
                libc::MADV_DONTNEED,
            )
        };
        if done == 0 {
            released += end.saturating_sub(start);
        }
    }
    released
}

/// Elsewhere the code stays mapped.
#[cfg(not(target_os = "linux"))]
pub fn release_code_pages() -> usize {
    0
}

/// mimalloc 2's `mi_option_purge_delay` (`mimalloc.h`, v2): how long freed pages
/// stay committed before they are handed back, in milliseconds (10 by default).
/// `libmimalloc-sys` names no constant for it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed pages handed back after 1 ms instead of 10. Under the agenda's load the
/// pages freed by one answer were kept for the next ten milliseconds' answers,
/// which raised the peak by about 4 MB; a delay of 0 hands them back at every free
/// and cost a third of the throughput, 1 ms did not measurably cost any.
#[allow(unsafe_code)]
pub fn purge_freed_pages_sooner() {
    // SAFETY: setting an option takes no pointer; mimalloc reads options atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1) }
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

    /// A `kB` field of `/proc/self/status` (`RssAnon`, `RssFile`).
    fn resident_kib(field: &str) -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .unwrap_or_default()
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    fn resident_anonymous_kib() -> u64 {
        resident_kib("RssAnon")
    }

    fn resident_file_kib() -> u64 {
        resident_kib("RssFile")
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
    #[cfg(target_os = "linux")]
    fn the_code_pages_leave_and_the_code_still_runs() {
        let before = resident_file_kib();
        let released = super::release_code_pages();
        let after = resident_file_kib();
        assert!(released > 0, "the test binary's code is found");
        assert!(
            after < before,
            "mapped code pages leave: {before} kB of files before, {after} kB after"
        );
        // Code dropped a moment ago runs again, from the page cache.
        let sum: u64 = (1..=1000u64).map(|n| n * n).sum();
        assert_eq!(sum, 333_833_500);
        assert!(resident_file_kib() > 0);
    }

    #[test]
    #[allow(unsafe_code)]
    fn the_purge_delay_is_the_option_set() {
        use libmimalloc_sys::mi_option_get;
        // SAFETY: reading an option takes no pointer.
        let before = unsafe { mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        // Only the purge delay defaults to 10 ms among mimalloc 2's options nearby:
        // a renumbered enum would set another option, and this fails.
        assert_eq!(before, 10, "mi_option_purge_delay's default");
        super::purge_freed_pages_sooner();
        // SAFETY: as above.
        assert_eq!(unsafe { mi_option_get(super::MI_OPTION_PURGE_DELAY) }, 1);
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
