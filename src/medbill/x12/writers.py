"""Writers: canonical 837P (005010X222A1), 837I (005010X223A2), 835 (005010X221A1), 270 and 271 (005010X279A1),
276 and 277 (005010X212), 277CA (005010X214) and 999 (005010X231A1) text from the models.

A writer renders only what the model holds, in guide order, and computes every count and control number
(HL numbering and parents, SE01, GE01, IEA01), so ``write(read(text)) == text`` for text a writer produced.
Amounts are rendered the way X12 expects: no exponent, no trailing zeros ("100", "100.5", "-12.34").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, TypeVar

from medbill.billing.claim import (
    Address,
    Adjustment,
    Claim,
    ClaimKind,
    Contact,
    Diagnosis,
    OtherPayer,
    Party,
    Payer,
    ServiceLine,
    Subscriber,
)
from medbill.x12.models import (
    Acknowledgment,
    Benefit,
    ClaimPayment,
    ClaimStatus,
    EligibilityInquiry,
    EligibilityMember,
    EligibilityResponse,
    ProviderAdjustment,
    Remittance,
    ServicePayment,
    ServiceStatus,
    Status,
    StatusReport,
    StatusRequest,
)
from medbill.x12.tokens import Delimiters

K = TypeVar("K")
T = TypeVar("T")

DEFAULT_DELIMITERS = Delimiters("*", ":", "^", "~")
GUIDES: dict[str, str] = {
    "P": "005010X222A1",
    "I": "005010X223A2",
    "835": "005010X221A1",
    "270": "005010X279A1",
    "276": "005010X212",
    "271": "005010X279A1",
    "277": "005010X212",
    "277CA": "005010X214",
    "999": "005010X231A1",
}

_DTP_ORDER: dict[str, tuple[str, ...]] = {
    "P": (
        "431",
        "454",
        "304",
        "453",
        "439",
        "484",
        "455",
        "471",
        "314",
        "360",
        "361",
        "297",
        "296",
        "435",
        "096",
        "090",
        "091",
        "444",
        "050",
    ),
    "I": ("096", "434", "435", "050"),
}
_DTM_ORDER = ("232", "233", "036", "037", "050", "472", "150", "151")
_PRINCIPAL = ("ABK", "BK")
_HI_GROUPS_I: tuple[tuple[str, ...], ...] = (("ABK", "BK"), ("ABJ", "BJ"), ("APR", "PR"), ("ABN", "BN"), ("ABF", "BF"))


def amount(value: Decimal | None) -> str:
    """X12 R text of a Decimal: "100", "100.5", "-12.34"; "" for None."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def ccyymmdd(value: date | None) -> str:
    return value.strftime("%Y%m%d") if value is not None else ""


class _Out:
    """Collects segments of one interchange with the chosen delimiters; trailing empty elements are dropped."""

    def __init__(self, delimiters: Delimiters, newline: bool) -> None:
        self.d = delimiters
        self.tail = delimiters.segment + ("\n" if newline and delimiters.segment != "\n" else "")
        self.parts: list[str] = []
        self.set_count = 0

    def comp(self, *parts: str) -> str:
        # Values never hold a delimiter, so stripping separators from the right drops exactly the empty tail.
        return self.d.component.join(parts).rstrip(self.d.component)

    def seg(self, seg_id: str, *elements: str) -> None:
        sep = self.d.element
        body = sep.join(elements).rstrip(sep)
        if not body:
            return  # a segment with nothing in it is not rendered (the model held nothing for it)
        self.parts.append(f"{seg_id}{sep}{body}{self.tail}")
        self.set_count += 1

    def text(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True, slots=True)
class Envelope:
    """ISA/GS values that are not in the models."""

    sender: str
    receiver: str
    control_number: int
    created: datetime
    usage: Literal["P", "T"] = "P"
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"


def _open(out: _Out, env: Envelope, functional_id: str, guide: str) -> None:
    d = out.d
    isa = (
        "00",
        " " * 10,
        "00",
        " " * 10,
        env.sender_qualifier.ljust(2),
        env.sender.ljust(15)[:15],
        env.receiver_qualifier.ljust(2),
        env.receiver.ljust(15)[:15],
        env.created.strftime("%y%m%d"),
        env.created.strftime("%H%M"),
        d.repetition or "U",
        "00501",
        f"{env.control_number:09d}",
        "0",
        env.usage,
        d.component,
    )
    out.parts.append(d.element.join(("ISA", *isa)) + out.tail)
    out.seg(
        "GS",
        functional_id,
        env.sender,
        env.receiver,
        env.created.strftime("%Y%m%d"),
        env.created.strftime("%H%M"),
        str(env.control_number),
        "X",
        guide,
    )


def _close(out: _Out, env: Envelope, st_count: int) -> None:
    out.seg("SE", str(out.set_count - st_count + 1), f"{env.control_number:04d}")
    out.seg("GE", "1", str(env.control_number))
    out.seg("IEA", "1", f"{env.control_number:09d}")


# --- party pieces ------------------------------------------------------------------------------------------


def _nm1(out: _Out, role: str, party: Party, id_qualifier: str = "", ident: str = "") -> None:
    out.seg(
        "NM1",
        role,
        party.entity,
        party.last_or_org,
        party.first,
        party.middle,
        "",
        party.suffix,
        party.id_qualifier or (id_qualifier if ident or party.id else ""),
        party.id or ident,
    )


def _address(out: _Out, address: Address | None) -> None:
    if address is None:
        return
    if address.line1 or address.line2:
        out.seg("N3", address.line1, address.line2)
    out.seg("N4", address.city, address.state, address.postal_code, address.country)


def _per(out: _Out, contact: Contact | None) -> None:
    if contact is None:
        return
    numbers = [x for pair in contact.numbers[:3] for x in pair]
    out.seg("PER", contact.function or "IC", contact.name, *numbers)


