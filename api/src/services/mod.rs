//! Services: the platform's operations on the database. Resolvers call one service
//! function each; SQL lives here and in the loaders only.

pub mod agenda;
pub mod aggregates;
pub mod audit;
pub mod catalog;
pub mod conflicts;
pub mod events;
pub mod history;
pub mod imports;
pub mod incidents;
pub mod ingest;
pub mod live;
pub mod register;
pub mod retention;
pub mod scoring;
pub mod text;
pub mod venues;
pub mod window;
pub mod work;
