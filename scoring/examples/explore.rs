use chrono::{Datelike, NaiveDate};
use scoring::features::*;
use scoring::history::{self, CalendarInputs, GeneratorConfig};
use scoring::model::{self, TrainOptions};
fn main() {
    let h = history::generate(&GeneratorConfig::default(), &CalendarInputs::default()).unwrap();
    for year in [2015, 2019, 2024] {
        let rows: Vec<_> = h.rows.iter().filter(|r| r.features.date.year() == year).collect();
        let t: u64 = rows.iter().map(|r| r.incidents.tranquillity as u64).sum();
        let s: u64 = rows.iter().map(|r| r.incidents.security as u64).sum();
        let m: u64 = rows.iter().map(|r| r.incidents.mobility as u64).sum();
        let games = rows.iter().filter(|r| r.features.category == EventCategory::FootballMatch).count();
        println!("{year}: {} events, {games} games, tranq {t} ({:.1}% of city {:.0}), patients {s} ({:.1}% of BMPM rescues), mobility {m}", rows.len(), 100.0*t as f64/(scoring::load::CITY_POLICE_RELEVANT_PER_DAY*365.0), scoring::load::CITY_POLICE_RELEVANT_PER_DAY*365.0, 100.0*s as f64/(scoring::load::CITY_RESCUES_PER_DAY*365.0));
    }
    let from = NaiveDate::from_ymd_opt(2023,1,1).unwrap();
    let (m, report) = scoring::backtest::backtest(&h.rows, from, &TrainOptions::default(), None).unwrap();
    print!("{}", report.table());
    println!("{:?}", report.floor_failures(&scoring::backtest::PUBLICATION_FLOORS));
    for f in &m.fields { println!("{:?} theta {:?}", f.field, f.theta); }
    std::fs::write("/tmp/model.json", serde_json_like(&m)).ok();
}
fn serde_json_like(_m: &model::RiskModel) -> String { String::new() }
