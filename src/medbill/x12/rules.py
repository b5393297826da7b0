"""The implementation-guide rules that span elements and segments, and the code-set checks.

Run by the walker through ``SegmentHook`` (one ``TR3Rules`` per transaction set):

* NPI check digits: every NM1 with NM108 = XX (and REF*HPI) must carry a 10-digit NPI whose last digit is the
  Luhn check digit computed over "80840" + the first nine digits (CMS NPI standard). IK403 = 7.
* Date formats: DTP02 = D8 needs a real CCYYMMDD in DTP03, RD8 two real dates "from-to" with from <= to; DMG01 =
  D8 a real birth date in DMG02. IK403 = 8.
* HL numbering: HL01 unique within the set, HL02 naming an earlier HL01. IK403 = 7.
* 837 balancing: CLM02 = Σ line charges (SV102 in 837P, SV203 in 837I). IK403 = I12 on CLM02 (the 999 has no
  balancing code; a clearinghouse reports it against the element that does not add up).
* 835 balancing (005010X221A1 section 1.10.2): per service line SVC02 − Σ CAS = SVC03; per claim
  CLP03 − Σ claim and line CAS = CLP04; per transaction BPR02 = Σ CLP04 − Σ PLB amounts. IK403 = I12.
* Code sets (with a ``CodeLibrary``): ICD-10-CM codes in HI (qualifiers ABK, ABF, ABJ, ABN, APR) valid and
  billable on the claim's first date of service; HCPCS/CPT codes in SV101 / SV202 and their modifiers; NUCC
  taxonomy in PRV03; CARC in CAS; RARC in MOA, MIA and LQ*HE; place of service (through the walker's external
  lists). IK403 = 7.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from medbill.codes.editions import CodeSystem
from medbill.codes.library import CodeLibrary
from medbill.coding.validation import Validator
from medbill.issues import Issue, Severity
from medbill.x12.schema import ElementDef, LoopDef, Schema, SegmentDef
from medbill.x12.tokens import Segment
from medbill.x12.values import real_date
from medbill.x12.walker import ExternalCheck, SegmentHook, TransactionWalker

_DATE_ISSUES = frozenset({"CARC-NOT-YET-VALID", "CARC-TERMINATED", "RARC-NOT-YET-VALID", "RARC-TERMINATED"})
ICD10_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "ABN", "APR"})
_PROCEDURE_QUALIFIERS = frozenset({"HC"})


def npi_valid(npi: str) -> bool:
    """10 digits whose last is the Luhn check digit over the prefix 80840 and the first nine."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 24  # the constant the 80840 prefix contributes to the Luhn sum
    for k, ch in enumerate(reversed(npi[:9])):
        d = int(ch)
        if k % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _date(text: str) -> dt.date | None:
    if not real_date(text) or len(text) != 8:
        return None
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _value(seg: Segment, position: int) -> str:
    return seg.elements[position - 1] if len(seg.elements) >= position else ""


def _element(segdef: SegmentDef, position: int) -> ElementDef | None:
    return segdef.elements[position - 1] if len(segdef.elements) >= position else None


