//! Who may act and why: the five user roles, the scopes a partner token carries and
//! the purposes an operation declares (DESIGN §5). Each is a closed enum with a stable
//! lowercase spelling, because the spellings travel in JWT claims, headers, the
//! database and the audit log and must never drift.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a role, scope, purpose or field name could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessParseError {
    /// The text names no role.
    #[error("unknown role `{0}` (expected admin, supervisor, analyst, partner or dpo)")]
    UnknownRole(String),
    /// The text names no purpose.
    #[error(
        "unknown purpose `{0}` (expected event_planning, crisis_response, statistics, audit, \
         dpia_review, administration or ingestion)"
    )]
    UnknownPurpose(String),
    /// The text names no aggregate field.
    #[error(
        "unknown aggregate field `{0}` (expected tranquillity, security, mobility or presence)"
    )]
    UnknownField(String),
    /// The scope's shape is not one of the known ones.
    #[error(
        "invalid scope `{0}` (expected ingest:<source-id>, read:agenda, read:events or \
         read:aggregates:<field>)"
    )]
    InvalidScope(String),
    /// An `ingest:` scope names an empty or malformed source id.
    #[error(
        "invalid source id in scope `{0}` (1 to 64 characters among letters, digits, `-`, `_`, `.`)"
    )]
    InvalidSourceId(String),
}

impl AccessParseError {
    /// The stable machine code of this error (public API: never renamed).
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownRole(_) => "UNKNOWN_ROLE",
            Self::UnknownPurpose(_) => "UNKNOWN_PURPOSE",
            Self::UnknownField(_) => "UNKNOWN_FIELD",
            Self::InvalidScope(_) => "INVALID_SCOPE",
            Self::InvalidSourceId(_) => "INVALID_SOURCE_ID",
        }
    }
}

/// Generates `ALL`, `as_str`, `parse`, `FromStr`, `Display` and string serde for a
/// closed enum of lowercase names, so the four spellings cannot disagree.
macro_rules! named_enum {
    ($ty:ident, $err:ident, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order (tables and tests iterate over it).
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The stable spelling used in tokens, headers, storage and the audit log.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }

            /// Parses the stable spelling (exact, lowercase).
            pub fn parse(text: &str) -> Result<Self, AccessParseError> {
                match text { $($name => Ok($ty::$variant),)+ other => Err(AccessParseError::$err(other.to_owned())) }
            }
        }

        impl FromStr for $ty {
            type Err = AccessParseError;
            fn from_str(text: &str) -> Result<Self, Self::Err> { Self::parse(text) }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }

        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// The role of a person who logs in (DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Users, organizations, sources, tokens, register and DPIA validation; no audit
    /// content and no operational record data.
    Admin,
    /// The supervision team: agenda, events, deployments, decisions, record-level
    /// municipal data, municipal ingestion.
    Supervisor,
    /// Agenda, scores, aggregates above the disclosure thresholds.
    Analyst,
    /// A person of a partner agency: its own sources, the agenda, aggregates.
    Partner,
    /// The Data Protection Officer: audit log, register, DPIA, source metadata.
    Dpo,
}

named_enum!(Role, UnknownRole, {
    Admin => "admin",
    Supervisor => "supervisor",
    Analyst => "analyst",
    Partner => "partner",
    Dpo => "dpo",
});

/// Why an operation on protected data is performed (purpose limitation, GDPR art. 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Purpose {
    /// Preparing the deployment of a planned event.
    EventPlanning,
    /// Handling an ongoing incident or crisis.
    CrisisResponse,
    /// Statistical analysis on aggregates.
    Statistics,
    /// The DPO's control of accesses.
    Audit,
    /// Reviewing a data-protection impact assessment.
    DpiaReview,
    /// Running the platform (accounts, tokens, sources).
    Administration,
    /// Sending data into the platform.
    Ingestion,
}

named_enum!(Purpose, UnknownPurpose, {
    EventPlanning => "event_planning",
    CrisisResponse => "crisis_response",
    Statistics => "statistics",
    Audit => "audit",
    DpiaReview => "dpia_review",
    Administration => "administration",
    Ingestion => "ingestion",
});

/// A field of aggregated data that a `read:aggregates:<field>` scope opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AggregateField {
    /// Nuisance, incivilities, occupation of public space.
    Tranquillity,
    /// Incidents, offences, rescue.
    Security,
    /// Traffic, transit, access.
    Mobility,
    /// Aggregated presence counts (phone operators).
    Presence,
}

named_enum!(AggregateField, UnknownField, {
    Tranquillity => "tranquillity",
    Security => "security",
    Mobility => "mobility",
    Presence => "presence",
});

/// The identifier of a data source as it appears in an `ingest:<source-id>` scope.
///
/// Kept as text so the scope syntax does not depend on how the database numbers
/// sources; the server compares it with the source's id rendered as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceId(String);

