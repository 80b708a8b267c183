//! Schema migrations, identical on SQLite and PostgreSQL.
//!
//! Files are named `mYYYYMMDD_HHMMSS_what.rs` and never edited once released: a
//! change is a new migration.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_agenda;
mod m20261128_000002_identity;
mod m20261128_000003_audit;
mod m20261128_000004_register;
mod m20261128_000005_scoring;
mod m20261128_000006_privacy;
mod m20261203_000001_login_throttle;
mod m20261203_000002_imports;
mod m20261203_030000_site_overrides_and_model_gate;
mod m20261203_080000_event_external_key;
mod m20261203_090000_event_extent;
mod m20261203_110000_live;
mod m20261203_140000_observation_time;
mod m20261203_150000_agenda_notify;
mod m20261203_220000_audit_time_brin;

/// Runs every migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_agenda::Migration),
            Box::new(m20261128_000002_identity::Migration),
            Box::new(m20261128_000003_audit::Migration),
            Box::new(m20261128_000004_register::Migration),
            Box::new(m20261128_000005_scoring::Migration),
            Box::new(m20261128_000006_privacy::Migration),
            Box::new(m20261203_000001_login_throttle::Migration),
            Box::new(m20261203_000002_imports::Migration),
            Box::new(m20261203_030000_site_overrides_and_model_gate::Migration),
            Box::new(m20261203_080000_event_external_key::Migration),
            Box::new(m20261203_090000_event_extent::Migration),
            Box::new(m20261203_110000_live::Migration),
            Box::new(m20261203_140000_observation_time::Migration),
            Box::new(m20261203_150000_agenda_notify::Migration),
            Box::new(m20261203_220000_audit_time_brin::Migration),
        ]
    }
}