class CodeSets:
    """Code-set answers for one run, cached: X12 files repeat the same codes thousands of times."""

    def __init__(self, library: CodeLibrary) -> None:
        self.library = library
        self.validator = Validator(library)
        self._check = lru_cache(maxsize=65536)(self._uncached)

    def _uncached(self, system: CodeSystem, code: str, on: dt.date) -> tuple[bool, str, Severity]:
        result = self.validator.validate(code, on=on, system=system)
        if result.valid and (system is not CodeSystem.ICD10CM or result.billable):
            return True, "", Severity.INFO
        first = result.issues[0].code if result.issues else "invalid"
        return False, first, self._severity(system, result.issues)

    @staticmethod
    def _severity(system: CodeSystem, issues: tuple[Issue, ...]) -> Severity:
        """An error only when medbill's data can judge the code on that date: no loaded edition covers it
        (EDITION-NOT-LOADED), an undated list (taxonomy), or a payer's adjustment code used outside its
        published dates (the payer chose it; the remittance still stands) give a warning."""
        codes = {i.code for i in issues}
        if "EDITION-NOT-LOADED" in codes or system is CodeSystem.TAXONOMY:
            return Severity.WARNING
        if system in (CodeSystem.CARC, CodeSystem.RARC) and codes & _DATE_ISSUES:
            return Severity.WARNING
        return Severity.ERROR

    def check(self, system: CodeSystem, code: str, on: dt.date) -> tuple[bool, str, Severity]:
        """(valid on ``on``, the validation issue code when not, how serious)."""
        return self._check(system, code, on)

    def external(self, today: dt.date) -> ExternalCheck:
        """The walker's check for the external lists medbill keeps dated (place of service, remark codes)."""
        systems = {"pos": CodeSystem.POS}  # remark codes are checked by TR3Rules on the document's date

        def check(name: str, value: str) -> bool | None:
            system = systems.get(name)
            if system is None:
                return None
            ok, _, severity = self.check(system, value, today)
            return ok or severity is not Severity.ERROR

        return check


@dataclass
class _Pending:
    """Codes seen before the claim's dates are known (HI comes before the service lines)."""

    segment: Segment
    element: ElementDef
    component: int
    position: int
    system: CodeSystem
    code: str


@dataclass
class _Claim:
    clm: Segment
    clm_def: SegmentDef
    total: Decimal | None
    lines: Decimal = Decimal(0)
    line_count: int = 0
    unreadable_line: bool = False
    """A line charge that is not a number: the element check reports it; the sum cannot be judged."""
    first_date: dt.date | None = None
    pending: list[_Pending] = field(default_factory=list)


@dataclass
class _Payment:
    seg: Segment
    segdef: SegmentDef
    charge: Decimal | None
    paid: Decimal | None
    adjustments: Decimal = Decimal(0)