def _refs(out: _Out, ids: dict[str, str]) -> None:
    for qualifier, value in ids.items():
        out.seg("REF", qualifier, value)


def _party(out: _Out, role: str, party: Party, *, prv: str = "", before_ref: Sequence[tuple[str, ...]] = ()) -> None:
    """NM1, N3, N4, (segments such as DMG), PRV, REF*EI then the other REFs, PER."""
    _nm1(out, role, party)
    _address(out, party.address)
    for seg in before_ref:
        out.seg(*seg)
    if prv and party.taxonomy:
        out.seg("PRV", prv, "PXC", party.taxonomy)
    if party.tax_id:
        out.seg("REF", "EI", party.tax_id)
    _refs(out, party.secondary_ids)
    _per(out, party.contact)


def _payer(out: _Out, payer: Payer, *, adjudicated: date | None = None) -> None:
    out.seg("NM1", "PR", "2", payer.name, "", "", "", "", payer.id_qualifier or "PI", payer.payer_id)
    _address(out, payer.address)
    if adjudicated is not None:
        out.seg("DTP", "573", "D8", ccyymmdd(adjudicated))
    _refs(out, payer.secondary_ids)


def _dmg(birth: date | None, sex: str) -> tuple[tuple[str, ...], ...]:
    return (("DMG", "D8", ccyymmdd(birth), sex),) if birth is not None or sex else ()


def _cas(out: _Out, adjustments: Iterable[Adjustment]) -> None:
    """CAS segments: consecutive adjustments of one group share a segment, up to six triplets each."""
    batch: list[Adjustment] = []

    def flush() -> None:
        if batch:
            triplets = [x for a in batch for x in (a.reason, amount(a.amount), amount(a.quantity))]
            out.seg("CAS", batch[0].group, *triplets)
            batch.clear()

    for adj in adjustments:
        if batch and (adj.group != batch[0].group or len(batch) == 6):
            flush()
        batch.append(adj)
    flush()


def _period(out: _Out, qualifier: str, start: date | None, end: date | None) -> None:
    if end is None:
        out.seg("DTP", qualifier, "D8", ccyymmdd(start))
    else:
        out.seg("DTP", qualifier, "RD8", f"{ccyymmdd(start)}-{ccyymmdd(end)}")


def _ordered(keys: Iterable[str], order: Sequence[str]) -> list[str]:
    rank = {k: i for i, k in enumerate(order)}
    return sorted(keys, key=lambda k: (rank.get(k, len(order)), k))


def _procedure(out: _Out, qualifier: str, code: str, modifiers: Sequence[str]) -> str:
    return out.comp(qualifier, code, *modifiers[:4])


# --- 837 ---------------------------------------------------------------------------------------------------


def write_837(
    claims: Iterable[Claim],
    *,
    kind: ClaimKind,
    sender: str,
    receiver: str,
    submitter: Party,
    receiver_party: Party,
    control_number: int,
    created: datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    usage: Literal["P", "T"] = "P",
    newline: bool = False,
    sender_qualifier: str = "ZZ",
    receiver_qualifier: str = "ZZ",
) -> str:
    """One interchange with one 837 transaction set holding ``claims`` (one 2000A per billing provider)."""
    env = Envelope(sender, receiver, control_number, created, usage, sender_qualifier, receiver_qualifier)
    out = _Out(delimiters, newline)
    guide = GUIDES[kind]
    _open(out, env, "HC", guide)
    st_at = out.set_count
    out.seg("ST", "837", f"{control_number:04d}", guide)
    out.seg("BHT", "0019", "00", str(control_number), created.strftime("%Y%m%d"), created.strftime("%H%M"), "CH")
    out.seg(
        "NM1",
        "41",
        submitter.entity,
        submitter.last_or_org,
        submitter.first,
        submitter.middle,
        "",
        "",
        "46",
        submitter.id,
    )
    _per(out, submitter.contact or Contact())
    out.seg("NM1", "40", "2", receiver_party.last_or_org, "", "", "", "", "46", receiver_party.id)
    hl = 0
    for (billing, pay_to), by_billing in _group(claims, lambda c: (c.billing_provider, c.pay_to)):
        hl += 1
        billing_hl = hl
        out.seg("HL", str(hl), "", "20", "1")
        if billing.taxonomy:
            out.seg("PRV", "BI", "PXC", billing.taxonomy)
        _party(out, "85", billing)
        if pay_to is not None:
            _party(out, "87", pay_to)
        for (subscriber, payer), by_subscriber in _group(by_billing, lambda c: (c.subscriber, c.payer)):
            hl += 1
            subscriber_hl = hl
            own = [c for c in by_subscriber if c.patient is None]
            dependents = _group([c for c in by_subscriber if c.patient is not None], lambda c: c.patient)
            out.seg("HL", str(hl), str(billing_hl), "22", "1" if dependents else "0")
            _sbr(out, subscriber, subscriber.payer_responsibility)
            _party(out, "IL", _member(subscriber), before_ref=_dmg(subscriber.birth_date, subscriber.sex))
            _payer(out, payer)
            for claim in own:
                _claim(out, claim)
            for patient, patient_claims in dependents:
                if patient is None:  # not reachable: only claims with a patient were grouped here
                    continue
                hl += 1
                out.seg("HL", str(hl), str(subscriber_hl), "23", "0")
                out.seg("PAT", patient.relationship)
                _party(out, "QC", patient.party, before_ref=_dmg(patient.birth_date, patient.sex))
                for claim in patient_claims:
                    _claim(out, claim)
    _close(out, env, st_at)
    return out.text()


def _group(items: Iterable[T], key: Callable[[T], K]) -> list[tuple[K, list[T]]]:
    """Runs of consecutive items with an equal ``key`` (equality, not hashing: the models hold dicts).

    Only neighbours are merged, so the items keep their order and a reader gives them back in the same order.
    """
    groups: list[tuple[K, list[T]]] = []
    for item in items:
        k = key(item)
        if groups and groups[-1][0] == k:
            groups[-1][1].append(item)
        else:
            groups.append((k, [item]))
    return groups


