//! Reading holiday files, on small fixtures written here.

use super::*;
use crate::error::ErrorCode;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn public_holidays_cover_whole_years() {
    let text = "date,est_jour_ferie,nom_jour_ferie\n2024-07-14,True,Fête nationale\n2025-01-01,True,Jour de l'an\n";
    let file = parse(text, DEFAULT_ACADEMY).unwrap();
    assert_eq!(file.format, "public-holidays");
    assert_eq!(file.kind, PUBLIC_HOLIDAY);
    assert_eq!(file.days.len(), 2);
    assert_eq!(
        file.days[&day(2024, 7, 14)].as_deref(),
        Some("Fête nationale")
    );
    assert_eq!(file.covers, (day(2024, 1, 1), day(2025, 12, 31)));
}

#[test]
fn the_daily_school_file_keeps_zone_b_and_covers_up_to_its_last_holiday() {
    let text = "\
date,vacances_zone_a,vacances_zone_b,vacances_zone_c,nom_vacances
2026-08-29,True,True,True,Vacances d'été
2026-08-30,False,False,True,Vacances d'été
2026-08-31,False,False,False,
2026-12-21,False,False,False,
";
    let file = parse(text, DEFAULT_ACADEMY).unwrap();
    assert_eq!(file.format, "school-holidays-daily");
    assert_eq!(
        file.days.keys().copied().collect::<Vec<_>>(),
        [day(2026, 8, 29)]
    );
    assert_eq!(
        file.covers,
        (day(2026, 8, 29), day(2026, 8, 30)),
        "the False rows after the last holiday say nothing about late December"
    );
}

#[test]
fn the_official_calendar_export_gives_the_academy_periods() {
    let text = "\u{feff}Description;Population;Date de début;Date de fin;Académies;Zones;annee_scolaire
Vacances de Noël;-;2025-12-20T00:00:00+01:00;2026-01-05T00:00:00+01:00;Aix-Marseille;Zone B;2025-2026
Vacances de Noël;-;2025-12-20T00:00:00+01:00;2026-01-05T00:00:00+01:00;Lyon;Zone A;2025-2026
Vacances d'Été;Enseignants;2026-07-04T00:00:00+02:00;2026-09-01T00:00:00+02:00;Aix-Marseille;Zone B;2025-2026
Début des Vacances d'Été;-;2026-07-04T00:00:00+02:00;2026-07-04T00:00:00+02:00;Aix-Marseille;Zone B;2025-2026
";
    let file = parse(text, DEFAULT_ACADEMY).unwrap();
    assert_eq!(file.format, "school-calendar");
    assert_eq!(file.kind, SCHOOL_HOLIDAY);
    assert_eq!(file.days.len(), 16 + 1, "20 Dec to 4 Jan, and 4 July");
    assert!(file.days.contains_key(&day(2026, 1, 4)));
    assert!(!file.days.contains_key(&day(2026, 1, 5)), "classes resume");
    assert_eq!(file.covers, (day(2025, 12, 20), day(2026, 7, 4)));
    let err = parse(text, "Nowhere").unwrap_err();
    assert!(err.to_string().contains("no row for the académie"), "{err}");
}

#[test]
fn a_bad_date_or_flag_is_refused_with_its_line_and_column() {
    let err = parse(
        "date,est_jour_ferie,nom_jour_ferie\n2024-07-14,True,x\n2024-02-30,True,y\n",
        DEFAULT_ACADEMY,
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::BadUserInput);
    assert!(err.to_string().contains("line 3, column 1 (date)"), "{err}");
    let err = parse(
        "date,vacances_zone_a,vacances_zone_b\n2024-07-14,True,Maybe\n",
        DEFAULT_ACADEMY,
    )
    .unwrap_err();
    assert!(err.to_string().contains("line 2, column 3"), "{err}");
    let err = parse(
        "Description;Population;Date de début;Date de fin;Académies\nNoël;-;2025-12-20;20260105x;Aix-Marseille\n",
        DEFAULT_ACADEMY,
    )
    .unwrap_err();
    assert!(err.to_string().contains("line 2, column 4"), "{err}");
}

#[test]
fn an_unknown_holiday_file_is_refused() {
    let err = parse("date;foo\n2024-01-01;1\n", DEFAULT_ACADEMY).unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn spans_merge_when_they_touch() {
    let a = (day(2020, 1, 1), day(2020, 6, 30));
    let b = (day(2020, 7, 1), day(2020, 12, 31));
    let c = (day(2022, 1, 1), day(2022, 1, 31));
    assert_eq!(merge(&[a], b), vec![(a.0, b.1)]);
    assert_eq!(merge(&[a, c], b), vec![(a.0, b.1), c]);
    assert_eq!(merge(&[(a.0, b.1)], a), vec![(a.0, b.1)]);
}