class TR3Rules(SegmentHook):
    """Cross-element rules and code-set checks for one transaction set."""

    def __init__(self, schema: Schema, codes: CodeSets | None = None, *, today: dt.date | None = None) -> None:
        self._table: dict[str, Callable[[TransactionWalker, SegmentDef, Segment], None]] = {
            sid: getattr(self, method) for sid, method in _HANDLERS.items()
        }
        self.handlers = self._table
        self.schema = schema
        self.codes = codes
        self.today = today or dt.date.today()
        self._hl_ids: set[str] = set()
        self._claim: _Claim | None = None
        self._line_date: dt.date | None = None
        self._line_codes: list[_Pending] = []
        # 835
        self._bpr: tuple[Segment, SegmentDef, Decimal | None] | None = None
        self._paid_total = Decimal(0)
        self._plb_total = Decimal(0)
        self._clp: _Payment | None = None
        self._svc: _Payment | None = None
        self._clp_adjustments = Decimal(0)
        self._bht_date: dt.date | None = None

    # -- dispatch ----------------------------------------------------------------------------------------
    def segment(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        handler = self._table.get(seg.id)
        if handler is not None:
            handler(walker, segdef, seg)

    def loop_closed(self, walker: TransactionWalker, loop: LoopDef) -> None:
        lid = loop.id
        if lid == "2400":
            self._close_line(walker)
        elif lid == "2300":
            self._close_claim(walker)
        elif lid == "2110":
            self._close_service_payment(walker)
        elif lid == "2100" and self.schema.key == "835":
            self._close_claim_payment(walker)
        elif lid == "ST":
            self._close_remittance(walker)

    # -- common --------------------------------------------------------------------------------------------
    def _nm1(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        if _value(seg, 8) == "XX":
            self._npi(walker, segdef, seg, 9)

    def _ref(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        if _value(seg, 1) == "HPI":
            self._npi(walker, segdef, seg, 2)

    def _npi(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment, position: int) -> None:
        npi = _value(seg, position)
        ed = _element(segdef, position)
        if npi and ed is not None and not npi_valid(npi):
            walker.element_finding(
                seg, ed, "X12-NPI-CHECK-DIGIT", "7", f"{ed.ref} is not a valid NPI (10 digits with a Luhn check digit)"
            )

    def _prv(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        taxonomy = _value(seg, 3)
        if self.codes is not None and taxonomy and _value(seg, 2) == "PXC":
            self._code(walker, segdef, seg, 3, None, CodeSystem.TAXONOMY, taxonomy, self.document_date)

    def _dtp(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        fmt, text = _value(seg, 2), _value(seg, 3)
        ed = _element(segdef, 3)
        if ed is None or not text:
            return
        first: dt.date | None = None
        if fmt == "D8":
            first = _date(text)
            ok = first is not None
        elif fmt == "RD8":
            start, _, end = text.partition("-")
            first, last = _date(start), _date(end)
            ok = first is not None and last is not None and first <= last
        else:
            return
        if not ok:
            walker.element_finding(
                seg, ed, "X12-ELEMENT-DATE", "8", f"{ed.ref} is not a real {'date' if fmt == 'D8' else 'date range'}"
            )
            return
        qualifier = _value(seg, 1)
        if qualifier == "472" and walker.loop_id == "2400":
            self._line_date = first
        elif qualifier == "434" and self._claim is not None:
            self._claim.first_date = first

    def _dmg(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        text = _value(seg, 2)
        ed = _element(segdef, 2)
        if _value(seg, 1) == "D8" and text and ed is not None and _date(text) is None:
            walker.element_finding(seg, ed, "X12-ELEMENT-DATE", "8", f"{ed.ref} is not a real date (CCYYMMDD)")

    def _hl(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        ident, parent = _value(seg, 1), _value(seg, 2)
        if ident in self._hl_ids and (ed := _element(segdef, 1)) is not None:
            walker.element_finding(seg, ed, "X12-HL-DUPLICATE", "7", f"HL01 {ident} repeats an earlier HL01")
        if parent and parent not in self._hl_ids and (ed := _element(segdef, 2)) is not None:
            walker.element_finding(seg, ed, "X12-HL-PARENT", "7", f"HL02 {parent} names no earlier HL01")
        self._hl_ids.add(ident)

    def _bht(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        self._bht_date = _date(_value(seg, 4))

    @property
    def document_date(self) -> dt.date:
        """The date codes outside a claim's service lines are judged on: when the document was made (BHT04 for
        837/27x, BPR16 for an 835), else today."""
        return self._bht_date or self.today

    def _code(
        self,
        walker: TransactionWalker,
        segdef: SegmentDef,
        seg: Segment,
        position: int,
        component: int | None,
        system: CodeSystem,
        code: str,
        on: dt.date,
    ) -> None:
        if self.codes is None:
            return
        ok, why, severity = self.codes.check(system, code, on)
        if ok:
            return
        ed = _element(segdef, position)
        if ed is None:
            return
        target = ed.components[component - 1] if component is not None and len(ed.components) >= component else ed
        walker.element_finding(
            seg,
            target,
            "X12-CODE-SET",
            "7",
            f"{target.ref}: {code} is not a valid {system} code on {on.isoformat()} ({why})",
            component=component,
            position=position,
            severity=severity,
        )

    # -- 837 -------------------------------------------------------------------------------------------------
    def _clm(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        self._claim = _Claim(seg, segdef, _amount(_value(seg, 2)))

    def _hi(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        claim = self._claim
        if claim is None or self.codes is None:
            return
        component = walker.component
        for position, value in enumerate(seg.elements, start=1):
            qualifier, _, rest = value.partition(component)
            code = rest.partition(component)[0]
            ed = _element(segdef, position)
            if qualifier in ICD10_QUALIFIERS and code and ed is not None and ed.components:
                claim.pending.append(_Pending(seg, ed, 2, position, CodeSystem.ICD10CM, code))

    def _sv1(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        self._line(walker, segdef, seg, procedure_at=1, charge_at=2)

    def _sv2(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        self._line(walker, segdef, seg, procedure_at=2, charge_at=3)

    def _line(
        self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment, *, procedure_at: int, charge_at: int
    ) -> None:
        claim = self._claim
        if claim is None:
            return
        charge = _amount(_value(seg, charge_at))
        if charge is not None:
            claim.lines += charge
        else:
            claim.unreadable_line = True
        claim.line_count += 1
        self._line_date = None
        self._line_codes = []
        parts = _value(seg, procedure_at).split(walker.component)
        if self.codes is None or len(parts) < 2 or parts[0] not in _PROCEDURE_QUALIFIERS:
            return
        ed = _element(segdef, procedure_at)
        if ed is None:
            return
        code = parts[1]
        system = CodeSystem.HCPCS if code[:1].isalpha() else CodeSystem.CPT
        self._line_codes.append(_Pending(seg, ed, 2, procedure_at, system, code))
        for k, modifier in enumerate(parts[2:6], start=3):
            if modifier:
                self._line_codes.append(_Pending(seg, ed, k, procedure_at, CodeSystem.MODIFIER, modifier))

    def _close_line(self, walker: TransactionWalker) -> None:
        claim = self._claim
        date = self._line_date
        if claim is not None and date is not None and (claim.first_date is None or date < claim.first_date):
            claim.first_date = date
        on = date or (claim.first_date if claim is not None else None) or self._bht_date or self.today
        for p in self._line_codes:
            self._pending_check(walker, p, on)
        self._line_codes = []
        self._line_date = None

    def _pending_check(self, walker: TransactionWalker, p: _Pending, on: dt.date) -> None:
        if self.codes is None:
            return
        ok, why, severity = self.codes.check(p.system, p.code, on)
        if ok:
            return
        comp = p.element.components[p.component - 1] if len(p.element.components) >= p.component else p.element
        walker.element_finding(
            p.segment,
            comp,
            "X12-CODE-SET",
            "7",
            f"{comp.ref}: {p.code} is not a valid {p.system} code on {on.isoformat()} ({why})",
            component=p.component,
            position=p.position,
            severity=severity,
        )

    def _close_claim(self, walker: TransactionWalker) -> None:
        claim = self._claim
        if claim is None:
            return
        self._claim = None
        on = claim.first_date or self._bht_date or self.today
        for p in claim.pending:
            self._pending_check(walker, p, on)
        if claim.total is not None and claim.line_count and not claim.unreadable_line and claim.total != claim.lines:
            ed = _element(claim.clm_def, 2)
            if ed is not None:
                walker.element_finding(
                    claim.clm,
                    ed,
                    "X12-CLAIM-BALANCE",
                    "I12",
                    f"CLM02 total charge {claim.total} does not equal the sum of the {claim.line_count} line "
                    f"charge(s), {claim.lines}",
                )

    # -- 835 -------------------------------------------------------------------------------------------------
    def _bpr_seen(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        self._bpr = (seg, segdef, _amount(_value(seg, 2)))
        self._bht_date = _date(_value(seg, 16)) or self._bht_date

    def _clp_seen(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        paid = _amount(_value(seg, 4))
        self._clp = _Payment(seg, segdef, _amount(_value(seg, 3)), paid)
        if paid is not None:
            self._paid_total += paid

    def _svc_seen(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        self._svc = _Payment(seg, segdef, _amount(_value(seg, 2)), _amount(_value(seg, 3)))

    def _cas(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        total = Decimal(0)
        values = seg.elements
        for k in range(1, min(len(values), 18), 3):  # CAS02/03, 05/06, ... 17/18: reason and amount (0-based)
            reason = values[k]
            amount = _amount(values[k + 1]) if k + 1 < len(values) else None
            if amount is not None:
                total += amount
            if reason and self.codes is not None:
                self._code(walker, segdef, seg, k + 1, None, CodeSystem.CARC, reason, self.document_date)
        if self.schema.key != "835":
            return
        if walker.loop_id == "2110" and self._svc is not None:
            self._svc.adjustments += total
        elif self._clp is not None:
            self._clp.adjustments += total

    def _remarks(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment, positions: range) -> None:
        if self.codes is None:
            return
        for k in positions:
            code = _value(seg, k)
            if code:
                self._code(walker, segdef, seg, k, None, CodeSystem.RARC, code, self.document_date)

    def _moa(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        self._remarks(walker, segdef, seg, range(3, 8))

    def _mia(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        self._remarks(walker, segdef, seg, range(5, 6))
        self._remarks(walker, segdef, seg, range(20, 24))

    def _lq(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        if _value(seg, 1) == "HE":
            self._remarks(walker, segdef, seg, range(2, 3))

    def _plb(self, walker: TransactionWalker, segdef: SegmentDef, seg: Segment) -> None:
        for k in range(4, 15, 2):
            amount = _amount(_value(seg, k))
            if amount is not None:
                self._plb_total += amount

    def _close_service_payment(self, walker: TransactionWalker) -> None:
        svc, self._svc = self._svc, None
        if svc is None:
            return
        if self._clp is not None:
            self._clp.adjustments += svc.adjustments
        self._balance(walker, svc, 3, "SVC03 paid", "SVC02 charge")

    def _close_claim_payment(self, walker: TransactionWalker) -> None:
        if self._svc is not None:
            self._close_service_payment(walker)
        clp, self._clp = self._clp, None
        if clp is not None:
            self._balance(walker, clp, 4, "CLP04 paid", "CLP03 charge")

    def _balance(self, walker: TransactionWalker, p: _Payment, paid_at: int, paid: str, charge: str) -> None:
        if p.charge is None or p.paid is None or p.charge - p.adjustments == p.paid:
            return
        ed = _element(p.segdef, paid_at)
        if ed is not None:
            walker.element_finding(
                p.seg,
                ed,
                "X12-PAYMENT-BALANCE",
                "I12",
                f"{charge} {p.charge} minus adjustments {p.adjustments} is {p.charge - p.adjustments}, "
                f"not the {paid} {p.paid}",
            )

    def _close_remittance(self, walker: TransactionWalker) -> None:
        if self.schema.key != "835" or self._bpr is None:
            return
        seg, segdef, total = self._bpr
        expected = self._paid_total - self._plb_total
        ed = _element(segdef, 2)
        if total is not None and ed is not None and total != expected:
            walker.element_finding(
                seg,
                ed,
                "X12-REMITTANCE-BALANCE",
                "I12",
                f"BPR02 total payment {total} does not equal Σ CLP04 {self._paid_total} minus Σ PLB "
                f"{self._plb_total} = {expected}",
            )


_HANDLERS: dict[str, str] = {  # segment id → the TR3Rules method for it
    "NM1": "_nm1",
    "REF": "_ref",
    "PRV": "_prv",
    "DTP": "_dtp",
    "HL": "_hl",
    "DMG": "_dmg",
    "BHT": "_bht",
    "CLM": "_clm",
    "HI": "_hi",
    "SV1": "_sv1",
    "SV2": "_sv2",
    "BPR": "_bpr_seen",
    "CLP": "_clp_seen",
    "SVC": "_svc_seen",
    "CAS": "_cas",
    "MOA": "_moa",
    "MIA": "_mia",
    "LQ": "_lq",
    "PLB": "_plb",
}


def rules_for(codes: CodeSets | None, *, today: dt.date | None = None) -> Callable[[Schema], tuple[SegmentHook, ...]]:
    """The hook factory ``validate_x12(hooks=...)`` takes: TR3 rules with or without code-set checks."""

    def factory(schema: Schema) -> tuple[SegmentHook, ...]:
        return (TR3Rules(schema, codes, today=today),)

    return factory
