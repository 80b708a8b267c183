//! Agenda days are Europe/Paris days; storage is UTC. These helpers convert between
//! the two, including on daylight-saving days (23 or 25 hours long).

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;

/// Today's date in Marseille.
pub fn paris_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Paris).date_naive()
}

/// The UTC instant at which a Paris day starts (midnight local time).
pub fn paris_day_start(day: NaiveDate) -> DateTime<Utc> {
    paris_local_to_utc(day.and_time(NaiveTime::MIN))
}

/// Converts a Paris wall-clock time to UTC. In the autumn overlap the earlier
/// instant is taken; in the spring gap the time is moved forward by an hour, as a
/// person would reschedule.
pub fn paris_local_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    match Paris.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(earliest, _) => earliest.with_timezone(&Utc),
        chrono::LocalResult::None => {
            let shifted = local + chrono::Duration::hours(1);
            Paris
                .from_local_datetime(&shifted)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&local))
        }
    }
}

/// The UTC half-open range `[start, end)` covering `days` Paris days from `from`.
pub fn paris_range(from: NaiveDate, days: u32) -> (DateTime<Utc>, DateTime<Utc>) {
    let end_day = from
        .checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX);
    (paris_day_start(from), paris_day_start(end_day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paris_day_lasts_23_hours_on_the_spring_change_and_25_in_autumn() {
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        let (start, end) = paris_range(spring, 1);
        assert_eq!((end - start).num_hours(), 23, "spring day length");
        let autumn = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        let (start, end) = paris_range(autumn, 1);
        assert_eq!((end - start).num_hours(), 25, "autumn day length");
    }

    #[test]
    fn a_winter_paris_midnight_is_23_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            paris_day_start(day).to_rfc3339(),
            "2026-11-30T23:00:00+00:00"
        );
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_forward_an_hour() {
        let gap = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            paris_local_to_utc(gap).to_rfc3339(),
            "2026-03-29T01:30:00+00:00"
        );
    }
}
