"""ICD-10-CM Alphabetic Index files (the CDC/NCHS ``ICD10CM.index`` XML schema).

One parser reads every file NCHS publishes in this schema: the Index to Diseases and Injuries, the
External Cause of Injuries Index, the Table of Drugs and Chemicals and the Neoplasm Table.

The schema, as shipped::

    ICD10CM.index
      version, title?                       edition year, index title (the tables have no title)
      indexHeading? > head col=N            table column headings (drug and neoplasm tables only)
      letter > title                        one section per initial letter ("#" for digits)
        mainTerm                            a main term
          title                             text, with <nemod> children: nonessential modifiers
          code, manif, see, seeAlso,        the code, a manifestation code, cross references,
          seecat, subcat                    "see category" and subcategory references
          cell col=N                        table cells ("-" or "--" when the cell has no code)
          term level=N                      subterms, nested, same shape as mainTerm

Each mainTerm and term becomes one :class:`IndexEntry`, numbered in document order; entries point
to their parent, so the tree can be stored flat (see :meth:`IndexTable.to_rows`).

Titles are stored without their nonessential modifiers. A ``<nemod>`` element is split into its
top-level parenthesised groups (``"(a) (b(c))"`` gives ``"(a)"`` and ``"(b(c))"``); any text in it
that is outside parentheses is essential text that the files wrap in ``<nemod>`` by mistake
(``step<nemod>(stepping) exercise (class)</nemod>`` is "step exercise") and stays in the title.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final, TypeAlias
from xml.etree import ElementTree

from medbill.errors import InvalidInput, NotFound

__all__ = ["IndexEntry", "IndexKind", "IndexRow", "IndexTable", "parse_index"]

ROOT_TAG: Final = "ICD10CM.index"
_GZIP_MAGIC: Final = b"\x1f\x8b"
_NO_CODE_CHARS: Final = "-"
# Elements of a mainTerm/term holding one value each; a repeat is kept, joined with the separator.
_VALUE_TAGS: Final[dict[str, str]] = {
    "code": " ",
    "manif": " ",
    "see": "; ",
    "seeAlso": "; ",
    "seecat": " ",
    "subcat": " ",
}
_POSITION_SUFFIX: Final = re.compile(r":\s*line \d+, column \d+\s*$")
_TRAILING_QUALIFIER: Final = re.compile(r"\s+(?:nec|nos)$")
# Removing "(ice) (roller)" from "skates (ice) (roller), skateboard" leaves a space before the comma.
_SPACE_BEFORE_COMMA: Final = re.compile(r" (?=[,;])")

IndexRow: TypeAlias = tuple[
    int,  # id
    int | None,  # parent
    int,  # level
    str,  # letter
    str,  # title
    str | None,  # nemod, joined with " "
    str | None,  # code
    str | None,  # see
    str | None,  # see_also
    str | None,  # see_category
    str | None,  # subcategory
    str | None,  # cells, as json [[heading, code], ...]
    str | None,  # manif
]
"""One entry as a flat row (:meth:`IndexTable.to_rows`); ``from_rows`` also accepts the first 12 only."""


class IndexKind(StrEnum):
    DISEASE = "index"
    EXTERNAL_CAUSE = "eindex"
    DRUG = "drug"
    NEOPLASM = "neoplasm"

    @property
    def is_table(self) -> bool:
        """True for the kinds laid out as a table with column headings and cells."""
        return self in (IndexKind.DRUG, IndexKind.NEOPLASM)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    id: int
    """0..n-1 in document order."""
    parent: int | None
    """Id of the enclosing mainTerm/term; None for main terms."""
    level: int
    """0 for a main term, else the term's level attribute (its nesting depth)."""
    title: str
    """Title without nonessential modifiers, whitespace-normalized."""
    nemod: tuple[str, ...]
    """Nonessential modifiers, one parenthesised group each, e.g. ("(adult)", "(child)")."""
    code: str | None
    """The code; may end with "-" (incomplete, see the tabular list)."""
    see: str | None
    see_also: str | None
    see_category: str | None
    subcategory: str | None
    cells: tuple[tuple[str, str], ...]
    """(column heading, code) for the table cells that hold a code, in document order."""
    letter: str
    """The letter section the entry is under."""
    manif: str | None = None
    """<manif>: a manifestation code (printed in brackets), or, once in the neoplasm table, a note."""


