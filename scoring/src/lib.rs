//! Pure risk scoring for public-space operations: the DPS first-aid grid, count models
//! of incidents learned from history, the expected load in real units with intervals
//! (`load`), absolute 0-10 risks with their explanation (`calibration`), requirements
//! and the adequacy of a planned deployment, a synthetic history drawn by a process of
//! its own and the backtest that checks the model against it. Plain values in, scores and reasons out:
//! no HTTP, no SQL, no async.
//!
//! The server's entry points: `model::train` (history rows -> `RiskModel`, stored as
//! JSON), `backtest::backtest` (before publishing), `model::score_event` (event +
//! planned deployment -> `Assessment`), `card::model_card`, `dps::compute`, and
//! `history::generate` for the demo history.

pub mod adequacy;
pub mod backtest;
pub mod calibration;
pub mod card;
pub mod design;
pub mod dps;
pub mod error;
pub mod explain;
pub mod features;
pub mod glm;
pub mod history;
pub mod linalg;
pub mod load;
pub mod model;
mod sparse;
pub mod stats;

pub use card::model_card;
pub use error::ScoringError;
pub use model::{score_event, train};
