"""Every rule against its data-driven cases (cases_*.py): flag cases must raise the rule, pass cases must not."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from scrubkit import Case, ScrubEnv


def all_cases() -> list[Case]:
    out: list[Case] = []
    for path in sorted(Path(__file__).parent.glob("cases_*.py")):
        out.extend(importlib.import_module(path.stem).CASES)
    return out


CASES = all_cases()


def _id(case: Case) -> str:
    return f"{case.rule}-{case.expect}-{case.why[:40]}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_case(case: Case, scrub_env: ScrubEnv) -> None:
    findings = scrub_env.run(case)
    assert not [f for f in findings if f.rule == "INT001"], f"{case.rule} raised: {findings}"
    mine = [f for f in findings if f.rule == case.rule]
    if case.expect == "flag":
        assert mine, f"{case.rule} should flag: {case.why}"
        for f in mine:
            assert f.message and f.claim == case.claim.claim_id
            assert f.line is None or any(ln.line_number == f.line for ln in case.claim.lines)
    else:
        assert not mine, f"{case.rule} should pass ({case.why}) but said: {[f.message for f in mine]}"
