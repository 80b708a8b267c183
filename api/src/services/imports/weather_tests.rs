//! Reading Météo-France daily files, on small fixtures written here.

use std::io::Write;

use super::*;
use crate::error::ErrorCode;

const KEY: &str = "\
poste,date,rr,tn,tx,tm,ffm,fxi,dxi,fxy,un,ux,um,inst,orag,grele,brou,brume,neig,eclair
13054001,2024-07-14,0.0,21.0,31.5,26.0,4.0,12.5,200,9.0,40,80,60,700,0,,0,,0,
13054001,2024-07-15,3.2,20.1,,24.0,4.0,12.5,200,9.0,40,80,60,700,0,,0,,0,
13054001,2024-07-16,12.4,19.0,24.0,21.0,9.0,,320,15.0,40,80,,300,1,,0,,0,
";

const DPCLIM: &str = "\
POSTE;DATE;RR;QRR;TN;QTN;TX;QTX;FXI;QFXI;UM;QUM
13054001;19800101;0,0;1;2,4;1;7,0;1;13,0;1;57;1
13054001;19800102;1,2;1;3,0;1;5,2;2;;;59;1
";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn refused(text: &str) -> String {
    let err = parse(text).unwrap_err();
    assert_eq!(err.code(), ErrorCode::BadUserInput);
    err.to_string()
}

#[test]
fn every_day_of_the_key_columns_file_is_kept_with_its_unknown_values() {
    let file = parse(KEY).unwrap();
    assert_eq!(file.format, "key-columns");
    assert_eq!(file.days.len(), 3, "no day is dropped");
    assert_eq!(file.days[0].values.max_temp_c, Some(31.5));
    assert_eq!(file.days[1].values.max_temp_c, None, "unknown, not zero");
    assert_eq!(file.days[1].values.rain_mm, Some(3.2));
    assert_eq!(file.days[2].values.wind_gust_ms, None);
    assert_eq!(file.days[2].values.humidity_pct, None);
    assert_eq!(file.days[2].values.max_temp_c, Some(24.0));
    assert_eq!(file.days[0].station, "13054001");
}

#[test]
fn the_dpclim_export_is_recognised_with_decimal_commas_and_quality_flags() {
    let file = parse(DPCLIM).unwrap();
    assert_eq!(file.format, "dpclim");
    assert_eq!(file.days[0].day, day(1980, 1, 1));
    assert_eq!(file.days[0].values.max_temp_c, Some(7.0));
    assert_eq!(file.days[0].values.min_temp_c, Some(2.4));
    assert_eq!(file.days[1].values.rain_mm, Some(1.2));
    assert_eq!(
        file.days[1].values.max_temp_c, None,
        "a doubtful value (flag 2) is unknown"
    );
    assert_eq!(file.days[1].values.wind_gust_ms, None);
    assert_eq!(file.days[1].values.humidity_pct, Some(59.0));
}

#[test]
fn a_gzipped_latin1_export_is_read() {
    let text = "POSTE;NOM_USUEL;DATE;RR;QRR;TX;QTX;FXI;QFXI\n13054001;MARIGNANE É;20240101;0,4;1;12,9;1;9,5;1\n";
    let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&latin1).unwrap();
    let bytes = gz.finish().unwrap();
    let decoded = crate::services::imports::decode(&bytes).unwrap();
    assert!(decoded.contains("MARIGNANE É"));
    let file = parse(&decoded).unwrap();
    assert_eq!(file.days[0].values.rain_mm, Some(0.4));
}

#[test]
fn a_truncated_gzip_file_is_refused() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(KEY.repeat(20).as_bytes()).unwrap();
    let bytes = gz.finish().unwrap();
    let err = crate::services::imports::decode(&bytes[..bytes.len() / 2]).unwrap_err();
    assert_eq!(err.code(), ErrorCode::BadUserInput);
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn a_bad_date_is_refused_with_its_line_and_column() {
    let text = "poste,date,rr,tx,fxi\n1,2024-01-01,0,10,5\n1,2024-13-01,0,10,5\n";
    let err = refused(text);
    assert!(err.contains("line 3, column 2 (date)"), "{err}");
}

#[test]
fn a_bad_number_is_refused_with_its_line_and_column() {
    let err = refused("poste,date,rr,tx,fxi\n1,2024-01-01,0,ten,5\n");
    assert!(err.contains("line 2, column 4 (tx)"), "{err}");
    let err = refused("poste,date,rr,tx,fxi\n1,2024-01-01,-3,10,5\n");
    assert!(err.contains("line 2, column 3 (rr)"), "{err}");
}

#[test]
fn a_missing_column_is_refused() {
    let err = refused("poste,date,rr,tx\n1,2024-01-01,0,10\n");
    assert!(
        err.contains("line 1") && err.contains("no column fxi"),
        "{err}"
    );
}

#[test]
fn a_wrong_separator_is_refused() {
    let err = refused("poste\tdate\trr\ttx\tfxi\n1\t2024-01-01\t0\t10\t5\n");
    assert!(err.contains("line 1") && err.contains("separator"), "{err}");
    // A `;` line in a `,` file has too few fields.
    let err = refused("poste,date,rr,tx,fxi\n1,2024-01-01,0,10,5\n1;2024-01-02;0;10;5\n");
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn a_day_twice_is_refused() {
    let err = refused("poste,date,rr,tx,fxi\n1,2024-01-01,0,10,5\n1,2024-01-01,0,10,5\n");
    assert!(err.contains("line 3") && err.contains("line 2"), "{err}");
}
