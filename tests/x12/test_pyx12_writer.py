"""The 837P and 837I the writer produces pass pyx12 (the open TR3 validator, a test dependency) as well as
medbill's own validator."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from test_models import _837, canonical_institutional, canonical_professional  # tests/x12 is on sys.path

from medbill.billing.claim import Claim
from medbill.x12.validator import validate_x12

pyx12_document = pytest.importorskip("pyx12.x12n_document")
pyx12_params = pytest.importorskip("pyx12.params")


def pyx12_accepts(path: Path) -> tuple[bool, str]:
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    ack = io.StringIO()
    ok = pyx12_document.x12n_document(
        param=pyx12_params.params(), src_file=str(path), fd_997=ack, fd_html=None, fd_xmldoc=None
    )
    return bool(ok), ack.getvalue()


@pytest.mark.parametrize(("kind", "build"), [("P", canonical_professional), ("I", canonical_institutional)])
def test_written_837_passes_pyx12_and_medbill(tmp_path: Path, kind: str, build: object) -> None:
    claims: list[Claim] = build()  # type: ignore[operator]
    text = _837(claims, kind)
    report = validate_x12(text, name="written")
    assert report.accepted and report.findings == (), [f.to_dict() for f in report.findings]
    path = tmp_path / f"written-837{kind}.x12"
    path.write_text(text, encoding="ascii")
    ok, ack = pyx12_accepts(path)
    assert ok, ack
    assert "IK5*A" in ack and "AK9*A*1*1*1" in ack
