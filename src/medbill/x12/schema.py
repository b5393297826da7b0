"""Compact TR3 schemas: the loops, segments and elements of each implementation guide, compiled for matching.

A schema file (``schemas/<KEY>.json.gz``) holds one transaction set, ST to SE, as nested loops; each loop's
first item is the segment that opens it. Segments list their elements by position with usage (R required,
S situational, N not used), the data-element number (type and length come from the schema's element
dictionary), code lists (inline or an ``external`` list name), an optional pattern and repeat count; composites
list their components the same way. The files are facts taken from public statements of the guides (see
each file's ``source`` and ``scripts/x12_schemas_from_pyx12.py``), in medbill's own form.

Matching a segment to a schema position uses its id and, where the guide gives one, its qualifier: the first
element (or first component) with a code list, e.g. NM101 = 85 for the billing provider or HL03 = 22 for the
subscriber level. That is how two NM1 or REF segments in one loop are told apart.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from medbill.errors import MedbillError
from medbill.x12.fastcheck import FastCheck, compile_check


@dataclass(frozen=True, slots=True)
class ElementDef:
    ref: str
    """e.g. "NM109" or "SV101-2"."""
    name: str
    usage: str
    position: int
    """1-based element (or component) position."""
    number: str
    """X12 data element number, e.g. "67"; composites carry their C-number."""
    type: str
    """ID, AN, DT, TM, N0, N2, R, B (or "" for a composite)."""
    min_len: int
    max_len: int
    codes: frozenset[str] | None = None
    external: str | None = None
    pattern: re.Pattern[str] | None = None
    repeat: int = 1
    components: tuple[ElementDef, ...] = ()


@dataclass(frozen=True, slots=True)
class SyntaxRule:
    """X12 segment syntax note: P (paired), R (at least one), E (only one), C (if first then all), L (if first
    then at least one of the others)."""

    kind: str
    positions: tuple[int, ...]
    text: str


@dataclass(frozen=True, slots=True)
class SegmentDef:
    id: str
    name: str
    usage: str
    max_use: int | None
    elements: tuple[ElementDef, ...]
    syntax: tuple[SyntaxRule, ...]
    qualifier: tuple[int, int, frozenset[str]] | None
    """(element index 0-based, component index 0-based or -1, codes) that identifies this segment."""

    def matches(self, elements: tuple[str, ...], component: str) -> bool:
        if self.qualifier is None:
            return True
        index, comp, codes = self.qualifier
        if index >= len(elements):
            return False
        value = elements[index]
        if comp >= 0:
            value = value.split(component)[comp] if component in value else (value if comp == 0 else "")
        return value in codes


class Candidate(NamedTuple):
    """A schema position a segment id may take in a loop, with its qualifier (index -1: none)."""

    position: int
    segdef: SegmentDef
    q_index: int
    q_component: int
    q_codes: frozenset[str]
    opens_loop: bool
    fast: FastCheck | None
    """The segment's compiled fast check (``medbill.x12.fastcheck``), None when it always takes the full check."""


