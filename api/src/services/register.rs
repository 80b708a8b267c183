//! The register of processing and the DPIA workflow (DESIGN §8): processing
//! activities, DPIA versions following the CNIL method, their export to and import
//! from the CNIL PIA tool, and the gate that keeps a source from running without a
//! validated DPIA.

pub mod activities;
pub mod cnil;
pub mod compare;
pub mod content;
pub mod dpias;
pub mod files;
pub mod gate;
pub mod markdown;
pub mod questions;
pub mod store;
pub mod workflow;

pub use gate::ensure_source_may_ingest;
