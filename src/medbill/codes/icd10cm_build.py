"""Compile the ICD-10-CM sources (NCHS tabular XML, MCE master, order files) into store rows.

Validity comes from the MCE master: one period per row, start/end dates and the edit flags in force, so any date
of service FY2016-FY2026 selects the right code set. Notes and titles come from the April 2026 tabular; codes
deleted earlier keep the FY2025 order-file title where one exists.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from medbill.codes.editions import CodeSystem, Edition, validity_mask
from medbill.codes.periods import parse_periods
from medbill.codes.sources import source
from medbill.errors import InvalidInput

TABULAR = "icd10cm_tabular_2026-04-01.xml.gz"
DERIVED = "icd10cm_codes_2026-04-01_derived.csv.gz"
ORDER_FY2025 = "icd10cm_order_fy2025.csv.gz"
MCE_DX = "mce_icd10cm_dx_master.csv.gz"

# Tabular element -> note kind as the store names it.
NOTE_KINDS = {
    "includes": "includes",
    "inclusionTerm": "inclusion_term",
    "excludes1": "excludes1",
    "excludes2": "excludes2",
    "codeFirst": "code_first",
    "useAdditionalCode": "use_additional",
    "codeAlso": "code_also",
    "notes": "note",
    "sevenChrNote": "seventh_character_note",
}


@dataclass(slots=True)
class Node:
    key: str
    code: str
    kind: str
    title: str
    parent: str | None
    seq: int
    short_title: str | None = None
    children: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    seventh: list[tuple[str, str]] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)

    def row(self, editions: list[Edition]) -> tuple[object, ...]:
        spans = [(p.start, p.end) for p in parse_periods(";".join(self.periods))]
        return (
            self.key,
            self.code,
            self.kind,
            self.title,
            self.short_title,
            self.parent,
            " ".join(self.children),
            ";".join(self.periods),
            self.seq,
            json.dumps(self.notes) if self.notes else None,
            json.dumps(self.seventh) if self.seventh else None,
            validity_mask(editions, spans),
        )


def code_key(code: str) -> str:
    return code.replace(".", "").upper()


def dotted(key: str) -> str:
    return key if len(key) <= 3 else f"{key[:3]}.{key[3:]}"


def chapter_key(number: str) -> str:
    return f"Chapter {int(number)}"


def block_key(first: str, last: str) -> str:
    return f"{first}-{last}"


def _text(elem: ET.Element | None) -> str:
    return " ".join("".join(elem.itertext()).split()) if elem is not None else ""


def _collect_notes(elem: ET.Element, node: Node) -> None:
    for child in elem:
        kind = NOTE_KINDS.get(child.tag)
        if kind is not None:
            node.notes.extend((kind, _text(n)) for n in child.findall("note"))
        elif child.tag == "sevenChrDef":
            for part in child:
                if part.tag == "extension":
                    node.seventh.append((part.get("char", ""), _text(part)))
                elif part.tag == "note" and node.seventh:
                    # A stray note inside a 7th-character block qualifies the extension before it.
                    char, text = node.seventh[-1]
                    node.seventh[-1] = (char, f"{text}; {_text(part)}")
        elif child.tag == "visualImpairment":
            node.notes.append(("note", _visual_impairment_text(child)))


def _visual_impairment_text(elem: ET.Element) -> str:
    lines = []
    for category in elem.findall("visCategory"):
        value = _text(category.find("value")) or _text(category.find("heading"))
        ranges = [f"{_text(r.find('visMax'))} / {_text(r.find('visMin'))}" for r in category.findall("visRange")]
        lines.append(f"{value}: " + "; ".join(ranges))
    return "Visual impairment categories (maximum less than / minimum equal to or better than): " + " | ".join(lines)


def parse_tabular(data: bytes | None = None, name: str = TABULAR) -> tuple[str, dict[str, Node]]:
    """The tabular's nodes in document order (parents before children); the shipped file unless data is given."""
    try:
        root = ET.fromstring(data if data is not None else source(TABULAR).read_bytes())
    except ET.ParseError as exc:
        line, column = exc.position
        raise InvalidInput(f"{name}: not well-formed XML at line {line}, column {column + 1}") from exc
    if root.tag != "ICD10CM.tabular":
        raise InvalidInput(f"{name}: the root element is <{root.tag}>, not an ICD-10-CM tabular (<ICD10CM.tabular>)")
    version = _text(root.find("version"))
    nodes: dict[str, Node] = {}
    seq = 0

    def add(node: Node) -> Node:
        nodes[node.key] = node
        if node.parent is not None:
            nodes[node.parent].children.append(node.key)
        return node

    def walk_diag(elem: ET.Element, parent: str) -> None:
        nonlocal seq
        code = _text(elem.find("name"))
        key = code_key(code)
        kind = "category" if len(key) == 3 else "subcategory"
        seq += 1
        node = add(Node(key, code, kind, _text(elem.find("desc")), parent, seq))
        _collect_notes(elem, node)
        for child in elem.findall("diag"):
            walk_diag(child, key)

    for chapter in root.findall("chapter"):
        seq += 1
        number = _text(chapter.find("name"))
        ch = add(Node(chapter_key(number), chapter_key(number), "chapter", _text(chapter.find("desc")), None, seq))
        _collect_notes(chapter, ch)
        for section in chapter.findall("section"):
            sid = section.get("id", "")
            first, _, last = sid.partition("-")
            seq += 1
            block = add(
                Node(
                    block_key(first, last or first),
                    block_key(first, last or first),
                    "block",
                    _text(section.find("desc")),
                    ch.key,
                    seq,
                )
            )
            _collect_notes(section, block)
            for diag in section.findall("diag"):
                walk_diag(diag, block.key)
    return version, nodes