def _member(subscriber: Subscriber) -> Party:
    party = subscriber.party
    if not party.id and subscriber.member_id:
        return Party(
            party.entity,
            party.last_or_org,
            party.first,
            party.middle,
            party.suffix,
            party.id_qualifier or "MI",
            subscriber.member_id,
            party.address,
            party.tax_id,
            party.taxonomy,
            party.secondary_ids,
            party.contact,
        )
    return party


def _sbr(out: _Out, subscriber: Subscriber, responsibility: str) -> None:
    out.seg(
        "SBR",
        responsibility,
        subscriber.relationship,
        subscriber.group_number,
        subscriber.group_name,
        subscriber.insurance_type,
        "",
        "",
        "",
        subscriber.claim_filing_indicator,
    )


def _claim(out: _Out, claim: Claim) -> None:
    kind = claim.kind
    facility = out.comp(claim.facility_code, claim.facility_qualifier, claim.frequency_code)
    out.seg(
        "CLM",
        claim.claim_id,
        amount(claim.total_charge),
        "",
        "",
        facility,
        claim.provider_signature,
        claim.assignment,
        claim.benefits_assignment,
        claim.release_of_info,
        claim.patient_signature_source,
        out.comp(*claim.related_causes),
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        claim.delay_reason,
    )
    for qualifier in _ordered(claim.dates, _DTP_ORDER[kind]):
        start, end = claim.dates[qualifier]
        _period(out, qualifier, start, end)
    if claim.institutional is not None:
        out.seg("CL1", *claim.institutional)
    for qualifier, value in (
        ("9F", claim.referral_number),
        ("G1", claim.prior_authorization),
        ("F8", claim.payer_claim_control_number),
        ("EA", claim.medical_record_number),
    ):
        if value:
            out.seg("REF", qualifier, value)
    for code, text in claim.notes:
        out.seg("NTE", code, text)
    _hi(out, kind, claim.diagnoses)
    roles: tuple[tuple[str, Party | None, str], ...]
    if kind == "P":
        roles = (
            ("DN", claim.referring_provider, ""),
            ("82", claim.rendering_provider, "PE"),
            ("77", claim.service_facility, ""),
        )
    else:
        roles = (
            ("71", claim.attending_provider, "AT"),
            ("72", claim.operating_provider, ""),
            ("82", claim.rendering_provider, ""),
            ("77", claim.service_facility, ""),
            ("DN", claim.referring_provider, ""),
        )
    for role, party, prv in roles:
        if party is not None:
            _party(out, role, party, prv=prv)
    for other in claim.other_payers:
        _other_payer(out, other)
    for line in claim.lines:
        _line(out, kind, line)


def _dx(out: _Out, dx: Diagnosis) -> str:
    return out.comp(dx.qualifier, dx.code, "", "", "", "", "", "", dx.poa)


def _hi(out: _Out, kind: ClaimKind, diagnoses: Sequence[Diagnosis]) -> None:
    if kind == "P":
        ordered = sorted(diagnoses, key=lambda d: d.qualifier not in _PRINCIPAL)
        for start in range(0, len(ordered), 12):
            out.seg("HI", *(_dx(out, d) for d in ordered[start : start + 12]))
        return
    for qualifiers in _HI_GROUPS_I:
        group = [d for d in diagnoses if d.qualifier in qualifiers]
        size = 1 if qualifiers[0] in ("ABK", "ABJ") else 12
        for start in range(0, len(group), size):
            out.seg("HI", *(_dx(out, d) for d in group[start : start + size]))


def _other_payer(out: _Out, other: OtherPayer) -> None:
    _sbr(out, other.subscriber, other.responsibility or other.subscriber.payer_responsibility)
    _cas(out, other.adjustments)
    if other.paid is not None:
        out.seg("AMT", "D", amount(other.paid))
    if other.remaining is not None:
        out.seg("AMT", "EAF", amount(other.remaining))
    out.seg("OI", "", "", other.benefits_assignment, "", "", other.release_of_info)
    _party(out, "IL", _member(other.subscriber))
    _payer(out, other.payer, adjudicated=other.adjudication_date)


def _line(out: _Out, kind: ClaimKind, line: ServiceLine) -> None:
    out.seg("LX", str(line.line_number))
    procedure = _procedure(out, line.procedure_qualifier, line.procedure_code, line.modifiers)
    if kind == "P":
        pointers = out.comp(*(str(p) for p in line.diagnosis_pointers[:4]))
        out.seg(
            "SV1",
            procedure,
            amount(line.charge),
            line.unit_basis,
            amount(line.units),
            line.place_of_service,
            "",
            pointers,
            "",
            line.emergency,
        )
    else:
        sv202 = procedure if line.procedure_code or line.procedure_qualifier else ""
        out.seg(
            "SV2",
            line.revenue_code,
            sv202,
            amount(line.charge),
            line.unit_basis,
            amount(line.units),
            "",
            amount(line.non_covered_charge),
        )
    if line.service_date_from is not None:
        _period(out, "472", line.service_date_from, line.service_date_to)
    if line.line_control_number:
        out.seg("REF", "6R", line.line_control_number)
    if line.ndc:
        out.seg("LIN", "", "N4", line.ndc)
        out.seg("CTP", "", "", "", amount(line.ndc_quantity), out.comp(line.ndc_unit))
    if line.rendering_provider is not None:
        _party(out, "82", line.rendering_provider, prv="PE" if kind == "P" else "")
    for adj in line.adjudications:
        proc = _procedure(out, adj.procedure_qualifier, adj.procedure_code, adj.modifiers)
        out.seg("SVD", adj.payer_id, amount(adj.paid), proc, adj.revenue_code, amount(adj.units))
        _cas(out, adj.adjustments)
        if adj.adjudication_date is not None:
            out.seg("DTP", "573", "D8", ccyymmdd(adj.adjudication_date))


