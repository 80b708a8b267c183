//! Observed daily weather imported from Météo-France (station Marignane, 13054001),
//! used by the history generator and by scoring on days that have it.

use sea_orm::entity::prelude::*;

/// One day of weather.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "weather_day")]
pub struct Model {
    /// The day.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    /// Maximum temperature, °C (TX).
    pub max_temp_c: f64,
    /// Rain over the day, mm (RR).
    pub rain_mm: f64,
    /// Strongest instantaneous gust, m/s (FXI).
    pub wind_gust_ms: f64,
    /// Station code the values come from.
    pub station: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
