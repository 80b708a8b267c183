//! Who may see data as it was recorded (DESIGN §5, §6): raw access belongs to the
//! organization that owns the data, never to a role alone. A supervisor reads the
//! city's records because the supervision team works for the city that recorded
//! them, not because of the word "supervisor": the same role in a partner agency
//! reaches no city data, and no partner's raw counts reach the city.
//!
//! The register of organizations says which are services of the city (one data
//! controller, the city) and which are partner agencies (each its own controller).
//! An account whose role says one and whose organization says the other contradicts
//! the register, and [`account_fits_register`] refuses it.

use std::fmt;

use crate::permissions::OrgId;
use crate::roles::Role;

/// An organization as the register of organizations describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Holder {
    /// A service of the city: all of them work for one data controller.
    Municipal(OrgId),
    /// A partner agency: its own data controller.
    Partner(OrgId),
}

impl Holder {
    /// The organization's id.
    pub fn id(self) -> OrgId {
        match self {
            Holder::Municipal(id) | Holder::Partner(id) => id,
        }
    }
}

/// How a viewer may see one data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// As recorded: the owner's own view.
    Raw,
    /// Under disclosure control, as anyone outside the owner sees it.
    Controlled,
}

/// How a viewer of `role` in organization `viewer` may see data owned by `owner`.
///
/// Raw when the viewer works for the data's controller: its own organization, or,
/// for the city's data, a supervisor of a city service (the supervision team
/// reads the city's records). Analysts see aggregates above the thresholds only,
/// even of their own organization (DESIGN §5). Everything else is controlled.
pub fn access(role: Option<Role>, viewer: Option<Holder>, owner: Holder) -> Access {
    let Some(viewer) = viewer else {
        return Access::Controlled;
    };
    match (role, viewer, owner) {
        (Some(Role::Analyst), _, _) => Access::Controlled,
        _ if viewer.id() == owner.id() => Access::Raw,
        (Some(Role::Supervisor), Holder::Municipal(_), Holder::Municipal(_)) => Access::Raw,
        _ => Access::Controlled,
    }
}

/// Whether a person of `role` in organization `viewer` may read the records
/// (record-level data) of a source owned by `owner`.
pub fn may_read_records(role: Option<Role>, viewer: Option<Holder>, owner: Holder) -> bool {
    access(role, viewer, owner) == Access::Raw
}

/// Why an account contradicts the register of organizations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contradiction {
    /// Every account belongs to an organization.
    NoOrganization(Role),
    /// A role of the city's staff in a partner agency.
    CityRoleInPartner(Role),
    /// The partner role in a service of the city.
    PartnerRoleInCity,
}

impl Contradiction {
    /// The stable machine code.
    pub fn code(self) -> &'static str {
        match self {
            Contradiction::NoOrganization(_) => "NO_ORGANIZATION",
            Contradiction::CityRoleInPartner(_) => "CITY_ROLE_IN_PARTNER_ORGANIZATION",
            Contradiction::PartnerRoleInCity => "PARTNER_ROLE_IN_CITY_ORGANIZATION",
        }
    }
}

impl fmt::Display for Contradiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Contradiction::NoOrganization(role) => {
                write!(
                    f,
                    "a {} account must belong to an organization",
                    role.as_str()
                )
            }
            Contradiction::CityRoleInPartner(role) => write!(
                f,
                "the {} role is for the city's staff: a partner agency's people get the partner role",
                role.as_str()
            ),
            Contradiction::PartnerRoleInCity => f.write_str(
                "the partner role is for partner agencies: the city's staff get a city role",
            ),
        }
    }
}

/// Whether an account of `role` in `organization` agrees with the register: the
/// city's roles (admin, supervisor, analyst, DPO) in a city service, the partner
/// role in a partner agency.
pub fn account_fits_register(
    role: Role,
    organization: Option<Holder>,
) -> Result<(), Contradiction> {
    match (role, organization) {
        (_, None) => Err(Contradiction::NoOrganization(role)),
        (Role::Partner, Some(Holder::Partner(_))) => Ok(()),
        (Role::Partner, Some(Holder::Municipal(_))) => Err(Contradiction::PartnerRoleInCity),
        (_, Some(Holder::Municipal(_))) => Ok(()),
        (_, Some(Holder::Partner(_))) => Err(Contradiction::CityRoleInPartner(role)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSU: Holder = Holder::Municipal(OrgId(1));
    const POLICE: Holder = Holder::Municipal(OrgId(2));
    const RTM: Holder = Holder::Partner(OrgId(7));
    const OPERATORS: Holder = Holder::Partner(OrgId(9));

    #[test]
    fn raw_access_follows_the_owner_never_the_role_alone() {
        // (role, viewer's organization, owner, expected)
        let cases = [
            (Role::Supervisor, Some(CSU), CSU, Access::Raw),
            (Role::Supervisor, Some(CSU), POLICE, Access::Raw),
            (Role::Supervisor, Some(RTM), CSU, Access::Controlled),
            (Role::Supervisor, Some(CSU), OPERATORS, Access::Controlled),
            (Role::Supervisor, None, CSU, Access::Controlled),
            (Role::Admin, Some(CSU), POLICE, Access::Controlled),
            (Role::Analyst, Some(CSU), CSU, Access::Controlled),
            (Role::Partner, Some(OPERATORS), OPERATORS, Access::Raw),
            (Role::Partner, Some(RTM), OPERATORS, Access::Controlled),
            (Role::Dpo, Some(CSU), RTM, Access::Controlled),
        ];
        for (role, viewer, owner, expected) in cases {
            assert_eq!(
                access(Some(role), viewer, owner),
                expected,
                "{role:?} of {viewer:?} on data of {owner:?}"
            );
        }
        assert_eq!(
            access(None, Some(RTM), RTM),
            Access::Raw,
            "a token of the owner"
        );
        assert_eq!(access(None, Some(RTM), CSU), Access::Controlled);
        assert!(!may_read_records(Some(Role::Supervisor), Some(RTM), CSU));
    }

    #[test]
    fn accounts_whose_role_contradicts_their_organization_are_refused() {
        assert_eq!(account_fits_register(Role::Supervisor, Some(CSU)), Ok(()));
        assert_eq!(account_fits_register(Role::Partner, Some(RTM)), Ok(()));
        let refused = account_fits_register(Role::Supervisor, Some(RTM)).unwrap_err();
        assert_eq!(refused.code(), "CITY_ROLE_IN_PARTNER_ORGANIZATION");
        assert!(refused.to_string().contains("supervisor"), "{refused}");
        assert_eq!(
            account_fits_register(Role::Partner, Some(CSU)),
            Err(Contradiction::PartnerRoleInCity)
        );
        assert_eq!(
            account_fits_register(Role::Dpo, None),
            Err(Contradiction::NoOrganization(Role::Dpo))
        );
    }
}
