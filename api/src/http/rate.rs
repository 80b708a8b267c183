//! Rate limits: per client address for anonymous requests and logins, per account
//! and per partner token for everything else. Generic cell rate algorithm
//! (`governor`), kept in memory: each server counts its own callers.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::auth::Viewer;
use crate::settings::RateLimits;

/// One keyed limit: `per_minute` requests a minute per key, bursts of as many.
pub struct Limit<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> Limit<K> {
    /// A limit of `per_minute` a minute per key (at least one).
    pub fn per_minute(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Limit {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(n)),
        }
    }

    /// Counts one request for `key`; `Err(seconds to wait)` when over the limit.
    pub fn check(&self, key: &K) -> Result<(), u64> {
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + 1
        })
    }
}

/// Who a request is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    /// An anonymous caller, by address.
    Address(IpAddr),
    /// A person's account.
    Account(i64),
    /// A partner token.
    Token(i64),
}

/// The server's request limits.
pub struct RequestLimits {
    anonymous: Limit<Caller>,
    /// Refused credentials by address, apart from the anonymous allowance: a
    /// dashboard left open with an expired token must not spend the logins of the
    /// people behind the same address.
    refused: Limit<Caller>,
    account: Limit<Caller>,
    token: Limit<Caller>,
}

impl RequestLimits {
    /// The limits of `settings`.
    pub fn new(settings: &RateLimits) -> Self {
        RequestLimits {
            anonymous: Limit::per_minute(settings.anonymous_per_minute),
            refused: Limit::per_minute(settings.anonymous_per_minute),
            account: Limit::per_minute(settings.account_per_minute),
            token: Limit::per_minute(settings.token_per_minute),
        }
    }

    /// Counts a request of `viewer` from `address`; `Err(seconds to wait)` when
    /// over its limit.
    pub fn check(&self, viewer: &Viewer, address: Option<IpAddr>) -> Result<(), u64> {
        if let Some(token) = viewer.token_id {
            return self.token.check(&Caller::Token(token));
        }
        if let Some(account) = viewer.user_id {
            return self.account.check(&Caller::Account(account));
        }
        match address {
            Some(address) => self.anonymous.check(&Caller::Address(address)),
            None => Ok(()),
        }
    }

    /// Counts a refused credential (a bad, expired or revoked token) from `address`,
    /// with as many allowed per minute as anonymous requests but counted apart from
    /// them: past it the caller is answered without an audit entry each, so that a
    /// flood of forged tokens grows neither the log nor the writer's queue.
    pub fn check_refused(&self, address: Option<IpAddr>) -> Result<(), u64> {
        match address {
            Some(address) => self.refused.check(&Caller::Address(address)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_over_its_quota_waits_and_others_do_not() {
        let limit = Limit::per_minute(3);
        let a = Caller::Token(1);
        for _ in 0..3 {
            assert!(limit.check(&a).is_ok());
        }
        let wait = limit.check(&a).unwrap_err();
        assert!((1..=21).contains(&wait), "{wait}");
        assert!(limit.check(&Caller::Token(2)).is_ok());
    }
}
