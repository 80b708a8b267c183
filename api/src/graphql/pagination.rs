//! One way to page a list (Relay connections), used by every list of the schema: a
//! page size from 1 to the server's maximum, an opaque cursor over the list's keyset
//! (a time and an id, or a sequence number), and the page's info. The services read
//! one row more than the page to know whether another page follows.

use async_graphql::SimpleObject;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeZone, Utc};

use crate::error::{ApiError, ApiResult};

/// Where a page stands in a list (Relay).
#[derive(SimpleObject)]
pub struct PageInfo {
    /// Whether more items follow this page.
    pub has_next_page: bool,
    /// Whether items precede this page (true when the page started after a cursor).
    pub has_previous_page: bool,
    /// Cursor of the first item of the page.
    pub start_cursor: Option<String>,
    /// Cursor of the last item of the page.
    pub end_cursor: Option<String>,
}

/// A position in a list's order, written into an opaque cursor.
pub trait CursorKey: Sized + Copy {
    /// The key as the cursor's text (before base64).
    fn write(&self) -> String;
    /// The key back from that text, if it is one.
    fn read(text: &str) -> Option<Self>;
}

/// Lists ordered by a time, ties broken by id (events by start, incidents by time).
impl CursorKey for (DateTime<Utc>, i64) {
    fn write(&self) -> String {
        format!("t:{}:{}", self.0.timestamp_micros(), self.1)
    }

    fn read(text: &str) -> Option<Self> {
        let (micros, id) = text.strip_prefix("t:")?.split_once(':')?;
        let at = Utc.timestamp_micros(micros.parse().ok()?).single()?;
        Some((at, id.parse().ok()?))
    }
}

/// Lists ordered by a sequence number (the audit log).
impl CursorKey for i64 {
    fn write(&self) -> String {
        format!("s:{self}")
    }

    fn read(text: &str) -> Option<Self> {
        text.strip_prefix("s:")?.parse().ok()
    }
}

/// The opaque cursor of `key`.
pub fn cursor<K: CursorKey>(key: K) -> String {
    URL_SAFE_NO_PAD.encode(key.write())
}

/// A page asked for: its size and where it starts.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest<K> {
    /// Items on the page, within the server's bounds.
    pub size: usize,
    /// The key of the last item already seen, if any.
    pub after: Option<K>,
}

impl<K: CursorKey> PageRequest<K> {
    /// Checks `first` (`default` when omitted) against 1..=`max` and decodes `after`:
    /// `BAD_USER_INPUT` on `first` or `after` otherwise.
    pub fn new(
        first: Option<i32>,
        default: i32,
        max: usize,
        after: Option<&str>,
    ) -> ApiResult<Self> {
        let size = usize::try_from(first.unwrap_or(default))
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ApiError::bad_input("first", format!("first must be between 1 and {max}"))
            })?;
        let after = match after {
            Some(text) => Some(
                URL_SAFE_NO_PAD
                    .decode(text)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .and_then(|text| K::read(&text))
                    .ok_or_else(|| ApiError::bad_input("after", "invalid cursor"))?,
            ),
            None => None,
        };
        Ok(PageRequest { size, after })
    }

    /// The page's info, from the cursors of its edges in order.
    pub fn info<'a>(
        &self,
        has_next: bool,
        mut cursors: impl Iterator<Item = &'a String>,
    ) -> PageInfo {
        let start_cursor = cursors.next().cloned();
        let end_cursor = cursors.last().cloned().or_else(|| start_cursor.clone());
        PageInfo {
            has_next_page: has_next,
            has_previous_page: self.after.is_some(),
            start_cursor,
            end_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_keep_their_list() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 9, 30, 0).unwrap();
        let text = cursor((at, 42));
        let page = PageRequest::<(DateTime<Utc>, i64)>::new(Some(5), 20, 100, Some(&text)).unwrap();
        assert_eq!((page.size, page.after), (5, Some((at, 42))));
        let seq = PageRequest::<i64>::new(None, 50, 100, Some(&cursor(7_i64))).unwrap();
        assert_eq!((seq.size, seq.after), (50, Some(7)));
        // A cursor of another list is not a position in this one.
        assert!(PageRequest::<i64>::new(None, 50, 100, Some(&text)).is_err());
        assert!(PageRequest::<i64>::new(None, 50, 100, Some("7")).is_err());
    }

    #[test]
    fn the_page_size_stays_within_the_servers_bounds() {
        for bad in [0, -1, 101] {
            let err = PageRequest::<i64>::new(Some(bad), 20, 100, None).unwrap_err();
            assert!(matches!(err, ApiError::BadUserInput { ref path, .. } if path == "first"));
        }
        assert_eq!(
            PageRequest::<i64>::new(Some(100), 20, 100, None)
                .unwrap()
                .size,
            100
        );
    }

    #[test]
    fn page_info_names_the_first_and_last_cursor() {
        let page = PageRequest::<i64>::new(None, 20, 100, Some(&cursor(3_i64))).unwrap();
        let cursors = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let info = page.info(true, cursors.iter());
        assert_eq!(info.start_cursor.as_deref(), Some("a"));
        assert_eq!(info.end_cursor.as_deref(), Some("c"));
        assert!(info.has_next_page && info.has_previous_page);
        let one = ["a".to_owned()];
        assert_eq!(
            page.info(false, one.iter()).end_cursor.as_deref(),
            Some("a")
        );
        assert_eq!(page.info(false, [].iter()).start_cursor, None);
    }
}
