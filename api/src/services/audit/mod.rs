//! The audit log for the Data Protection Officer: one entry per operation, allowed,
//! denied or failed, append-only and hash-chained.
//!
//! `hash = SHA-256(previous hash || canonical entry)`, where the canonical entry is a
//! JSON object with a fixed key order and microsecond UTC timestamps. Every writer
//! first locks the single `audit_head` row (a row lock on PostgreSQL, the write lock
//! on SQLite), reads the head, appends and moves the head, in one transaction: the
//! chain never forks, even across server processes.

pub mod query;
pub mod verify;
pub mod writer;

use chrono::{DateTime, SecondsFormat, Utc};
use entity::{audit_entry, audit_head};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryOrder};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Hash of "no previous entry".
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry before it takes its place in the chain.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// Role of a person.
    pub role: Option<String>,
    /// Organization of the caller.
    pub organization_id: Option<i64>,
    /// Partner token used.
    pub token_id: Option<i64>,
    /// query, mutation, subscription, http or system.
    pub operation_type: String,
    /// Operation name.
    pub operation_name: String,
    /// Root fields touched, space-separated.
    pub resources: String,
    /// Fields selected, space-separated.
    pub fields: String,
    /// Records returned.
    pub record_count: i64,
    /// Purpose.
    pub purpose: Option<String>,
    /// allowed, denied or error.
    pub outcome: String,
    /// Why denied or failed.
    pub reason: Option<String>,
    /// HTTP request id.
    pub request_id: Option<String>,
}

/// Longest stored actor (an e-mail is at most 254 characters, plus a qualifier).
pub const ACTOR_MAX: usize = 300;
/// Longest stored operation name (a GraphQL name, at most 128 characters).
pub const OPERATION_NAME_MAX: usize = 128;
/// Longest stored list of root fields or selected fields.
pub const FIELDS_MAX: usize = 4_000;
/// Longest stored reason.
pub const REASON_MAX: usize = 1_000;
/// Longest stored short token (role, purpose, outcome, request id, type).
pub const SHORT_MAX: usize = 64;

/// `text` cut to at most `max` characters, marked with `…` when cut.
fn bound(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

impl Draft {
    /// The draft as it may be stored: every string bounded, whatever its source, so
    /// that no caller can make the append-only log grow by more than a few
    /// kilobytes per entry, and the reason (which may quote an input) redacted of
    /// personal data.
    pub fn bounded(self) -> Draft {
        Draft {
            actor: bound(self.actor, ACTOR_MAX),
            role: self.role.map(|r| bound(r, SHORT_MAX)),
            operation_type: bound(self.operation_type, SHORT_MAX),
            operation_name: bound(self.operation_name, OPERATION_NAME_MAX),
            resources: bound(self.resources, FIELDS_MAX),
            fields: bound(self.fields, FIELDS_MAX),
            purpose: self.purpose.map(|p| bound(p, SHORT_MAX)),
            outcome: bound(self.outcome, SHORT_MAX),
            reason: self.reason.map(|r| {
                bound(
                    policies::pii::redact(&bound(r, REASON_MAX * 4)).text,
                    REASON_MAX,
                )
            }),
            request_id: self.request_id.map(|r| bound(r, SHORT_MAX)),
            ..self
        }
    }
}

/// The hashed form of an entry: keys in this order, nothing else.
#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    at: String,
    actor: &'a str,
    role: Option<&'a str>,
    organization_id: Option<i64>,
    token_id: Option<i64>,
    operation_type: &'a str,
    operation_name: &'a str,
    resources: &'a str,
    fields: &'a str,
    record_count: i64,
    purpose: Option<&'a str>,
    outcome: &'a str,
    reason: Option<&'a str>,
    request_id: Option<&'a str>,
}

