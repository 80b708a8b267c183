//! The register of processing (GDPR art. 30) and the data-protection impact
//! assessments (DPIA) that follow the CNIL method, one module per table.

pub mod dpia;
pub mod dpia_answer;
pub mod dpia_evaluation;
pub mod dpia_measure;
pub mod processing_activity;
