"""DU rules: duplicate lines on a claim and duplicate claims in a run or against claims already sent.

DU002 and DU004 remember what they saw in the scrub context (``ctx.seen`` and ``ctx.memo``): that memory is
the run's, and it is the only side effect any rule has.
"""

from __future__ import annotations

from collections.abc import Iterator

from medbill.scrub.context import ScrubContext
from medbill.scrub.facts import ClaimFacts
from medbill.scrub.registry import Hit, rule

REPEAT_MODIFIERS = frozenset({"76", "77", "91"})
CHANGES = frozenset({"7", "8"})


@rule("DU001", "duplicate-line")
def duplicate_line(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Two service lines are identical: same code, modifiers, date, units and charge.

    What it checks:
        No two lines share procedure code, modifier list, date of service, units, charge, revenue code, NDC and
        rendering provider (the line's 2420A, else the claim's), unless the later line carries a repeat-procedure
        modifier (76, 77 repeat procedure by the same / another physician, 91 repeat clinical diagnostic
        laboratory test). One drug code given from two NDCs (two vial sizes or manufacturers) is reported on two
        lines, one per NDC, as Medicaid requires, and two clinicians of a group may each see the patient: neither
        is a duplicate.
    Why it matters:
        Payers deny the second line as a duplicate (CARC 18, exact duplicate claim/service); a real repeat
        needs a modifier to be paid.
    Example:
        Two lines 36415, 1 unit, 15.00 on 2024-08-14.
    How to fix:
        Remove the accidental duplicate, combine the lines with units, or add 76/77/91 when the service was
        really repeated.
    References:
        CARC 18; CPT modifiers 76, 77 and 91 (CPT Appendix A); NCCI Policy Manual Chapter I Section E
        (modifiers and modifier indicators); X12 005010X222A1 2400 SV1.
    """
    lines = facts.lines
    if len(lines) < 2 or len({ln.code for ln in lines}) == len(lines):
        return
    seen: dict[tuple[object, ...], int] = {}
    for ln in lines:
        who = ln.line.rendering_provider or facts.claim.rendering_provider
        key = (
            ln.code,
            ln.modifiers,
            ln.day,
            ln.last_day,
            ln.units,
            ln.charge,
            ln.line.revenue_code,
            ln.line.ndc,
            who.id.strip() if who is not None else "",
        )
        first = seen.get(key)
        if first is None:
            seen[key] = ln.number
        elif not REPEAT_MODIFIERS.intersection(ln.modifiers):
            yield Hit(
                f"line {ln.number} duplicates line {first} ({ln.code} on {ln.day})",
                ln.number,
                "remove it, combine units, or add 76/77/91 for a real repeat",
            )


@rule("DU002", "duplicate-claim-in-run")
def duplicate_claim_in_run(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """Another claim in this run has the same patient, provider, payer, dates and services.

    What it checks:
        The claim's duplicate fingerprint (billing NPI, member id, patient name and birth date, payer id and
        every line's date, code, modifiers, units and charge) against the claims scrubbed earlier in the run
        under a different claim id; then records this claim's fingerprint for the claims that follow.
    Why it matters:
        Sending the same services twice gets the second claim denied (CARC 18) and looks like double billing
        in an audit.
    Example:
        CLM1001 and CLM1002 in one batch, both 99213 + 36415 + 85025 on 2024-08-14 for the same member.
    How to fix:
        Drop one of the two claims (or correct the one that has the wrong patient or date).
    References:
        CARC 18 (exact duplicate claim/service); CMS IOM 100-04 Chapter 1 Section 120 (detection of duplicate
        claims).
    """
    fp = facts.fingerprint()
    other = ctx.seen.get(fp)
    if other is None:
        ctx.seen[fp] = facts.claim_id
    elif other != facts.claim_id:
        yield Hit(
            f"duplicates claim {other} in this run (same patient, provider, payer, dates and services)",
            None,
            "send only one of the two claims",
        )


@rule("DU003", "duplicate-of-sent-claim")
def duplicate_of_sent_claim(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The claim repeats one already submitted to the payer.

    What it checks:
        The claim's duplicate fingerprint against the fingerprints of claims already sent (extras.history).
        Replacement (7) and void (8) claims are meant to repeat an earlier claim and pass.
    Why it matters:
        A resubmitted original is denied as a duplicate (CARC 18); repeated duplicates draw payer audits.
    Example:
        CLM1001 sent last week and sent again unchanged as an original claim.
    How to fix:
        Check the status of the earlier claim (276/277); to change it send a replacement (frequency 7) with
        the payer claim control number.
    References:
        CARC 18; CMS IOM 100-04 Chapter 1 Section 120; X12 005010X222A1 2300 CLM05-3 and REF*F8.
    """
    history = facts.extras.history
    if not history or facts.claim.frequency_code.strip() in CHANGES:
        return
    sent = history.get(facts.fingerprint())
    if sent is not None:
        yield Hit(f"repeats claim {sent} already sent to the payer", None, "send a replacement (7) if it changed")


@rule("DU004", "claim-id-repeated")
def claim_id_repeated(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The same patient control number (CLM01) appears twice in the run.

    What it checks:
        Each claim id seen in the run is remembered with the content of the claim it belonged to (its duplicate
        fingerprint, total and diagnoses; ctx.memo "du-claim-ids"); another claim arriving with an id already
        seen is flagged (scrubbing the very same claim again, or an identical copy of it, e.g. under a second
        payer profile, is not).
    Why it matters:
        Acknowledgements (277CA) and remittances (835 CLP01) are matched back by CLM01; two claims with one
        id cannot be told apart, and many clearinghouses reject the second as a duplicate.
    Example:
        Two different claims in one batch both numbered CLM1001.
    How to fix:
        Give every claim a unique patient control number.
    References:
        X12 005010X222A1 and 005010X223A2, 2300 CLM01 (the submitter's unique claim identifier); X12 835
        CLP01.
    """
    cid = facts.claim_id.strip()
    if not cid:
        return
    ids = ctx.memo("du-claim-ids")
    # what the claim says, not id(claim): once a scrubbed claim is freed its id() is reused by a later claim
    me = f"{facts.fingerprint()}\x1e{facts.claim.total_charge}\x1e{'+'.join(d.code for d in facts.dx)}"
    first = ids.setdefault(cid, me)
    if first != me:
        yield Hit(f"claim id {cid} was already used by another claim in this run", None, "renumber the claim")
