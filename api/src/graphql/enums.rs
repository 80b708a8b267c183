//! The GraphQL enums, mirrored from the storage enums so that the schema is
//! written on purpose and a stored value never leaks into it by accident.

use async_graphql::Enum;
use entity::enums as db;

/// Declares a GraphQL enum and its conversions to and from the storage enum of the
/// same shape.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident => $db:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl From<db::$db> for $name {
            fn from(value: db::$db) -> Self {
                match value {
                    $(db::$db::$variant => $name::$variant),+
                }
            }
        }

        impl From<$name> for db::$db {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => db::$db::$variant),+
                }
            }
        }
    };
}

mirror_enum! {
    /// Level of a zone in the city's hierarchy.
    ZoneLevel => ZoneLevel {
        /// The whole city.
        City,
        /// One of the 16 arrondissements (INSEE 13201 to 13216).
        Arrondissement,
        /// One of the 111 official quartiers.
        Quartier,
        /// A named site watched on its own (a beach, a square, a stadium's surroundings).
        Site,
    }
}

mirror_enum! {
    /// Kind of venue.
    VenueKind => VenueKind {
        /// Stadium.
        Stadium,
        /// Beach.
        Beach,
        /// Street or avenue.
        Street,
        /// Square.
        Square,
        /// Park or garden.
        Park,
        /// Concert, sports or exhibition hall.
        Hall,
        /// Port or quay.
        Port,
        /// Museum.
        Museum,
        /// Monument or place of worship.
        Monument,
        /// Hospital: a sensitive site.
        Hospital,
        /// Railway or transit station.
        Station,
        /// Any other kind.
        Other,
    }
}

mirror_enum! {
    /// Access class of a site for rescuers: the E1 factor of the national DPS grid.
    AccessClass => AccessClass {
        /// Permanent building or public road with clear access (E1 = 0.25).
        Clear,
        /// Temporary stands or marquees, natural area up to 2 ha, stretcher carry of 150 to 300 m (E1 = 0.30).
        Moderate,
        /// Natural area of 2 to 5 ha, carry of 300 to 600 m, other difficult access (E1 = 0.35).
        Difficult,
        /// Natural area over 5 ha, carry over 600 m, banks, stairs, rescuers slowed by the crowd (E1 = 0.40).
        VeryDifficult,
    }
}

mirror_enum! {
    /// Whether an organization is a municipal service or a partner agency.
    OrganizationKind => OrganizationKind {
        /// A service of the city.
        Municipal,
        /// An agency outside the city sharing data under an agreement.
        Partner,
    }
}

mirror_enum! {
    /// Category of an event.
    EventCategory => EventCategory {
        /// Football match.
        FootballMatch,
        /// Concert.
        Concert,
        /// Festival.
        Festival,
        /// Market.
        Market,
        /// Demonstration declared to the prefecture.
        Demonstration,
        /// Official visit.
        OfficialVisit,
        /// Cultural event: show, exhibition, screening.
        Cultural,
        /// Sports event other than football.
        Sports,
        /// Nautical event.
        Nautical,
        /// Religious celebration or pilgrimage.
        Religious,
        /// Anything else.
        Other,
    }
}

mirror_enum! {
    /// How the public behaves: the P2 factor of the national DPS grid.
    PublicProfile => PublicProfile {
        /// Seated public (P2 = 0.25).
        Seated,
        /// Standing public (P2 = 0.30).
        Standing,
        /// Standing, static public, e.g. in front of a stage (P2 = 0.35).
        StandingStatic,
        /// Standing, moving public, e.g. a parade or a market (P2 = 0.40).
        StandingDynamic,
    }
}

mirror_enum! {
    /// Planning status of an event.
    EventStatus => EventStatus {
        /// Announced, not yet confirmed.
        Planned,
        /// Confirmed by its organizer.
        Confirmed,
        /// Postponed to later dates.
        Postponed,
        /// Moved to another venue.
        Moved,
        /// Cancelled.
        Cancelled,
    }
}

mirror_enum! {
    /// Kind of resource planned for an event.
    ResourceKind => ResourceKind {
        /// Municipal police officers.
        MunicipalPolice,
        /// National police officers.
        NationalPolice,
        /// Fire and rescue staff (marins-pompiers).
        FireRescue,
        /// First-aid workers of an approved association (DPS).
        FirstAid,
        /// Stewards employed by the organizer.
        Stewards,
        /// Operators at the urban supervision centre.
        VideoOperators,
        /// Extra transit capacity (vehicles or staff).
        TransitReinforcement,
    }
}

/// Why events are flagged on the agenda.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConflictKind {
    /// Two events overlap in time at the same venue.
    SameVenueOverlap,
    /// Overlapping events in one arrondissement expect more people than its venues hold.
    ZoneOverCapacity,
    /// An event has no planned deployment.
    NoDeployment,
}

impl From<crate::services::conflicts::ConflictKind> for ConflictKind {
    fn from(kind: crate::services::conflicts::ConflictKind) -> Self {
        use crate::services::conflicts::ConflictKind as K;
        match kind {
            K::SameVenueOverlap => ConflictKind::SameVenueOverlap,
            K::ZoneOverCapacity => ConflictKind::ZoneOverCapacity,
            K::NoDeployment => ConflictKind::NoDeployment,
        }
    }
}
