//! Verification of the chain: every entry's hash recomputed, every link and every
//! sequence number checked, and the head compared with the last entry, so that a
//! changed, deleted or inserted entry is found at its sequence number.

use entity::{audit_entry, audit_head};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::ApiResult;
use crate::services::audit::{GENESIS, canonical, chain_hash};

/// Entries read per query while verifying.
const PAGE: u64 = 5_000;

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Whether the whole chain holds.
    pub ok: bool,
    /// Entries checked.
    pub checked: i64,
    /// The first sequence number where the chain breaks.
    pub first_broken_seq: Option<i64>,
    /// What is wrong there.
    pub problem: Option<String>,
}

/// Walks the whole chain.
pub async fn verify<C: ConnectionTrait>(db: &C) -> ApiResult<Verification> {
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_owned();
    let mut checked = 0i64;
    let broken = |seq: i64, checked: i64, why: String| Verification {
        ok: false,
        checked,
        first_broken_seq: Some(seq),
        problem: Some(why),
    };
    loop {
        let page = audit_entry::Entity::find()
            .filter(audit_entry::Column::Seq.gte(expected_seq))
            .order_by_asc(audit_entry::Column::Seq)
            .limit(PAGE)
            .all(db)
            .await?;
        let last_page = (page.len() as u64) < PAGE;
        for entry in page {
            if entry.seq != expected_seq {
                return Ok(broken(
                    expected_seq,
                    checked,
                    format!("entry {expected_seq} is missing"),
                ));
            }
            if entry.prev_hash != prev {
                return Ok(broken(
                    entry.seq,
                    checked,
                    "the link to the previous entry is broken".to_owned(),
                ));
            }
            if chain_hash(&prev, &canonical(&entry)) != entry.hash {
                return Ok(broken(
                    entry.seq,
                    checked,
                    "the entry's content does not match its hash".to_owned(),
                ));
            }
            prev = entry.hash;
            expected_seq += 1;
            checked += 1;
        }
        if last_page {
            break;
        }
    }
    let head = audit_head::Entity::find_by_id(1).one(db).await?;
    match head {
        Some(head) if head.seq == checked && head.hash == prev => Ok(Verification {
            ok: true,
            checked,
            first_broken_seq: None,
            problem: None,
        }),
        Some(head) if head.seq > checked => Ok(broken(
            checked + 1,
            checked,
            format!("entries {} to {} are missing", checked + 1, head.seq),
        )),
        _ => Ok(broken(
            checked.max(1),
            checked,
            "the chain head does not match the last entry".to_owned(),
        )),
    }
}