/// The canonical serialization of a stored entry.
pub fn canonical(entry: &audit_entry::Model) -> String {
    let canonical = Canonical {
        seq: entry.seq,
        at: entry.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        actor: &entry.actor,
        role: entry.role.as_deref(),
        organization_id: entry.organization_id,
        token_id: entry.token_id,
        operation_type: &entry.operation_type,
        operation_name: &entry.operation_name,
        resources: &entry.resources,
        fields: &entry.fields,
        record_count: entry.record_count,
        purpose: entry.purpose.as_deref(),
        outcome: &entry.outcome,
        reason: entry.reason.as_deref(),
        request_id: entry.request_id.as_deref(),
    };
    serde_json::to_string(&canonical).unwrap_or_default()
}

/// `SHA-256(previous hash || canonical)`, hex.
pub fn chain_hash(prev: &str, canonical: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(canonical.as_bytes());
    hex::encode(hasher.finalize())
}

fn truncate_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    // Both databases keep microseconds; hashing what is stored keeps verification exact.
    let micros = at.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(at)
}

/// The drafts as the entries that follow `seq` and `prev` in the chain, each
/// bounded and hashed.
fn chained(drafts: Vec<Draft>, mut seq: i64, mut prev: String) -> Vec<audit_entry::Model> {
    drafts
        .into_iter()
        .map(|draft| link(draft, &mut seq, &mut prev))
        .collect()
}

/// The entry that follows `seq` and `prev` in the chain, which then point at it.
fn link(draft: Draft, seq: &mut i64, prev: &mut String) -> audit_entry::Model {
    let draft = draft.bounded();
    *seq += 1;
    let mut model = audit_entry::Model {
        seq: *seq,
        at: truncate_micros(draft.at),
        actor: draft.actor,
        role: draft.role,
        organization_id: draft.organization_id,
        token_id: draft.token_id,
        operation_type: draft.operation_type,
        operation_name: draft.operation_name,
        resources: draft.resources,
        fields: draft.fields,
        record_count: draft.record_count,
        purpose: draft.purpose,
        outcome: draft.outcome,
        reason: draft.reason,
        request_id: draft.request_id,
        prev_hash: std::mem::take(prev),
        hash: String::new(),
    };
    model.hash = chain_hash(&model.prev_hash, &canonical(&model));
    prev.clone_from(&model.hash);
    model
}

/// The size of the `COPY` messages that carry a batch of entries.
const COPY_PIECE_BYTES: usize = 32 * 1024;

/// Appends drafts to the chain in a transaction of their own on PostgreSQL, the
/// rows sent by `COPY` rather than as statements: the batches of the audit's
/// writer, which is what bounds the throughput of audited reads under load.
pub async fn append_by_copy(pool: &sea_orm::sqlx::PgPool, drafts: &[Draft]) -> Result<(), DbErr> {
    use sea_orm::sqlx;
    if drafts.is_empty() {
        return Ok(());
    }
    let failed = |err: sqlx::Error| DbErr::Custom(format!("audit batch: {err}"));
    let mut tx = pool.begin().await.map_err(failed)?;
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(failed)?;
    let head = head.ok_or_else(|| DbErr::Custom("audit head row is missing".to_owned()))?;
    // As in `append`: after a row forced in past the head, append after it.
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(failed)?;
    let (mut seq, mut prev) = match last {
        Some(last) if last.0 > head.0 => last,
        _ => head,
    };
    let mut copy = tx
        .copy_in_raw(
            "COPY audit_entry (seq, at, actor, role, organization_id, token_id, \
             operation_type, operation_name, resources, fields, record_count, purpose, \
             outcome, reason, request_id, prev_hash, hash) FROM STDIN",
        )
        .await
        .map_err(failed)?;
    // Each entry is chained and written as it comes, and sent in pieces: neither
    // the batch's rows nor its whole text are ever held (a connection also keeps the
    // capacity of the largest message it has sent).
    let mut data = String::with_capacity(COPY_PIECE_BYTES + 4096);
    for draft in drafts {
        let model = link(draft.clone(), &mut seq, &mut prev);
        copy_line(&mut data, &model);
        if data.len() >= COPY_PIECE_BYTES {
            copy.send(data.as_bytes()).await.map_err(failed)?;
            data.clear();
        }
    }
    if !data.is_empty() {
        copy.send(data.as_bytes()).await.map_err(failed)?;
    }
    copy.finish().await.map_err(failed)?;
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&prev)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
    tx.commit().await.map_err(failed)
}

