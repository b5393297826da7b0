"""initial schema: practice, payers, patients, encounters, claims, batches and the append-only ledger

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trading_partner", sa.String(length=15), nullable=False),
        sa.Column("interchange_control", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("trading_partner", "interchange_control", name=op.f("uq_batches_trading_partner")),
    )
    op.create_table(
        "billing_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=False),
        sa.Column("tax_id", sa.String(length=9), nullable=False),
        sa.Column("taxonomy", sa.String(length=10), nullable=False),
        sa.Column("phone", sa.String(length=15), nullable=False),
        sa.Column("address1", sa.String(length=55), nullable=False),
        sa.Column("address2", sa.String(length=55), nullable=False),
        sa.Column("city", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("postal_code", sa.String(length=15), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_providers")),
        sa.UniqueConstraint("npi", name=op.f("uq_billing_providers_npi")),
    )
    op.create_table(
        "charge_master",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("modifier", sa.String(length=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charge_master")),
        sa.UniqueConstraint("code", "modifier", "effective_from", name=op.f("uq_charge_master_code")),
    )
    op.create_table(
        "control_numbers",
        sa.Column("trading_partner", sa.String(length=15), nullable=False),
        sa.Column("last_interchange", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("trading_partner", name=op.f("pk_control_numbers")),
    )
    op.create_table(
        "facilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=False),
        sa.Column("place_of_service", sa.String(length=2), nullable=False),
        sa.Column("locality", sa.String(length=12), nullable=False),
        sa.Column("address1", sa.String(length=55), nullable=False),
        sa.Column("address2", sa.String(length=55), nullable=False),
        sa.Column("city", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("postal_code", sa.String(length=15), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
        sa.UniqueConstraint("name", name=op.f("uq_facilities_name")),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("reverses", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_ledger_entries_entry_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_ledger_entries_idempotency_key")),
        sa.UniqueConstraint("reverses", name=op.f("uq_ledger_entries_reverses")),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_number", sa.String(length=38), nullable=False),
        sa.Column("last_name", sa.String(length=60), nullable=False),
        sa.Column("first_name", sa.String(length=35), nullable=False),
        sa.Column("middle_name", sa.String(length=25), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("address1", sa.String(length=55), nullable=False),
        sa.Column("address2", sa.String(length=55), nullable=False),
        sa.Column("city", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("postal_code", sa.String(length=15), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("account_number", name=op.f("uq_patients_account_number")),
    )
    op.create_table(
        "payers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("claim_filing_indicator", sa.String(length=2), nullable=False),
        sa.Column("timely_filing_days", sa.Integer(), nullable=False),
        sa.Column("trading_partner", sa.String(length=15), nullable=False),
        sa.Column("address1", sa.String(length=55), nullable=False),
        sa.Column("address2", sa.String(length=55), nullable=False),
        sa.Column("city", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("postal_code", sa.String(length=15), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payers")),
        sa.UniqueConstraint("payer_id", name=op.f("uq_payers_payer_id")),
    )
    op.create_table(
        "providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_name", sa.String(length=60), nullable=False),
        sa.Column("first_name", sa.String(length=35), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=False),
        sa.Column("taxonomy", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
        sa.UniqueConstraint("npi", name=op.f("uq_providers_npi")),
    )
    op.create_table(
        "contract_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["payer_id"], ["payers.id"], name=op.f("fk_contract_rates_payer_id_payers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_rates")),
    )
    op.create_table(
        "coverages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=80), nullable=False),
        sa.Column("group_number", sa.String(length=50), nullable=False),
        sa.Column("relationship_code", sa.String(length=2), nullable=False),
        sa.Column("subscriber_last_name", sa.String(length=60), nullable=False),
        sa.Column("subscriber_first_name", sa.String(length=35), nullable=False),
        sa.Column("subscriber_birth_date", sa.Date(), nullable=True),
        sa.Column("subscriber_sex", sa.String(length=1), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_coverages_patient_id_patients")),
        sa.ForeignKeyConstraint(["payer_id"], ["payers.id"], name=op.f("fk_coverages_payer_id_payers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverages")),
        sa.UniqueConstraint("patient_id", "payer_id", "member_id", name=op.f("uq_coverages_patient_id")),
    )
    op.create_table(
        "encounters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("billing_provider_id", sa.Integer(), nullable=False),
        sa.Column("rendering_provider_id", sa.Integer(), nullable=True),
        sa.Column("referring_provider_id", sa.Integer(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("place_of_service", sa.String(length=2), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("diagnoses", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["billing_provider_id"],
            ["billing_providers.id"],
            name=op.f("fk_encounters_billing_provider_id_billing_providers"),
        ),
        sa.ForeignKeyConstraint(["facility_id"], ["facilities.id"], name=op.f("fk_encounters_facility_id_facilities")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_encounters_patient_id_patients")),
        sa.ForeignKeyConstraint(
            ["referring_provider_id"], ["providers.id"], name=op.f("fk_encounters_referring_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["rendering_provider_id"], ["providers.id"], name=op.f("fk_encounters_rendering_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encounters")),
        sa.UniqueConstraint("external_id", name=op.f("uq_encounters_external_id")),
    )
    op.create_table(
        "ledger_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=24), nullable=False),
        sa.Column("claim_number", sa.String(length=38), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("payer_id", sa.String(length=80), nullable=True),
        sa.Column("coverage_order", sa.String(length=10), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["ledger_entries.id"], name=op.f("fk_ledger_postings_entry_id_ledger_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_postings")),
    )
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_postings_claim_number"), ["claim_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_postings_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "charges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("encounter_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("modifiers", sa.String(length=11), nullable=False),
        sa.Column("units", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("pointers", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("expected", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("revenue_code", sa.String(length=4), nullable=False),
        sa.Column("ndc", sa.String(length=11), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["encounter_id"], ["encounters.id"], name=op.f("fk_charges_encounter_id_encounters")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
        sa.UniqueConstraint("encounter_id", "line", name=op.f("uq_charges_encounter_id")),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_number", sa.String(length=38), nullable=False),
        sa.Column("encounter_id", sa.Integer(), nullable=False),
        sa.Column("coverage_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("frequency_code", sa.String(length=1), nullable=False),
        sa.Column("original_claim_id", sa.Integer(), nullable=True),
        sa.Column("payer_claim_control_number", sa.String(length=50), nullable=False),
        sa.Column("type_of_bill", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["coverage_id"], ["coverages.id"], name=op.f("fk_claims_coverage_id_coverages")),
        sa.ForeignKeyConstraint(["encounter_id"], ["encounters.id"], name=op.f("fk_claims_encounter_id_encounters")),
        sa.ForeignKeyConstraint(["original_claim_id"], ["claims.id"], name=op.f("fk_claims_original_claim_id_claims")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("claim_number", name=op.f("uq_claims_claim_number")),
    )
    op.create_table(
        "batch_claims",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_batch_claims_batch_id_batches")),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_batch_claims_claim_id_claims")),
        sa.PrimaryKeyConstraint("batch_id", "claim_id", name=op.f("pk_batch_claims")),
    )
    op.create_table(
        "claim_diagnoses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_claim_diagnoses_claim_id_claims")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_diagnoses")),
        sa.UniqueConstraint("claim_id", "position", name=op.f("uq_claim_diagnoses_claim_id")),
    )
    op.create_table(
        "claim_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_claim_events_claim_id_claims")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_events")),
    )
    op.create_table(
        "claim_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("charge_id", sa.Integer(), nullable=False),
        sa.Column("diagnosis_pointers", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(["charge_id"], ["charges.id"], name=op.f("fk_claim_lines_charge_id_charges")),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_claim_lines_claim_id_claims")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_lines")),
        sa.UniqueConstraint("claim_id", "line", name=op.f("uq_claim_lines_claim_id")),
    )
    op.create_index(op.f("ix_claims_encounter_id"), "claims", ["encounter_id"])
    op.create_index(op.f("ix_claim_events_claim_id"), "claim_events", ["claim_id"])
    _append_only()


APPEND_ONLY = ("ledger_entries", "ledger_postings")


def _append_only() -> None:
    """Posted ledger rows can never change: the database refuses UPDATE and DELETE on them (on PostgreSQL and on
    SQLite), whatever code runs against it."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION medbill_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'medbill: % is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION medbill_append_only()"
            )
    elif bind.dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'medbill: {table} is append-only'); END"
                )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS medbill_append_only()")
    op.drop_table("claim_lines")
    op.drop_table("claim_events")
    op.drop_table("claim_diagnoses")
    op.drop_table("batch_claims")
    op.drop_table("claims")
    op.drop_table("charges")
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_postings_entry_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_postings_claim_number"))

    op.drop_table("ledger_postings")
    op.drop_table("encounters")
    op.drop_table("coverages")
    op.drop_table("contract_rates")
    op.drop_table("providers")
    op.drop_table("payers")
    op.drop_table("patients")
    op.drop_table("ledger_entries")
    op.drop_table("facilities")
    op.drop_table("control_numbers")
    op.drop_table("charge_master")
    op.drop_table("billing_providers")
    op.drop_table("batches")
