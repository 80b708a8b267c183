//! Zones from GeoJSON: arrondissements, quartiers or named sites, each feature's
//! properties mapped to a code, a name, a parent, a population and an area by
//! options. The outline is kept for the map and for placing points in zones; the area
//! is the property's when given, otherwise the outline's geodesic area. With
//! `parent_unions`, the parents (the 16 arrondissements of the 111 quartiers) get
//! the union of their children's outlines.
//!
//! Codes stay those the platform uses: a parent's code is the property's value (the
//! INSEE code `13208` of an arrondissement); a feature without a code property gets
//! a stable slug of its parent and name (`q13212-saint-jean-du-desert`).

use std::collections::{BTreeMap, HashMap};

use entity::enums::ZoneLevel;
use entity::zone;
use geo::orient::{Direction, Orient};
use geo::{BoundingRect, GeodesicArea, Intersects, MultiPolygon, Point, Rect};
use geojson::{GeoJson, Geometry, GeometryValue};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use serde_json::Value;

use super::ImportReport;
use crate::error::{ApiError, ApiResult};
use crate::services::scoring::models::Progress;
use crate::services::work::Change;

/// How features' properties map to zones.
#[derive(Debug, Clone)]
pub struct ZoneOptions {
    /// The level of the features.
    pub level: ZoneLevel,
    /// Property holding the code; a slug of parent and name when unset.
    pub code_property: Option<String>,
    /// Property holding the name.
    pub name_property: String,
    /// Property holding the parent's code.
    pub parent_property: Option<String>,
    /// Property holding the parent's name (for a parent the import creates).
    pub parent_name_property: Option<String>,
    /// Property holding the resident population.
    pub population_property: Option<String>,
    /// Property holding the area in km².
    pub area_property: Option<String>,
    /// Whether parents get the union of their children's outlines.
    pub parent_unions: bool,
}

impl ZoneOptions {
    /// The mapping of the official quartiers file (`nom_qua`, `depco`, `nom_co`),
    /// with the arrondissements as unions.
    pub fn quartiers() -> Self {
        ZoneOptions {
            level: ZoneLevel::Quartier,
            code_property: None,
            name_property: "nom_qua".into(),
            parent_property: Some("depco".into()),
            parent_name_property: Some("nom_co".into()),
            population_property: None,
            area_property: None,
            parent_unions: true,
        }
    }
}

/// One zone as the file gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneRecord {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: ZoneLevel,
    /// Parent's code.
    pub parent: Option<String>,
    /// Population, when given.
    pub population: Option<i64>,
    /// Area, km².
    pub area_km2: f64,
    /// Outline, a GeoJSON geometry.
    pub outline: Value,
}

/// A parsed file: the parents first (unions), then the features.
#[derive(Debug, Clone)]
pub struct ZoneFile {
    /// Zones to write, parents before children.
    pub zones: Vec<ZoneRecord>,
}

fn bad_feature(index: usize, message: impl std::fmt::Display) -> ApiError {
    ApiError::bad_input("file", format!("feature {}: {message}", index + 1))
}