# --- 835 ---------------------------------------------------------------------------------------------------


def write_835(
    remittances: Iterable[Remittance],
    *,
    sender: str,
    receiver: str,
    control_number: int,
    created: datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    usage: Literal["P", "T"] = "P",
    newline: bool = False,
    sender_qualifier: str = "ZZ",
    receiver_qualifier: str = "ZZ",
) -> str:
    """One interchange, one functional group, one 835 transaction set per remittance."""
    env = Envelope(sender, receiver, control_number, created, usage, sender_qualifier, receiver_qualifier)
    out = _Out(delimiters, newline)
    guide = GUIDES["835"]
    _open(out, env, "HP", guide)
    sets = 0
    for number, remit in enumerate(remittances, start=1):
        sets += 1
        start = out.set_count
        out.seg("ST", "835", f"{number:04d}")
        _remittance(out, remit)
        out.seg("SE", str(out.set_count - start + 1), f"{number:04d}")
    out.seg("GE", str(sets), str(control_number))
    out.seg("IEA", "1", f"{control_number:09d}")
    return out.text()


def _n1(out: _Out, role: str, party: Party) -> None:
    out.seg("N1", role, party.last_or_org, party.id_qualifier if party.id else "", party.id)
    _address(out, party.address)
    if party.tax_id:
        out.seg("REF", "EI", party.tax_id)
    _refs(out, party.secondary_ids)
    _per(out, party.contact)


def _remittance(out: _Out, remit: Remittance) -> None:
    bank = list(remit.bank[:10]) + [""] * (10 - len(remit.bank[:10]))
    out.seg(
        "BPR",
        remit.handling_code,
        amount(remit.total_paid),
        remit.credit_debit,
        remit.payment_method,
        remit.payment_format,
        *bank,
        ccyymmdd(remit.payment_date),
    )
    out.seg("TRN", remit.trace_type, remit.trace_number, remit.trace_originator, remit.trace_supplemental)
    if remit.receiver_id:
        out.seg("REF", "EV", remit.receiver_id)
    if remit.version_id:
        out.seg("REF", "F2", remit.version_id)
    if remit.production_date is not None:
        out.seg("DTM", "405", ccyymmdd(remit.production_date))
    _n1(out, "PR", remit.payer)
    _n1(out, "PE", remit.payee)
    for number, claims in _group(remit.claims, lambda c: c.header_number):
        out.seg("LX", str(number))
        for claim in claims:
            _claim_payment(out, claim)
    _plb(out, remit.provider_adjustments)


def _claim_payment(out: _Out, claim: ClaimPayment) -> None:
    out.seg(
        "CLP",
        claim.patient_control_number,
        claim.status,
        amount(claim.charge),
        amount(claim.paid),
        amount(claim.patient_responsibility),
        claim.filing_indicator,
        claim.payer_claim_control_number,
        claim.facility_code,
        claim.frequency_code,
        "",
        claim.drg,
    )
    _cas(out, claim.adjustments)
    for role, party in (
        ("QC", claim.patient),
        ("IL", claim.insured),
        ("74", claim.corrected_insured),
        ("82", claim.rendering_provider),
        ("TT", claim.crossover_carrier),
    ):
        if party is not None:
            _nm1(out, role, party)
    if claim.inpatient_remarks:
        out.seg("MIA", *claim.inpatient_remarks)
    if claim.outpatient_remarks:
        out.seg("MOA", *claim.outpatient_remarks)
    for qualifier, value in claim.references:
        out.seg("REF", qualifier, value)
    for qualifier in _ordered(claim.dates, _DTM_ORDER):
        out.seg("DTM", qualifier, ccyymmdd(claim.dates[qualifier]))
    for qualifier, money in claim.amounts.items():
        out.seg("AMT", qualifier, amount(money))
    for service in claim.services:
        _service_payment(out, service)


def _service_payment(out: _Out, service: ServicePayment) -> None:
    procedure = _procedure(out, service.procedure_qualifier, service.procedure_code, service.modifiers)
    out.seg(
        "SVC",
        procedure,
        amount(service.charge),
        amount(service.paid),
        service.revenue_code,
        amount(service.units),
        service.original_procedure,
        amount(service.original_units),
    )
    for qualifier in _ordered(service.dates, _DTM_ORDER):
        out.seg("DTM", qualifier, ccyymmdd(service.dates[qualifier]))
    _cas(out, service.adjustments)
    for qualifier, value in service.references:
        out.seg("REF", qualifier, value)
    for qualifier, money in service.amounts.items():
        out.seg("AMT", qualifier, amount(money))
    for qualifier, code in service.remarks:
        out.seg("LQ", qualifier, code)


def _plb(out: _Out, adjustments: Sequence[ProviderAdjustment]) -> None:
    """PLB segments: consecutive adjustments of one provider and fiscal period share one, up to six each."""
    for (provider, period), group in _group(adjustments, lambda a: (a.provider_id, a.fiscal_period)):
        for start in range(0, len(group), 6):
            pairs = [x for a in group[start : start + 6] for x in (out.comp(a.reason, a.reference), amount(a.amount))]
            out.seg("PLB", provider, ccyymmdd(period), *pairs)


# --- 270 ---------------------------------------------------------------------------------------------------

_ELIGIBILITY_DTP_ORDER = ("102", "291")
_EQ_REPEATS = 99
"""EQ01 repeats at most 99 times."""


