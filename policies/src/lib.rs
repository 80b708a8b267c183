//! The platform's privacy and access rules as pure functions (DESIGN §5, §6): who may
//! call which operation for which purpose (`roles`, `permissions`), what an ingested
//! batch may contain (`disclosure`), what free text may keep (`pii`) and what an
//! aggregate may show to someone who does not own the data (`release`), and who
//! may see data as recorded (`ownership`).
//!
//! No HTTP, no SQL, no async: plain values in, decisions and reasons out, so every
//! rule is unit-tested as a function and the server only wires it in.

pub mod disclosure;
pub mod grid;
pub mod ownership;
pub mod permissions;
pub mod pii;
pub mod release;
pub mod roles;
