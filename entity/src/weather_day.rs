//! Observed daily weather imported from Météo-France (station Marignane, 13054001),
//! used by the history generator and by scoring on days that have it. A value the
//! station did not report is unknown (`None`), never zero.

use sea_orm::entity::prelude::*;

/// One day of weather.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "weather_day")]
pub struct Model {
    /// The day.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    /// Station code the values come from.
    pub station: String,
    /// Maximum temperature, °C (TX).
    pub max_temp_c: Option<f64>,
    /// Minimum temperature, °C (TN).
    pub min_temp_c: Option<f64>,
    /// Mean temperature, °C (TM).
    pub mean_temp_c: Option<f64>,
    /// Rain over the day, mm (RR).
    pub rain_mm: Option<f64>,
    /// Strongest instantaneous gust, m/s (FXI).
    pub wind_gust_ms: Option<f64>,
    /// Mean wind speed, m/s (FFM).
    pub mean_wind_ms: Option<f64>,
    /// Mean relative humidity, % (UM).
    pub humidity_pct: Option<f64>,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
