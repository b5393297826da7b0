"""A professional claim as a CMS-1500 (02/12) data-placement rendering on plain paper.

The page is drawn with reportlab's canvas: box outlines, item numbers and short field names, and the claim data in
the boxes where the NUCC 1500 Claim Form Reference Instruction Manual puts it. It is not the official red-ink form
(no OCR drop-out colour, no official artwork or text): a footer on every page says so. Payers that scan paper
claims need the printed form; this rendering is for review, records and payers that accept plain-paper copies.

Conventions (NUCC 1500 Reference Instruction Manual, form version 02/12):

* Dates: birth dates (items 3, 11a) as 8 digits ``MM DD YYYY``; every other date as 6 digits ``MM DD YY``.
* Money: dollars right-justified in the dollar cell and two-digit cents in the cents cell, no commas, no ``$``;
  a whole amount gets ``00`` cents. Amounts are ``Decimal`` quantized to cents, never floats.
* Item 21: up to 12 diagnoses A–L, codes without the decimal point as in the 837P, ICD indicator ``0``
  (ICD-10-CM) or ``9`` (ICD-9-CM for the BK/BF qualifiers). Item 24E holds the pointer letters, up to 4, no commas.
* Item 24: six service lines per page; the shaded upper half of a line carries the supplemental NDC (``N4``).
* Codes only: procedure and diagnosis code numbers are printed, never code descriptors.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from medbill.billing.claim import Address, Claim, Party, ServiceLine
from medbill.errors import InvalidInput

__all__ = ["LINES_PER_PAGE", "render_cms1500"]

LINES_PER_PAGE = 6
"""Item 24 holds six service lines; more continue on further pages of the same claim."""

_PAGE_W, _PAGE_H = 612.0, 792.0
"""US letter, 8.5 × 11 in, in points."""
_L, _R = 18.0, _PAGE_W - 18.0
_C1, _C2 = 230.0, 378.0
"""Column splits: patient column | middle column (items 3, 6, 8, 10) | insured column."""

_LABEL_FONT = "Helvetica"
_LABEL_BOLD = "Helvetica-Bold"
_LABEL_SIZE = 5.5
_DATA_FONT = "Courier"
_DATA_SIZE = 8.5
_CENT = Decimal("0.01")

_FOOTER = (
    "Data-placement rendering of the CMS-1500 (02/12) claim, printed on plain paper by medbill. "
    "Not the official red-ink form; item numbers follow the NUCC 1500 instruction manual."
)

_INSURANCE_TYPES = ("MEDICARE", "MEDICAID", "TRICARE", "CHAMPVA", "GROUP HEALTH", "FECA BLK LUNG", "OTHER")
_FILING_TO_TYPE = {
    "MA": "MEDICARE",
    "MB": "MEDICARE",
    "16": "MEDICARE",
    "MC": "MEDICAID",
    "CH": "TRICARE",
    "VA": "CHAMPVA",
    "OF": "FECA BLK LUNG",
    "12": "GROUP HEALTH",
    "13": "GROUP HEALTH",
    "14": "GROUP HEALTH",
    "15": "GROUP HEALTH",
    "17": "GROUP HEALTH",
    "BL": "GROUP HEALTH",
    "CI": "GROUP HEALTH",
    "FI": "GROUP HEALTH",
    "HM": "GROUP HEALTH",
}
"""Claim filing indicator (SBR09) → item 1 checkbox; any other non-empty code (WC, AM, LM, 11, ZZ …) is OTHER."""

_RELATIONSHIPS = (("SELF", ("18",)), ("SPOUSE", ("01",)), ("CHILD", ("19",)), ("OTHER", ()))

# Item 24 columns (left edges); the last entry is the right edge of 24J.
_COL_FROM, _COL_TO, _COL_POS, _COL_EMG, _COL_CPT = 18.0, 78.0, 138.0, 160.0, 180.0
_COL_MODS = (226.0, 243.0, 260.0, 277.0)
_COL_PTR, _COL_CHG, _COL_CENTS, _COL_UNITS, _COL_EPSDT, _COL_QUAL, _COL_ID = (
    294.0,
    330.0,
    384.0,
    400.0,
    430.0,
    450.0,
    472.0,
)
_LINES_TOP, _LINE_H, _SHADE_H = 474.0, 24.0, 10.0


def render_cms1500(claims: Sequence[Claim], *, printed_on: date | None = None) -> bytes:
    """The claims as one PDF (letter size): one page per claim, more when a claim has over six service lines.

    ``printed_on`` is the date entered beside the signatures in items 12 and 31 (and ``DATE``); without it those
    dates stay blank for the signer, so the same claims always give the same bytes (no clock is read and the PDF
    is written with reportlab's ``invariant`` mode: fixed creation date and document id).

    Multi-page claims. A continuation page repeats every box except item 24 and is marked "Page n of m" at the top
    right; each page lists its own six lines. The NUCC 1500 Claim Form Reference Instruction Manual (form 02/12,
    item number 28 "Total Charge") says to enter the total charges for the services, i.e. the total of all charges
    in 24F, right-justified in the dollar area, ``00`` cents for whole amounts; that wording is written for one
    form and does not itself say how to split a claim of more than six lines. For that case this renderer follows
    the convention payers publish for multi-page paper claims (e.g. HMSA "Multi-page Claims"; TMHP CSHCN manual
    5.3 "Multipage Claim Forms"): the claim total goes in item 28 on the last page only and earlier pages show
    "CONTINUED" there; item 29 (amount paid) likewise. Item 28 is the claim's ``total_charge`` (CLM02), or the sum
    of the line charges when that is unreadable.

    Raises ``InvalidInput`` for an empty sequence or an institutional claim; messages name the claim's position
    in ``claims``, never its id or the patient.
    """
    if not claims:
        raise InvalidInput("render_cms1500 needs at least one claim")
    for index, claim in enumerate(claims, start=1):
        if claim.kind != "P":
            raise InvalidInput(
                f"claim {index} of {len(claims)} is institutional (kind {claim.kind!r}); "
                "the CMS-1500 is for professional claims"
            )
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(_PAGE_W, _PAGE_H), invariant=1, pageCompression=1)
    canvas.setTitle("CMS-1500 (02/12) claim data")
    canvas.setCreator("medbill")
    canvas.setProducer("medbill")
    canvas.setSubject("")
    canvas.setAuthor("")
    for claim in claims:
        chunks = [claim.lines[i : i + LINES_PER_PAGE] for i in range(0, len(claim.lines), LINES_PER_PAGE)] or [()]
        for number, chunk in enumerate(chunks, start=1):
            _Page(canvas, claim, printed_on).draw(chunk, number, len(chunks))
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- formatting ---------------------------------------------------------------------------------------------


def _money_parts(amount: Decimal | None) -> tuple[str, str]:
    """(dollars, cents) of an amount quantized to cents: ``Decimal("50")`` → ("50", "00"); None → ("", "")."""
    if amount is None or not amount.is_finite():
        return "", ""
    text = f"{amount.quantize(_CENT, rounding=ROUND_HALF_UP):f}"
    dollars, _, cents = text.partition(".")
    return dollars, cents


def _quantity(value: Decimal | None) -> str:
    if value is None or not value.is_finite():
        return ""
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _date6(value: date | None) -> str:
    return f"{value:%m %d %y}" if value is not None else ""


def _date8(value: date | None) -> str:
    return f"{value:%m %d %Y}" if value is not None else ""


def _name(party: Party | None) -> str:
    """LAST, FIRST, MIDDLE INITIAL (suffix after the last name), or the organization name."""
    if party is None:
        return ""
    if party.entity != "1":
        return party.last_or_org
    last = f"{party.last_or_org} {party.suffix}".strip()
    return ", ".join(part for part in (last, party.first, party.middle[:1]) if part)


def _city_line(address: Address | None) -> str:
    if address is None:
        return ""
    return " ".join(part for part in (address.city, address.state, _zip(address.postal_code)) if part)


def _zip(postal_code: str) -> str:
    return f"{postal_code[:5]}-{postal_code[5:]}" if len(postal_code) == 9 and postal_code.isdigit() else postal_code


def _phone(party: Party | None) -> str:
    if party is None or party.contact is None:
        return ""
    for qualifier, number in party.contact.numbers:
        if qualifier == "TE":
            digits = "".join(ch for ch in number if ch.isdigit())
            return f"({digits[:3]}) {digits[3:6]}-{digits[6:10]}" if len(digits) == 10 else number
    return ""


def _npi(party: Party | None) -> str:
    return party.id if party is not None and party.id_qualifier == "XX" else ""


def _width(text: str, font: str, size: float) -> float:
    return float(stringWidth(text, font, size))


def _fit(text: str, width: float, font: str, size: float) -> str:
    """The text cut to fit ``width`` points (so data never runs into the next box)."""
    while text and _width(text, font, size) > width:
        text = text[:-1]
    return text


# --- drawing ------------------------------------------------------------------------------------------------


@dataclass
class _Page:
    canvas: Canvas
    claim: Claim
    printed_on: date | None

    # primitives: positions are measured from the top of the page (``t``), like the form is read ----------

    def _y(self, t: float) -> float:
        return _PAGE_H - t

    def box(self, x0: float, t0: float, x1: float, t1: float, number: str = "", label: str = "") -> None:
        c = self.canvas
        c.setLineWidth(0.5)
        c.rect(x0, self._y(t1), x1 - x0, t1 - t0, stroke=1, fill=0)
        if number or label:
            self.label(x0 + 1.5, t0 + 5.5, f"{number}. {label}" if number and label else number or label, bold=True)

    def label(self, x: float, t: float, text: str, *, bold: bool = False, size: float = _LABEL_SIZE) -> None:
        font = _LABEL_BOLD if bold else _LABEL_FONT
        self.canvas.setFont(font, size)
        self.canvas.drawString(x, self._y(t), text)

    def data(self, x: float, t: float, text: str, width: float, *, size: float = _DATA_SIZE) -> None:
        """Data left-justified at x on the baseline t, cut to ``width``."""
        if not text:
            return
        self.canvas.setFont(_DATA_FONT, size)
        self.canvas.drawString(x, self._y(t), _fit(text, width, _DATA_FONT, size))

    def data_right(self, x: float, t: float, text: str, *, size: float = _DATA_SIZE) -> None:
        if not text:
            return
        self.canvas.setFont(_DATA_FONT, size)
        self.canvas.drawRightString(x, self._y(t), text)

    def checkbox(self, x: float, t: float, label: str, checked: bool) -> float:
        """A 6-point square with its label to the right, an X when checked; returns the x after the label."""
        c = self.canvas
        c.setLineWidth(0.5)
        c.rect(x, self._y(t), 6, 6, stroke=1, fill=0)
        if checked:
            c.setFont(_LABEL_BOLD, 7)
            c.drawCentredString(x + 3, self._y(t) + 0.9, "X")
        self.label(x + 8, t - 1, label)
        return x + 8 + _width(label, _LABEL_FONT, _LABEL_SIZE) + 6

    def yes_no(self, x: float, t: float, answer: bool | None) -> None:
        x = self.checkbox(x, t, "YES", answer is True)
        self.checkbox(x, t, "NO", answer is False)

    def money(self, x_cents: float, x_right: float, t: float, amount: Decimal | None) -> None:
        """Dollars right-justified against the cents divider at ``x_cents``, cents in the cell up to ``x_right``."""
        dollars, cents = _money_parts(amount)
        self.data_right(x_cents - 2, t, dollars)
        self.data(x_cents + 2, t, cents, x_right - x_cents - 3)

    def divider(self, x: float, t0: float, t1: float, *, dashed: bool = True) -> None:
        c = self.canvas
        c.setLineWidth(0.4)
        if dashed:
            c.setDash(1, 1.5)
        c.line(x, self._y(t0), x, self._y(t1))
        c.setDash()

    # the form ------------------------------------------------------------------------------------------------

    def draw(self, lines: Sequence[ServiceLine], page: int, pages: int) -> None:
        self.header(page, pages)
        self.patient_and_insured()
        self.physician()
        self.service_lines(lines)
        self.totals(last=page == pages)
        self.providers()
        self.footer()

    def header(self, page: int, pages: int) -> None:
        claim = self.claim
        self.label(_L, 26, "CMS-1500 (02/12) HEALTH INSURANCE CLAIM", bold=True, size=10)
        self.label(_L, 36, "Data placement by NUCC item number", size=6.5)
        self.canvas.setFont(_LABEL_BOLD, 9)
        self.canvas.drawRightString(_R, self._y(14), f"Page {page} of {pages}")
        payer = claim.payer
        address = payer.address
        self.label(_C2, 26, "PAYER", bold=True)
        rows = [payer.name, address.line1 if address else "", address.line2 if address else "", _city_line(address)]
        t = 35.0
        for row in (r for r in rows if r):
            self.data(_C2, t, row, _R - _C2)
            t += 10

    def patient_and_insured(self) -> None:
        claim = self.claim
        sub = claim.subscriber
        patient_party = claim.patient.party if claim.patient else sub.party
        patient_birth = claim.patient.birth_date if claim.patient else sub.birth_date
        patient_sex = claim.patient.sex if claim.patient else sub.sex
        relationship = claim.patient.relationship if claim.patient else sub.relationship or "18"

        # 1, 1a
        self.box(_L, 80, _C2, 104, "1", "INSURANCE TYPE")
        kind = _FILING_TO_TYPE.get(sub.claim_filing_indicator, "OTHER" if sub.claim_filing_indicator else "")
        widths = [8 + _width(name, _LABEL_FONT, _LABEL_SIZE) for name in _INSURANCE_TYPES]
        gap = (_C2 - _L - 8 - sum(widths)) / (len(widths) - 1)
        x = _L + 4
        for name, width in zip(_INSURANCE_TYPES, widths, strict=True):
            self.checkbox(x, 99, name, kind == name)
            x += width + gap
        self.box(_C2, 80, _R, 104, "1a", "INSURED'S I.D. NUMBER")
        self.data(_C2 + 4, 99, sub.member_id or sub.party.id, _R - _C2 - 8)

        # 2, 3, 4
        self.box(_L, 104, _C1, 128, "2", "PATIENT'S NAME (Last, First, MI)")
        self.data(_L + 4, 123, _name(patient_party), _C1 - _L - 8)
        self.box(_C1, 104, _C2, 128, "3", "PATIENT'S BIRTH DATE    SEX")
        self.data(_C1 + 4, 123, _date8(patient_birth), 62)
        self.sex(_C1 + 78, 122, patient_sex)
        self.box(_C2, 104, _R, 128, "4", "INSURED'S NAME (Last, First, MI)")
        self.data(_C2 + 4, 123, _name(sub.party), _R - _C2 - 8)

        # 5, 6, 7 and their city/state/zip rows; 8 reserved
        self.address_block(_L, _C1, "5", "PATIENT'S ADDRESS (No., Street)", patient_party.address)
        self.box(_C1, 128, _C2, 152, "6", "PATIENT RELATIONSHIP TO INSURED")
        x = _C1 + 4
        for name, codes in _RELATIONSHIPS:
            checked = relationship in codes if codes else relationship not in ("", "18", "01", "19")
            x = self.checkbox(x, 147, name, checked)
        self.box(_C1, 152, _C2, 196, "8", "RESERVED FOR NUCC USE")
        self.address_block(_C2, _R, "7", "INSURED'S ADDRESS (No., Street)", sub.party.address)

        # 9, 10, 11
        other = claim.other_payers[0] if claim.other_payers else None
        self.box(_L, 196, _C1, 220, "9", "OTHER INSURED'S NAME")
        self.box(_L, 220, _C1, 244, "9a", "OTHER INSURED'S POLICY OR GROUP NUMBER")
        self.box(_L, 244, _C1, 268, "9b", "RESERVED FOR NUCC USE")
        self.box(_L, 268, _C1, 292, "9c", "RESERVED FOR NUCC USE")
        self.box(_L, 292, _C1, 316, "9d", "INSURANCE PLAN OR PROGRAM NAME")
        if other is not None:
            self.data(_L + 4, 215, _name(other.subscriber.party), _C1 - _L - 8)
            policy = other.subscriber.group_number or other.subscriber.member_id or other.subscriber.party.id
            self.data(_L + 4, 239, policy, _C1 - _L - 8)
            self.data(_L + 4, 311, other.payer.name, _C1 - _L - 8)

        causes = set(claim.related_causes)
        states = [c for c in claim.related_causes if c not in ("AA", "EM", "OA")]
        self.box(_C1, 196, _C2, 220, "10", "IS PATIENT'S CONDITION RELATED TO:")
        self.box(_C1, 220, _C2, 244, "10a", "EMPLOYMENT? (Current or Previous)")
        self.yes_no(_C1 + 30, 239, "EM" in causes)
        self.box(_C1, 244, _C2, 268, "10b", "AUTO ACCIDENT?")
        self.yes_no(_C1 + 30, 263, "AA" in causes)
        self.label(_C1 + 100, 257, "PLACE (State)")
        self.data(_C1 + 104, 265, states[0] if states and "AA" in causes else "", 30)
        self.box(_C1, 268, _C2, 292, "10c", "OTHER ACCIDENT?")
        self.yes_no(_C1 + 30, 287, "OA" in causes)
        self.box(_C1, 292, _C2, 316, "10d", "CLAIM CODES (Designated by NUCC)")

        self.box(_C2, 196, _R, 220, "11", "INSURED'S POLICY GROUP OR FECA NUMBER")
        self.data(_C2 + 4, 215, sub.group_number, _R - _C2 - 8)
        self.box(_C2, 220, _R, 244, "11a", "INSURED'S DATE OF BIRTH    SEX")
        self.data(_C2 + 4, 239, _date8(sub.birth_date), 62)
        self.sex(_C2 + 100, 238, sub.sex)
        self.box(_C2, 244, _R, 268, "11b", "OTHER CLAIM ID (Designated by NUCC)")
        self.box(_C2, 268, _R, 292, "11c", "INSURANCE PLAN NAME OR PROGRAM NAME")
        self.data(_C2 + 4, 287, sub.group_name or claim.payer.name, _R - _C2 - 8)
        self.box(_C2, 292, _R, 316, "11d", "IS THERE ANOTHER HEALTH BENEFIT PLAN?")
        self.yes_no(_C2 + 4, 311, bool(claim.other_payers))

        # 12, 13
        self.box(_L, 316, _C2, 342, "12", "PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE")
        if claim.release_of_info == "Y":
            self.data(_L + 4, 336, "SIGNATURE ON FILE", 200)
        self.label(_L + 250, 336, "DATE")
        self.data(_L + 270, 336, _date6(self.printed_on) if claim.release_of_info == "Y" else "", 80)
        self.box(_C2, 316, _R, 342, "13", "INSURED'S OR AUTHORIZED PERSON'S SIGNATURE")
        if claim.benefits_assignment == "Y":
            self.data(_C2 + 4, 336, "SIGNATURE ON FILE", _R - _C2 - 8)

    def sex(self, x: float, t: float, sex: str) -> None:
        x = self.checkbox(x, t, "M", sex == "M")
        self.checkbox(x, t, "F", sex == "F")

    def address_block(self, x0: float, x1: float, number: str, label: str, address: Address | None) -> None:
        street = " ".join(p for p in ((address.line1, address.line2) if address else ()) if p)
        self.box(x0, 128, x1, 152, number, label)
        self.data(x0 + 4, 147, street, x1 - x0 - 8)
        split = x1 - 40
        self.box(x0, 152, split, 174, "", "CITY")
        self.box(split, 152, x1, 174, "", "STATE")
        self.data(x0 + 4, 169, address.city if address else "", split - x0 - 8)
        self.data(split + 4, 169, address.state if address else "", 32)
        zip_split = x0 + (x1 - x0) * 0.42
        self.box(x0, 174, zip_split, 196, "", "ZIP CODE")
        self.box(zip_split, 174, x1, 196, "", "TELEPHONE (Include Area Code)")
        self.data(x0 + 4, 191, _zip(address.postal_code) if address else "", zip_split - x0 - 8)

    def physician(self) -> None:
        claim = self.claim
        onset = claim.dates.get("431", (None, None))[0]
        last_period = claim.dates.get("484", (None, None))[0]
        self.box(_L, 342, _C1, 364, "14", "DATE OF CURRENT ILLNESS, INJURY, OR PREGNANCY (LMP)")
        if onset is not None or last_period is not None:
            self.data(_L + 4, 359, _date6(onset or last_period), 60)
            self.label(_L + 80, 358, "QUAL.")
            self.data(_L + 98, 359, "431" if onset is not None else "484", 30)
        self.box(_C1, 342, _C2, 364, "15", "OTHER DATE")
        self.box(_C2, 342, _R, 364, "16", "DATES PATIENT UNABLE TO WORK (From / To)")
        unable = claim.dates.get("360", (None, None))[0], claim.dates.get("361", (None, None))[0]
        self.data(_C2 + 4, 359, _date6(unable[0]), 90)
        self.data(_C2 + 110, 359, _date6(unable[1]), 90)

        referring = claim.referring_provider
        self.box(_L, 364, _C1, 386, "17", "NAME OF REFERRING PROVIDER OR OTHER SOURCE")
        self.box(_C1, 364, _C2, 375, "17a", "")
        self.box(_C1, 375, _C2, 386, "17b", "NPI")
        if referring is not None:
            self.data(_L + 4, 381, f"DN {_name(referring)}", _C1 - _L - 8)
            self.data(_C1 + 30, 384, _npi(referring), _C2 - _C1 - 34, size=7.5)
        hospital = claim.dates.get("435", (None, None))[0], claim.dates.get("096", (None, None))[0]
        self.box(_C2, 364, _R, 386, "18", "HOSPITALIZATION DATES (From / To)")
        self.data(_C2 + 4, 381, _date6(hospital[0]), 90)
        self.data(_C2 + 110, 381, _date6(hospital[1]), 90)

        self.box(_L, 386, _C2, 408, "19", "ADDITIONAL CLAIM INFORMATION (Designated by NUCC)")
        note = next((text for code, text in claim.notes if code == "ADD"), "")
        self.data(_L + 4, 403, note, _C2 - _L - 8)
        self.box(_C2, 386, _R, 408, "20", "OUTSIDE LAB?")
        self.yes_no(_C2 + 4, 403, None)
        self.label(_C2 + 100, 397, "$ CHARGES")

        self.diagnoses()
        self.box(_C2, 408, _R, 430, "22", "RESUBMISSION CODE / ORIGINAL REF. NO.")
        if claim.frequency_code and claim.frequency_code != "1":
            self.data(_C2 + 4, 425, claim.frequency_code, 40)
            self.data(_C2 + 80, 425, claim.payer_claim_control_number, _R - _C2 - 84)
        self.box(_C2, 430, _R, 452, "23", "PRIOR AUTHORIZATION NUMBER")
        self.data(_C2 + 4, 447, claim.prior_authorization or claim.referral_number, _R - _C2 - 8)

    def diagnoses(self) -> None:
        codes = self.claim.diagnoses[:12]
        self.box(_L, 408, _C2, 452, "21", "DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line (24E)")
        self.label(_C2 - 44, 414, "ICD Ind.")
        icd9 = bool(codes) and all(d.qualifier in ("BK", "BF", "BJ", "BN", "PR") for d in codes)
        self.data(_C2 - 18, 415, ("9" if icd9 else "0") if codes else "", 10)
        width = (_C2 - _L - 8) / 4
        for i in range(12):
            x = _L + 4 + (i % 4) * width
            t = 425 + (i // 4) * 11
            self.label(x, t, f"{'ABCDEFGHIJKL'[i]}.", bold=True)
            self.canvas.setLineWidth(0.3)
            self.canvas.line(x + 8, self._y(t + 1.5), x + width - 6, self._y(t + 1.5))
            if i < len(codes):
                self.data(x + 10, t, codes[i].code, width - 16)

    def service_lines(self, lines: Sequence[ServiceLine]) -> None:
        top, head = 452.0, _LINES_TOP
        bottom = _LINES_TOP + LINES_PER_PAGE * _LINE_H
        self.box(_L, top, _R, bottom)
        columns = [
            (_COL_FROM, "24A. DATE(S) OF SERVICE", "From  MM DD YY"),
            (_COL_TO, "", "To  MM DD YY"),
            (_COL_POS, "B.", "POS"),
            (_COL_EMG, "C.", "EMG"),
            (_COL_CPT, "D. PROCEDURES, SERVICES", "CPT/HCPCS"),
            (_COL_MODS[0], "", "MODIFIER"),
            (_COL_PTR, "E. DIAG.", "POINTER"),
            (_COL_CHG, "F.", "$ CHARGES"),
            (_COL_UNITS, "G. DAYS", "OR UNITS"),
            (_COL_EPSDT, "H.", "EPSDT"),
            (_COL_QUAL, "I. ID.", "QUAL."),
            (_COL_ID, "J. RENDERING", "PROVIDER ID. #"),
        ]
        spanned = (_COL_TO, _COL_MODS[0])
        for x, first, second in columns:
            if x > _L:
                self.divider(x, top + 10 if x in spanned else top, bottom, dashed=False)
            self.label(x + 1.5, top + 8, first, bold=True)
            self.label(x + 1.5, top + 17, second)
        for x in (*_COL_MODS[1:], _COL_CENTS):
            self.divider(x, head, bottom)
        self.canvas.setLineWidth(0.5)
        self.canvas.line(_L, self._y(head), _R, self._y(head))
        for row in range(LINES_PER_PAGE):
            t = head + row * _LINE_H
            c = self.canvas
            c.setFillGray(0.9)
            c.rect(_L, self._y(t + _SHADE_H), _R - _L, _SHADE_H, stroke=0, fill=1)
            c.setFillGray(0)
            c.setLineWidth(0.5)
            c.line(_L, self._y(t + _LINE_H), _R, self._y(t + _LINE_H))
            c.setLineWidth(0.3)
            c.line(_COL_QUAL, self._y(t + _SHADE_H), _R, self._y(t + _SHADE_H))
            self.label(_L - 8, t + _LINE_H - 4, str(row + 1), bold=True, size=7)
            self.label(_COL_QUAL + 6, t + _LINE_H - 4, "NPI", bold=True)
            if row < len(lines):
                self.service_line(lines[row], t)

    def service_line(self, line: ServiceLine, t: float) -> None:
        base = t + _LINE_H - 3.5
        shaded = t + _SHADE_H - 2
        if line.ndc:
            supplemental = f"N4{line.ndc} {line.ndc_unit}{_quantity(line.ndc_quantity)}".strip()
            self.data(_COL_FROM + 3, shaded, supplemental, _COL_CHG - _COL_FROM - 6, size=7.5)
        start = line.service_date_from
        self.data(_COL_FROM + 4, base, _date6(start), _COL_TO - _COL_FROM - 6)
        self.data(_COL_TO + 4, base, _date6(line.service_date_to or start), _COL_POS - _COL_TO - 6)
        self.data(_COL_POS + 4, base, line.place_of_service or self.claim.facility_code, _COL_EMG - _COL_POS - 6)
        self.data(_COL_EMG + 5, base, "Y" if line.emergency == "Y" else "", 12)
        self.data(_COL_CPT + 4, base, line.procedure_code, _COL_MODS[0] - _COL_CPT - 6)
        edges = (*_COL_MODS, _COL_PTR)
        for i, modifier in enumerate(line.modifiers[:4]):
            self.data(edges[i] + 3, base, modifier, edges[i + 1] - edges[i] - 4)
        letters = "".join("ABCDEFGHIJKL"[p - 1] for p in line.diagnosis_pointers[:4] if 1 <= p <= 12)
        self.data(_COL_PTR + 4, base, letters, _COL_CHG - _COL_PTR - 6)
        self.money(_COL_CENTS, _COL_UNITS, base, line.charge)
        self.data(_COL_UNITS + 3, base, _quantity(line.units), _COL_EPSDT - _COL_UNITS - 5)
        rendering = line.rendering_provider or self.claim.rendering_provider
        self.data(_COL_ID + 4, base, _npi(rendering), _R - _COL_ID - 8)

    def totals(self, *, last: bool) -> None:
        claim = self.claim
        top, bottom = 618.0, 644.0
        base = bottom - 5
        self.box(_L, top, 190, bottom, "25", "FEDERAL TAX I.D. NUMBER")
        provider = claim.billing_provider
        ssn = provider.secondary_ids.get("SY", "")
        tax_id = provider.tax_id or ssn
        self.data(_L + 4, base, tax_id, 100)
        x = self.checkbox(124, top + 12, "SSN", not provider.tax_id and bool(ssn))
        self.checkbox(x - 2, top + 12, "EIN", bool(provider.tax_id))
        self.box(190, top, 318, bottom, "26", "PATIENT'S ACCOUNT NO.")
        self.data(194, base, claim.claim_id, 120)
        self.box(318, top, 396, bottom, "27", "ACCEPT ASSIGNMENT?")
        self.yes_no(322, base - 1, claim.assignment in ("A", "B") if claim.assignment else None)
        self.box(396, top, 470, bottom, "28", "TOTAL CHARGE")
        self.box(470, top, 540, bottom, "29", "AMOUNT PAID")
        self.box(540, top, _R, bottom, "30", "Rsvd for NUCC")
        paid_values = [other.paid for other in claim.other_payers if other.paid is not None]
        if last:
            total = claim.total_charge if claim.total_charge is not None else claim.line_total
            self.label(398, base - 1, "$")
            self.money(454, 470, base, total)
            self.divider(454, top + 9, bottom)
            if paid_values:
                self.label(472, base - 1, "$")
                self.money(524, 540, base, sum(paid_values, Decimal(0)))
            self.divider(524, top + 9, bottom)
        else:
            self.data(400, base, "CONTINUED", 66, size=7.5)
            if paid_values:
                self.data(474, base, "CONTINUED", 62, size=7.5)

    def providers(self) -> None:
        claim = self.claim
        top, sub, bottom = 644.0, 700.0, 716.0
        self.box(_L, top, 190, bottom, "31", "SIGNATURE OF PHYSICIAN OR SUPPLIER")
        self.label(_L + 6, top + 12, "INCLUDING DEGREES OR CREDENTIALS")
        if claim.provider_signature == "Y":
            self.data(_L + 4, top + 30, "SIGNATURE ON FILE", 166)
            signer = _name(claim.rendering_provider) or _name(claim.billing_provider)
            self.data(_L + 4, top + 41, signer, 166, size=7.5)
        self.label(_L + 4, bottom - 5, "DATE")
        self.data(_L + 24, bottom - 4, _date6(self.printed_on) if claim.provider_signature == "Y" else "", 80)

        facility = claim.service_facility
        self.box(190, top, 392, sub, "32", "SERVICE FACILITY LOCATION INFORMATION")
        self.party_block(190, 392, top, facility)
        self.box(190, sub, 291, bottom, "32a", "NPI")
        self.box(291, sub, 392, bottom, "32b", "")
        self.data(194, bottom - 3.5, _npi(facility), 92, size=8)

        billing = claim.billing_provider
        self.box(392, top, _R, sub, "33", "BILLING PROVIDER INFO & PH #")
        self.data(392 + 104, top + 6, _phone(billing), _R - 392 - 108, size=7.5)
        self.party_block(392, _R, top, billing)
        self.box(392, sub, 493, bottom, "33a", "NPI")
        self.box(493, sub, _R, bottom, "33b", "")
        self.data(396, bottom - 3.5, _npi(billing), 92, size=8)
        if billing.taxonomy:
            self.data(497, bottom - 3.5, f"ZZ{billing.taxonomy}", _R - 497 - 4, size=8)

    def party_block(self, x0: float, x1: float, top: float, party: Party | None) -> None:
        if party is None:
            return
        address = party.address
        rows = [_name(party)]
        if address is not None:
            rows += [" ".join(p for p in (address.line1, address.line2) if p), _city_line(address)]
        for i, row in enumerate(rows):
            self.data(x0 + 4, top + 20 + i * 11, row, x1 - x0 - 8)

    def footer(self) -> None:
        self.label(_L, 732, _FOOTER, size=6)
