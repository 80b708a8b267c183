//! Parsing the real file formats, on tiny fixtures written here.

use super::*;

const WEATHER_KEY: &str = "\
poste,date,rr,tn,tx,tm,ffm,fxi,dxi,fxy,un,ux,um,inst,orag,grele,brou,brume,neig,eclair
13054001,2024-07-14,0.0,21.0,31.5,26.0,4.0,12.5,200,9.0,40,80,60,700,0,,0,,0,
13054001,2024-07-15,3.2,20.1,,24.0,4.0,12.5,200,9.0,40,80,60,700,0,,0,,0,
13054001,2024-07-16,12.4,19.0,24.0,21.0,9.0,21.3,320,15.0,40,80,60,300,1,,0,,0,
";

const WEATHER_DPCLIM: &str = "\
NUM_POSTE;NOM_USUEL;LAT;LON;ALTI;AAAAMMJJ;RR;QRR;TX;QTX;FXI;QFXI
13054001;MARIGNANE;43,44;5,22;9;20240101;0,4;1;12,9;1;9,5;1
";

#[test]
fn weather_days_are_read_from_the_key_columns_file() {
    let days = parse_weather(WEATHER_KEY).unwrap();
    assert_eq!(
        days.len(),
        2,
        "the day without a maximum temperature is left out"
    );
    assert_eq!(days[0].day, NaiveDate::from_ymd_opt(2024, 7, 14).unwrap());
    assert_eq!(days[0].weather.max_temp_c, 31.5);
    assert_eq!(days[1].weather.rain_mm, 12.4);
    assert_eq!(days[1].weather.wind_gust_ms, 21.3);
    assert_eq!(days[1].station, "13054001");
}

#[test]
fn weather_days_are_read_from_the_dpclim_export_with_decimal_commas() {
    let days = parse_weather(WEATHER_DPCLIM).unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].day, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
    assert_eq!(days[0].weather.rain_mm, 0.4);
    assert_eq!(days[0].weather.max_temp_c, 12.9);
}

#[test]
fn a_weather_file_with_a_bad_date_is_refused_naming_the_line() {
    let text = "poste,date,rr,tx,fxi\n1,2024-01-01,0,10,5\n1,2024-13-01,0,10,5\n";
    let err = parse_weather(text).unwrap_err();
    assert!(err.to_string().contains("line 3"), "{err}");
    assert_eq!(err.code(), crate::error::ErrorCode::BadUserInput);
}

#[test]
fn a_file_without_the_needed_columns_is_refused() {
    let err = parse_weather("date,foo\n2024-01-01,1\n").unwrap_err();
    assert!(err.to_string().contains("no column"), "{err}");
}

#[test]
fn public_holidays_keep_the_flagged_days_with_their_names() {
    let text =
        "date,est_jour_ferie,nom_jour_ferie\n2024-07-14,True,Fête nationale\n2024-07-15,False,\n";
    let days = parse_holidays(text).unwrap();
    assert_eq!(
        days,
        vec![HolidayRecord {
            day: NaiveDate::from_ymd_opt(2024, 7, 14).unwrap(),
            kind: PUBLIC_HOLIDAY,
            name: Some("Fête nationale".into()),
        }]
    );
}

#[test]
fn school_holidays_keep_zone_b_only() {
    let text = "\
date,vacances_zone_a,vacances_zone_b,vacances_zone_c,nom_vacances
2024-02-10,True,False,False,Vacances d'hiver
2024-02-17,False,True,False,Vacances d'hiver
";
    let days = parse_holidays(text).unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].day, NaiveDate::from_ymd_opt(2024, 2, 17).unwrap());
    assert_eq!(days[0].kind, SCHOOL_HOLIDAY);
}

#[test]
fn an_unknown_holiday_file_is_refused() {
    assert!(parse_holidays("date,x\n2024-01-01,1\n").is_err());
}
