//! Imports of published data for administrators: the same reading, checks and
//! writing as `api import ...`, with the file sent as text (bounded; larger files go
//! through the command line) and an audit entry each.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use sea_orm::DatabaseConnection;

use crate::error::ApiError;
use crate::graphql::enums::ZoneLevel;
use crate::graphql::extensions::Acting;
use crate::graphql::scalars::Date;
use crate::services::imports::transit::Feed;
use crate::services::imports::zones::ZoneOptions;
use crate::services::imports::{self, ImportReport};

/// Largest file accepted as text, in bytes; larger files go through `api import`.
pub const MAX_IMPORT_BYTES: usize = 200_000;

fn bounded<'a>(name: &str, text: &'a str) -> Result<&'a str, ApiError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ApiError::bad_input(
            name,
            format!(
                "the file is larger than {MAX_IMPORT_BYTES} bytes; import it with `api import`"
            ),
        ));
    }
    Ok(text)
}

/// What an import did.
#[derive(SimpleObject)]
pub struct ImportSummary {
    /// What was imported (`weather`, `holidays`, `zones`, `transit stops`, `events`).
    pub kind: String,
    /// The format recognised.
    pub format: String,
    /// Records read from the file.
    pub read: i64,
    /// Rows added.
    pub added: i64,
    /// Rows whose values changed.
    pub updated: i64,
    /// Rows removed (holidays no longer in a covered span).
    pub removed: i64,
    /// Rows already stored as the file has them.
    pub unchanged: i64,
    /// One line saying it all; "nothing changed" when the file was imported already.
    pub summary: String,
}

impl From<ImportReport> for ImportSummary {
    fn from(r: ImportReport) -> Self {
        let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        ImportSummary {
            kind: r.kind.to_owned(),
            format: r.format.to_owned(),
            read: n(r.read),
            added: n(r.added),
            updated: n(r.updated),
            removed: n(r.removed),
            unchanged: n(r.unchanged),
            summary: r.summary(),
        }
    }
}

/// How a GeoJSON file's feature properties map to zones.
#[derive(InputObject)]
pub struct ZoneMappingInput {
    /// Level of the features.
    #[graphql(default_with = "ZoneLevel::Quartier")]
    pub level: ZoneLevel,
    /// Property holding the code; a slug of parent and name when unset.
    pub code_property: Option<String>,
    /// Property holding the name.
    #[graphql(default_with = "\"nom_qua\".to_owned()")]
    pub name_property: String,
    /// Property holding the parent zone's code.
    #[graphql(default_with = "Some(\"depco\".to_owned())")]
    pub parent_property: Option<String>,
    /// Property holding the parent's name, for a parent the import creates.
    #[graphql(default_with = "Some(\"nom_co\".to_owned())")]
    pub parent_name_property: Option<String>,
    /// Property holding the resident population.
    pub population_property: Option<String>,
    /// Property holding the area in km² (the outline's geodesic area otherwise).
    pub area_property: Option<String>,
    /// Whether parents get the union of their children's outlines.
    #[graphql(default = true)]
    pub parent_unions: bool,
}

/// Imports of published data.
#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Imports Météo-France daily climatology (DPClim export or key-columns CSV),
    /// checked whole before anything is stored (administrators).
    async fn import_weather(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file's text.")] content: String,
    ) -> Result<ImportSummary> {
        let db = ctx.data::<DatabaseConnection>()?;
        let text = bounded("content", &content)?;
        Ok(
            imports::weather::import(db, Acting::of(ctx)?.change(), text.as_bytes(), &())
                .await?
                .into(),
        )
    }

    /// Imports public holidays, the daily school-holiday file or the official
    /// school calendar export (administrators).
    async fn import_holidays(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file's text.")] content: String,
        #[graphql(
            desc = "The académie whose rows the official calendar export gives.",
            default_with = "imports::calendar::DEFAULT_ACADEMY.to_owned()"
        )]
        academy: String,
    ) -> Result<ImportSummary> {
        let db = ctx.data::<DatabaseConnection>()?;
        let text = bounded("content", &content)?;
        if academy.chars().count() > 100 {
            return Err(ApiError::bad_input("academy", "at most 100 characters").into());
        }
        Ok(imports::calendar::import(
            db,
            Acting::of(ctx)?.change(),
            text.as_bytes(),
            &academy,
            &(),
        )
        .await?
        .into())
    }

    /// Imports zones from GeoJSON, properties mapped as given (administrators).
    async fn import_zones(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The GeoJSON text.")] content: String,
        #[graphql(
            desc = "How properties map to zones; the official quartiers file's when omitted."
        )]
        mapping: Option<ZoneMappingInput>,
    ) -> Result<ImportSummary> {
        let db = ctx.data::<DatabaseConnection>()?;
        let text = bounded("content", &content)?;
        let options = match mapping {
            None => ZoneOptions::quartiers(),
            Some(m) => ZoneOptions {
                level: m.level.into(),
                code_property: m.code_property,
                name_property: m.name_property,
                parent_property: m.parent_property,
                parent_name_property: m.parent_name_property,
                population_property: m.population_property,
                area_property: m.area_property,
                parent_unions: m.parent_unions,
            },
        };
        Ok(imports::zones::import(
            db,
            Acting::of(ctx)?.change(),
            text.as_bytes(),
            &options,
            &(),
        )
        .await?
        .into())
    }

    /// Imports an events agenda, CSV or iCalendar (RFC 5545), checked whole before
    /// anything is stored; a second import of the same agenda changes nothing
    /// (administrators).
    async fn import_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file's text: a CSV table or an iCalendar file.")] content: String,
        #[graphql(
            desc = "First day (Europe/Paris) of the recurrences' occurrences imported; today when omitted."
        )]
        from: Option<Date>,
        #[graphql(
            desc = "Days of occurrences imported from `from`, 1 to 366.",
            default_with = "imports::events::DEFAULT_WINDOW_DAYS as i32"
        )]
        days: i32,
        #[graphql(
            desc = "Expected attendance of events whose agenda gives none; without it such an event refuses the file."
        )]
        default_attendance: Option<i64>,
    ) -> Result<ImportSummary> {
        let db = ctx.data::<DatabaseConnection>()?;
        let text = bounded("content", &content)?;
        let mut window = imports::events::EventWindow::from_today();
        if let Some(Date(from)) = from {
            window.from = from;
        }
        window.days = u32::try_from(days).unwrap_or(0);
        window.default_attendance = default_attendance;
        Ok(
            imports::events::import(db, Acting::of(ctx)?.change(), text.as_bytes(), &window, &())
                .await?
                .into(),
        )
    }

    /// Imports transit stops from a GTFS feed's files (administrators).
    async fn import_transit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "`stops.txt`.")] stops: String,
        #[graphql(desc = "`routes.txt`.")] routes: String,
        #[graphql(desc = "`stop_times.txt`.")] stop_times: String,
        #[graphql(desc = "`trips.txt`, when the feed has it.")] trips: Option<String>,
    ) -> Result<ImportSummary> {
        let db = ctx.data::<DatabaseConnection>()?;
        let total =
            stops.len() + routes.len() + stop_times.len() + trips.as_ref().map_or(0, String::len);
        if total > MAX_IMPORT_BYTES {
            bounded("stopTimes", &" ".repeat(MAX_IMPORT_BYTES + 1))?;
        }
        let feed = Feed {
            stops,
            routes,
            stop_times,
            trips,
        };
        Ok(
            imports::transit::import(db, Acting::of(ctx)?.change(), &feed, &())
                .await?
                .into(),
        )
    }
}