def write_270(
    inquiries: Iterable[EligibilityInquiry],
    *,
    sender: str,
    receiver: str,
    control_number: int,
    created: datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    usage: Literal["P", "T"] = "P",
    newline: bool = False,
    sender_qualifier: str = "ZZ",
    receiver_qualifier: str = "ZZ",
    trace_originator: str = "",
) -> str:
    """One interchange, one functional group (HS), one 270 transaction set per inquiry.

    Each inquiry is one 2000A (payer) / 2000B (provider); its members are 2000C subscribers, and a dependent
    member is a 2000D under the subscriber before it. Service types go into one EQ with repeated EQ01 values
    (one EQ per service type when the delimiters have no repetition separator).
    The model holds only TRN02 of a trace, so TRN03 (the 10-character trace assigning entity) is
    ``trace_originator``, else "1" and the provider's EIN (``tax_id`` of nine digits), else "9" and ``sender``.
    """
    env = Envelope(sender, receiver, control_number, created, usage, sender_qualifier, receiver_qualifier)
    out = _Out(delimiters, newline)
    guide = GUIDES["270"]
    _open(out, env, "HS", guide)
    sets = 0
    for number, inquiry in enumerate(inquiries, start=1):
        sets += 1
        start = out.set_count
        out.seg("ST", "270", f"{number:04d}", guide)
        out.seg("BHT", "0022", "13", str(control_number), created.strftime("%Y%m%d"), created.strftime("%H%M"))
        _inquiry(out, inquiry, trace_originator or _trace_originator(inquiry, sender))
        out.seg("SE", str(out.set_count - start + 1), f"{number:04d}")
    out.seg("GE", str(sets), str(control_number))
    out.seg("IEA", "1", f"{control_number:09d}")
    return out.text()


def _trace_originator(inquiry: EligibilityInquiry, sender: str) -> str:
    tax_id = (inquiry.provider.tax_id if inquiry.provider is not None else "").replace("-", "")
    if len(tax_id) == 9 and tax_id.isdigit():
        return "1" + tax_id
    ident = "".join(ch for ch in sender if ch.isalnum()).upper()
    return "9" + ident[:9].ljust(9, "0")


def _inquiry(out: _Out, inquiry: EligibilityInquiry, originator: str) -> None:
    out.seg("HL", "1", "", "20", "1")
    _nm1(out, "PR", inquiry.payer or Party(), "PI")
    out.seg("HL", "2", "1", "21", "1")
    provider = inquiry.provider or Party()
    _nm1(out, "1P", provider, "XX")
    _inquiry_party(out, provider, "PE")
    for member in _member_levels(out, list(inquiry.members), "270"):
        _eligibility_member(out, member, originator)


def _member_levels(out: _Out, members: list[EligibilityMember], transaction: str) -> Iterator[EligibilityMember]:
    """Write each member's HL (22 subscriber under the provider's HL 2, 23 dependent under the subscriber before
    it) and hand the member back for its loops."""
    hl = 2
    subscriber_hl = 0
    for index, member in enumerate(members):
        hl += 1
        if member.level == "dependent":
            if not subscriber_hl:
                raise ValueError(f"a {transaction} dependent member must follow its subscriber member")
            out.seg("HL", str(hl), str(subscriber_hl), "23", "0")
        else:
            subscriber_hl = hl
            more = index + 1 < len(members) and members[index + 1].level == "dependent"
            out.seg("HL", str(hl), "2", "22", "1" if more else "0")
        yield member


def _inquiry_party(out: _Out, party: Party, prv: str) -> None:
    """The 270/271 order after NM1: REF (EI first), N3, N4, PRV."""
    if party.tax_id:
        out.seg("REF", "EI", party.tax_id)
    _refs(out, party.secondary_ids)
    _address(out, party.address)
    if party.taxonomy:
        out.seg("PRV", prv, "PXC", party.taxonomy)


def _eligibility_member(out: _Out, member: EligibilityMember, originator: str) -> None:
    dependent = member.level == "dependent"
    for trace in member.trace_numbers:
        out.seg("TRN", "1", trace, originator)
    _nm1(out, "03" if dependent else "IL", member.party, "MI")
    _inquiry_party(out, member.party, "PE")
    if member.birth_date is not None:
        out.seg("DMG", "D8", ccyymmdd(member.birth_date), member.sex)
    elif member.sex:
        out.seg("DMG", "", "", member.sex)
    if member.relationship:
        out.seg("INS", "N" if dependent else "Y", member.relationship)
    for qualifier in _ordered(member.dates, _ELIGIBILITY_DTP_ORDER):
        start, end = member.dates[qualifier]
        _period(out, qualifier, start, end)
    rep = out.d.repetition
    if rep:
        types = list(member.service_types)
        for first in range(0, len(types), _EQ_REPEATS):
            out.seg("EQ", rep.join(types[first : first + _EQ_REPEATS]))
    else:
        for code in member.service_types:
            out.seg("EQ", code)


# --- 276 ---------------------------------------------------------------------------------------------------

_STATUS_REF_ORDER = ("1K", "BLT", "LU", "6P", "EJ", "XZ", "D9")


def write_276(
    requests: Iterable[StatusRequest],
    *,
    sender: str,
    receiver: str,
    control_number: int,
    created: datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    usage: Literal["P", "T"] = "P",
    newline: bool = False,
    sender_qualifier: str = "ZZ",
    receiver_qualifier: str = "ZZ",
) -> str:
    """One interchange, one functional group (HR), one 276 transaction set per request.

    Each request is one 2000A (payer) / 2000B (receiver). Every provider of ``providers`` is a 2000C, in order;
    a run of claims with that provider follows it (claims of a provider missing from ``providers`` get a 2000C
    of their own), grouped by subscriber (2000D) and, for claims with a patient, by patient (2000E).
    """
    env = Envelope(sender, receiver, control_number, created, usage, sender_qualifier, receiver_qualifier)
    out = _Out(delimiters, newline)
    guide = GUIDES["276"]
    _open(out, env, "HR", guide)
    sets = 0
    for number, request in enumerate(requests, start=1):
        sets += 1
        start = out.set_count
        out.seg("ST", "276", f"{number:04d}", guide)
        out.seg("BHT", "0010", "13", str(control_number), created.strftime("%Y%m%d"), created.strftime("%H%M"))
        _status_request(out, request)
        out.seg("SE", str(out.set_count - start + 1), f"{number:04d}")
    out.seg("GE", str(sets), str(control_number))
    out.seg("IEA", "1", f"{control_number:09d}")
    return out.text()