/// One entry as a line of `COPY`'s text format: tab-separated, `\N` for null,
/// backslashes, tabs and line breaks escaped.
fn copy_line(out: &mut String, m: &audit_entry::Model) {
    fn text(out: &mut String, value: &str) {
        for c in value.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
    }
    fn optional(out: &mut String, value: Option<&str>) {
        match value {
            Some(value) => text(out, value),
            None => out.push_str("\\N"),
        }
    }
    let number = |n: Option<i64>| n.map(|n| n.to_string());
    out.push_str(&m.seq.to_string());
    out.push('\t');
    out.push_str(&m.at.to_rfc3339_opts(SecondsFormat::Micros, true));
    out.push('\t');
    text(out, &m.actor);
    out.push('\t');
    optional(out, m.role.as_deref());
    out.push('\t');
    optional(out, number(m.organization_id).as_deref());
    out.push('\t');
    optional(out, number(m.token_id).as_deref());
    for value in [
        &m.operation_type,
        &m.operation_name,
        &m.resources,
        &m.fields,
    ] {
        out.push('\t');
        text(out, value);
    }
    out.push('\t');
    out.push_str(&m.record_count.to_string());
    out.push('\t');
    optional(out, m.purpose.as_deref());
    out.push('\t');
    text(out, &m.outcome);
    out.push('\t');
    optional(out, m.reason.as_deref());
    out.push('\t');
    optional(out, m.request_id.as_deref());
    out.push('\t');
    text(out, &m.prev_hash);
    out.push('\t');
    text(out, &m.hash);
    out.push('\n');
}

/// Appends drafts to the chain inside the caller's transaction; returns their
/// sequence numbers. The head row lock is held until the caller commits.
pub async fn append<C: ConnectionTrait>(db: &C, drafts: Vec<Draft>) -> Result<Vec<i64>, DbErr> {
    if drafts.is_empty() {
        return Ok(Vec::new());
    }
    db.execute_unprepared("UPDATE audit_head SET seq = seq WHERE id = 1")
        .await?;
    let head = audit_head::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::Custom("audit head row is missing".to_owned()))?;
    // The head is the source of truth, but should a row have been forced in past it
    // (tampering, which verification reports), appending after the last row keeps
    // the log writable instead of failing every operation.
    let last = audit_entry::Entity::find()
        .order_by_desc(audit_entry::Column::Seq)
        .one(db)
        .await?;
    let (seq, prev) = match last {
        Some(last) if last.seq > head.seq => (last.seq, last.hash),
        _ => (head.seq, head.hash),
    };
    let models = chained(drafts, seq, prev);
    let seqs: Vec<i64> = models.iter().map(|m| m.seq).collect();
    let (seq, prev) = models
        .last()
        .map(|m| (m.seq, m.hash.clone()))
        .unwrap_or_default();
    let rows: Vec<audit_entry::ActiveModel> = models
        .into_iter()
        .map(audit_entry::ActiveModel::from)
        .collect();
    // Inserted in runs of a power of two rows, at most 512 (8,192 values, within
    // both PostgreSQL's and SQLite's bound on a statement's parameters): the
    // connections' caches of prepared statements then hold ten shapes, not one per
    // batch size (each a statement of up to 512 rows, kept on both sides).
    let mut rest = rows.as_slice();
    while !rest.is_empty() {
        let run = (1usize << rest.len().ilog2()).min(512);
        let (chunk, tail) = rest.split_at(run);
        audit_entry::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
        rest = tail;
    }
    audit_head::Entity::update(audit_head::ActiveModel {
        id: Set(1),
        seq: Set(seq),
        hash: Set(prev),
    })
    .exec(db)
    .await?;
    Ok(seqs)
}
