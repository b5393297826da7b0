"""Scrubbing the practice's claims: build each claim's model and what the claim cannot tell (coverage dates,
the payer's filing limit, claims already sent), run the scrubber, and move clean drafts to ready.

The payer's own timely-filing days (stored with the payer) override the profile's default; the profile is
chosen by claim filing indicator unless the caller names one. Nothing is written unless ``ready`` is asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from medbill.billing.claim import Claim
from medbill.billing.lifecycle import ClaimStatus
from medbill.codes.library import CodeLibrary
from medbill.scrub import ClaimExtras, ClaimFacts, Coverage, Finding, PayerProfile, Scrubber, ScrubContext, profile_for
from medbill.store.tables import ClaimRow, CoverageRow, EncounterRow, FacilityRow, PayerRow

FACILITY_KINDS = {
    "11": "office",
    "12": "home",
    "19": "hospital",
    "21": "hospital",
    "22": "hospital",
    "23": "hospital",
    "24": "asc",
}
"""A facility's own place of service (stored with it) as the kind the place-of-service edits compare with."""

UNSENT = (ClaimStatus.DRAFT, ClaimStatus.READY)
NOT_ON_FILE = (*UNSENT, ClaimStatus.REJECTED)
"""Claims the payer never adjudicated: sending the same services again is not a duplicate of them."""


@dataclass(frozen=True, slots=True)
class ClaimScrub:
    claim_number: str
    status: str
    profile: str
    findings: tuple[Finding, ...]

    @property
    def clean(self) -> bool:
        return not any(f.is_error for f in self.findings)


def scrub_context(library: CodeLibrary, profile: PayerProfile, *, today: dt.date | None = None) -> ScrubContext:
    """A context with every table loaded: the code sets, the NCCI edits (compiled once into the medbill home)
    and the Medicare fee schedule."""
    from medbill.billing.fees import MedicareFeeSchedule
    from medbill.codes.store import medbill_home
    from medbill.scrub.ncci import NcciTables

    return ScrubContext(
        library,
        profile,
        NcciTables.load(medbill_home() / "ncci"),
        MedicareFeeSchedule.load(),
        today or dt.date.today(),
    )


def claims_to_scrub(session: Session, numbers: Sequence[str] = ()) -> list[ClaimRow]:
    """The named claims, or every claim not yet sent (draft and ready), in creation order."""
    query = select(ClaimRow).order_by(ClaimRow.id)
    if numbers:
        query = query.where(ClaimRow.claim_number.in_(numbers))
    else:
        query = query.where(ClaimRow.status.in_([str(s) for s in UNSENT]))
    return list(session.scalars(query))


def scrub_claims(
    session: Session,
    claims: Sequence[ClaimRow],
    *,
    scrubber: Scrubber,
    context: ScrubContext,
    profiles: dict[str, PayerProfile],
    profile: PayerProfile | None = None,
    today: dt.date | None = None,
    ready: bool = False,
    actor: str = "medbill scrub",
    submitted_on: Callable[[ClaimRow], dt.date] | None = None,
) -> list[ClaimScrub]:
    """Scrub each claim under its payer's profile (or ``profile``); with ``ready``, move clean drafts to ready.

    ``submitted_on`` gives the day each claim goes out (timely filing), ``today`` by default."""
    from medbill.services.claims import claim_model, move

    day = today or context.today
    history = _history(session, claims, context)
    out: list[ClaimScrub] = []
    made: dict[tuple[str, int], PayerProfile] = {}
    for row in claims:
        model = claim_model(session, row)
        coverage = session.get(CoverageRow, row.coverage_id)
        payer = session.get(PayerRow, coverage.payer_id) if coverage is not None else None
        chosen = profile or profile_for(model.subscriber.claim_filing_indicator, profiles)
        if payer is not None and payer.timely_filing_days:
            chosen = _with_filing_limit(chosen, payer.timely_filing_days, made)
        extras = ClaimExtras(
            coverage=Coverage(coverage.start_date, coverage.end_date) if coverage is not None else None,
            submitted_on=submitted_on(row) if submitted_on is not None else day,
            history={k: v for k, v in history.items() if v != row.claim_number},
            facility_kind=_facility_kind(session, row),
        )
        findings = scrubber.scrub(model, context.with_profile(chosen), extras)
        result = ClaimScrub(row.claim_number, row.status, chosen.name, tuple(findings))
        if ready and result.clean and row.status == ClaimStatus.DRAFT:
            move(session, row, ClaimStatus.READY, actor=actor, reason="scrubbed: no error-level findings")
        out.append(result)
    return out


def _with_filing_limit(profile: PayerProfile, days: int, made: dict[tuple[str, int], PayerProfile]) -> PayerProfile:
    key = (profile.name, days)
    if key not in made:
        made[key] = replace(profile, params={**profile.params, "timely_filing_days": days})
    return made[key]


def _facility_kind(session: Session, row: ClaimRow) -> str:
    encounter = session.get(EncounterRow, row.encounter_id)
    if encounter is None or not encounter.facility_id:
        return ""
    facility = session.get(FacilityRow, encounter.facility_id)
    return FACILITY_KINDS.get(facility.place_of_service, "") if facility is not None else ""


def _history(session: Session, claims: Sequence[ClaimRow], context: ScrubContext) -> dict[str, str]:
    """Duplicate fingerprints of the claims already sent for the same patients (claim number by fingerprint)."""
    from medbill.services.claims import claim_model

    encounter_ids = {row.encounter_id for row in claims}
    if not encounter_ids:
        return {}
    patients = set(session.scalars(select(EncounterRow.patient_id).where(EncounterRow.id.in_(encounter_ids))))
    sent = session.scalars(
        select(ClaimRow)
        .join(EncounterRow, EncounterRow.id == ClaimRow.encounter_id)
        .where(EncounterRow.patient_id.in_(patients), ClaimRow.status.not_in([str(s) for s in NOT_ON_FILE]))
    )
    out: dict[str, str] = {}
    for row in sent:
        model: Claim = claim_model(session, row)
        out[ClaimFacts.of(model, context).fingerprint()] = row.claim_number
    return out