def _status_request(out: _Out, request: StatusRequest) -> None:
    out.seg("HL", "1", "", "20", "1")
    _nm1(out, "PR", request.payer or Party(), "PI")
    out.seg("HL", "2", "1", "21", "1")
    _nm1(out, "41", request.receiver or Party(), "46")
    groups = _group(request.claims, lambda c: c.provider)
    plan: list[tuple[Party | None, list[ClaimStatus]]] = []
    for listed in request.providers:
        if groups and groups[0][0] == listed:
            plan.append(groups.pop(0))
        else:
            plan.append((listed, []))
    plan.extend(groups)
    hl = 2
    for provider, claims in plan:
        hl += 1
        provider_hl = hl
        out.seg("HL", str(hl), "2", "19", "1")
        _nm1(out, "1P", provider or Party(), "XX")
        for subscriber, by_subscriber in _group(claims, lambda c: c.subscriber):
            hl += 1
            subscriber_hl = hl
            own = [c for c in by_subscriber if c.patient is None]
            dependents = _group([c for c in by_subscriber if c.patient is not None], lambda c: c.patient)
            out.seg("HL", str(hl), str(provider_hl), "22", "1" if dependents else "0")
            _nm1(out, "IL", subscriber or Party("1"), "MI")
            for claim in own:
                _claim_status(out, claim)
            for patient, patient_claims in dependents:
                hl += 1
                out.seg("HL", str(hl), str(subscriber_hl), "23")
                _nm1(out, "QC", patient or Party("1"))
                for claim in patient_claims:
                    _claim_status(out, claim)


def _claim_status(out: _Out, claim: ClaimStatus) -> None:
    out.seg("TRN", "1", claim.trace_number)
    refs = list(claim.references)
    for qualifier, value in (("1K", claim.payer_claim_control_number), ("EJ", claim.patient_control_number)):
        if value and all(q != qualifier for q, _ in refs):
            refs.append((qualifier, value))
    rank = {q: i for i, q in enumerate(_STATUS_REF_ORDER)}
    for qualifier, value in sorted(refs, key=lambda r: rank.get(r[0], len(rank))):
        out.seg("REF", qualifier, value)
    if claim.charge is not None:
        out.seg("AMT", "T3", amount(claim.charge))
    if claim.service_date_from is not None or claim.service_date_to is not None:
        _period(out, "472", claim.service_date_from, claim.service_date_to)
    for line in claim.lines:
        _service_status(out, line)


def _service_status(out: _Out, line: ServiceStatus, *, with_statuses: bool = False) -> None:
    """2210 (276) or 2220 (277): SVC, its STC statuses (277 only), REF*FJ and DTP*472."""
    procedure = _procedure(out, line.procedure_qualifier, line.procedure_code, line.modifiers)
    out.seg(
        "SVC",
        procedure,
        amount(line.charge),
        amount(line.paid),
        line.revenue_code,
        "",
        "",
        amount(line.units),
    )
    if with_statuses:
        for status in line.statuses:
            _stc(out, status)
    if line.line_control_number:
        out.seg("REF", "FJ", line.line_control_number)
    if line.service_date_from is not None or line.service_date_to is not None:
        _period(out, "472", line.service_date_from, line.service_date_to)


# --- 271 ---------------------------------------------------------------------------------------------------

_RELATED_ROLE: dict[str, str] = {"L": "P3", "R": "PR"}
"""NM101 of a 2120 entity by EB01 (the model's Party holds no NM101): L primary care provider → P3, R other or
additional payer → PR; any other benefit → 1P (provider)."""


def write_271(
    responses: Iterable[EligibilityResponse],
    *,
    sender: str,
    receiver: str,
    control_number: int,
    created: datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    usage: Literal["P", "T"] = "P",
    newline: bool = False,
    sender_qualifier: str = "ZZ",
    receiver_qualifier: str = "ZZ",
) -> str:
    """One interchange, one functional group (HB), one 271 transaction set per response.

    Each response is one 2000A (payer, with the response's AAA rejections in 2100A) / 2000B (provider); its
    members are 2000C subscribers, and a dependent member is a 2000D under the subscriber before it. Each benefit
    is a 2110C/2110D EB loop; its related entities sit between LS*2120 and LE*2120.
    The model holds neither TRN01/TRN03 of a trace nor AAA01, so traces are written as TRN*2 (referenced
    transaction trace) with the sender as originator ("9" and ``sender``) and AAA01 is "N".
    """
    env = Envelope(sender, receiver, control_number, created, usage, sender_qualifier, receiver_qualifier)
    out = _Out(delimiters, newline)
    guide = GUIDES["271"]
    _open(out, env, "HB", guide)
    originator = "9" + "".join(ch for ch in sender if ch.isalnum()).upper()[:9].ljust(9, "0")
    sets = 0
    for number, response in enumerate(responses, start=1):
        sets += 1
        start = out.set_count
        out.seg("ST", "271", f"{number:04d}", guide)
        out.seg("BHT", "0022", "11", str(control_number), created.strftime("%Y%m%d"), created.strftime("%H%M"))
        _response(out, response, originator)
        out.seg("SE", str(out.set_count - start + 1), f"{number:04d}")
    out.seg("GE", str(sets), str(control_number))
    out.seg("IEA", "1", f"{control_number:09d}")
    return out.text()


def _aaa(out: _Out, rejections: Iterable[tuple[str, str]]) -> None:
    for reason, action in rejections:
        out.seg("AAA", "N", "", reason, action)


