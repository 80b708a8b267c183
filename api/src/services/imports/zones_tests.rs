//! Reading zone outlines, on small fixtures written here.

use super::*;
use crate::error::ErrorCode;

/// Two unit-ish squares side by side in one parent, and one square in another.
const QUARTIERS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"nom_qua":"Le Panier","depco":"13202","nom_co":"2e"},
 "geometry":{"type":"Polygon","coordinates":[[[5.36,43.29],[5.37,43.29],[5.37,43.30],[5.36,43.30],[5.36,43.29]]]}},
{"type":"Feature","properties":{"nom_qua":"Joliette","depco":"13202","nom_co":"2e"},
 "geometry":{"type":"Polygon","coordinates":[[[5.37,43.29],[5.37,43.30],[5.38,43.30],[5.38,43.29],[5.37,43.29]]]}},
{"type":"Feature","properties":{"nom_qua":"Belsunce","depco":"13201","nom_co":"1er"},
 "geometry":{"type":"MultiPolygon","coordinates":[[[[5.38,43.29],[5.39,43.29],[5.39,43.30],[5.38,43.30],[5.38,43.29]]]]}}
]}"#;

#[test]
fn quartiers_and_their_arrondissements_as_unions() {
    let file = parse(QUARTIERS, &ZoneOptions::quartiers()).unwrap();
    assert_eq!(file.zones.len(), 5);
    let parents: Vec<&ZoneRecord> = file
        .zones
        .iter()
        .filter(|z| z.level == ZoneLevel::Arrondissement)
        .collect();
    assert_eq!(parents.len(), 2);
    let second = parents.iter().find(|z| z.code == "13202").unwrap();
    let panier = file.zones.iter().find(|z| z.name == "Le Panier").unwrap();
    assert_eq!(panier.code, "q13202-le-panier");
    assert_eq!(panier.parent.as_deref(), Some("13202"));
    // A 0.01° square at 43.3° N is about 1.11 km by 0.81 km.
    assert!(
        (0.85..0.95).contains(&panier.area_km2),
        "{}",
        panier.area_km2
    );
    assert!(
        (second.area_km2 - 2.0 * panier.area_km2).abs() < 0.02,
        "the union of two adjacent squares: {}",
        second.area_km2
    );
    assert_eq!(
        second.outline["coordinates"].as_array().unwrap().len(),
        1,
        "adjacent squares merge into one polygon"
    );
}

#[test]
fn points_are_placed_in_the_most_specific_outline() {
    let file = parse(QUARTIERS, &ZoneOptions::quartiers()).unwrap();
    let locator = Locator {
        zones: file
            .zones
            .iter()
            .enumerate()
            .map(|(i, z)| {
                let geometry: Geometry = serde_json::from_value(z.outline.clone()).unwrap();
                let shape = polygons(&geometry, i).unwrap();
                (
                    rank(z.level),
                    i as i64,
                    shape.bounding_rect().unwrap(),
                    shape,
                )
            })
            .rev()
            .collect(),
    };
    let mut locator = locator;
    locator.zones.sort_by_key(|z| std::cmp::Reverse(z.0));
    let panier = file
        .zones
        .iter()
        .position(|z| z.name == "Le Panier")
        .unwrap();
    assert_eq!(locator.zone_of(5.365, 43.295), Some(panier as i64));
    assert_eq!(locator.zone_of(5.5, 43.5), None);
}

#[test]
fn invalid_geojson_is_refused_with_its_line_and_column() {
    let broken = "{\"type\":\"FeatureCollection\",\n\"features\":[{\"type\":\"Feature\",,}]}";
    let err = parse(broken, &ZoneOptions::quartiers()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::BadUserInput);
    assert!(err.to_string().contains("line 2, column"), "{err}");
    let err = parse("{\"type\":\"Nothing\"}", &ZoneOptions::quartiers()).unwrap_err();
    assert!(err.to_string().contains("not a GeoJSON"), "{err}");
}

#[test]
fn a_feature_without_its_properties_or_with_a_point_is_refused_by_number() {
    let text = QUARTIERS.replace("\"nom_qua\":\"Joliette\",", "");
    let err = parse(&text, &ZoneOptions::quartiers()).unwrap_err();
    assert!(
        err.to_string().contains("feature 2: no property nom_qua"),
        "{err}"
    );
    let point = r#"{"type":"Feature","properties":{"nom_qua":"X","depco":"13201"},"geometry":{"type":"Point","coordinates":[5.3,43.3]}}"#;
    let err = parse(point, &ZoneOptions::quartiers()).unwrap_err();
    assert!(err.to_string().contains("feature 1"), "{err}");
}

#[test]
fn slugs_are_stable_ascii() {
    assert_eq!(slug("Saint-Jean-du-Désert"), "saint-jean-du-desert");
    assert_eq!(slug("  Notre-Dame  du Mont "), "notre-dame-du-mont");
}
