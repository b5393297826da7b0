"""Splitting an encounter into claims the form can hold.

An 837P claim (and a CMS-1500) carries at most 12 diagnoses and 50 service lines (005010X222A1: HI holds 12
codes; loop 2400 repeats 50 times); an 837I at most 25 diagnoses (principal + 24 other in HI) and 999 lines.
Each line goes to the first claim with room for it and its diagnoses (lines keep their relative order); each
claim lists the diagnoses its lines point at, headed by the encounter's principal diagnosis when there is room,
and the pointers are renumbered into that list. Diagnoses no line points at go on the first claims with room;
one that fits nowhere is an error, so nothing the coder chose is dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medbill.errors import InvalidInput

LIMITS = {"P": (12, 50), "I": (25, 999)}
"""kind → (diagnoses per claim, lines per claim)."""
MAX_POINTERS = 4


@dataclass(frozen=True, slots=True)
class PlannedClaim:
    part: int
    diagnoses: tuple[str, ...]
    lines: tuple[tuple[int, tuple[int, ...]], ...]
    """(index of the encounter's line, pointers 1.. into ``diagnoses``)."""


def plan_claims(kind: str, diagnoses: Sequence[str], line_pointers: Sequence[Sequence[int]]) -> list[PlannedClaim]:
    """Claims for an encounter with ``diagnoses`` and lines pointing (1-based) into them."""
    if kind not in LIMITS:
        raise InvalidInput(f"claim kind must be P or I, not {kind!r}")
    max_dx, max_lines = LIMITS[kind]
    if not diagnoses:
        raise InvalidInput("an encounter needs at least one diagnosis")
    if not line_pointers:
        raise InvalidInput("an encounter needs at least one charge line")
    for n, pointers in enumerate(line_pointers, start=1):
        if not pointers or len(pointers) > MAX_POINTERS:
            raise InvalidInput(f"line {n}: 1 to {MAX_POINTERS} diagnosis pointers are needed, not {len(pointers)}")
        bad = [p for p in pointers if not 1 <= p <= len(diagnoses)]
        if bad:
            raise InvalidInput(f"line {n}: pointer {bad[0]} names no diagnosis (the encounter has {len(diagnoses)})")
    groups: list[tuple[list[int], list[int]]] = []  # (line indices, encounter diagnosis indices in first-use order)
    for index, pointers in enumerate(line_pointers):
        wanted = list(dict.fromkeys(p - 1 for p in pointers))
        for lines, used in groups:  # first fit: the earliest claim with room for the line and its diagnoses
            union = used + [d for d in wanted if d not in used]
            if len(lines) < max_lines and len(union) <= max_dx:
                lines.append(index)
                used[:] = union
                break
        else:
            groups.append(([index], wanted))
    for _, used in groups:  # the encounter's principal diagnosis heads every claim that has room for it
        if 0 not in used and len(used) < max_dx:
            used.insert(0, 0)
    unused = [d for d in range(len(diagnoses)) if not any(d in used for _, used in groups)]
    for _, used in groups:  # diagnoses no line points at ride on the first claims with room
        room = max_dx - len(used)
        used.extend(unused[:room])
        unused = unused[room:]
    if unused:
        raise InvalidInput(
            f"{len(unused)} diagnosis code(s) are pointed at by no line and do not fit on the claims "
            f"({max_dx} per claim)"
        )
    plans: list[PlannedClaim] = []
    for part, (lines, used) in enumerate(groups, start=1):
        order = sorted(used, key=lambda d: (d != 0, d))  # the principal diagnosis first, then encounter order
        position = {d: k for k, d in enumerate(order, start=1)}
        planned_lines = tuple(
            (index, tuple(dict.fromkeys(position[p - 1] for p in line_pointers[index]))) for index in lines
        )
        plans.append(PlannedClaim(part, tuple(diagnoses[d] for d in order), planned_lines))
    return plans