fn text_property(feature: &geojson::Feature, name: &str) -> Option<String> {
    match feature.property(name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number_property(feature: &geojson::Feature, name: &str, index: usize) -> ApiResult<Option<f64>> {
    match feature.property(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) => s
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .map(Some)
            .map_err(|_| bad_feature(index, format!("property {name} is not a number"))),
        Some(_) => Err(bad_feature(
            index,
            format!("property {name} is not a number"),
        )),
    }
}

/// A code-safe slug: lower-case ASCII letters and digits joined by `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

fn polygons(geometry: &Geometry, index: usize) -> ApiResult<MultiPolygon<f64>> {
    let shape = geo::Geometry::<f64>::try_from(&geometry.value)
        .map_err(|_| bad_feature(index, "the geometry cannot be read"))?;
    match shape {
        geo::Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        geo::Geometry::MultiPolygon(m) => Ok(m),
        _ => Err(bad_feature(
            index,
            "the geometry is not a Polygon or MultiPolygon",
        )),
    }
}

/// The geodesic area in km², rounded to the hundredth; rings are oriented first
/// (a clockwise exterior would otherwise count the rest of the globe).
fn km2(shape: &MultiPolygon<f64>) -> f64 {
    let oriented = shape.orient(Direction::Default);
    (oriented.geodesic_area_unsigned() / 1e4).round() / 100.0
}

fn parent_level(level: ZoneLevel) -> ZoneLevel {
    match level {
        ZoneLevel::Quartier => ZoneLevel::Arrondissement,
        _ => ZoneLevel::City,
    }
}

/// Parses a GeoJSON file whole: invalid JSON is refused with its line and column, a
/// feature that does not fit with its number.
pub fn parse(text: &str, options: &ZoneOptions) -> ApiResult<ZoneFile> {
    let json: Value = serde_json::from_str(text).map_err(|e| {
        ApiError::bad_input(
            "file",
            format!("line {}, column {}: not valid JSON", e.line(), e.column()),
        )
    })?;
    let geojson = serde_json::from_value::<GeoJson>(json)
        .map_err(|_| ApiError::bad_input("file", "line 1: not a GeoJSON document".to_owned()))?;
    let features = match geojson {
        GeoJson::FeatureCollection(c) => c.features,
        GeoJson::Feature(f) => vec![f],
        GeoJson::Geometry(_) => {
            return Err(ApiError::bad_input(
                "file",
                "line 1: a bare geometry has no name; a Feature or FeatureCollection is needed"
                    .to_owned(),
            ));
        }
    };
    if features.is_empty() {
        return Err(bad_feature(0, "the collection is empty"));
    }
    let mut zones = Vec::with_capacity(features.len());
    let mut shapes: BTreeMap<String, (Option<String>, Vec<MultiPolygon<f64>>)> = BTreeMap::new();
    let mut seen = HashMap::new();
    for (index, feature) in features.iter().enumerate() {
        let name = text_property(feature, &options.name_property)
            .ok_or_else(|| bad_feature(index, format!("no property {}", options.name_property)))?;
        let parent = match &options.parent_property {
            Some(p) => Some(
                text_property(feature, p)
                    .ok_or_else(|| bad_feature(index, format!("no property {p}")))?,
            ),
            None => None,
        };
        let code = match &options.code_property {
            Some(p) => text_property(feature, p)
                .ok_or_else(|| bad_feature(index, format!("no property {p}")))?,
            None => {
                let prefix = match options.level {
                    ZoneLevel::Quartier => "q",
                    ZoneLevel::Site => "site-",
                    _ => "z",
                };
                format!(
                    "{prefix}{}-{}",
                    parent.as_deref().unwrap_or(""),
                    slug(&name)
                )
                .replace("--", "-")
            }
        };
        if code.len() > 64 || name.chars().count() > 200 {
            return Err(bad_feature(
                index,
                "a code of at most 64 characters and a name of at most 200 are needed",
            ));
        }
        if let Some(first) = seen.insert(code.clone(), index) {
            return Err(bad_feature(
                index,
                format!("the same zone as feature {}", first + 1),
            ));
        }
        let geometry = feature
            .geometry
            .as_ref()
            .ok_or_else(|| bad_feature(index, "no geometry"))?;
        let shape = polygons(geometry, index)?;
        let area = match &options.area_property {
            Some(p) => number_property(feature, p, index)?,
            None => None,
        }
        .unwrap_or_else(|| km2(&shape));
        let population = match &options.population_property {
            Some(p) => number_property(feature, p, index)?.map(|v| v.round() as i64),
            None => None,
        };
        if area < 0.0 || population.is_some_and(|p| p < 0) {
            return Err(bad_feature(index, "a negative area or population"));
        }
        if options.parent_unions
            && let Some(parent) = &parent
        {
            let entry = shapes.entry(parent.clone()).or_default();
            if entry.0.is_none() {
                entry.0 = options
                    .parent_name_property
                    .as_ref()
                    .and_then(|p| text_property(feature, p));
            }
            // One winding for all, or the union reads opposite rings as holes.
            entry.1.push(shape.orient(Direction::Default));
        }
        zones.push(ZoneRecord {
            code,
            name,
            level: options.level,
            parent,
            population,
            area_km2: area,
            outline: serde_json::to_value(Geometry::new(geometry.value.clone()))
                .map_err(|_| bad_feature(index, "the geometry cannot be kept"))?,
        });
    }
    let mut parents = Vec::with_capacity(shapes.len());
    for (code, (name, children)) in shapes {
        let union = geo::unary_union(children.iter());
        parents.push(ZoneRecord {
            name: name.unwrap_or_else(|| code.clone()),
            code,
            level: parent_level(options.level),
            parent: None,
            population: None,
            area_km2: km2(&union),
            outline: serde_json::to_value(Geometry::new(GeometryValue::from(&union)))
                .map_err(|_| bad_feature(0, "an outline cannot be kept"))?,
        });
    }
    parents.extend(zones);
    Ok(ZoneFile { zones: parents })
}

/// Writes the zones that differ from what is stored. A parent already stored keeps
/// its name, parent and population; a new one is placed under the city.
pub async fn store<C: ConnectionTrait>(
    db: &C,
    file: &ZoneFile,
    progress: &(dyn Progress + Sync),
) -> ApiResult<ImportReport> {
    let mut report = ImportReport::new("zones", "geojson", file.zones.len());
    progress.stage("storing zones");
    let mut stored: HashMap<String, zone::Model> = zone::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|z| (z.code.clone(), z))
        .collect();
    let city = stored
        .values()
        .find(|z| z.level == ZoneLevel::City)
        .map(|z| z.id);
    let total = file.zones.len() as u64;
    for (done, record) in file.zones.iter().enumerate() {
        let parent_id = match &record.parent {
            Some(code) => Some(stored.get(code).map(|z| z.id).ok_or_else(|| {
                ApiError::bad_input(
                    "file",
                    format!("zone {}: its parent is not a known zone", done + 1),
                )
            })?),
            None if record.level == ZoneLevel::City => None,
            None => city,
        };
        match stored.get(&record.code) {
            None => {
                let row = zone::ActiveModel {
                    id: NotSet,
                    code: Set(record.code.clone()),
                    name: Set(record.name.clone()),
                    level: Set(record.level),
                    parent_id: Set(parent_id),
                    population: Set(record.population),
                    area_km2: Set(Some(record.area_km2)),
                    outline: Set(Some(record.outline.clone())),
                };
                let id = zone::Entity::insert(row).exec(db).await?.last_insert_id;
                report.added += 1;
                let model = zone::Model {
                    id,
                    code: record.code.clone(),
                    name: record.name.clone(),
                    level: record.level,
                    parent_id,
                    population: record.population,
                    area_km2: Some(record.area_km2),
                    outline: Some(record.outline.clone()),
                };
                stored.insert(record.code.clone(), model);
            }
            Some(old) => {
                let mut next = old.clone();
                if record.parent.is_some() {
                    next.parent_id = parent_id;
                    next.name = record.name.clone();
                }
                if record.population.is_some() {
                    next.population = record.population;
                }
                next.area_km2 = Some(record.area_km2);
                next.outline = Some(record.outline.clone());
                if next == *old {
                    report.unchanged += 1;
                } else {
                    let row = zone::ActiveModel {
                        id: Set(old.id),
                        code: Set(next.code.clone()),
                        name: Set(next.name.clone()),
                        level: Set(next.level),
                        parent_id: Set(next.parent_id),
                        population: Set(next.population),
                        area_km2: Set(next.area_km2),
                        outline: Set(next.outline.clone()),
                    };
                    zone::Entity::update(row).exec(db).await?;
                    report.updated += 1;
                    stored.insert(record.code.clone(), next);
                }
            }
        }
        progress.rows(done as u64 + 1, total);
    }
    Ok(report)
}

