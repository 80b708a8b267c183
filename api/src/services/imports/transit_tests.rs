//! Reading GTFS feeds, on small fixtures written here.

use super::*;
use crate::error::ErrorCode;

fn feed(stop_times: &str) -> Feed {
    Feed {
        stops: "stop_id,stop_name,stop_lat,stop_lon,location_type\n\
                A,Alpha,43.30,5.37,0\nB,Beta,43.31,5.38,0\nS,Station,43.30,5.37,1\n"
            .into(),
        routes: "route_id,route_short_name,route_type\nR1,M1,1\nR2,T2,0\n".into(),
        stop_times: stop_times.into(),
        trips: None,
    }
}

#[test]
fn lines_come_from_trip_ids_and_frequencies_from_the_feed_or_the_default() {
    let mut times = String::from("trip_id,departure_time,stop_id,stop_sequence\n");
    for minute in [0, 10, 20, 30, 40] {
        times.push_str(&format!("x-M1-{minute},08:{minute:02}:00,A,1\n"));
    }
    times.push_str("x-M1-a,08:05:00,B,1\nx-T2-a,17:05:00,B,2\n");
    let stops = parse(&feed(&times)).unwrap();
    assert_eq!(stops.len(), 2, "the station is not a platform");
    let a = stops.iter().find(|s| s.code == "A").unwrap();
    assert_eq!(a.lines, ["M1"]);
    assert_eq!(a.peak_trips_per_hour, 5.0);
    assert!(a.from_feed);
    let b = stops.iter().find(|s| s.code == "B").unwrap();
    assert_eq!(b.lines, ["M1", "T2"]);
    assert_eq!(
        b.peak_trips_per_hour,
        default_trips_per_hour(1) + default_trips_per_hour(0)
    );
    assert!(!b.from_feed);
}

#[test]
fn trips_txt_names_the_route_when_present() {
    let mut f = feed("trip_id,departure_time,stop_id\nt1,08:00:00,A\n");
    f.trips = Some("route_id,trip_id\nR2,t1\n".into());
    let stops = parse(&f).unwrap();
    assert_eq!(stops.iter().find(|s| s.code == "A").unwrap().lines, ["T2"]);
}

#[test]
fn broken_feeds_are_refused_with_their_file_line_and_column() {
    let err = parse(&feed("trip_id,departure_time,stop_id\nx-M1,08:00:00,Z\n")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::BadUserInput);
    assert!(
        err.to_string().contains("stop_times.txt, line 2, column 3"),
        "{err}"
    );
    let err = parse(&feed("trip_id,departure_time,stop_id\nnobody,08:00:00,A\n")).unwrap_err();
    assert!(err.to_string().contains("line 2, column 1"), "{err}");
    let err = parse(&feed("trip_id,departure_time,stop_id\nx-M1,8h,A\n")).unwrap_err();
    assert!(err.to_string().contains("line 2, column 2"), "{err}");
    let mut f = feed("trip_id,departure_time,stop_id\n");
    f.stops = "stop_id\tstop_name\tstop_lat\tstop_lon\nA\tAlpha\t43.3\t5.3\n".into();
    let err = parse(&f).unwrap_err();
    assert!(err.to_string().contains("stops.txt, line 1"), "{err}");
}