def _response(out: _Out, response: EligibilityResponse, originator: str) -> None:
    members = list(response.members)
    out.seg("HL", "1", "", "20", "1")
    payer = response.payer or Party()
    _nm1(out, "PR", payer, "PI")
    _per(out, payer.contact)
    _aaa(out, response.rejections)
    out.seg("HL", "2", "1", "21", "1" if members else "0")
    provider = response.provider or Party()
    _nm1(out, "1P", provider, "XX")
    _inquiry_party(out, provider, "PE")
    for member in _member_levels(out, members, "271"):
        _response_member(out, member, originator)


def _response_member(out: _Out, member: EligibilityMember, originator: str) -> None:
    """2000C/D TRN, then 2100C/D NM1, REF, N3, N4, AAA, PRV, DMG, INS, DTP, then the 2110C/D benefits.

    EQ (``service_types``) belongs to the 270 only and is not written.
    """
    dependent = member.level == "dependent"
    for trace in member.trace_numbers:
        out.seg("TRN", "2", trace, originator)
    party = member.party
    _nm1(out, "03" if dependent else "IL", party, "MI")
    if party.tax_id:
        out.seg("REF", "EI", party.tax_id)
    _refs(out, party.secondary_ids)
    _address(out, party.address)
    _aaa(out, member.rejections)
    if party.taxonomy:
        out.seg("PRV", "PE", "PXC", party.taxonomy)
    if member.birth_date is not None:
        out.seg("DMG", "D8", ccyymmdd(member.birth_date), member.sex)
    elif member.sex:
        out.seg("DMG", "", "", member.sex)
    if member.relationship:
        out.seg("INS", "N" if dependent else "Y", member.relationship)
    for qualifier in _ordered(member.dates, _ELIGIBILITY_DTP_ORDER):
        start, end = member.dates[qualifier]
        _period(out, qualifier, start, end)
    for benefit in member.benefits:
        _benefit(out, benefit)


def _benefit(out: _Out, benefit: Benefit) -> None:
    rep = out.d.repetition
    types = list(benefit.service_types)
    if len(types) > 1 and not rep:
        raise ValueError("an EB with several service types needs a repetition separator")
    out.seg(
        "EB",
        benefit.eligibility_code,
        benefit.coverage_level,
        (rep or "").join(types),
        benefit.insurance_type,
        benefit.plan,
        benefit.time_period,
        amount(benefit.amount),
        amount(benefit.percent),
        benefit.quantity_qualifier,
        amount(benefit.quantity),
        benefit.authorization_required,
        benefit.in_network,
        benefit.procedure,
    )
    for qualifier in sorted(benefit.dates):
        start, end = benefit.dates[qualifier]
        _period(out, qualifier, start, end)
    for message in benefit.messages:
        out.seg("MSG", message)
    if benefit.related:
        out.seg("LS", "2120")
        role = _RELATED_ROLE.get(benefit.eligibility_code, "1P")
        for party in benefit.related:
            _nm1(out, role, party)
            _address(out, party.address)
            _per(out, party.contact)
            if party.taxonomy:
                out.seg("PRV", "PE", "PXC", party.taxonomy)
        out.seg("LE", "2120")


# --- 277 / 277CA -------------------------------------------------------------------------------------------

_REPORT_REF_ORDER: dict[str, tuple[str, ...]] = {
    "277": ("1K", "BLT", "EJ", "XZ", "VV", "D9"),
    "277CA": ("1K", "D9", "BLT"),
}


def write_277(
    reports: Iterable[StatusReport],
    *,
    sender: str,
    receiver: str,
    control_number: int,
    created: datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    usage: Literal["P", "T"] = "P",
    newline: bool = False,
    sender_qualifier: str = "ZZ",
    receiver_qualifier: str = "ZZ",
) -> str:
    """One interchange, one functional group (HN), one transaction set per report: a 277 (005010X212) or a
    277CA (005010X214) as the report's ``kind`` says (all reports of one call must be of one kind, since the
    group's GS08 names one guide).

    Each report is one 2000A (payer) with every receiver a 2000B; the report's receiver statuses go into the
    first receiver's 2200B, and the providers (2000C, in order, as ``write_276`` plans them) sit under the last
    receiver. Claims are grouped by subscriber (2000D) and, in a 277, by patient (2000E); in a 277CA the 2000D
    is the patient (the claim's ``subscriber``) and a claim with a ``patient`` is refused.
    The model holds no trace number for a 2200B, so its TRN02 is the interchange control number; nor does it hold
    the 277CA 2200A (TRN, DTP*050, DTP*009) or 2200C loops, which are not written.
    """
    items = list(reports)
    kinds = {r.kind for r in items} or {"277"}
    if len(kinds) > 1 or not kinds <= {"277", "277CA"}:
        raise ValueError(f"write_277 writes one kind of report per group (277 or 277CA), not {sorted(kinds)}")
    kind = kinds.pop()
    env = Envelope(sender, receiver, control_number, created, usage, sender_qualifier, receiver_qualifier)
    out = _Out(delimiters, newline)
    guide = GUIDES[kind]
    _open(out, env, "HN", guide)
    sets = 0
    for number, report in enumerate(items, start=1):
        sets += 1
        start = out.set_count
        out.seg("ST", "277", f"{number:04d}", guide)
        purpose = ("0085", "TH") if kind == "277CA" else ("0010", "DG")
        date_, time_ = created.strftime("%Y%m%d"), created.strftime("%H%M")
        out.seg("BHT", purpose[0], "08", str(control_number), date_, time_, purpose[1])
        _status_report(out, report, kind, str(control_number))
        out.seg("SE", str(out.set_count - start + 1), f"{number:04d}")
    out.seg("GE", str(sets), str(control_number))
    out.seg("IEA", "1", f"{control_number:09d}")
    return out.text()