/// Imports a GeoJSON file as one audited change.
pub async fn import(
    db: &DatabaseConnection,
    change: Change<'_>,
    bytes: &[u8],
    options: &ZoneOptions,
    progress: &(dyn Progress + Sync),
) -> ApiResult<ImportReport> {
    progress.stage("reading outlines");
    let file = parse(&super::decode(bytes)?, options)?;
    let work = change.begin(db).await?;
    let report = store(work.txn(), &file, progress).await?;
    work.commit_with_summary(report.written() as i64, Some(report.summary()))
        .await?;
    Ok(report)
}

/// Places points in the stored outlines: the most specific zone containing a point
/// (a site before a quartier, a quartier before an arrondissement).
pub struct Locator {
    /// Rank, id, bounding box (checked first: cheap) and outline.
    zones: Vec<(u8, i64, Rect<f64>, MultiPolygon<f64>)>,
}

fn rank(level: ZoneLevel) -> u8 {
    match level {
        ZoneLevel::City => 0,
        ZoneLevel::Arrondissement => 1,
        ZoneLevel::Quartier => 2,
        ZoneLevel::Site => 3,
    }
}

impl Locator {
    /// Loads the zones with an outline.
    pub async fn load<C: ConnectionTrait>(db: &C) -> ApiResult<Self> {
        Ok(Locator::from_zones(&zone::Entity::find().all(db).await?))
    }

    /// Places in the outlines of `zones` (those without one are left out).
    pub fn from_zones(stored: &[zone::Model]) -> Self {
        let mut zones = Vec::new();
        for zone in stored {
            let Some(outline) = zone.outline.clone() else {
                continue;
            };
            let Ok(geometry) = serde_json::from_value::<Geometry>(outline) else {
                continue;
            };
            if let Ok(shape) = polygons(&geometry, 0)
                && let Some(rect) = shape.bounding_rect()
            {
                zones.push((rank(zone.level), zone.id, rect, shape));
            }
        }
        zones.sort_by_key(|z| std::cmp::Reverse(z.0));
        Locator { zones }
    }

    /// The most specific zone whose outline contains the point, if any.
    pub fn zone_of(&self, longitude: f64, latitude: f64) -> Option<i64> {
        let point = Point::new(longitude, latitude);
        self.zones
            .iter()
            .find(|(_, _, rect, shape)| rect.intersects(&point) && shape.intersects(&point))
            .map(|(_, id, _, _)| *id)
    }
}

#[cfg(test)]
#[path = "zones_tests.rs"]
mod tests;
