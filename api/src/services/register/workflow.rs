//! The DPIA workflow as a pure table: who may take each step, and from which
//! status to which. draft -> submitted (to the DPO) -> DPO opinion -> validated or
//! rejected -> submitted to the CNIL -> CNIL answer. Validated states are frozen: a
//! change makes a new version.

use entity::register::dpia::DpiaStatus;

/// A step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Draft a new DPIA (or import one).
    Create,
    /// Change the content.
    Update,
    /// Send to the DPO.
    Submit,
    /// Record the DPO's opinion and evaluations.
    RecordDpoOpinion,
    /// Validate, as the controller.
    Validate,
    /// Reject, as the controller.
    Reject,
    /// Record the submission to the CNIL.
    SubmitToCnil,
    /// Record the CNIL's answer.
    RecordCnilAnswer,
}

impl Step {
    /// Every step, for tests.
    pub const ALL: [Step; 8] = [
        Step::Create,
        Step::Update,
        Step::Submit,
        Step::RecordDpoOpinion,
        Step::Validate,
        Step::Reject,
        Step::SubmitToCnil,
        Step::RecordCnilAnswer,
    ];

    /// What the step is called in messages.
    pub fn label(self) -> &'static str {
        match self {
            Step::Create => "draft a DPIA",
            Step::Update => "change a DPIA",
            Step::Submit => "submit a DPIA to the DPO",
            Step::RecordDpoOpinion => "record the DPO's opinion",
            Step::Validate => "validate a DPIA",
            Step::Reject => "reject a DPIA",
            Step::SubmitToCnil => "record a submission to the CNIL",
            Step::RecordCnilAnswer => "record the CNIL's answer",
        }
    }
}

/// What a step does to a DPIA in a given status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The version moves to this status (possibly the same one).
    Moves(DpiaStatus),
    /// The version is frozen: the change makes a new draft version.
    NewVersion,
}

/// Whether a DPIA in `status` is frozen (its content can no longer change).
pub fn is_frozen(status: DpiaStatus) -> bool {
    matches!(
        status,
        DpiaStatus::Validated
            | DpiaStatus::SubmittedToCnil
            | DpiaStatus::CnilAnswered
            | DpiaStatus::Superseded
    )
}

/// Whether a DPIA in `status` lets its processing activity's sources run: validated,
/// and not disallowed by the CNIL.
pub fn opens_gate(status: DpiaStatus, cnil_favourable: Option<bool>) -> bool {
    match status {
        DpiaStatus::Validated | DpiaStatus::SubmittedToCnil => true,
        DpiaStatus::CnilAnswered => cnil_favourable != Some(false),
        _ => false,
    }
}

/// The outcome of `step` on a DPIA in `status`, or why it is not allowed.
pub fn transition(step: Step, status: DpiaStatus) -> Result<Outcome, &'static str> {
    use DpiaStatus as S;
    match (step, status) {
        (Step::Update, S::Draft | S::Rejected) => Ok(Outcome::Moves(S::Draft)),
        (Step::Update, S::Validated | S::SubmittedToCnil | S::CnilAnswered) => {
            Ok(Outcome::NewVersion)
        }
        (Step::Update, S::Submitted | S::DpoReviewed) => {
            Err("it is under review; wait for the controller's decision")
        }
        (Step::Update, S::Superseded) => Err("it is superseded; change the latest version"),
        (Step::Submit, S::Draft) => Ok(Outcome::Moves(S::Submitted)),
        (Step::Submit, _) => Err("only a draft can be submitted to the DPO"),
        (Step::RecordDpoOpinion, S::Submitted | S::DpoReviewed) => {
            Ok(Outcome::Moves(S::DpoReviewed))
        }
        (Step::RecordDpoOpinion, _) => Err("the DPO gives an opinion on a submitted DPIA only"),
        (Step::Validate, S::DpoReviewed) => Ok(Outcome::Moves(S::Validated)),
        (Step::Validate, _) => Err("only a DPIA with the DPO's opinion can be validated"),
        (Step::Reject, S::DpoReviewed) => Ok(Outcome::Moves(S::Rejected)),
        (Step::Reject, _) => Err("only a DPIA with the DPO's opinion can be rejected"),
        (Step::SubmitToCnil, S::Validated) => Ok(Outcome::Moves(S::SubmittedToCnil)),
        (Step::SubmitToCnil, _) => Err("only a validated DPIA can be submitted to the CNIL"),
        (Step::RecordCnilAnswer, S::SubmittedToCnil) => Ok(Outcome::Moves(S::CnilAnswered)),
        (Step::RecordCnilAnswer, _) => Err("the CNIL answers a DPIA submitted to it only"),
        (Step::Create, _) => Err("a DPIA is created, not moved, by this step"),
    }
}

