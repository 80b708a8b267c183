//! Reference data queries: zones, venues, organizations.

use async_graphql::{Context, ID, Object, Result};
use sea_orm::DatabaseConnection;

use crate::graphql::enums::ZoneLevel;
use crate::graphql::scalars::parse_opt_id;
use crate::graphql::types::catalog::{Organization, Venue, Zone};
use crate::services::catalog;

/// Zones, venues and organizations.
#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Zones of the city, ordered by code.
    async fn zones(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only zones of this level.")] level: Option<ZoneLevel>,
    ) -> Result<Vec<Zone>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let rows = catalog::zones(db, level.map(Into::into)).await?;
        Ok(rows.into_iter().map(Zone).collect())
    }

    /// Venues, ordered by name.
    async fn venues(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only venues in this zone or in a zone inside it.")] zone_id: Option<ID>,
    ) -> Result<Vec<Venue>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let rows = catalog::venues(db, parse_opt_id(zone_id.as_ref(), "zoneId")?).await?;
        Ok(rows.into_iter().map(Venue).collect())
    }

    /// Municipal services and partner agencies, ordered by name.
    async fn organizations(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(catalog::organizations(db)
            .await?
            .into_iter()
            .map(Organization)
            .collect())
    }
}
