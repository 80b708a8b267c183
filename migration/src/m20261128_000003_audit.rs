//! The audit log: entries, the chain head, and the triggers that make entries
//! append-only on both databases.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// Creates the audit tables and triggers.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// Hash of "no previous entry".
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEntry::Table)
                    .col(big_integer(AuditEntry::Seq).primary_key())
                    .col(timestamp_with_time_zone(AuditEntry::At))
                    .col(string(AuditEntry::Actor))
                    .col(string_len_null(AuditEntry::Role, 16))
                    .col(big_integer_null(AuditEntry::OrganizationId))
                    .col(big_integer_null(AuditEntry::TokenId))
                    .col(string_len(AuditEntry::OperationType, 16))
                    .col(string(AuditEntry::OperationName))
                    .col(text(AuditEntry::Resources))
                    .col(text(AuditEntry::Fields))
                    .col(big_integer(AuditEntry::RecordCount))
                    .col(string_len_null(AuditEntry::Purpose, 32))
                    .col(string_len(AuditEntry::Outcome, 16))
                    .col(text_null(AuditEntry::Reason))
                    .col(string_len_null(AuditEntry::RequestId, 64))
                    .col(string_len(AuditEntry::PrevHash, 64))
                    .col(string_len(AuditEntry::Hash, 64))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_audit_at", vec![AuditEntry::At]),
            (
                "idx_audit_actor_at",
                vec![AuditEntry::Actor, AuditEntry::At],
            ),
            (
                "idx_audit_outcome_at",
                vec![AuditEntry::Outcome, AuditEntry::At],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(AuditEntry::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AuditHead::Table)
                    .col(integer(AuditHead::Id).primary_key())
                    .col(big_integer(AuditHead::Seq))
                    .col(string_len(AuditHead::Hash, 64))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '{GENESIS}')"
        ))
        .await?;
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$;
                     CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_entry
                       FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
                     CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
                       FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();",
                )
                .await?;
            }
            _ => {
                // SQLite has no TRUNCATE: a DELETE without WHERE fires the row trigger
                // (triggers disable its truncate optimisation).
                db.execute_unprepared(
                    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
                     BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END;
                     CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
                     BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END;",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS audit_entry_append_only() CASCADE")
                .await?;
        }
        manager
            .drop_table(Table::drop().table(AuditHead::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuditEntry::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone)]
enum AuditEntry {
    Table,
    Seq,
    At,
    Actor,
    Role,
    OrganizationId,
    TokenId,
    OperationType,
    OperationName,
    Resources,
    Fields,
    RecordCount,
    Purpose,
    Outcome,
    Reason,
    RequestId,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}