def _yyyymmdd(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


@dataclass(frozen=True, slots=True)
class OrderEntry:
    """One line of a CMS ICD-10-CM order file: a code (header or billable) and its titles."""

    key: str
    billable: bool
    short_title: str
    title: str


@dataclass(frozen=True, slots=True)
class Icd10cmUpdate:
    """A newer ICD-10-CM release imported by the user: its order file and, optionally, its tabular XML."""

    name: str
    effective: date
    origin: str
    entries: tuple[OrderEntry, ...]
    tabular: bytes | None = None


def build_rows(
    updates: Sequence[Icd10cmUpdate] = (),
) -> tuple[list[tuple[object, ...]], list[Edition], str]:
    """All ICD-10-CM store rows, the editions they cover, and the tabular version."""
    version, nodes = parse_tabular()
    titles = {code_key(r["code"]): r["long_description"] for r in source(DERIVED).csv_rows()}
    old = {r["code"]: (r["long_name"], r["short_name"]) for r in source(ORDER_FY2025).csv_rows()}
    seq = len(nodes)
    boundaries: set[date] = set()
    mce = list(source(MCE_DX).csv_rows())
    for row in mce:
        key = row["code"]
        node = nodes.get(key)
        if node is None:
            # A 7th-character code, or a code deleted before April 2026: hang it under its nearest tabular node.
            parent = _nearest_node(key, nodes)
            title = titles.get(key) or old.get(key, ("", ""))[0] or "(title not in the shipped editions)"
            seq += 1
            node = Node(key, dotted(key), "code", title, parent, seq)
            nodes[key] = node
            nodes[parent].children.append(key)
        start = _yyyymmdd(row["start_date"])
        end = _yyyymmdd(row["end_date"]) if row["end_date"] else None
        boundaries.add(start)
        if end is not None:
            boundaries.add(end + timedelta(days=1))
        node.periods.append(f"{row['start_date']}-{row['end_date']}:{row['flags']}")
    for key, node in nodes.items():
        if key in old:
            node.short_title = old[key][1]
    editions = _editions(sorted(boundaries))
    for update in sorted(updates, key=lambda u: u.effective):
        seq = _apply_update(nodes, update, seq)
        fy = update.effective.year + 1 if update.effective.month >= 10 else update.effective.year
        editions.append(Edition(CodeSystem.ICD10CM, update.name, update.effective, date(fy, 9, 30), update.origin))
        if len(editions) > 1 and editions[-2].effective < update.effective:
            previous = editions[-2]
            through = min(previous.through or update.effective, update.effective - timedelta(days=1))
            editions[-2] = Edition(previous.system, previous.name, previous.effective, through, previous.source)
    for node in nodes.values():
        if node.kind == "subcategory" and not any(_current(nodes[child]) for child in node.children):
            # A leaf in the newest edition (its only children, if any, were deleted); billability is the periods.
            node.kind = "code"
    rows = [node.row(editions) for node in nodes.values()]
    return rows, editions, version


def _apply_update(nodes: dict[str, Node], update: Icd10cmUpdate, seq: int) -> int:
    """Fold a newer release into the nodes: close what it drops, open what it adds, take its titles and notes.

    MCE edit flags are not part of an order file, so codes new in the update carry none until an MCE is loaded."""
    start = update.effective.strftime("%Y%m%d")
    last_day = (update.effective - timedelta(days=1)).strftime("%Y%m%d")
    billable = {e.key for e in update.entries if e.billable}
    for node in nodes.values():
        if node.periods and node.key not in billable:
            span, _, flags = node.periods[-1].partition(":")
            if span.endswith("-"):
                node.periods[-1] = f"{span}{last_day}:{flags}"
    if update.tabular is not None:
        _, tabular = parse_tabular(update.tabular, update.origin)
        for key, new in tabular.items():
            known = nodes.get(key)
            if known is None:
                if new.parent is not None and new.parent not in nodes:
                    continue
                seq += 1
                known = Node(key, new.code, new.kind, new.title, new.parent, seq)
                nodes[key] = known
                if new.parent is not None:
                    nodes[new.parent].children.append(key)
            known.title, known.notes, known.seventh = new.title, new.notes, new.seventh
    for entry in update.entries:
        found = nodes.get(entry.key)
        if found is None:
            parent = _nearest_node(entry.key, nodes)
            kind = "category" if len(entry.key) == 3 else ("code" if entry.billable else "subcategory")
            seq += 1
            found = Node(entry.key, dotted(entry.key), kind, entry.title, parent, seq)
            nodes[entry.key] = found
            nodes[parent].children.append(entry.key)
        found.title, found.short_title = entry.title, entry.short_title or found.short_title
        if entry.billable and not (found.periods and found.periods[-1].partition(":")[0].endswith("-")):
            found.periods.append(f"{start}-:")
    return seq


def _current(node: Node) -> bool:
    """In the newest edition: a tabular header, or a code whose last period is open-ended."""
    return (not node.periods and node.kind != "code") or any(p.split(":")[0].endswith("-") for p in node.periods)


def _nearest_node(key: str, nodes: dict[str, Node]) -> str:
    """The closest existing ancestor: a prefix node, else (for a new category) the block whose range holds it."""
    probe = key[:-1]
    while probe:
        trimmed = probe.rstrip("X") if len(probe) > 3 else probe
        if trimmed in nodes:
            return trimmed
        probe = probe[:-1]
    category = key[:3]
    for node in nodes.values():
        if node.kind == "block":
            first, _, last = node.key.partition("-")
            if first <= category <= last:
                return node.key
    raise InvalidInput(f"ICD-10-CM code {dotted(key)} falls in no category or block of the tabular")


def _editions(starts: list[date]) -> list[Edition]:
    origin = "CMS MCE v43.1 (validity, edit flags); NCHS tabular April 1 2026 (titles, notes)"
    editions = []
    for i, start in enumerate(starts):
        fy = start.year + 1 if start.month >= 10 else start.year
        through = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else date(fy, 9, 30)
        label = {10: "", 4: " April 1 update", 1: " January 1 update"}.get(start.month, f" {start:%B} update")
        editions.append(Edition(CodeSystem.ICD10CM, f"ICD-10-CM FY{fy}{label}", start, through, origin))
    return editions


def iter_terms(rows: list[tuple[object, ...]]) -> Iterator[tuple[str, str, str, str]]:
    """Searchable terms: (system, code, text, kind) from titles and inclusion terms."""
    for row in rows:
        key, code, kind, title, short_title, _p, _c, _per, _s, notes, _sev, _mask = row
        if kind in ("chapter", "block"):
            continue
        yield ("ICD-10-CM", str(code), str(title), "title")
        if short_title and short_title != title:
            yield ("ICD-10-CM", str(code), str(short_title), "short title")
        if notes:
            for note_kind, text in json.loads(str(notes)):
                if note_kind in ("inclusion_term", "includes"):
                    yield ("ICD-10-CM", str(code), text, "inclusion term")
        del key