@dataclass(eq=False, slots=True)
class LoopDef:
    id: str
    name: str
    usage: str
    max_repeat: int | None
    items: tuple[SegmentDef | LoopDef, ...]
    by_segment: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Segment id → indices of the items it may open (a segment, or a loop whose first segment it is)."""
    openers: tuple[SegmentDef, ...] = ()
    """Per item, the segment that matches it (the segment itself, or a loop's first segment)."""
    required: tuple[int, ...] = ()
    """Indices of the required items."""
    candidates: dict[str, tuple[Candidate, ...]] = field(default_factory=dict)
    """``by_segment`` with what matching needs, unpacked once: the walker's hot path."""

    @property
    def trigger(self) -> SegmentDef:
        first = self.items[0]
        return first if isinstance(first, SegmentDef) else first.trigger


@dataclass(frozen=True, slots=True)
class Schema:
    key: str
    """medbill's name: 837P, 837I, 835, 999, 277CA, 277, 270, 271, 276."""
    transaction: str
    version: str
    functional_id: str
    name: str
    source: str
    root: LoopDef
    segment_ids: frozenset[str]


_SYNTAX = re.compile(r"^([PRECL])((?:\d\d)+)$")


def _syntax(text: str) -> SyntaxRule:
    match = _SYNTAX.match(text)
    if not match:
        raise MedbillError(f"schema: unknown syntax note {text!r}")
    digits = match.group(2)
    return SyntaxRule(match.group(1), tuple(int(digits[i : i + 2]) for i in range(0, len(digits), 2)), text)


def _repeat_count(raw: dict[str, Any]) -> int:
    if "repeat" not in raw:
        return 1
    return 99_999 if raw["repeat"] is None else int(raw["repeat"])  # None: ">1", unbounded


def _element(raw: dict[str, Any], dictionary: dict[str, list[Any]], position: int) -> ElementDef:
    components = tuple(_element(comp, dictionary, k) for k, comp in enumerate(raw.get("components", ()), start=1))
    number = raw.get("ele") or ""
    kind, low, high = ("", 0, 0) if components else dictionary.get(number, ["AN", 1, 80])
    codes = raw.get("codes")
    pattern = raw.get("regex")
    return ElementDef(
        ref=raw["ref"],
        name=raw.get("name") or raw["ref"],
        usage=raw.get("usage") or "S",
        position=position,
        number=number,
        type=kind,
        min_len=int(low),
        max_len=int(high),
        codes=frozenset(codes) if codes else None,
        external=raw.get("external"),
        pattern=re.compile(pattern) if pattern else None,
        repeat=_repeat_count(raw),
        components=components,
    )


def _qualifier(elements: tuple[ElementDef, ...]) -> tuple[int, int, frozenset[str]] | None:
    for index, element in enumerate(elements):
        if element.components:
            first = element.components[0]
            if first.codes and element.usage != "N":
                return index, 0, first.codes
            continue
        if element.codes and element.usage != "N" and element.type == "ID":
            return index, -1, element.codes
    return None


def _segment(raw: dict[str, Any], dictionary: dict[str, list[Any]]) -> SegmentDef:
    elements = tuple(_element(e, dictionary, k) for k, e in enumerate(raw["elements"], start=1))
    return SegmentDef(
        id=raw["seg"],
        name=raw.get("name") or raw["seg"],
        usage=raw.get("usage") or "S",
        max_use=raw.get("max"),
        elements=elements,
        syntax=tuple(_syntax(s) for s in raw.get("syntax", ())),
        qualifier=_qualifier(elements),
    )


def _loop(raw: dict[str, Any], dictionary: dict[str, list[Any]]) -> LoopDef:
    items = [_loop(item, dictionary) if "loop" in item else _segment(item, dictionary) for item in raw["items"]]
    loop = LoopDef(raw["loop"], raw.get("name") or raw["loop"], raw.get("usage") or "S", raw.get("max"), tuple(items))
    index: dict[str, list[int]] = {}
    for k, item in enumerate(loop.items):
        sid = item.id if isinstance(item, SegmentDef) else item.trigger.id
        index.setdefault(sid, []).append(k)
    loop.by_segment.update({sid: tuple(ks) for sid, ks in index.items()})
    loop.openers = tuple(item if isinstance(item, SegmentDef) else item.trigger for item in loop.items)
    loop.required = tuple(k for k, item in enumerate(loop.items) if item.usage == "R")
    for sid, ks in loop.by_segment.items():
        entries = []
        for k in ks:
            opener = loop.openers[k]
            q_index, q_comp, q_codes = opener.qualifier or (-1, -1, frozenset())
            fast = compile_check(opener)
            entries.append(Candidate(k, opener, q_index, q_comp, q_codes, isinstance(loop.items[k], LoopDef), fast))
        loop.candidates[sid] = tuple(entries)
    return loop


def _all_ids(loop: LoopDef, out: set[str]) -> set[str]:
    for item in loop.items:
        if isinstance(item, SegmentDef):
            out.add(item.id)
        else:
            _all_ids(item, out)
    return out


def _read_json(name: str) -> dict[str, Any]:
    ref = resources.files("medbill.x12").joinpath("schemas", name)
    try:
        with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
            data: dict[str, Any] = json.load(text)
    except (OSError, ValueError) as exc:
        raise MedbillError(f"X12 schema {name} cannot be read: {exc}") from None
    return data


SCHEMA_KEYS = ("837P", "837I", "835", "999", "277CA", "277", "270", "271", "276")


@cache
def load_schema(key: str) -> Schema:
    if key not in SCHEMA_KEYS:
        raise MedbillError(f"no X12 schema {key!r} (known: {', '.join(SCHEMA_KEYS)})")
    raw = _read_json(f"{key}.json.gz")
    root = _loop(raw["root"], raw["elements"])
    return Schema(
        key=key,
        transaction=raw["transaction"],
        version=raw["version"],
        functional_id=raw["functional_id"],
        name=raw["name"],
        source=raw["source"],
        root=root,
        segment_ids=frozenset(_all_ids(root, set())),
    )


def available_schemas() -> tuple[str, ...]:
    """The schema keys shipped with this installation."""
    folder = resources.files("medbill.x12").joinpath("schemas")
    return tuple(k for k in SCHEMA_KEYS if folder.joinpath(f"{k}.json.gz").is_file())


@cache
def code_list(name: str) -> frozenset[str] | None:
    """An external code list shipped with the schemas (states, country, currency, entity_id, service_type,
    claim_status_cat, claim_status), or None when medbill has none of that name."""
    lists = _read_json("codelists.json.gz")["lists"]
    entry = lists.get(name)
    return frozenset(entry["codes"]) if entry else None


# Which schema applies to an ST: by ST01 and the implementation reference (ST03, else GS08).
_BY_VERSION = {
    ("837", "005010X222A1"): "837P",
    ("837", "005010X223A2"): "837I",
    ("835", "005010X221A1"): "835",
    ("999", "005010X231A1"): "999",
    ("277", "005010X214"): "277CA",
    ("277", "005010X212"): "277",
    ("270", "005010X279A1"): "270",
    ("271", "005010X279A1"): "271",
    ("276", "005010X212"): "276",
}
ADOPTED_VERSIONS = {version for _, version in _BY_VERSION}


def schema_key_for(st01: str, version: str) -> str | None:
    return _BY_VERSION.get((st01, version))


def versions_for(st01: str) -> list[str]:
    return sorted(v for (t, v) in _BY_VERSION if t == st01)
