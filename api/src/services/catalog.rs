//! Reference data: zones, venues, organizations, and the zone hierarchy the agenda
//! filters and conflict rules walk.

use std::collections::{HashMap, HashSet};

use entity::enums::ZoneLevel;
use entity::{organization, venue, zone};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::{ApiError, ApiResult};

/// Zones read without their outline, which comes back `None`. An outline is kilobytes
/// of GeoJSON per quartier that only drawing a zone (`Zone.outline`, through its own
/// loader) and placing points in zones need: every other reader would parse and copy
/// it for nothing, and the agenda reads every zone on each request.
pub fn zones_without_outline() -> sea_orm::Select<zone::Entity> {
    use sea_orm::{IdenStatic, Iterable, QuerySelect, sea_query::Expr};
    zone::Entity::find()
        .select_only()
        .columns(zone::Column::iter().filter(|c| !matches!(c, zone::Column::Outline)))
        .column_as(Expr::cust("NULL"), zone::Column::Outline.as_str())
}

/// Every zone, indexed for walking up and down the hierarchy.
pub struct ZoneTree {
    zones: HashMap<i64, zone::Model>,
}

impl ZoneTree {
    /// Loads all zones (a few hundred rows at most).
    pub async fn load<C: ConnectionTrait>(db: &C) -> ApiResult<Self> {
        let zones = zones_without_outline().all(db).await?;
        Ok(ZoneTree {
            zones: zones.into_iter().map(|z| (z.id, z)).collect(),
        })
    }

    /// Every zone, in no particular order.
    pub fn into_zones(self) -> Vec<zone::Model> {
        self.zones.into_values().collect()
    }

    /// The zone with this id, if it exists.
    pub fn get(&self, id: i64) -> Option<&zone::Model> {
        self.zones.get(&id)
    }

    /// The zone and every zone inside it.
    pub fn with_descendants(&self, id: i64) -> HashSet<i64> {
        let mut out = HashSet::from([id]);
        // The hierarchy is shallow (city > arrondissement > quartier > site), so a
        // fixed-point pass over the parents is simpler than building child lists.
        loop {
            let before = out.len();
            for zone in self.zones.values() {
                if zone.parent_id.is_some_and(|p| out.contains(&p)) {
                    out.insert(zone.id);
                }
            }
            if out.len() == before {
                return out;
            }
        }
    }

    /// The zone and the zones containing it, innermost first.
    pub fn ancestors(&self, id: i64) -> Vec<i64> {
        let mut chain = vec![id];
        let mut current = id;
        // The hierarchy is shallow; the bound guards against a cycle in bad data.
        for _ in 0..16 {
            match self.zones.get(&current).and_then(|z| z.parent_id) {
                Some(parent) if !chain.contains(&parent) => {
                    chain.push(parent);
                    current = parent;
                }
                _ => break,
            }
        }
        chain
    }

    /// The arrondissement containing a zone (the zone itself when it is one, or the
    /// top of its chain when it lies in none): the area conflict rules reason on.
    pub fn area_of(&self, id: i64) -> i64 {
        let mut current = id;
        for _ in 0..16 {
            let Some(zone) = self.zones.get(&current) else {
                return current;
            };
            if zone.level == ZoneLevel::Arrondissement {
                return current;
            }
            match zone.parent_id {
                Some(parent)
                    if self
                        .zones
                        .get(&parent)
                        .is_some_and(|p| p.level != ZoneLevel::City) =>
                {
                    current = parent
                }
                _ => return current,
            }
        }
        current
    }
}

/// Sum of venue capacities per area (see [`ZoneTree::area_of`]).
pub fn area_capacities(tree: &ZoneTree, venues: &[venue::Model]) -> HashMap<i64, i64> {
    let mut out = HashMap::new();
    for venue in venues {
        if let Some(capacity) = venue.capacity {
            *out.entry(tree.area_of(venue.zone_id)).or_insert(0) += capacity;
        }
    }
    out
}

/// Zones, optionally of one level, ordered by code.
pub async fn zones<C: ConnectionTrait>(
    db: &C,
    level: Option<ZoneLevel>,
) -> ApiResult<Vec<zone::Model>> {
    let mut query = zones_without_outline().order_by_asc(zone::Column::Code);
    if let Some(level) = level {
        query = query.filter(zone::Column::Level.eq(level));
    }
    Ok(query.all(db).await?)
}

/// Venues, optionally those inside one zone (sub-zones included), ordered by name.
pub async fn venues<C: ConnectionTrait>(
    db: &C,
    zone_id: Option<i64>,
) -> ApiResult<Vec<venue::Model>> {
    let mut query = venue::Entity::find().order_by_asc(venue::Column::Name);
    if let Some(zone_id) = zone_id {
        let tree = ZoneTree::load(db).await?;
        if tree.get(zone_id).is_none() {
            return Err(ApiError::bad_input(
                "zoneId",
                format!("unknown zone {zone_id}"),
            ));
        }
        query = query.filter(venue::Column::ZoneId.is_in(tree.with_descendants(zone_id)));
    }
    Ok(query.all(db).await?)
}

/// All organizations, ordered by name.
pub async fn organizations<C: ConnectionTrait>(db: &C) -> ApiResult<Vec<organization::Model>> {
    Ok(organization::Entity::find()
        .order_by_asc(organization::Column::Name)
        .all(db)
        .await?)
}