def _status_report(out: _Out, report: StatusReport, kind: str, receiver_trace: str) -> None:
    ca = kind == "277CA"
    out.seg("HL", "1", "", "20", "1")
    payer = report.payer or Party()
    _nm1(out, "PR", payer, "PI")
    if not ca:
        _per(out, payer.contact)
    receivers = list(report.receivers) or [Party()]
    groups = _group(report.claims, lambda c: c.provider)
    plan: list[tuple[Party | None, list[ClaimStatus]]] = []
    for listed in report.providers:
        if groups and groups[0][0] == listed:
            plan.append(groups.pop(0))
        else:
            plan.append((listed, []))
    plan.extend(groups)
    hl = 1
    receiver_hl = 0
    for index, party in enumerate(receivers):
        hl += 1
        receiver_hl = hl
        last = index == len(receivers) - 1
        out.seg("HL", str(hl), "1", "21", "1" if last and plan else "0")
        _nm1(out, "41", party, "46")
        if index == 0 and report.receiver_statuses:
            out.seg("TRN", "2", receiver_trace)
            for status in report.receiver_statuses:
                _stc(out, status)
    for provider, claims in plan:
        hl += 1
        provider_hl = hl
        out.seg("HL", str(hl), str(receiver_hl), "19", "1" if claims else "0")
        _nm1(out, "85" if ca else "1P", provider or Party(), "XX")
        for subscriber, by_subscriber in _group(claims, lambda c: c.subscriber):
            hl += 1
            subscriber_hl = hl
            own = [c for c in by_subscriber if c.patient is None]
            dependents = _group([c for c in by_subscriber if c.patient is not None], lambda c: c.patient)
            if ca:
                if dependents:
                    raise ValueError("a 277CA claim has no dependent level: put the patient in ``subscriber``")
                out.seg("HL", str(hl), str(provider_hl), "PT")
                _nm1(out, "QC", subscriber or Party("1"), "MI")
            else:
                out.seg("HL", str(hl), str(provider_hl), "22", "1" if dependents else "0")
                _nm1(out, "IL", subscriber or Party("1"), "MI")
            for claim in own:
                _reported_claim(out, claim, kind)
            for patient, patient_claims in dependents:
                hl += 1
                out.seg("HL", str(hl), str(subscriber_hl), "23")
                _nm1(out, "QC", patient or Party("1"))
                for claim in patient_claims:
                    _reported_claim(out, claim, kind)


def _stc(out: _Out, status: Status) -> None:
    others = [out.comp(*o) for o in status.others[:2]]
    others += [""] * (2 - len(others))
    out.seg(
        "STC",
        out.comp(status.category, status.code, status.entity),
        ccyymmdd(status.effective_date),
        status.action,
        amount(status.charge),
        amount(status.paid),
        "",
        "",
        "",
        "",
        *others,
        status.message,
    )


def _reported_claim(out: _Out, claim: ClaimStatus, kind: str) -> None:
    """2200D/E: TRN, STC, REF, DTP*472, then the 2220D/E service lines.

    The 277 has no AMT: the claim's charge travels as STC04 of its first status only.
    """
    out.seg("TRN", "2", claim.trace_number)
    for status in claim.statuses:
        _stc(out, status)
    refs = list(claim.references)
    pcn = claim.patient_control_number
    if kind == "277CA" and pcn == claim.trace_number:
        pcn = ""  # a 277CA carries the patient control number as TRN02
    for qualifier, value in (("1K", claim.payer_claim_control_number), ("EJ", pcn)):
        if value and all(q != qualifier for q, _ in refs):
            refs.append((qualifier, value))
    order = _REPORT_REF_ORDER[kind]
    rank = {q: i for i, q in enumerate(order)}
    for qualifier, value in sorted(refs, key=lambda r: rank.get(r[0], len(rank))):
        out.seg("REF", qualifier, value)
    if claim.service_date_from is not None or claim.service_date_to is not None:
        _period(out, "472", claim.service_date_from, claim.service_date_to)
    for line in claim.lines:
        _service_status(out, line, with_statuses=True)


# --- 999 ---------------------------------------------------------------------------------------------------


def write_999(
    acks: Iterable[Acknowledgment],
    *,
    sender: str,
    receiver: str,
    control_number: int,
    created: datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    usage: Literal["P", "T"] = "P",
    newline: bool = False,
    sender_qualifier: str = "ZZ",
    receiver_qualifier: str = "ZZ",
) -> str:
    """One interchange, one functional group (FA), one 999 transaction set per acknowledgment.

    Each IK4 is its own 2110 loop under its IK3 (2100); CTX segments are not held by the model.
    """
    env = Envelope(sender, receiver, control_number, created, usage, sender_qualifier, receiver_qualifier)
    out = _Out(delimiters, newline)
    guide = GUIDES["999"]
    _open(out, env, "FA", guide)
    sets = 0
    for number, ack in enumerate(acks, start=1):
        sets += 1
        start = out.set_count
        out.seg("ST", "999", f"{number:04d}", guide)
        out.seg("AK1", ack.functional_id, ack.group_control_number, ack.version)
        for response in ack.sets:
            out.seg("AK2", response.set_id, response.control_number, response.version)
            for error in response.errors:
                position = "" if error.position is None else str(error.position)
                out.seg("IK3", error.segment_id, position, error.loop, error.code)
                for element in error.elements:
                    out.seg("IK4", element.position, element.reference, element.code, element.bad_value)
            out.seg("IK5", response.status, *response.codes[:5])
        counts = (ack.included, ack.received, ack.accepted)
        out.seg("AK9", ack.status, *("" if c is None else str(c) for c in counts), *ack.codes[:5])
        out.seg("SE", str(out.set_count - start + 1), f"{number:04d}")
    out.seg("GE", str(sets), str(control_number))
    out.seg("IEA", "1", f"{control_number:09d}")
    return out.text()
