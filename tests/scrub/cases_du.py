"""Cases for the DU rules (duplicate lines and claims)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from scrubkit import RENDERING, Case, flag, institutional, line, ok, professional, with_lines

from medbill.scrub import ClaimExtras

P = professional()
DUP = with_lines(P, line(1, "99213", "125.00"), line(2, "36415", "15.00"), line(3, "36415", "15.00"))
OTHER_DOCTOR = replace(RENDERING, last_or_org="BROWN", id="1245319599")
TWO_NDCS = with_lines(
    P,
    line(1, "96372", "25.00"),
    line(2, "J1100", "10.00", units="2", ndc="63323016501", ndc_quantity=Decimal("1"), ndc_unit="ML"),
    line(3, "J1100", "10.00", units="2", ndc="00641036721", ndc_quantity=Decimal("1"), ndc_unit="ML"),
)


def _fingerprint(claim: object) -> str:
    """The fingerprint the engine would compute (the fingerprint ignores the code store)."""
    from medbill.scrub.facts import ClaimFacts

    class _NoCodes:
        @staticmethod
        def icd_record(key: str) -> None:
            return None

    return ClaimFacts.of(claim, _NoCodes()).fingerprint()  # type: ignore[arg-type]


CASES: list[Case] = [
    flag("DU001", DUP, "36415 twice, same everything"),
    ok("DU001", TWO_NDCS, "one drug from two NDCs (two vial sizes) on two lines"),
    ok(
        "DU001",
        with_lines(P, line(1, "99213", "125.00"), line(2, "99213", "125.00", rendering_provider=OTHER_DOCTOR)),
        "two clinicians of the group each saw the patient (line rendering providers differ)",
    ),
    ok(
        "DU001",
        with_lines(P, line(1, "99213", "125.00"), line(2, "36415", "15.00"), line(3, "36415", "15.00", mods=("91",))),
        "repeat lab test with 91",
    ),
    ok(
        "DU001", with_lines(P, line(1, "93000", "40.00"), line(2, "93000", "40.00", mods=("76",))), "repeat ECG with 76"
    ),
    ok(
        "DU001",
        with_lines(P, line(1, "97110", "60.00", mods=("GP",)), line(2, "97110", "60.00", mods=("GP", "59"))),
        "same code, different modifiers",
    ),
    flag("DU002", professional(claim_id="CLM1002"), "same services as CLM1001 earlier in the run", earlier=(P,)),
    ok(
        "DU002",
        replace(with_lines(P, *P.lines[:2]), claim_id="CLM1002"),
        "different services for the same patient",
        earlier=(P,),
    ),
    ok("DU002", P, "the same claim id seen before is not a duplicate of itself", history={_fingerprint(P): "CLM1001"}),
    flag("DU003", P, "sent last week", extras=ClaimExtras(history={_fingerprint(P): "CLM0999"})),
    ok(
        "DU003",
        professional(frequency_code="7", payer_claim_control_number="2024123456789"),
        "replacement of the sent claim",
        extras=ClaimExtras(history={_fingerprint(P): "CLM0999"}),
    ),
    flag("DU004", institutional(claim_id="CLM1001"), "claim id reused by another claim", earlier=(P,)),
    ok("DU004", professional(claim_id="CLM1003"), "distinct claim ids", earlier=(P,)),
    ok("DU004", P, "the same claim scrubbed again", earlier=(P,)),
    ok("DU004", replace(P), "an identical copy of the claim (another object)", earlier=(P,)),
]
