"""Typed readers: 837P/837I claims, 835 remittances, 999, 277CA/277, 276 and 270/271 models from X12 text.

Built on ``validator.placed_sets``, which already knows the loop of every segment, so a reader only has to
turn the flat (loops, segment) list into a loop tree and pick elements. Readers never raise on bad element
contents (unparsable money or dates become ``None``; the validator's findings on each set say why);
``X12SyntaxError`` is raised only when the input is not X12 at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from medbill.billing.claim import (
    Address,
    Adjustment,
    Claim,
    ClaimKind,
    Contact,
    Diagnosis,
    LineAdjudication,
    OtherPayer,
    Party,
    Patient,
    Payer,
    ServiceLine,
    Subscriber,
)
from medbill.x12.models import (
    Acknowledgment,
    Benefit,
    ClaimPayment,
    ClaimStatus,
    ElementError,
    EligibilityInquiry,
    EligibilityMember,
    EligibilityResponse,
    ProviderAdjustment,
    Remittance,
    SegmentError,
    ServicePayment,
    ServiceStatus,
    SetResponse,
    Status,
    StatusReport,
    StatusRequest,
)
from medbill.x12.tokens import Segment
from medbill.x12.validator import PlacedSet, placed_sets

_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)")
DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "ABN", "APR", "BK", "BF", "BJ", "BN", "PR"})
"""HI composites that carry a diagnosis (procedure, value, occurrence and condition codes are not diagnoses)."""


# --- the loop tree -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Loop:
    """One loop instance: its own segments, in order, and its child loop instances."""

    id: str
    segments: list[Segment] = field(default_factory=list)
    children: list[Loop] = field(default_factory=list)
    trigger: str = ""

    def all(self, seg_id: str, qualifier: str | None = None) -> list[Segment]:
        return [s for s in self.segments if s.id == seg_id and (qualifier is None or _el(s, 1) == qualifier)]

    def first(self, seg_id: str, qualifier: str | None = None) -> Segment | None:
        found = self.all(seg_id, qualifier)
        return found[0] if found else None

    def loops(self, *ids: str) -> list[Loop]:
        return [c for c in self.children if c.id in ids]

    def loop(self, *ids: str) -> Loop | None:
        found = self.loops(*ids)
        return found[0] if found else None


def loop_tree(placed: PlacedSet) -> Loop:
    """The set as a tree of loop instances.

    A loop's first segment (its trigger) seen again at the loop's own level starts the next repeat of the loop:
    the placed list holds loop ids only, and no TR3 loop repeats its trigger segment inside itself.
    """
    root = Loop("ST")
    stack = [root]
    for loops, seg in placed.segments:
        if seg.id == "SE":
            continue
        depth = len(loops)
        for d in range(1, depth):
            node = stack[d] if d < len(stack) else None
            last = d == depth - 1
            if node is not None and node.id == loops[d] and not (last and seg.id == node.trigger):
                continue
            del stack[d:]
            child = Loop(loops[d], trigger=seg.id)
            stack[-1].children.append(child)
            stack.append(child)
        del stack[depth:]
        stack[-1].segments.append(seg)
    return root


def _walk(node: Loop, *ids: str) -> Iterator[Loop]:
    """Every loop instance below ``node`` with one of ``ids``, depth first in file order."""
    for child in node.children:
        if child.id in ids:
            yield child
        yield from _walk(child, *ids)


# --- element helpers ---------------------------------------------------------------------------------------


def _el(seg: Segment | None, n: int) -> str:
    """Element ``n`` (1-based) of ``seg`` or "" when absent."""
    if seg is None or n > len(seg.elements):
        return ""
    return seg.elements[n - 1]


def _parts(value: str, sep: str) -> list[str]:
    return value.split(sep) if value else []


def _part(value: str, sep: str, n: int) -> str:
    parts = value.split(sep)
    return parts[n - 1] if n <= len(parts) else ""


def money(text: str) -> Decimal | None:
    """A Decimal of an X12 R/N2 value, or None when empty or not a number (never a float)."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        return None


