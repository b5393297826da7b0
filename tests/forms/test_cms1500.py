"""The CMS-1500 (02/12) rendering: valid, deterministic PDF bytes with the claim data inside the right boxes.

Box contents are checked with poppler's ``pdftotext`` cropped to a box's rectangle (points from the top-left corner,
the same coordinates the renderer draws with); those tests are skipped where poppler-utils is not installed.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from medbill.billing.claim import (
    Address,
    Claim,
    Contact,
    Diagnosis,
    OtherPayer,
    Party,
    Patient,
    Payer,
    ServiceLine,
    Subscriber,
)
from medbill.errors import InvalidInput
from medbill.forms import render_cms1500
from medbill.forms.cms1500 import _money_parts

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")

ADDRESS = Address("123 MAIN ST", "SUITE 4", "SPRINGFIELD", "IL", "627011234")
HOME = Address("9 ELM ST", "", "SPRINGFIELD", "IL", "62701")
BILLING = Party(
    "2",
    "ACME CLINIC",
    id_qualifier="XX",
    id="1234567893",
    address=ADDRESS,
    tax_id="371234567",
    taxonomy="207Q00000X",
    contact=Contact("BILLING", (("TE", "2175551234"),)),
)
RENDERING = Party("1", "SMITH", "ALAN", id_qualifier="XX", id="1245319599")
SUBSCRIBER = Subscriber(
    Party("1", "DOE", "JANE", "Q", id_qualifier="MI", id="W123456789", address=HOME),
    member_id="W123456789",
    group_number="GRP01",
    claim_filing_indicator="CI",
    birth_date=date(1980, 1, 2),
    sex="F",
)
PAYER = Payer("ACME HEALTH PLAN", "12345", Address("PO BOX 1", "", "CHICAGO", "IL", "60601"))

# Box rectangles (x0, top, x1, bottom) in points from the page's top-left corner.
BOX_1A = (378, 80, 594, 104)
BOX_2 = (18, 104, 230, 128)
BOX_21 = (18, 408, 378, 452)
BOX_24D = (180, 474, 294, 618)
BOX_24F = (330, 474, 400, 618)
BOX_24J = (472, 474, 594, 618)
BOX_26 = (190, 618, 318, 644)
BOX_28 = (396, 618, 470, 644)
BOX_29 = (470, 618, 540, 644)
BOX_33A = (392, 700, 493, 716)
PAGE_MARK = (400, 0, 612, 20)


def professional(**changes: object) -> Claim:
    claim = Claim(
        "P",
        "PCN001",
        Decimal("150.50"),
        "11",
        BILLING,
        SUBSCRIBER,
        PAYER,
        diagnoses=(Diagnosis("E119", "ABK"), Diagnosis("I10", "ABF")),
        dates={"431": (date(2024, 1, 1), None)},
        prior_authorization="AUTH1",
        rendering_provider=RENDERING,
        lines=(
            ServiceLine(
                1,
                "99213",
                Decimal("100.50"),
                modifiers=("25", "59"),
                units=Decimal("1"),
                diagnosis_pointers=(1, 2),
                service_date_from=date(2024, 1, 5),
            ),
            ServiceLine(
                2,
                "81002",
                Decimal("50"),
                units=Decimal("2"),
                diagnosis_pointers=(1,),
                service_date_from=date(2024, 1, 5),
                service_date_to=date(2024, 1, 6),
            ),
        ),
    )
    return dataclasses.replace(claim, **changes)  # type: ignore[arg-type]


def eight_lines() -> Claim:
    lines = tuple(
        ServiceLine(
            n,
            f"9921{n % 6}",
            Decimal("10.1") * n,
            modifiers=("GT",) if n == 7 else (),
            units=Decimal("1.50") if n == 3 else Decimal(n),
            diagnosis_pointers=(1,),
            service_date_from=date(2024, 2, n),
        )
        for n in range(1, 9)
    )
    return professional(claim_id="PCN008", lines=lines, total_charge=sum((ln.charge or 0 for ln in lines), Decimal(0)))


def text_in(pdf: bytes, tmp_path: Path, box: tuple[int, int, int, int], page: int = 1) -> str:
    """The text pdftotext finds inside a rectangle of one page (whitespace collapsed)."""
    path = tmp_path / "claim.pdf"
    path.write_bytes(pdf)
    x0, top, x1, bottom = box
    assert PDFTOTEXT is not None
    crop = ["-r", "72", "-x", str(x0), "-y", str(top), "-W", str(x1 - x0), "-H", str(bottom - top)]
    result = subprocess.run(
        [PDFTOTEXT, "-f", str(page), "-l", str(page), *crop, "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return " ".join(result.stdout.split())


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def test_pdf_is_deterministic_and_one_page_per_claim() -> None:
    claims = [professional(), professional(claim_id="PCN002")]
    first = render_cms1500(claims, printed_on=date(2024, 3, 1))
    assert first.startswith(b"%PDF-")
    assert first.rstrip().endswith(b"%%EOF")
    assert render_cms1500(claims, printed_on=date(2024, 3, 1)) == first
    assert render_cms1500(claims) == render_cms1500(claims)
    assert render_cms1500(claims) != first  # the signature dates are the only difference
    assert page_count(first) == 2


def test_eight_lines_take_two_pages() -> None:
    pdf = render_cms1500([eight_lines()])
    assert page_count(pdf) == 2
    assert page_count(render_cms1500([eight_lines(), professional()])) == 3


def test_money_is_split_into_dollars_and_cents() -> None:
    assert _money_parts(Decimal("150.5")) == ("150", "50")
    assert _money_parts(Decimal("50")) == ("50", "00")
    assert _money_parts(Decimal("10.005")) == ("10", "01")
    assert _money_parts(Decimal("0.1") + Decimal("0.2")) == ("0", "30")
    assert _money_parts(Decimal("1E+3")) == ("1000", "00")
    assert _money_parts(None) == ("", "")


@needs_pdftotext
def test_claim_data_lands_in_its_boxes(tmp_path: Path) -> None:
    pdf = render_cms1500([professional()], printed_on=date(2024, 3, 1))
    assert text_in(pdf, tmp_path, BOX_1A).endswith("W123456789")
    assert "DOE, JANE, Q" in text_in(pdf, tmp_path, BOX_2)
    assert "PCN001" in text_in(pdf, tmp_path, BOX_26)
    assert text_in(pdf, tmp_path, BOX_28).endswith("$ 150 50")
    diagnoses = text_in(pdf, tmp_path, BOX_21)
    assert "A. E119" in diagnoses and "B. I10" in diagnoses
    procedures = text_in(pdf, tmp_path, BOX_24D)
    assert "99213 25 59" in procedures and "81002" in procedures
    assert text_in(pdf, tmp_path, BOX_24F).endswith("100 50 50 00")
    assert text_in(pdf, tmp_path, BOX_24J).count("1245319599") == 2
    assert "1234567893" in text_in(pdf, tmp_path, BOX_33A)
    everything = text_in(pdf, tmp_path, (0, 0, 612, 792))
    assert "printed on plain paper" in everything
    assert "01 05 24 01 06 24" in everything  # 24A from/to, MM DD YY
    assert "01 02 1980" in everything  # birth dates keep the 8-digit year


@needs_pdftotext
def test_continuation_page_repeats_the_header_and_only_the_last_page_totals(tmp_path: Path) -> None:
    claim = eight_lines()
    paid = OtherPayer(SUBSCRIBER, Payer("OTHER PLAN", "99999"), "S", paid=Decimal("60"))
    pdf = render_cms1500([dataclasses.replace(claim, other_payers=(paid,))])
    assert text_in(pdf, tmp_path, PAGE_MARK, page=1) == "Page 1 of 2"
    assert text_in(pdf, tmp_path, PAGE_MARK, page=2) == "Page 2 of 2"
    for page in (1, 2):
        assert "PCN008" in text_in(pdf, tmp_path, BOX_26, page=page)
        assert "DOE, JANE, Q" in text_in(pdf, tmp_path, BOX_2, page=page)
        assert "A. E119" in text_in(pdf, tmp_path, BOX_21, page=page)
    assert "CONTINUED" in text_in(pdf, tmp_path, BOX_28, page=1)
    assert "CONTINUED" in text_in(pdf, tmp_path, BOX_29, page=1)
    assert text_in(pdf, tmp_path, BOX_28, page=2).endswith("363 60")  # 10.10 × (1 + … + 8)
    assert text_in(pdf, tmp_path, BOX_29, page=2).endswith("60 00")
    first, second = text_in(pdf, tmp_path, BOX_24D, page=1), text_in(pdf, tmp_path, BOX_24D, page=2)
    assert first.split() == ["99211", "99212", "99213", "99214", "99215", "99210"]
    assert second.split()[-3:] == ["99211", "GT", "99212"]
    assert "30 30" in text_in(pdf, tmp_path, BOX_24F, page=1)  # 10.1 × 3, not a float artefact
    whole = text_in(pdf, tmp_path, (0, 0, 612, 792), page=1) + text_in(pdf, tmp_path, (0, 0, 612, 792), page=2)
    assert not re.search(r"\d\.\d{3,}", whole)
    assert "1.5" in whole  # fractional units keep their decimals, without trailing zeros


@needs_pdftotext
def test_dependent_patient_and_checkboxes(tmp_path: Path) -> None:
    child = Patient(Party("1", "DOE", "JOHNNY", address=HOME), "19", date(2015, 6, 7), "M")
    parent = dataclasses.replace(SUBSCRIBER, relationship="")
    pdf = render_cms1500([professional(patient=child, subscriber=parent)])
    assert "DOE, JOHNNY" in text_in(pdf, tmp_path, BOX_2)
    assert "06 07 2015" in text_in(pdf, tmp_path, (230, 104, 378, 128))
    # The checked box carries an X just before its label.
    relationship = text_in(pdf, tmp_path, (230, 128, 378, 152))
    assert "X CHILD" in relationship and "X SELF" not in relationship
    assert "X GROUP HEALTH" in text_in(pdf, tmp_path, (18, 80, 378, 104))
    assert "X EIN" in text_in(pdf, tmp_path, (18, 618, 190, 644))


def test_institutional_or_no_claims_are_refused_without_phi() -> None:
    institutional = professional(kind="I")
    with pytest.raises(InvalidInput) as error:
        render_cms1500([professional(), institutional])
    message = str(error.value)
    assert "claim 2 of 2" in message
    assert "PCN001" not in message and "DOE" not in message
    with pytest.raises(InvalidInput):
        render_cms1500([])