/// CNIL PIA tool status code: 0 in progress, 1 rejected, 2 simple validation,
/// 3 signed validation, 4 archived.
pub fn cnil_status(status: DpiaStatus, signed: bool) -> i32 {
    match status {
        DpiaStatus::Draft | DpiaStatus::Submitted | DpiaStatus::DpoReviewed => 0,
        DpiaStatus::Rejected => 1,
        DpiaStatus::Validated | DpiaStatus::SubmittedToCnil | DpiaStatus::CnilAnswered => {
            if signed { 3 } else { 2 }
        }
        DpiaStatus::Superseded => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iterable;

    #[test]
    fn the_happy_path_reaches_the_cnil_answer() {
        let path = [
            (Step::Submit, DpiaStatus::Submitted),
            (Step::RecordDpoOpinion, DpiaStatus::DpoReviewed),
            (Step::Validate, DpiaStatus::Validated),
            (Step::SubmitToCnil, DpiaStatus::SubmittedToCnil),
            (Step::RecordCnilAnswer, DpiaStatus::CnilAnswered),
        ];
        let mut status = DpiaStatus::Draft;
        for (step, expected) in path {
            assert_eq!(
                transition(step, status),
                Ok(Outcome::Moves(expected)),
                "{step:?} from {status:?}"
            );
            status = expected;
        }
    }

    #[test]
    fn each_step_is_allowed_from_exactly_the_expected_statuses() {
        use DpiaStatus as S;
        let allowed: &[(Step, &[S])] = &[
            (Step::Create, &[]),
            (
                Step::Update,
                &[
                    S::Draft,
                    S::Rejected,
                    S::Validated,
                    S::SubmittedToCnil,
                    S::CnilAnswered,
                ],
            ),
            (Step::Submit, &[S::Draft]),
            (Step::RecordDpoOpinion, &[S::Submitted, S::DpoReviewed]),
            (Step::Validate, &[S::DpoReviewed]),
            (Step::Reject, &[S::DpoReviewed]),
            (Step::SubmitToCnil, &[S::Validated]),
            (Step::RecordCnilAnswer, &[S::SubmittedToCnil]),
        ];
        for (step, from) in allowed {
            for status in S::iter() {
                assert_eq!(
                    transition(*step, status).is_ok(),
                    from.contains(&status),
                    "{step:?} from {status:?}"
                );
            }
        }
    }

    #[test]
    fn changing_a_frozen_dpia_makes_a_new_version() {
        for status in DpiaStatus::iter() {
            let new_version = transition(Step::Update, status) == Ok(Outcome::NewVersion);
            assert_eq!(
                new_version,
                is_frozen(status) && status != DpiaStatus::Superseded,
                "{status:?}"
            );
        }
    }

    #[test]
    fn the_gate_opens_on_validated_states_unless_the_cnil_objects() {
        use DpiaStatus as S;
        for status in S::iter() {
            let expected = matches!(status, S::Validated | S::SubmittedToCnil | S::CnilAnswered);
            assert_eq!(opens_gate(status, None), expected, "{status:?}");
        }
        assert!(!opens_gate(S::CnilAnswered, Some(false)));
        assert!(opens_gate(S::CnilAnswered, Some(true)));
    }

    #[test]
    fn cnil_status_codes_follow_the_tool() {
        assert_eq!(cnil_status(DpiaStatus::Draft, false), 0);
        assert_eq!(cnil_status(DpiaStatus::Rejected, false), 1);
        assert_eq!(cnil_status(DpiaStatus::Validated, false), 2);
        assert_eq!(cnil_status(DpiaStatus::CnilAnswered, true), 3);
        assert_eq!(cnil_status(DpiaStatus::Superseded, true), 4);
    }
}
