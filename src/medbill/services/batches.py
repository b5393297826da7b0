"""837 batches: claims grouped by trading partner, files split at a maximum claim count, control numbers unique
and increasing per partner, every file validated before it is recorded.

Control numbers come from an atomic ``UPDATE … RETURNING`` on the partner's counter row, so two processes
batching at once never share a number (the second waits for the first's row lock, or retries its insert of a
new partner's row). Re-sending a batch rebuilds the same bytes from the same claims, control number and time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from medbill.billing.claim import Contact, Party
from medbill.billing.lifecycle import ClaimStatus
from medbill.errors import Conflict, InvalidInput, NotFound
from medbill.fileio import write_atomic
from medbill.services.claims import claim_model, move
from medbill.store.tables import BatchClaimRow, BatchRow, ClaimRow, ControlNumberRow, CoverageRow, PayerRow
from medbill.x12.validator import ValidationReport, validate_x12
from medbill.x12.writers import write_837

DEFAULT_MAX_CLAIMS = 5000
Validate = Callable[[str], ValidationReport]


@dataclass(frozen=True, slots=True)
class Submitter:
    """Who sends the files (ISA06 / 1000A) and how to reach them."""

    sender_id: str
    name: str
    contact_name: str
    phone: str


@dataclass(frozen=True, slots=True)
class BatchFile:
    batch_id: int
    trading_partner: str
    interchange_control: int
    path: Path
    claims: int
    accepted: bool
    errors: int


def next_control_number(session: Session, partner: str) -> int:
    """The partner's next interchange control number (1..999,999,999, then 1 again)."""
    for _ in range(3):
        value = session.scalar(
            update(ControlNumberRow)
            .where(ControlNumberRow.trading_partner == partner)
            .values(last_interchange=ControlNumberRow.last_interchange % 999_999_999 + 1)
            .returning(ControlNumberRow.last_interchange)
        )
        if value is not None:
            return int(value)
        try:
            with session.begin_nested():
                session.add(ControlNumberRow(trading_partner=partner, last_interchange=1))
            return 1
        except IntegrityError:
            continue  # another transaction created the row first: take the next number from it
    raise Conflict(f"trading partner {partner}: no control number could be taken")


def _partner(session: Session, claim: ClaimRow) -> str:
    payer = session.scalar(
        select(PayerRow)
        .join(CoverageRow, CoverageRow.payer_id == PayerRow.id)
        .where(CoverageRow.id == claim.coverage_id)
    )
    if payer is None:
        raise NotFound(f"claim {claim.claim_number}: no payer")
    return payer.trading_partner or payer.payer_id[:15]


def _render(
    session: Session,
    claims: Sequence[ClaimRow],
    kind: str,
    partner: str,
    control: int,
    created: dt.datetime,
    submitter: Submitter,
) -> str:
    return write_837(
        [claim_model(session, claim) for claim in claims],
        kind="P" if kind == "P" else "I",
        sender=submitter.sender_id,
        receiver=partner,
        submitter=Party(
            "2",
            submitter.name,
            id=submitter.sender_id,
            contact=Contact(submitter.contact_name, (("TE", submitter.phone),)),
        ),
        receiver_party=Party("2", partner, id=partner),
        control_number=control,
        created=created,
        usage="P",
    )


def create_batches(
    session: Session,
    claims: Sequence[ClaimRow],
    *,
    out_dir: Path,
    submitter: Submitter,
    actor: str,
    max_claims: int = DEFAULT_MAX_CLAIMS,
    validate: Validate | None = None,
    created: dt.datetime | None = None,
) -> list[BatchFile]:
    """Write 837 files for ready claims and mark them submitted. A file the validator rejects is still written
    (for inspection) but its claims stay ready and the batch is recorded as not accepted."""
    if not 1 <= max_claims <= 99_999:
        raise InvalidInput(f"max claims per file must be 1..99999, not {max_claims}")
    not_ready = [c.claim_number for c in claims if ClaimStatus(c.status) is not ClaimStatus.READY]
    if not_ready:
        raise Conflict(f"claim {not_ready[0]} is not ready (scrub it first); {len(not_ready)} claim(s) not ready")
    check = validate or (lambda text: validate_x12(text, name="batch"))
    when = (created or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    groups: dict[tuple[str, str], list[ClaimRow]] = {}
    for claim in claims:
        groups.setdefault((_partner(session, claim), claim.kind), []).append(claim)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[BatchFile] = []
    for (partner, kind), members in sorted(groups.items()):
        for start in range(0, len(members), max_claims):
            chunk = members[start : start + max_claims]
            control = next_control_number(session, partner)
            text = _render(session, chunk, kind, partner, control, when, submitter)
            report = check(text)
            errors = sum(1 for f in report.findings if f.is_error)
            path = out_dir / f"{partner}-{control:09d}.837{kind.lower()}"
            write_atomic(path, text)
            batch = BatchRow(
                trading_partner=partner,
                interchange_control=control,
                kind=kind,
                created_at=when,
                file_name=path.name,
                claim_count=len(chunk),
                accepted=report.accepted,
            )
            session.add(batch)
            session.flush()
            for position, claim in enumerate(chunk, start=1):
                session.add(BatchClaimRow(batch_id=batch.id, claim_id=claim.id, position=position))
                if report.accepted:
                    move(session, claim, ClaimStatus.SUBMITTED, actor=actor, reason=f"batch {path.name}")
            session.flush()
            files.append(BatchFile(batch.id, partner, control, path, len(chunk), report.accepted, errors))
    return files


def resend(session: Session, batch_id: int, *, out_dir: Path, submitter: Submitter) -> Path:
    """Write a batch again: the same claims, control numbers and creation time, so the same bytes."""
    batch = session.get(BatchRow, batch_id)
    if batch is None:
        raise NotFound(f"no batch {batch_id}")
    rows = session.scalars(
        select(ClaimRow)
        .join(BatchClaimRow, BatchClaimRow.claim_id == ClaimRow.id)
        .where(BatchClaimRow.batch_id == batch.id)
        .order_by(BatchClaimRow.position)
    ).all()
    created = batch.created_at if batch.created_at.tzinfo else batch.created_at.replace(tzinfo=dt.UTC)
    text = _render(session, rows, batch.kind, batch.trading_partner, batch.interchange_control, created, submitter)
    path = out_dir / batch.file_name
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    return path