@dataclass(frozen=True, slots=True)
class IndexTable:
    kind: IndexKind
    version: str
    title: str
    """The index title; "" for the tables, whose files carry none."""
    headings: tuple[str, ...]
    """All column headings in column order, including column 1 (the term column, e.g. "Substance");
    empty for the indexes."""
    entries: tuple[IndexEntry, ...]
    _children: dict[int | None, tuple[IndexEntry, ...]] = field(init=False, repr=False, compare=False)
    _lookup: tuple[dict[str, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", IndexKind(self.kind))
        except ValueError:
            raise InvalidInput(f"unknown index kind {self.kind!r:.60}") from None
        object.__setattr__(self, "headings", tuple(self.headings))
        object.__setattr__(self, "entries", tuple(self.entries))
        known_headings = set(self.headings)
        grouped: dict[int | None, list[IndexEntry]] = {}
        for position, entry in enumerate(self.entries):
            problem = _entry_problem(self.entries, position, entry, known_headings)
            if problem:
                raise InvalidInput(f"{self.kind} index table: entry {position}: {problem}")
            grouped.setdefault(entry.parent, []).append(entry)
        object.__setattr__(self, "_children", {key: tuple(value) for key, value in grouped.items()})
        object.__setattr__(self, "_lookup", _build_lookup(self._children.get(None, ())))

    # -- navigation -------------------------------------------------------------------------------

    def main_terms(self) -> Iterator[IndexEntry]:
        return iter(self._children.get(None, ()))

    def entry(self, entry_id: int) -> IndexEntry:
        if isinstance(entry_id, bool) or not isinstance(entry_id, int) or not 0 <= entry_id < len(self.entries):
            raise NotFound(f"{self.kind} index table has no entry {entry_id!r}")
        return self.entries[entry_id]

    def children(self, entry_id: int) -> tuple[IndexEntry, ...]:
        return self._children.get(self.entry(entry_id).id, ())

    def path(self, entry_id: int) -> tuple[IndexEntry, ...]:
        """The entries from the main term down to ``entry_id`` (inclusive)."""
        current: IndexEntry | None = self.entry(entry_id)
        chain: list[IndexEntry] = []
        while current is not None:
            chain.append(current)
            current = None if current.parent is None else self.entries[current.parent]
        chain.reverse()
        return tuple(chain)

    def full_title(self, entry_id: int) -> str:
        """Titles along the path joined by ", ", e.g. "Accident, boat, boating, striking swimmer, powered"."""
        return ", ".join(entry.title for entry in self.path(entry_id) if entry.title)

    def find_main_term(self, title: str) -> IndexEntry | None:
        """The main term titled ``title``: case-insensitive, nonessential modifiers ignored.

        Tried in order: the whole title; the title without a trailing "NEC"/"NOS"; its first comma
        variant ("Neoplasm, neoplastic" is found by "neoplasm"); any later comma variant. Within a
        step the first main term in document order wins.
        """
        exact = _lookup_key(title)
        bare = _TRAILING_QUALIFIER.sub("", exact)
        for tier, key in enumerate((exact, bare, bare, bare)):
            found = self._lookup[tier].get(key)
            if found is not None:
                return self.entries[found]
        return None

    # -- flat storage -----------------------------------------------------------------------------

    def to_rows(self) -> list[IndexRow]:
        """One row per entry, in id order (see :data:`IndexRow`); rebuild with :meth:`from_rows`."""
        return [
            (
                entry.id,
                entry.parent,
                entry.level,
                entry.letter,
                entry.title,
                " ".join(entry.nemod) if entry.nemod else None,
                entry.code,
                entry.see,
                entry.see_also,
                entry.see_category,
                entry.subcategory,
                json.dumps([[heading, code] for heading, code in entry.cells]) if entry.cells else None,
                entry.manif,
            )
            for entry in self.entries
        ]

    @classmethod
    def from_rows(
        cls,
        kind: IndexKind | str,
        version: str,
        title: str,
        headings: Sequence[str],
        rows: Iterable[Sequence[object]],
    ) -> IndexTable:
        """Rebuild a table from :meth:`to_rows` output (rows in any order; 12- or 13-column rows)."""
        try:
            index_kind = IndexKind(kind)
        except ValueError:
            raise InvalidInput(f"unknown index kind {kind!r:.60}") from None
        if not isinstance(version, str) or not isinstance(title, str):
            raise InvalidInput(f"{index_kind} index rows: version and title must be strings")
        if isinstance(headings, str) or not all(isinstance(heading, str) for heading in headings):
            raise InvalidInput(f"{index_kind} index rows: headings must be a sequence of strings")
        entries = sorted((_entry_from_row(index_kind, row) for row in rows), key=lambda entry: entry.id)
        return cls(index_kind, version, title, tuple(headings), tuple(entries))


# ---------------------------------------------------------------------------------------------------
# parsing


def parse_index(source: Path | bytes, kind: IndexKind, *, name: str | None = None) -> IndexTable:
    """Parse an ``ICD10CM.index`` file, gzip-compressed or plain, given as a path or as bytes.

    Raises InvalidInput (naming the file, and the line and column when the XML is not well-formed)
    for anything that is not a well-formed index of ``kind``; NotFound when the path does not exist.
    """
    try:
        index_kind = IndexKind(kind)
    except ValueError:
        raise InvalidInput(f"unknown index kind {kind!r:.60}") from None
    if isinstance(source, bytes | bytearray | memoryview):
        label = name or "<bytes>"
        data = bytes(source)
    else:
        path = Path(source)
        label = name or str(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"{label}: no such file") from None
        except OSError as exc:
            raise InvalidInput(f"{label}: cannot read: {exc.strerror or exc}") from exc
    if data.startswith(_GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise InvalidInput(f"{label}: not a valid gzip file: {exc}") from exc
    root = _parse_xml(data, label)
    return _Builder(index_kind, label).build(root)


def _parse_xml(data: bytes, label: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        reason = _POSITION_SUFFIX.sub("", str(exc)) or "not well-formed"
        raise InvalidInput(f"{label}: not well-formed XML at line {line}, column {column + 1}: {reason}") from exc
    except (ValueError, LookupError) as exc:  # unsupported or unknown encoding in the XML declaration
        raise InvalidInput(f"{label}: cannot decode XML: {exc}") from exc


class _Builder:
    def __init__(self, kind: IndexKind, label: str) -> None:
        self.kind = kind
        self.label = label
        self.heading_by_col: dict[int, str] = {}
        self.entries: list[IndexEntry] = []

    def fail(self, message: str) -> InvalidInput:
        return InvalidInput(f"{self.label}: {message}")

    def build(self, root: ElementTree.Element) -> IndexTable:
        if root.tag != ROOT_TAG:
            raise self.fail(f"root element is <{root.tag}>, expected <{ROOT_TAG}>: not an ICD-10-CM index file")
        version: str | None = None
        title: str | None = None
        letters: list[ElementTree.Element] = []
        has_headings = False
        for child in root:
            if child.tag == "version" and version is None:
                version = _text(child)
            elif child.tag == "title" and title is None:
                title = _text(child)
            elif child.tag == "indexHeading":
                has_headings = True
                self.read_headings(child)
            elif child.tag == "letter":
                letters.append(child)
        if self.kind.is_table and not has_headings:
            raise self.fail(f"no <indexHeading>: this is an index, not the {self.kind} table")
        if not self.kind.is_table and has_headings:
            raise self.fail(f"has <indexHeading> column headings: this is a table, not the {self.kind} index")
        for letter in letters:
            self.read_letter(letter)
        headings = tuple(self.heading_by_col[col] for col in sorted(self.heading_by_col))
        return IndexTable(self.kind, version or "", title or "", headings, tuple(self.entries))

    def read_headings(self, element: ElementTree.Element) -> None:
        for head in element.iter("head"):
            col = _int_attr(head, "col")
            if col is None:
                raise self.fail(f"column heading {_quote(_text(head))} has col={_quote(head.get('col'))}, not a number")
            if col in self.heading_by_col:
                raise self.fail(f"two column headings for col={col}")
            self.heading_by_col[col] = _text(head)

    def read_letter(self, letter: ElementTree.Element) -> None:
        letter_title = ""
        for child in letter:
            if child.tag == "title" and not letter_title:
                letter_title = _text(child)
            elif child.tag == "mainTerm":
                self.read_main_term(child, letter_title)

    def read_main_term(self, main_term: ElementTree.Element, letter: str) -> None:
        # Iterative pre-order walk (ids in document order; deep nesting cannot exhaust the stack).
        stack: list[tuple[ElementTree.Element, int | None, int]] = [(main_term, None, 0)]
        while stack:
            element, parent, depth = stack.pop()
            subterms = self.read_entry(element, parent, depth, letter)
            parent_id = len(self.entries) - 1
            stack.extend((subterm, parent_id, depth + 1) for subterm in reversed(subterms))

    def read_entry(
        self, element: ElementTree.Element, parent: int | None, depth: int, letter: str
    ) -> list[ElementTree.Element]:
        title_parts: list[str] = []
        nemod: list[str] = []
        values: dict[str, list[str]] = {}
        cell_elements: list[ElementTree.Element] = []
        subterms: list[ElementTree.Element] = []
        for child in element:
            tag = child.tag
            if tag == "term":
                subterms.append(child)
            elif tag == "title":
                _read_title(child, title_parts, nemod)
            elif tag == "cell":
                cell_elements.append(child)
            elif tag in _VALUE_TAGS:
                value = _text(child)
                if value:
                    values.setdefault(tag, []).append(value)
            # anything else is not part of the schema and is skipped
        title = _normalize("".join(title_parts))
        if nemod:
            title = _SPACE_BEFORE_COMMA.sub("", title)
        if depth:
            declared = element.get("level")
            if declared is not None and _parse_int(declared) != depth:
                raise self.fail(
                    f"term {self.where(parent, title)} has level={_quote(declared)} but is nested at level {depth}"
                )
        cells: list[tuple[str, str]] = []
        for cell in cell_elements:
            code = _text(cell)
            col = _int_attr(cell, "col")
            heading = None if col is None else self.heading_by_col.get(col)
            if heading is None:
                raise self.fail(
                    f"cell {_quote(code)} of {self.where(parent, title)} has col={_quote(cell.get('col'))},"
                    " which has no column heading"
                )
            if code.strip(_NO_CODE_CHARS):  # "-" and "--" mean the table has no code here
                cells.append((heading, code))

        def value_of(tag: str) -> str | None:
            found = values.get(tag)
            return _VALUE_TAGS[tag].join(found) if found else None

        self.entries.append(
            IndexEntry(
                id=len(self.entries),
                parent=parent,
                level=depth,
                title=title,
                nemod=tuple(nemod),
                code=value_of("code"),
                see=value_of("see"),
                see_also=value_of("seeAlso"),
                see_category=value_of("seecat"),
                subcategory=value_of("subcat"),
                cells=tuple(cells),
                letter=letter,
                manif=value_of("manif"),
            )
        )
        return subterms

    def where(self, parent: int | None, title: str) -> str:
        """The entry being read, for messages: "'title' under 'Main, sub'"."""
        if parent is None:
            return _quote(title)
        return f"{_quote(title)} under {_quote(_titles_to(self.entries, parent))}"


def _quote(text: str | None, limit: int = 60) -> str:
    """repr() of ``text`` for a message, shortened when long."""
    if text is not None and len(text) > limit:
        return repr(text[: limit - 3] + "...")
    return repr(text)


def _titles_to(entries: Sequence[IndexEntry], entry_id: int) -> str:
    titles: list[str] = []
    current: int | None = entry_id
    while current is not None:
        titles.append(entries[current].title)
        current = entries[current].parent
    return ", ".join(reversed(titles))


def _read_title(element: ElementTree.Element, parts: list[str], nemod: list[str]) -> None:
    parts.append(element.text or "")
    for child in element:
        if child.tag == "nemod":
            essential, groups = _split_groups("".join(child.itertext()))
            parts.append(essential)
            nemod.extend(_normalize(group) for group in groups)
        else:  # unknown inline markup: keep its text
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")


def _split_groups(text: str) -> tuple[str, list[str]]:
    """Split ``text`` into its top-level balanced "(...)" groups and the text outside them.

    Unbalanced parentheses are treated as ordinary characters, so every group returned is balanced
    and re-splitting the groups joined by spaces gives the same groups back.
    """
    if "(" not in text:
        return text, []
    open_at: list[int] = []
    closes: dict[int, int] = {}
    for position, char in enumerate(text):
        if char == "(":
            open_at.append(position)
        elif char == ")" and open_at:
            closes[open_at.pop()] = position
    outside: list[str] = []
    groups: list[str] = []
    start = position = 0
    while position < len(text):
        end = closes.get(position)
        if end is None:
            position += 1
            continue
        outside.append(text[start:position])
        groups.append(text[position : end + 1])
        position = start = end + 1
    outside.append(text[start:])
    return "".join(outside), groups


def _normalize(text: str) -> str:
    return " ".join(text.split())


def _text(element: ElementTree.Element) -> str:
    return _normalize("".join(element.itertext()))


def _parse_int(text: str) -> int | None:
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit():
        return None
    return int(stripped)


def _int_attr(element: ElementTree.Element, attribute: str) -> int | None:
    value = element.get(attribute)
    return None if value is None else _parse_int(value)


# ---------------------------------------------------------------------------------------------------
# lookup and validation


def _lookup_key(text: str) -> str:
    essential, _groups = _split_groups(text)
    return _normalize(essential).casefold()


def _build_lookup(main_terms: Iterable[IndexEntry]) -> tuple[dict[str, int], ...]:
    exact: dict[str, int] = {}
    bare: dict[str, int] = {}
    first_variant: dict[str, int] = {}
    other_variant: dict[str, int] = {}
    for entry in main_terms:
        key = _lookup_key(entry.title)
        exact.setdefault(key, entry.id)
        stripped = _TRAILING_QUALIFIER.sub("", key)
        bare.setdefault(stripped, entry.id)
        variants = [_normalize(variant) for variant in stripped.split(",")]
        first_variant.setdefault(variants[0], entry.id)
        for variant in variants[1:]:
            if variant:
                other_variant.setdefault(variant, entry.id)
    return exact, bare, first_variant, other_variant


def _entry_problem(entries: Sequence[IndexEntry], position: int, entry: IndexEntry, headings: set[str]) -> str | None:
    if not isinstance(entry, IndexEntry):
        return f"is a {type(entry).__name__}, not an IndexEntry"
    if entry.id != position:
        return f"has id {entry.id}; ids must run 0..n-1 in order"
    if entry.parent is None:
        if entry.level != 0:
            return f"is a main term (no parent) but has level {entry.level}"
    elif not 0 <= entry.parent < position:
        return f"has parent {entry.parent}, which does not precede it"
    elif entry.level != entries[entry.parent].level + 1:
        return f"has level {entry.level} under a level-{entries[entry.parent].level} parent"
    for heading, _code in entry.cells:
        if heading not in headings:
            return f"has a cell under {_quote(heading)}, which is not a column heading"
    return None


def _entry_from_row(kind: IndexKind, row: Sequence[object]) -> IndexEntry:
    if isinstance(row, str | bytes) or len(row) not in (12, 13):
        raise InvalidInput(f"{kind} index rows: a row must have 12 or 13 columns, got {row!r:.200}")
    entry_id = _row_int(kind, row, 0, "id")
    where = f"{kind} index rows: row id {entry_id}"
    parent = None if row[1] is None else _row_int(kind, row, 1, "parent")
    level = _row_int(kind, row, 2, "level")
    letter, title = row[3], row[4]
    if not isinstance(letter, str) or not isinstance(title, str):
        raise InvalidInput(f"{where}: letter and title must be strings")
    texts: list[str | None] = []
    for column in range(5, len(row)):
        value = row[column]
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{where}: column {column} must be a string or NULL, got {type(value).__name__}")
        texts.append(value)
    nemod_text, code, see, see_also, see_category, subcategory, cells_json = texts[:7]
    manif = texts[7] if len(texts) > 7 else None
    nemod: tuple[str, ...] = ()
    if nemod_text:
        outside, groups = _split_groups(nemod_text)
        if outside.strip():
            raise InvalidInput(f"{where}: nemod {_quote(nemod_text)} is not a list of parenthesised modifiers")
        nemod = tuple(groups)
    return IndexEntry(
        id=entry_id,
        parent=parent,
        level=level,
        title=title,
        nemod=nemod,
        code=code,
        see=see,
        see_also=see_also,
        see_category=see_category,
        subcategory=subcategory,
        cells=_cells_from_json(where, cells_json),
        letter=letter,
        manif=manif,
    )


def _row_int(kind: IndexKind, row: Sequence[object], column: int, what: str) -> int:
    value = row[column]
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{kind} index rows: {what} must be an integer, got {value!r:.50}")
    return value


def _cells_from_json(where: str, cells_json: str | None) -> tuple[tuple[str, str], ...]:
    if cells_json is None:
        return ()
    try:
        decoded: object = json.loads(cells_json)
    except ValueError as exc:
        raise InvalidInput(f"{where}: cells are not valid JSON: {exc}") from exc
    cells: list[tuple[str, str]] = []
    if isinstance(decoded, list):
        for item in decoded:
            if not (isinstance(item, list) and len(item) == 2 and all(isinstance(part, str) for part in item)):
                break
            cells.append((item[0], item[1]))
        else:
            return tuple(cells)
    raise InvalidInput(f"{where}: cells must be a JSON list of [heading, code] pairs")
