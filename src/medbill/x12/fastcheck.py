"""A compiled fast check per segment definition: True when every element and syntax note certainly passes.

Most segments of a real file are valid, and the general element checker spends its time on loops, tuple
unpacking and attribute look-ups. For each ``SegmentDef`` this module writes one small straight-line Python
function (compiled once with ``compile``/``exec`` from the schema's own facts: usage, lengths, code lists, types,
syntax notes) that only answers "clean or not". A False sends the segment through the general checker, which
produces the findings, so findings never depend on this code; ``tests/x12/test_fastcheck.py`` holds the two to
the same verdict over every schema, the samples and mutated segments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from medbill.x12.values import (  # the same date and time tests as the general checker
    DECIMAL,
    INTEGER,
    real_date,
    real_time,
)

if TYPE_CHECKING:
    from medbill.x12.schema import ElementDef, SegmentDef

ExternalOk = Callable[[str, str], bool]
FastCheck = Callable[[tuple[str, ...], str, ExternalOk], bool]
"""(elements, component separator, the walker's external-list test) → certainly clean."""


def _value_test(ed: ElementDef, var: str, consts: dict[str, object]) -> str | None:
    """A Python expression true when the present value ``var`` certainly passes, or None (always slow path)."""
    if ed.repeat > 1:
        return None
    tests: list[str] = []
    if ed.codes is not None:
        name = f"C{len(consts)}"
        consts[name] = ed.codes
        tests.append(f"{var} in {name}")
    if ed.external is not None:
        tests.append(f"external_ok({ed.external!r}, {var})")
    if ed.pattern is not None:
        name = f"P{len(consts)}"
        consts[name] = ed.pattern
        tests.append(f"{name}.fullmatch({var}) is not None")
    base = _type_test(ed, var)
    if base is None:
        return None
    return " and ".join([base, *tests])


def _type_test(ed: ElementDef, var: str) -> str | None:
    if ed.type in ("AN", "ID"):
        return f"{ed.min_len} <= len({var}) <= {ed.max_len} and {var}.isprintable()"
    if ed.type == "DT":
        return f"len({var}) == {ed.max_len} and real_date({var})" if ed.min_len == ed.max_len else None
    if ed.type == "TM":
        return f"{ed.min_len} <= len({var}) <= {ed.max_len} and real_time({var})"
    if ed.type in ("R", "N0", "N2") and ed.min_len <= 1:
        regex = "DECIMAL" if ed.type == "R" else "INTEGER"
        return f"len({var}) <= {ed.max_len} and {regex}.fullmatch({var}) is not None"
    return None


def _element_lines(ed: ElementDef, index: int, consts: dict[str, object]) -> list[str] | None:
    var = f"v{index}"
    lines = [f"{var} = values[{index}] if n > {index} else ''"]
    if ed.usage == "N":
        return [*lines, f"if {var}: return False"]
    if not ed.components:
        test = _value_test(ed, var, consts)
        if test is None:
            return None
        lines.append(f"if {var}:")
        lines.append(f"    if not ({test}): return False")
    else:
        if ed.repeat > 1:
            return None
        lines.append(f"if {var}:")
        lines.append(f"    p = {var}.split(component)")
        lines.append(f"    if len(p) > {len(ed.components)}: return False")
        lines.append("    m = len(p)")
        for c, comp in enumerate(ed.components):
            cv = f"c{c}"
            lines.append(f"    {cv} = p[{c}] if m > {c} else ''")
            if comp.usage == "N":
                lines.append(f"    if {cv}: return False")
                continue
            test = _value_test(comp, cv, consts)
            if test is None:
                return None
            lines.append(f"    if {cv}:")
            lines.append(f"        if not ({test}): return False")
            if comp.usage == "R":
                lines.append("    else: return False")
    if ed.usage == "R":
        lines.append("else: return False")
    return lines


def _syntax_lines(segdef: SegmentDef) -> list[str]:
    lines: list[str] = []
    for rule in segdef.syntax:
        present = [f"(n >= {p} and values[{p - 1}] != '')" for p in rule.positions]
        first, rest = present[0], present[1:]
        if rule.kind == "P":
            lines.append(f"if ({' or '.join(present)}) and not ({' and '.join(present)}): return False")
        elif rule.kind == "R":
            lines.append(f"if not ({' or '.join(present)}): return False")
        elif rule.kind == "E":
            lines.append(f"if ({' + '.join(present)}) > 1: return False")
        elif rule.kind == "C":
            lines.append(f"if {first} and not ({' and '.join(rest)}): return False")
        elif rule.kind == "L":
            lines.append(f"if {first} and not ({' or '.join(rest)}): return False")
    return lines


def compile_check(segdef: SegmentDef) -> FastCheck | None:
    """The compiled check for a segment definition, or None when some element always needs the general path."""
    consts: dict[str, object] = {}
    body = ["n = len(values)", f"if n > {len(segdef.elements)}: return False"]
    for index, ed in enumerate(segdef.elements):
        lines = _element_lines(ed, index, consts)
        if lines is None:
            return None
        body.extend(lines)
    body.extend(_syntax_lines(segdef))
    body.append("return True")
    source = "def check(values, component, external_ok):\n" + "\n".join(f"    {line}" for line in body) + "\n"
    namespace: dict[str, object] = {
        **consts,
        "real_date": real_date,
        "real_time": real_time,
        "DECIMAL": DECIMAL,
        "INTEGER": INTEGER,
    }
    exec(compile(source, f"<fastcheck {segdef.id}>", "exec"), namespace)
    check = namespace["check"]
    assert callable(check)
    return check