impl SourceId {
    /// Longest accepted id: enough for a UUID or a slug, short enough for a header.
    const MAX_LEN: usize = 64;

    /// Parses a source id: 1 to 64 characters among ASCII letters, digits, `-`, `_`, `.`
    /// (no `:` so that a scope has one unambiguous reading).
    pub fn parse(text: &str) -> Option<Self> {
        let well_formed = !text.is_empty()
            && text.len() <= Self::MAX_LEN
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        well_formed.then(|| Self(text.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One permission carried by a partner token (DESIGN §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Scope {
    /// `ingest:<source-id>`: send observation batches to that source.
    Ingest(SourceId),
    /// `read:agenda`: the agenda, events, venues and zones.
    ReadAgenda,
    /// `read:events`: event records (current and past editions).
    ReadEvents,
    /// `read:aggregates:<field>`: disclosure-controlled aggregates of one field.
    ReadAggregates(AggregateField),
}

impl Scope {
    /// Parses the textual form of a scope.
    pub fn parse(text: &str) -> Result<Self, AccessParseError> {
        match text.split_once(':') {
            Some(("ingest", id)) => SourceId::parse(id)
                .map(Scope::Ingest)
                .ok_or_else(|| AccessParseError::InvalidSourceId(text.to_owned())),
            Some(("read", "agenda")) => Ok(Scope::ReadAgenda),
            Some(("read", "events")) => Ok(Scope::ReadEvents),
            Some(("read", rest)) => match rest.split_once(':') {
                Some(("aggregates", field)) => {
                    AggregateField::parse(field).map(Scope::ReadAggregates)
                }
                _ => Err(AccessParseError::InvalidScope(text.to_owned())),
            },
            _ => Err(AccessParseError::InvalidScope(text.to_owned())),
        }
    }

    /// Parses a whitespace- or comma-separated list of scopes, failing on the first bad one.
    pub fn parse_list(text: &str) -> Result<Vec<Self>, AccessParseError> {
        text.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|part| !part.is_empty())
            .map(Scope::parse)
            .collect()
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Ingest(id) => write!(f, "ingest:{id}"),
            Scope::ReadAgenda => f.write_str("read:agenda"),
            Scope::ReadEvents => f.write_str("read:events"),
            Scope::ReadAggregates(field) => write!(f, "read:aggregates:{field}"),
        }
    }
}

impl FromStr for Scope {
    type Err = AccessParseError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for Scope {
    type Error = AccessParseError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Scope> for String {
    fn from(scope: Scope) -> Self {
        scope.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_purpose_and_field_round_trips_through_its_spelling() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(*role), "role {role}");
        }
        for purpose in Purpose::ALL {
            assert_eq!(
                Purpose::parse(purpose.as_str()),
                Ok(*purpose),
                "purpose {purpose}"
            );
        }
        for field in AggregateField::ALL {
            assert_eq!(
                AggregateField::parse(field.as_str()),
                Ok(*field),
                "field {field}"
            );
        }
    }

    #[test]
    fn unknown_names_are_refused_with_a_code() {
        assert_eq!(Role::parse("Admin").unwrap_err().code(), "UNKNOWN_ROLE");
        assert_eq!(Role::parse("root").unwrap_err().code(), "UNKNOWN_ROLE");
        assert_eq!(
            Purpose::parse("marketing").unwrap_err().code(),
            "UNKNOWN_PURPOSE"
        );
    }

    #[test]
    fn scopes_parse_and_print_back() {
        for text in [
            "ingest:rtm-load",
            "ingest:42",
            "read:agenda",
            "read:events",
            "read:aggregates:tranquillity",
            "read:aggregates:security",
            "read:aggregates:mobility",
            "read:aggregates:presence",
        ] {
            let scope = Scope::parse(text).unwrap();
            assert_eq!(scope.to_string(), text);
        }
    }

    #[test]
    fn malformed_scopes_say_what_is_wrong() {
        let cases = [
            ("ingest:", "INVALID_SOURCE_ID"),
            ("ingest:a:b", "INVALID_SOURCE_ID"),
            ("ingest:a b", "INVALID_SOURCE_ID"),
            ("read:aggregates:weather", "UNKNOWN_FIELD"),
            ("read:aggregates", "INVALID_SCOPE"),
            ("read:everything", "INVALID_SCOPE"),
            ("write:agenda", "INVALID_SCOPE"),
            ("agenda", "INVALID_SCOPE"),
            ("", "INVALID_SCOPE"),
        ];
        for (text, code) in cases {
            assert_eq!(
                Scope::parse(text).unwrap_err().code(),
                code,
                "scope `{text}`"
            );
        }
    }

    #[test]
    fn scope_lists_accept_commas_and_spaces() {
        let scopes =
            Scope::parse_list("read:agenda, ingest:rtm  read:aggregates:mobility").unwrap();
        assert_eq!(scopes.len(), 3);
        assert!(Scope::parse_list("read:agenda,oops").is_err());
    }
}