def ccyymmdd(text: str) -> date | None:
    """A date of CCYYMMDD, or None."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def period(fmt: str, text: str) -> tuple[date | None, date | None]:
    """(from, to) of a DTP value: D8 → (d, None), RD8 → (from, to), DT → (date part, None)."""
    if fmt == "RD8":
        first, _, last = text.partition("-")
        return ccyymmdd(first), ccyymmdd(last)
    return ccyymmdd(text[:8]), None


def _procedure(value: str, sep: str) -> tuple[str, str, tuple[str, ...]]:
    """(qualifier, code, modifiers) of a C003 composite."""
    parts = value.split(sep)
    qualifier = parts[0] if parts else ""
    code = parts[1] if len(parts) > 1 else ""
    modifiers = tuple(m for m in parts[2:6] if m)
    return qualifier, code, modifiers


def _adjustments(segments: list[Segment]) -> tuple[Adjustment, ...]:
    """CAS triplets in order: each CAS has a group and up to six (reason, amount, quantity) triplets."""
    out: list[Adjustment] = []
    for seg in segments:
        group = _el(seg, 1)
        for k in range(6):
            reason = _el(seg, 2 + 3 * k)
            if not reason:
                continue
            quantity = _el(seg, 4 + 3 * k)
            out.append(Adjustment(group, reason, money(_el(seg, 3 + 3 * k)), money(quantity) if quantity else None))
    return tuple(out)


def _address(loop: Loop) -> Address | None:
    n3, n4 = loop.first("N3"), loop.first("N4")
    if n3 is None and n4 is None:
        return None
    return Address(_el(n3, 1), _el(n3, 2), _el(n4, 1), _el(n4, 2), _el(n4, 3), _el(n4, 4))


def _contact(seg: Segment | None) -> Contact | None:
    if seg is None:
        return None
    numbers = tuple((_el(seg, n), _el(seg, n + 1)) for n in (3, 5, 7) if _el(seg, n))
    return Contact(_el(seg, 2), numbers, _el(seg, 1))


def _party(loop: Loop | None, *, name_segment: str = "NM1", taxonomy: str = "") -> Party | None:
    """A Party of an NM1 (or N1) loop with its N3/N4, REF ids, PRV taxonomy and first PER."""
    if loop is None:
        return None
    head = loop.first(name_segment)
    if head is None:
        return None
    tax_id = ""
    secondary: dict[str, str] = {}
    for ref in loop.all("REF"):
        if _el(ref, 1) == "EI" and not tax_id:
            tax_id = _el(ref, 2)
        else:
            secondary.setdefault(_el(ref, 1), _el(ref, 2))
    prv = loop.first("PRV")
    if name_segment == "N1":
        return Party(
            "2",
            _el(head, 2),
            id_qualifier=_el(head, 3),
            id=_el(head, 4),
            address=_address(loop),
            tax_id=tax_id,
            secondary_ids=secondary,
            contact=_contact(loop.first("PER")),
        )
    return Party(
        _el(head, 2),
        _el(head, 3),
        _el(head, 4),
        _el(head, 5),
        _el(head, 7),
        _el(head, 8),
        _el(head, 9),
        _address(loop),
        tax_id,
        _el(prv, 3) if prv is not None else taxonomy,
        secondary,
        _contact(loop.first("PER")),
    )


def _dtp_dates(loop: Loop, seg_id: str = "DTP") -> dict[str, tuple[date | None, date | None]]:
    return {_el(s, 1): period(_el(s, 2), _el(s, 3)) for s in loop.all(seg_id)}


def _dtm_dates(loop: Loop) -> dict[str, date | None]:
    return {_el(s, 1): ccyymmdd(_el(s, 2)) for s in loop.all("DTM")}


def _sets(data: bytes | str, name: str, *keys: str) -> Iterator[PlacedSet]:
    for placed in placed_sets(data, name=name):
        if placed.key in keys:
            yield placed


def _dmg(seg: Segment | None) -> tuple[date | None, str]:
    return (ccyymmdd(_el(seg, 2)) if seg is not None else None), _el(seg, 3)


# --- 837 ---------------------------------------------------------------------------------------------------


def read_claims(data: bytes | str, *, name: str) -> Iterator[Claim]:
    """Every claim (2300) of the 837P and 837I sets of ``data``, in file order."""
    for placed in _sets(data, name, "837P", "837I"):
        yield from claims_of(placed)


def claims_of(placed: PlacedSet) -> Iterator[Claim]:
    """The claims of one placed 837 set."""
    kind: ClaimKind = "I" if placed.key == "837I" else "P"
    sep = placed.delimiters[0]
    root = loop_tree(placed)
    for billing_loop in root.loops("2000A"):
        prv = billing_loop.first("PRV")
        billing = _party(billing_loop.loop("2010AA"), taxonomy=_el(prv, 3)) or Party()
        pay_to = _party(billing_loop.loop("2010AB"))
        for sub_loop in _walk(billing_loop, "2000B"):
            subscriber, payer = _subscriber(sub_loop)
            for claim_loop in sub_loop.loops("2300"):
                yield _claim(kind, sep, claim_loop, billing, pay_to, subscriber, payer, None)
            for pat_loop in sub_loop.loops("2000C"):
                pat = pat_loop.first("PAT")
                person = pat_loop.loop("2010CA")
                birth, sex = _dmg(person.first("DMG") if person is not None else None)
                patient = Patient(_party(person) or Party("1"), _el(pat, 1), birth, sex)
                for claim_loop in pat_loop.loops("2300"):
                    yield _claim(kind, sep, claim_loop, billing, pay_to, subscriber, payer, patient)


def _payer(loop: Loop | None) -> Payer:
    party = _party(loop)
    if party is None:
        return Payer()
    secondary = dict(party.secondary_ids)
    if party.tax_id:
        secondary = {"EI": party.tax_id, **secondary}
    return Payer(party.last_or_org, party.id, party.address, party.id_qualifier, secondary)


def _sbr_subscriber(sbr: Segment | None, party: Party, dmg: Segment | None) -> Subscriber:
    birth, sex = _dmg(dmg)
    return Subscriber(
        party,
        member_id=party.id,
        group_number=_el(sbr, 3),
        relationship=_el(sbr, 2),
        payer_responsibility=_el(sbr, 1),
        claim_filing_indicator=_el(sbr, 9),
        birth_date=birth,
        sex=sex,
        group_name=_el(sbr, 4),
        insurance_type=_el(sbr, 5),
    )


def _subscriber(loop: Loop) -> tuple[Subscriber, Payer]:
    person = loop.loop("2010BA")
    party = _party(person) or Party("1")
    subscriber = _sbr_subscriber(loop.first("SBR"), party, person.first("DMG") if person else None)
    return subscriber, _payer(loop.loop("2010BB"))


_PROVIDER_ROLES = {
    "DN": "referring",
    "P3": "referring",
    "82": "rendering",
    "77": "service_facility",
    "71": "attending",
    "72": "operating",
}


def _claim(
    kind: ClaimKind,
    sep: str,
    loop: Loop,
    billing: Party,
    pay_to: Party | None,
    subscriber: Subscriber,
    payer: Payer,
    patient: Patient | None,
) -> Claim:
    clm = loop.first("CLM")
    facility = _el(clm, 5)
    refs = {_el(r, 1): _el(r, 2) for r in reversed(loop.all("REF"))}
    diagnoses: list[Diagnosis] = []
    for hi in loop.all("HI"):
        for value in hi.elements:
            parts = value.split(sep)
            if len(parts) >= 2 and parts[0] in DIAGNOSIS_QUALIFIERS:
                diagnoses.append(Diagnosis(parts[1], parts[0], parts[8] if len(parts) > 8 else ""))
    providers: dict[str, Party] = {}
    for sub in loop.children:
        if sub.id.startswith("231"):
            nm1 = sub.first("NM1")
            role = _PROVIDER_ROLES.get(_el(nm1, 1))
            party = _party(sub)
            if role and party is not None:
                providers.setdefault(role, party)
    cl1 = loop.first("CL1")
    return Claim(
        kind=kind,
        claim_id=_el(clm, 1),
        total_charge=money(_el(clm, 2)),
        facility_code=_part(facility, sep, 1),
        billing_provider=billing,
        subscriber=subscriber,
        payer=payer,
        facility_qualifier=_part(facility, sep, 2),
        frequency_code=_part(facility, sep, 3),
        provider_signature=_el(clm, 6),
        assignment=_el(clm, 7),
        benefits_assignment=_el(clm, 8),
        release_of_info=_el(clm, 9),
        patient_signature_source=_el(clm, 10),
        related_causes=tuple(c for c in _parts(_el(clm, 11), sep) if c),
        delay_reason=_el(clm, 20),
        pay_to=pay_to,
        patient=patient,
        diagnoses=tuple(diagnoses),
        dates=_dtp_dates(loop),
        institutional=(_el(cl1, 1), _el(cl1, 2), _el(cl1, 3)) if cl1 is not None else None,
        payer_claim_control_number=refs.get("F8", ""),
        prior_authorization=refs.get("G1", ""),
        referral_number=refs.get("9F", ""),
        medical_record_number=refs.get("EA", ""),
        referring_provider=providers.get("referring"),
        rendering_provider=providers.get("rendering"),
        service_facility=providers.get("service_facility"),
        attending_provider=providers.get("attending"),
        operating_provider=providers.get("operating"),
        other_payers=tuple(_other_payer(o) for o in loop.loops("2320")),
        lines=tuple(_line(kind, sep, line) for line in loop.loops("2400")),
        notes=tuple((_el(n, 1), _el(n, 2)) for n in loop.all("NTE")),
    )


def _other_payer(loop: Loop) -> OtherPayer:
    amounts = {_el(a, 1): money(_el(a, 2)) for a in loop.all("AMT")}
    oi = loop.first("OI")
    insured = loop.loop("2330A")
    payer_loop = loop.loop("2330B")
    adjudicated = payer_loop.first("DTP", "573") if payer_loop is not None else None
    subscriber = _sbr_subscriber(loop.first("SBR"), _party(insured) or Party("1"), None)
    return OtherPayer(
        subscriber=subscriber,
        payer=_payer(payer_loop),
        responsibility=_el(loop.first("SBR"), 1),
        adjustments=_adjustments(loop.all("CAS")),
        paid=amounts.get("D"),
        remaining=amounts.get("EAF"),
        benefits_assignment=_el(oi, 3),
        release_of_info=_el(oi, 6),
        adjudication_date=period(_el(adjudicated, 2), _el(adjudicated, 3))[0] if adjudicated else None,
    )


def _line(kind: ClaimKind, sep: str, loop: Loop) -> ServiceLine:
    lx = _el(loop.first("LX"), 1)
    number = int(lx) if lx.isdigit() else 0
    sv1, sv2 = loop.first("SV1"), loop.first("SV2")
    if sv2 is not None and (kind == "I" or sv1 is None):
        qualifier, code, modifiers = _procedure(_el(sv2, 2), sep)
        revenue, charge, basis, units, pos, pointers = _el(sv2, 1), _el(sv2, 3), _el(sv2, 4), _el(sv2, 5), "", ""
        emergency, non_covered = "", money(_el(sv2, 7))
    else:
        qualifier, code, modifiers = _procedure(_el(sv1, 1), sep)
        revenue, charge, basis, units, pos = "", _el(sv1, 2), _el(sv1, 3), _el(sv1, 4), _el(sv1, 5)
        pointers, emergency, non_covered = _el(sv1, 7), _el(sv1, 9), None
    dtp = loop.first("DTP", "472")
    start, end = period(_el(dtp, 2), _el(dtp, 3)) if dtp is not None else (None, None)
    drug = loop.loop("2410")
    lin = drug.first("LIN") if drug else None
    ctp = drug.first("CTP") if drug else None
    refs = {_el(r, 1): _el(r, 2) for r in reversed(loop.all("REF"))}
    rendering = None
    for sub in loop.children:
        if sub.id.startswith("242") and _el(sub.first("NM1"), 1) == "82":
            rendering = _party(sub)
    return ServiceLine(
        line_number=number,
        procedure_code=code,
        charge=money(charge),
        procedure_qualifier=qualifier,
        modifiers=modifiers,
        unit_basis=basis,
        units=money(units),
        place_of_service=pos,
        diagnosis_pointers=tuple(int(p) for p in _parts(pointers, sep) if p.isdigit()),
        service_date_from=start,
        service_date_to=end,
        revenue_code=revenue,
        ndc=_el(lin, 3),
        ndc_quantity=money(_el(ctp, 4)) if ctp is not None else None,
        ndc_unit=_part(_el(ctp, 5), sep, 1),
        line_control_number=refs.get("6R", ""),
        rendering_provider=rendering,
        adjudications=tuple(_adjudication(sep, a) for a in loop.loops("2430")),
        emergency=emergency,
        non_covered_charge=non_covered,
    )


def _adjudication(sep: str, loop: Loop) -> LineAdjudication:
    svd = loop.first("SVD")
    qualifier, code, modifiers = _procedure(_el(svd, 3), sep)
    dtp = loop.first("DTP", "573")
    return LineAdjudication(
        payer_id=_el(svd, 1),
        paid=money(_el(svd, 2)),
        procedure_qualifier=qualifier,
        procedure_code=code,
        modifiers=modifiers,
        units=money(_el(svd, 5)),
        revenue_code=_el(svd, 4),
        adjustments=_adjustments(loop.all("CAS")),
        adjudication_date=period(_el(dtp, 2), _el(dtp, 3))[0] if dtp is not None else None,
    )


# --- 835 ---------------------------------------------------------------------------------------------------


def read_remittances(data: bytes | str, *, name: str) -> Iterator[Remittance]:
    """Every 835 transaction set of ``data`` as a Remittance."""
    for placed in _sets(data, name, "835"):
        yield remittance_of(placed)


def remittance_of(placed: PlacedSet) -> Remittance:
    sep = placed.delimiters[0]
    root = loop_tree(placed)
    bpr, trn = root.first("BPR"), root.first("TRN")
    dtm = root.first("DTM", "405")
    claims: list[ClaimPayment] = []
    for header in root.loops("2000"):
        number = _el(header.first("LX"), 1)
        claims.extend(_claim_payment(sep, number, c) for c in header.loops("2100"))
    adjustments: list[ProviderAdjustment] = []
    for plb in root.all("PLB"):
        for k in range(6):
            reason = _el(plb, 3 + 2 * k)
            if not reason:
                continue
            adjustments.append(
                ProviderAdjustment(
                    _el(plb, 1),
                    ccyymmdd(_el(plb, 2)),
                    _part(reason, sep, 1),
                    money(_el(plb, 4 + 2 * k)),
                    _part(reason, sep, 2),
                )
            )
    refs = {_el(r, 1): _el(r, 2) for r in reversed(root.all("REF"))}
    return Remittance(
        payer=_party(root.loop("1000A"), name_segment="N1") or Party(),
        payee=_party(root.loop("1000B"), name_segment="N1") or Party(),
        handling_code=_el(bpr, 1),
        total_paid=money(_el(bpr, 2)),
        credit_debit=_el(bpr, 3),
        payment_method=_el(bpr, 4),
        payment_format=_el(bpr, 5),
        payment_date=ccyymmdd(_el(bpr, 16)),
        bank=tuple(_el(bpr, n) for n in range(6, 16)) if any(_el(bpr, n) for n in range(6, 16)) else (),
        trace_type=_el(trn, 1),
        trace_number=_el(trn, 2),
        trace_originator=_el(trn, 3),
        trace_supplemental=_el(trn, 4),
        receiver_id=refs.get("EV", ""),
        version_id=refs.get("F2", ""),
        production_date=ccyymmdd(_el(dtm, 2)) if dtm is not None else None,
        claims=tuple(claims),
        provider_adjustments=tuple(adjustments),
    )


_CLAIM_PARTIES = {"QC": "patient", "IL": "insured", "74": "corrected_insured", "82": "rendering", "TT": "crossover"}


def _claim_payment(sep: str, header_number: str, loop: Loop) -> ClaimPayment:
    clp = loop.first("CLP")
    parties: dict[str, Party] = {}
    for nm1 in loop.all("NM1"):
        role = _CLAIM_PARTIES.get(_el(nm1, 1))
        if role:
            parties.setdefault(role, _party(Loop("NM1", [nm1])) or Party())
    mia, moa = loop.first("MIA"), loop.first("MOA")
    return ClaimPayment(
        patient_control_number=_el(clp, 1),
        status=_el(clp, 2),
        charge=money(_el(clp, 3)),
        paid=money(_el(clp, 4)),
        patient_responsibility=money(_el(clp, 5)) if _el(clp, 5) else None,
        filing_indicator=_el(clp, 6),
        payer_claim_control_number=_el(clp, 7),
        facility_code=_el(clp, 8),
        frequency_code=_el(clp, 9),
        drg=_el(clp, 11),
        header_number=header_number,
        adjustments=_adjustments(loop.all("CAS")),
        patient=parties.get("patient"),
        insured=parties.get("insured"),
        corrected_insured=parties.get("corrected_insured"),
        rendering_provider=parties.get("rendering"),
        crossover_carrier=parties.get("crossover"),
        inpatient_remarks=mia.elements if mia is not None else (),
        outpatient_remarks=moa.elements if moa is not None else (),
        references=tuple((_el(r, 1), _el(r, 2)) for r in loop.all("REF")),
        dates=_dtm_dates(loop),
        amounts={_el(a, 1): money(_el(a, 2)) for a in loop.all("AMT")},
        services=tuple(_service_payment(sep, s) for s in loop.loops("2110")),
    )


def _service_payment(sep: str, loop: Loop) -> ServicePayment:
    svc = loop.first("SVC")
    qualifier, code, modifiers = _procedure(_el(svc, 1), sep)
    return ServicePayment(
        procedure_code=code,
        charge=money(_el(svc, 2)),
        paid=money(_el(svc, 3)),
        procedure_qualifier=qualifier,
        modifiers=modifiers,
        revenue_code=_el(svc, 4),
        units=money(_el(svc, 5)) if _el(svc, 5) else None,
        original_procedure=_el(svc, 6),
        original_units=money(_el(svc, 7)) if _el(svc, 7) else None,
        dates=_dtm_dates(loop),
        adjustments=_adjustments(loop.all("CAS")),
        references=tuple((_el(r, 1), _el(r, 2)) for r in loop.all("REF")),
        amounts={_el(a, 1): money(_el(a, 2)) for a in loop.all("AMT")},
        remarks=tuple((_el(q, 1), _el(q, 2)) for q in loop.all("LQ")),
    )


# --- 999 ---------------------------------------------------------------------------------------------------


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def read_acknowledgments(data: bytes | str, *, name: str) -> Iterator[Acknowledgment]:
    """Every 999 of ``data``."""
    for placed in _sets(data, name, "999"):
        yield acknowledgment_of(placed)


def acknowledgment_of(placed: PlacedSet) -> Acknowledgment:
    """The Acknowledgment of one placed set."""
    root = loop_tree(placed)
    ak1, ak9 = root.first("AK1"), root.first("AK9")
    sets: list[SetResponse] = []
    for response in root.loops("2000"):
        ak2, ik5 = response.first("AK2"), response.first("IK5")
        errors = []
        for seg_loop in response.loops("2100"):
            ik3 = seg_loop.first("IK3")
            elements = tuple(
                ElementError(_el(ik4, 1), _el(ik4, 2), _el(ik4, 3), _el(ik4, 4))
                for el_loop in seg_loop.loops("2110")
                for ik4 in el_loop.all("IK4")
            )
            errors.append(SegmentError(_el(ik3, 1), _int(_el(ik3, 2)), _el(ik3, 3), _el(ik3, 4), elements))
        codes = tuple(c for c in (ik5.elements[1:] if ik5 is not None else ()) if c)
        sets.append(SetResponse(_el(ak2, 1), _el(ak2, 2), _el(ak2, 3), _el(ik5, 1), codes, tuple(errors)))
    return Acknowledgment(
        _el(ak1, 1),
        _el(ak1, 2),
        _el(ak1, 3),
        tuple(sets),
        _el(ak9, 1),
        _int(_el(ak9, 2)),
        _int(_el(ak9, 3)),
        _int(_el(ak9, 4)),
        tuple(c for c in (ak9.elements[4:] if ak9 is not None else ()) if c),
    )


# --- 277CA / 277 / 276 -------------------------------------------------------------------------------------


def _status(seg: Segment, sep: str) -> Status:
    first = seg.elements[0].split(sep) if seg.elements else [""]
    others = []
    for n in (10, 11):
        value = _el(seg, n)
        if value:
            parts = [*value.split(sep), "", "", ""]
            others.append((parts[0], parts[1], parts[2]))
    return Status(
        first[0],
        first[1] if len(first) > 1 else "",
        first[2] if len(first) > 2 else "",
        ccyymmdd(_el(seg, 2)),
        _el(seg, 3),
        money(_el(seg, 4)) if _el(seg, 4) else None,
        money(_el(seg, 5)) if _el(seg, 5) else None,
        tuple(others),
        _el(seg, 12),
    )


def _service_status(sep: str, loop: Loop) -> ServiceStatus:
    svc = loop.first("SVC")
    qualifier, code, modifiers = _procedure(_el(svc, 1), sep)
    dtp = loop.first("DTP", "472")
    start, end = period(_el(dtp, 2), _el(dtp, 3)) if dtp is not None else (None, None)
    refs = {_el(r, 1): _el(r, 2) for r in reversed(loop.all("REF"))}
    return ServiceStatus(
        qualifier,
        code,
        money(_el(svc, 2)) if _el(svc, 2) else None,
        money(_el(svc, 3)) if _el(svc, 3) else None,
        modifiers,
        _el(svc, 4),
        money(_el(svc, 7)) if _el(svc, 7) else None,
        tuple(_status(s, sep) for s in loop.all("STC")),
        refs.get("FJ", ""),
        start,
        end,
    )


def _claim_status(
    kind: str, sep: str, loop: Loop, subscriber: Party | None, patient: Party | None, provider: Party | None
) -> ClaimStatus:
    trn = loop.first("TRN")
    statuses = tuple(_status(s, sep) for s in loop.all("STC"))
    refs = {_el(r, 1): _el(r, 2) for r in reversed(loop.all("REF"))}
    dtp = loop.first("DTP", "472") or loop.first("DTP", "232")
    start, end = period(_el(dtp, 2), _el(dtp, 3)) if dtp is not None else (None, None)
    amt = loop.first("AMT", "T3")
    charge = money(_el(amt, 2)) if amt is not None else (statuses[0].charge if statuses else None)
    pcn = refs.get("EJ", "") or (_el(trn, 2) if kind == "277CA" else "")
    return ClaimStatus(
        level=loop.id,
        trace_number=_el(trn, 2),
        statuses=statuses,
        patient_control_number=pcn,
        payer_claim_control_number=refs.get("1K", ""),
        references=tuple((_el(r, 1), _el(r, 2)) for r in loop.all("REF")),
        service_date_from=start,
        service_date_to=end,
        charge=charge,
        subscriber=subscriber,
        patient=patient,
        provider=provider,
        lines=tuple(_service_status(sep, s) for s in loop.children if s.id in ("2210D", "2210E", "2220D", "2220E")),
    )


def _status_claims(kind: str, sep: str, root: Loop) -> tuple[list[ClaimStatus], list[Party], list[Status]]:
    claims: list[ClaimStatus] = []
    providers: list[Party] = []
    receiver_statuses: list[Status] = []
    for provider_loop in _walk(root, "2000C"):
        provider = _party(provider_loop.loop("2100C"))
        if provider is not None:
            providers.append(provider)
        for sub_loop in provider_loop.loops("2000D"):
            subscriber = _party(sub_loop.loop("2100D"))
            claims.extend(_claim_status(kind, sep, c, subscriber, None, provider) for c in sub_loop.loops("2200D"))
            for dep_loop in sub_loop.loops("2000E"):
                patient = _party(dep_loop.loop("2100E"))
                dependents = dep_loop.loops("2200E")
                claims.extend(_claim_status(kind, sep, c, subscriber, patient, provider) for c in dependents)
    for level in _walk(root, "2200B", "2200C"):
        receiver_statuses.extend(_status(s, sep) for s in level.all("STC"))
    return claims, providers, receiver_statuses


def read_status_reports(data: bytes | str, *, name: str) -> Iterator[StatusReport]:
    """Every 277CA and 277 of ``data``."""
    for placed in _sets(data, name, "277CA", "277"):
        yield status_report_of(placed)


def status_report_of(placed: PlacedSet) -> StatusReport:
    """The StatusReport of one placed set."""
    root = loop_tree(placed)
    sep = placed.delimiters[0]
    claims, providers, receiver_statuses = _status_claims(placed.key, sep, root)
    payers = [p for p in (_party(x) for x in _walk(root, "2100A")) if p is not None]
    receivers = [p for p in (_party(x) for x in _walk(root, "2100B")) if p is not None]
    return StatusReport(
        placed.key,
        payers[0] if payers else None,
        tuple(receivers),
        tuple(providers),
        tuple(claims),
        tuple(receiver_statuses),
    )


def read_status_requests(data: bytes | str, *, name: str) -> Iterator[StatusRequest]:
    """Every 276 of ``data``."""
    for placed in _sets(data, name, "276"):
        yield status_request_of(placed)


def status_request_of(placed: PlacedSet) -> StatusRequest:
    """The StatusRequest of one placed set."""
    root = loop_tree(placed)
    claims, providers, _ = _status_claims("276", placed.delimiters[0], root)
    payers = [p for p in (_party(x) for x in _walk(root, "2100A")) if p is not None]
    receivers = [p for p in (_party(x) for x in _walk(root, "2100B")) if p is not None]
    return StatusRequest(
        payers[0] if payers else None, receivers[0] if receivers else None, tuple(providers), tuple(claims)
    )


# --- 270 / 271 ---------------------------------------------------------------------------------------------


def _repeats(value: str, repetition: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(v for v in (value.split(repetition) if repetition else [value]) if v)


def _benefit(loop: Loop, sep: str, repetition: str | None) -> Benefit:
    eb = loop.first("EB")
    related = tuple(p for p in (_party(x) for x in loop.children if x.id.startswith("2120")) if p is not None)
    return Benefit(
        eligibility_code=_el(eb, 1),
        coverage_level=_el(eb, 2),
        service_types=_repeats(_el(eb, 3), repetition),
        insurance_type=_el(eb, 4),
        plan=_el(eb, 5),
        time_period=_el(eb, 6),
        amount=money(_el(eb, 7)) if _el(eb, 7) else None,
        percent=money(_el(eb, 8)) if _el(eb, 8) else None,
        quantity_qualifier=_el(eb, 9),
        quantity=money(_el(eb, 10)) if _el(eb, 10) else None,
        authorization_required=_el(eb, 11),
        in_network=_el(eb, 12),
        procedure=_el(eb, 13),
        messages=tuple(_el(m, 1) for m in loop.all("MSG")),
        dates=_dtp_dates(loop),
        related=related,
    )


def _members(root: Loop, sep: str, repetition: str | None) -> list[EligibilityMember]:
    out: list[EligibilityMember] = []
    for hl_loop in _walk(root, "2000C", "2000D"):
        level = "subscriber" if hl_loop.id == "2000C" else "dependent"
        name_loop = hl_loop.loop("2100C", "2100D")
        if name_loop is None:
            continue
        birth, sex = _dmg(name_loop.first("DMG"))
        ins = name_loop.first("INS")
        benefit_loops = name_loop.loops("2110C", "2110D")
        service_types = tuple(t for b in benefit_loops for t in _repeats(_el(b.first("EQ"), 1), repetition))
        out.append(
            EligibilityMember(
                level=level,
                party=_party(name_loop) or Party("1"),
                trace_numbers=tuple(_el(t, 2) for t in hl_loop.all("TRN")),
                birth_date=birth,
                sex=sex,
                relationship=_el(ins, 2),
                dates=_dtp_dates(name_loop),
                service_types=service_types,
                benefits=tuple(_benefit(b, sep, repetition) for b in benefit_loops if b.first("EB") is not None),
                rejections=tuple((_el(a, 3), _el(a, 4)) for a in name_loop.all("AAA")),
            )
        )
    return out


def read_eligibility_inquiries(data: bytes | str, *, name: str) -> Iterator[EligibilityInquiry]:
    """Every 270 of ``data``."""
    for placed in _sets(data, name, "270"):
        yield eligibility_inquiry_of(placed)


def eligibility_inquiry_of(placed: PlacedSet) -> EligibilityInquiry:
    """The EligibilityInquiry of one placed set."""
    root = loop_tree(placed)
    payer = next((p for p in (_party(x) for x in _walk(root, "2100A")) if p), None)
    provider = next((p for p in (_party(x) for x in _walk(root, "2100B")) if p), None)
    return EligibilityInquiry(payer, provider, tuple(_members(root, *placed.delimiters)))


def read_eligibility_responses(data: bytes | str, *, name: str) -> Iterator[EligibilityResponse]:
    """Every 271 of ``data``."""
    for placed in _sets(data, name, "271"):
        yield eligibility_response_of(placed)


def eligibility_response_of(placed: PlacedSet) -> EligibilityResponse:
    """The EligibilityResponse of one placed set."""
    root = loop_tree(placed)
    payer = next((p for p in (_party(x) for x in _walk(root, "2100A")) if p), None)
    provider = next((p for p in (_party(x) for x in _walk(root, "2100B")) if p), None)
    rejections = tuple((_el(a, 3), _el(a, 4)) for x in _walk(root, "2100A", "2100B") for a in x.all("AAA"))
    return EligibilityResponse(payer, provider, tuple(_members(root, *placed.delimiters)), rejections)


MODEL_READERS: dict[str, Callable[[PlacedSet], list[object]]] = {
    "837P": lambda placed: list(claims_of(placed)),
    "837I": lambda placed: list(claims_of(placed)),
    "835": lambda placed: [remittance_of(placed)],
    "999": lambda placed: [acknowledgment_of(placed)],
    "277CA": lambda placed: [status_report_of(placed)],
    "277": lambda placed: [status_report_of(placed)],
    "276": lambda placed: [status_request_of(placed)],
    "270": lambda placed: [eligibility_inquiry_of(placed)],
    "271": lambda placed: [eligibility_response_of(placed)],
}
"""Guide key → the typed models of one placed set (claims for an 837, one model for the others)."""


def models_of(placed: PlacedSet) -> list[object]:
    return MODEL_READERS[placed.key](placed)
