"""ICD-10-PCS tables: what each of a code's seven characters means, and which combinations a table allows.

Source: the CMS ICD-10-PCS tables XML flattened one row per XML element or attribute
(``icd10pcs_tables_fy2024_xmlflat.csv.gz``; columns ``rowid, elem, elemid, attr, value, level2..level5``).
Rows sharing an ``elemid`` describe one element: the row with an empty ``attr`` carries the element's text in
``value``, every other row one attribute (``attr`` = name, ``value`` = value). ``level2..level5`` give the
element's path below the root. The tree is::

    title                                   "2024 ICD-10-PCS Tables"
    pcsTable                                one table = positions 1-3
      axis  pos=1..3 values=1               title, label code=<char>, definition (root operation, pos 3)
      pcsRow codes=<n>                      one row of the table
        axis pos=4..7 values=<k>            title, k x label code=<char>

Two losses in the flattening are undone: an empty ``label code="Z"`` is the CMS label "None" (see
:data:`EMPTY_Z_LABEL`), and XML escapes left in text (``Photons &gt;10 MeV``) are decoded.

Positions 1-3 have one value per table. Positions 4-7 are listed per row; a value usually means the same
thing in every row of its table, but not always (in table XW0 a substance character is reused with a
different label in each "New Technology Group" row; 32 such values in XW0 and 3E0). Labels are therefore
stored per (table, position, value) as a sorted tuple of *variants*, and each row records which variant it
uses.

Persistence (the caller stores both lists in SQLite and rebuilds without re-parsing):

* :meth:`PcsTables.to_rows` gives ``(table_prefix, position, value, title, label, definition)`` tuples; the
  prefix is ``code[:position - 1]`` for positions 1-3 (``""`` for the section) and the 3-character table for
  positions 4-7. A (table, position, value) with several variants appears once per variant. Order is
  irrelevant: variants are numbered in sorted ``(title, label)`` order on both sides.
* :meth:`PcsTables.row_rows` gives one ``(table, row_number, pos4, pos5, pos6, pos7)`` tuple per pcsRow.
  Each ``posN`` string lists the row's value characters in table order; a character whose label is not the
  first variant is followed by one lowercase letter naming the variant (``b`` = second, ``c`` = third, ...).
  E.g. ``"0123"`` or ``"3bK"`` (3 with its second label, then K with its first).

Without the row list, :meth:`PcsTables.explain` still works but labels an ambiguous value with its first
variant, and :meth:`PcsTables.is_buildable` raises :class:`~medbill.errors.CodeSetUnavailable`.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from medbill.errors import CodeSetUnavailable, InvalidInput, NotFound

__all__ = ["PcsAxis", "PcsTables", "parse_pcs_tables"]

VALUE_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_MARKERS = "abcdefghijklmnopqrstuvwxyz"  # variant index -> marker; "a" (0) is never written
EMPTY_Z_LABEL = "None"
"""The text given to an empty ``label code="Z"``: the flattening read the CMS label "None" as a null (the
FY2024 file has 1,128 such labels, all code Z, under Qualifier, Contrast, Equipment, Isotope, Body System /
Region, ...; no label in it reads "None"). Any other empty label is an error."""
_REQUIRED_COLUMNS = ("elem", "elemid", "attr", "value", "level2", "level3", "level4", "level5")
_TOP_POSITIONS = (1, 2, 3)
_ROW_POSITIONS = (4, 5, 6, 7)

TopKey = tuple[str, int, str]
"""(prefix, position, value) for positions 1-3."""
AxisKey = tuple[str, int, str]
"""(table, position, value) for positions 4-7."""
Variant = tuple[str, str]
"""(title, label)."""
Row = tuple[Mapping[str, int], Mapping[str, int], Mapping[str, int], Mapping[str, int]]
"""One pcsRow: for positions 4..7, value -> variant index (dicts keep the table's value order)."""
TableRow = tuple[str, int, str, str, str, str | None]
RowRow = tuple[str, int, str, str, str, str]


@dataclass(frozen=True, slots=True)
class PcsAxis:
    position: int
    """1..7."""
    title: str
    """The axis name in this table: "Section", "Body System", "Operation", "Body Part", "Approach", ..."""
    value: str
    """The character."""
    label: str
    """What the character means here, e.g. "Medical and Surgical", "Bypass", "Cerebral Ventricle"."""
    definition: str | None
    """The root operation's definition where the table gives one (position 3), else None."""


@dataclass(frozen=True, slots=True)
class PcsTables:
    """The ICD-10-PCS tables of one release. Build with :func:`parse_pcs_tables` or :meth:`from_rows`."""

    version: str
    _top: Mapping[TopKey, tuple[str, str, str | None]] = field(repr=False, hash=False)
    _axes: Mapping[AxisKey, tuple[Variant, ...]] = field(repr=False, hash=False)
    _rows: Mapping[str, tuple[Row, ...]] | None = field(default=None, repr=False, hash=False)

    # ---- queries -------------------------------------------------------------------------------------

    @property
    def has_row_data(self) -> bool:
        """True when the pcsRow combinations are loaded (needed by :meth:`is_buildable`)."""
        return self._rows is not None

    def tables(self) -> tuple[str, ...]:
        """The 3-character tables, sorted."""
        return tuple(sorted(prefix + value for prefix, position, value in self._top if position == 3))

    def explain(self, code: str) -> tuple[PcsAxis, ...] | None:
        """The 7 axes of ``code``, or None when it is not 7 characters or any character is not defined
        for its table. The code need not be buildable: each character of positions 4-7 only has to occur
        in some row of the table. Where a value's label differs between rows, the row that admits the
        whole code decides (else the row that agrees with the most other characters)."""
        code = code.upper()
        if len(code) != 7:
            return None
        top: list[PcsAxis] = []
        for position in _TOP_POSITIONS:
            entry = self._top.get((code[: position - 1], position, code[position - 1]))
            if entry is None:
                return None
            title, label, definition = entry
            top.append(PcsAxis(position, title, code[position - 1], label, definition))
        table, tail = code[:3], code[3:]
        choices: list[tuple[Variant, ...]] = []
        for position, char in zip(_ROW_POSITIONS, tail, strict=True):
            variants = self._axes.get((table, position, char))
            if variants is None:
                return None
            choices.append(variants)
        picked = self._pick_variants(table, tail, choices)
        bottom = [
            PcsAxis(position, variant[0], char, variant[1], None)
            for position, char, variant in zip(_ROW_POSITIONS, tail, picked, strict=True)
        ]
        return (*top, *bottom)

    def is_buildable(self, code: str) -> bool:
        """True when some pcsRow of the code's table admits its positions 4-7 together (the code is in the
        release's code set). Raises CodeSetUnavailable when the tables were rebuilt without row data."""
        if self._rows is None:
            raise CodeSetUnavailable(f"ICD-10-PCS tables {self.version}: loaded without row data")
        code = code.upper()
        if len(code) != 7:
            return False
        return any(_admits(row, code[3:]) for row in self._rows.get(code[:3], ()))

    def _pick_variants(self, table: str, tail: str, choices: Sequence[tuple[Variant, ...]]) -> list[Variant]:
        if all(len(variants) == 1 for variants in choices):
            return [variants[0] for variants in choices]
        rows = self._rows.get(table, ()) if self._rows is not None else ()
        full = next((row for row in rows if _admits(row, tail)), None)
        picked: list[Variant] = []
        for index, (char, variants) in enumerate(zip(tail, choices, strict=True)):
            chosen = 0
            if len(variants) > 1:
                if full is not None:
                    chosen = full[index][char]
                else:
                    holders = [row for row in rows if char in row[index]]
                    if holders:
                        best = max(holders, key=lambda row: sum(c in m for c, m in zip(tail, row, strict=True)))
                        chosen = best[index][char]
            picked.append(variants[chosen])
        return picked

    # ---- persistence ---------------------------------------------------------------------------------

    def to_rows(self) -> list[TableRow]:
        """``(table_prefix, position, value, title, label, definition)``, sorted; see the module docstring."""
        out: list[TableRow] = [
            (prefix, position, value, title, label, definition)
            for (prefix, position, value), (title, label, definition) in self._top.items()
        ]
        for (table, position, value), variants in self._axes.items():
            out.extend((table, position, value, title, label, None) for title, label in variants)
        out.sort(key=lambda r: (r[1] > 3, r[0], r[1], r[2], r[3], r[4]))
        return out

    def row_rows(self) -> list[RowRow]:
        """``(table, row_number, pos4, pos5, pos6, pos7)`` per pcsRow; see the module docstring.
        Empty when the tables were rebuilt without row data."""
        if self._rows is None:
            return []
        out: list[RowRow] = []
        for table in sorted(self._rows):
            for number, row in enumerate(self._rows[table]):
                p4, p5, p6, p7 = (_encode_axis(axis) for axis in row)
                out.append((table, number, p4, p5, p6, p7))
        return out

    @classmethod
    def from_rows(
        cls,
        version: str,
        rows: Iterable[TableRow],
        row_rows: Iterable[RowRow] | None = None,
    ) -> PcsTables:
        """Rebuild from :meth:`to_rows` (and optionally :meth:`row_rows`) output; raises InvalidInput on
        tuples that do not fit the format."""
        top: dict[TopKey, tuple[str, str, str | None]] = {}
        variant_sets: dict[AxisKey, set[Variant]] = {}
        for number, item in enumerate(rows, start=1):
            where = f"PCS table rows: item {number}"
            if not isinstance(item, tuple | list) or len(item) != 6:
                raise InvalidInput(f"{where}: expected a 6-tuple, got {item!r}")
            prefix, position, value, title, label, definition = item
            if not isinstance(position, int) or not 1 <= position <= 7:
                raise InvalidInput(f"{where}: position {position!r} is not 1..7")
            if not (isinstance(value, str) and value in VALUE_CHARS):
                raise InvalidInput(f"{where}: value {value!r} is not one character 0-9/A-Z")
            expected = position - 1 if position <= 3 else 3
            if not (isinstance(prefix, str) and len(prefix) == expected and set(prefix) <= VALUE_CHARS):
                raise InvalidInput(
                    f"{where}: prefix {prefix!r} should be {expected} characters for position {position}"
                )
            if not (isinstance(title, str) and title and isinstance(label, str) and label):
                raise InvalidInput(f"{where}: empty or non-text title/label")
            if definition is not None and not isinstance(definition, str):
                raise InvalidInput(f"{where}: definition {definition!r} is not text")
            if position <= 3:
                entry = (title, label, definition)
                previous = top.setdefault((prefix, position, value), entry)
                if previous != entry:
                    raise InvalidInput(f"{where}: {prefix + value!r} position {position} defined twice differently")
            else:
                variant_sets.setdefault((prefix, position, value), set()).add((title, label))
        axes = {key: tuple(sorted(found)) for key, found in variant_sets.items()}
        rebuilt: dict[str, tuple[Row, ...]] | None = None
        if row_rows is not None:
            rebuilt = _decode_rows(row_rows, axes)
        return cls(version, top, axes, rebuilt)


def _admits(row: Row, tail: str) -> bool:
    return all(char in axis for char, axis in zip(tail, row, strict=True))


def _encode_axis(axis: Mapping[str, int]) -> str:
    return "".join(value + (_MARKERS[index] if index else "") for value, index in axis.items())


_ENCODED_AXIS = re.compile(r"(?:[0-9A-Z][b-z]?)+")
_ENCODED_VALUE = re.compile(r"([0-9A-Z])([b-z]?)")


def _decode_rows(row_rows: Iterable[RowRow], axes: Mapping[AxisKey, tuple[Variant, ...]]) -> dict[str, tuple[Row, ...]]:
    numbered: dict[str, dict[int, Row]] = {}
    for number, item in enumerate(row_rows, start=1):
        where = f"PCS row combinations: item {number}"
        if not isinstance(item, tuple | list) or len(item) != 6:
            raise InvalidInput(f"{where}: expected a 6-tuple, got {item!r}")
        table, row_number, *encoded = item
        if not (isinstance(table, str) and len(table) == 3 and set(table) <= VALUE_CHARS):
            raise InvalidInput(f"{where}: table {table!r} is not 3 characters 0-9/A-Z")
        if not isinstance(row_number, int) or row_number < 0:
            raise InvalidInput(f"{where}: row number {row_number!r} is not a non-negative integer")
        decoded: list[dict[str, int]] = []
        for position, text in zip(_ROW_POSITIONS, encoded, strict=True):
            if not (isinstance(text, str) and _ENCODED_AXIS.fullmatch(text)):
                raise InvalidInput(f"{where}: position {position} values {text!r} are not in the row format")
            mapping: dict[str, int] = {}
            for match in _ENCODED_VALUE.finditer(text):
                value, marker = match.group(1), match.group(2)
                index = _MARKERS.index(marker) if marker else 0
                variants = axes.get((table, position, value))
                if variants is None or index >= len(variants):
                    raise InvalidInput(
                        f"{where}: {table} position {position} value {value!r} variant {index}: no such label"
                    )
                if value in mapping:
                    raise InvalidInput(f"{where}: {table} position {position} lists value {value!r} twice")
                mapping[value] = index
            decoded.append(mapping)
        slots = numbered.setdefault(table, {})
        if row_number in slots:
            raise InvalidInput(f"{where}: {table} row {row_number} given twice")
        slots[row_number] = (decoded[0], decoded[1], decoded[2], decoded[3])
    return {table: tuple(slots[n] for n in sorted(slots)) for table, slots in numbered.items()}


# ---- parsing the flat CSV ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Axis:
    where: str
    position: int
    declared: int
    title: str | None = None
    labels: list[tuple[str, str]] = field(default_factory=list)
    definition: str | None = None


@dataclass(slots=True)
class _PcsRow:
    where: str
    declared: int
    axes: list[_Axis] = field(default_factory=list)


@dataclass(slots=True)
class _Table:
    where: str
    axes: list[_Axis] = field(default_factory=list)
    rows: list[_PcsRow] = field(default_factory=list)


class _Builder:
    """Consumes elements in document order and checks every count the XML declares."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.title: str | None = None
        self.table: _Table | None = None
        self.row: _PcsRow | None = None
        self.axis: _Axis | None = None
        self.top: dict[TopKey, tuple[str, str, str | None]] = {}
        self.row_labels: dict[str, list[list[tuple[str, Variant]]]] = {}  # table -> rows -> pos -> (value, v)
        self.table_where: dict[str, str] = {}
        self.restored = 0

    def fail(self, where: str, why: str) -> InvalidInput:
        return InvalidInput(f"{self.name}: {where}: {why}")

    def element(self, where: str, elem: str, path: tuple[str, ...], text: str, attrs: dict[str, str]) -> None:
        if not path or path[-1] != elem:
            raise self.fail(where, f"element {elem!r} does not end its path {'/'.join(path)!r}")
        if path == ("title",):
            self.title = text
        elif path == ("pcsTable",):
            self.close_table()
            self.table = _Table(where)
        elif path == ("pcsTable", "axis"):
            table = self.need_table(where, elem)
            if table.rows:
                raise self.fail(where, "table-level axis after the table's first pcsRow")
            self.close_axis()
            self.axis = self.new_axis(where, attrs, _TOP_POSITIONS)
            table.axes.append(self.axis)
        elif path == ("pcsTable", "pcsRow"):
            table = self.need_table(where, elem)
            self.close_row()
            self.row = _PcsRow(where, self.int_attr(where, attrs, "codes"))
            table.rows.append(self.row)
        elif path == ("pcsTable", "pcsRow", "axis"):
            if self.row is None:
                raise self.fail(where, "row axis outside a pcsRow")
            self.close_axis()
            self.axis = self.new_axis(where, attrs, _ROW_POSITIONS)
            self.row.axes.append(self.axis)
        elif path[:-1] in (("pcsTable", "axis"), ("pcsTable", "pcsRow", "axis")) and elem in (
            "title",
            "label",
            "definition",
        ):
            self.axis_child(where, elem, path, text, attrs)
        else:
            raise self.fail(where, f"unexpected element {elem!r} at {'/'.join(path)!r}")

    def axis_child(self, where: str, elem: str, path: tuple[str, ...], text: str, attrs: dict[str, str]) -> None:
        axis = self.axis
        in_row = len(path) == 4
        if axis is None or (axis.position in _ROW_POSITIONS) != in_row:
            raise self.fail(where, f"{elem!r} outside an axis")
        if not text and elem == "label" and attrs.get("code") == "Z":
            text = EMPTY_Z_LABEL
            self.restored += 1
        if not text:
            raise self.fail(where, f"empty {elem!r}")
        if elem == "title":
            if axis.title is not None:
                raise self.fail(where, f"second title for axis at {axis.where}")
            axis.title = text
        elif elem == "label":
            code = attrs.get("code", "")
            if code not in VALUE_CHARS:
                raise self.fail(where, f"label {text!r} has code {code!r}, not one character 0-9/A-Z")
            if any(code == seen for seen, _ in axis.labels):
                raise self.fail(where, f"label code {code!r} repeated in axis at {axis.where}")
            axis.labels.append((code, text))
        else:
            if in_row:
                raise self.fail(where, "definition inside a pcsRow axis")
            if axis.definition is not None:
                raise self.fail(where, f"second definition for axis at {axis.where}")
            axis.definition = text

    def need_table(self, where: str, elem: str) -> _Table:
        if self.table is None:
            raise self.fail(where, f"{elem!r} outside a pcsTable")
        return self.table

    def int_attr(self, where: str, attrs: dict[str, str], name: str) -> int:
        raw = attrs.get(name)
        if raw is None or not raw.isdigit():
            raise self.fail(where, f"attribute {name!r} is {raw!r}, not a number")
        return int(raw)

    def new_axis(self, where: str, attrs: dict[str, str], allowed: tuple[int, ...]) -> _Axis:
        position = self.int_attr(where, attrs, "pos")
        if position not in allowed:
            raise self.fail(where, f"axis pos {position} here, expected one of {allowed}")
        return _Axis(where, position, self.int_attr(where, attrs, "values"))

    def close_axis(self) -> None:
        axis, self.axis = self.axis, None
        if axis is None:
            return
        if axis.title is None:
            raise self.fail(axis.where, f"axis pos {axis.position} has no title")
        if len(axis.labels) != axis.declared or not axis.labels:
            raise self.fail(
                axis.where,
                f"axis pos {axis.position} declares {axis.declared} values, has {len(axis.labels)} labels",
            )

    def close_row(self) -> None:
        self.close_axis()
        row, self.row = self.row, None
        if row is None:
            return
        positions = sorted(axis.position for axis in row.axes)
        if positions != list(_ROW_POSITIONS):
            raise self.fail(row.where, f"pcsRow has axes {positions}, expected positions 4-7 once each")
        count = 1
        for axis in row.axes:
            count *= len(axis.labels)
        if count != row.declared:
            raise self.fail(row.where, f"pcsRow declares {row.declared} codes, its axes give {count}")

    def close_table(self) -> None:
        self.close_row()
        table, self.table = self.table, None
        if table is None:
            return
        if [axis.position for axis in table.axes] != list(_TOP_POSITIONS):
            found = [axis.position for axis in table.axes]
            raise self.fail(table.where, f"pcsTable has axes {found}, expected positions 1, 2, 3")
        if any(axis.declared != 1 for axis in table.axes):
            raise self.fail(table.where, "pcsTable axis 1-3 with more than one value")
        if not table.rows:
            raise self.fail(table.where, "pcsTable without pcsRow")
        key = "".join(axis.labels[0][0] for axis in table.axes)
        if key in self.table_where:
            raise self.fail(table.where, f"table {key} already defined at {self.table_where[key]}")
        self.table_where[key] = table.where
        for axis in table.axes:
            value, label = axis.labels[0]
            assert axis.title is not None  # close_axis checked
            entry = (axis.title, label, axis.definition)
            previous = self.top.setdefault((key[: axis.position - 1], axis.position, value), entry)
            if previous != entry:
                raise self.fail(
                    table.where,
                    f"table {key} position {axis.position} {value!r} is {entry}, elsewhere {previous}",
                )
        rows: list[list[tuple[str, Variant]]] = []
        for row in table.rows:
            for axis in sorted(row.axes, key=lambda a: a.position):
                assert axis.title is not None
                rows.append([(value, (axis.title, label)) for value, label in axis.labels])
        self.row_labels[key] = rows

    def finish(self) -> PcsTables:
        self.close_table()
        if self.title is None:
            raise InvalidInput(f"{self.name}: no title element (not an ICD-10-PCS tables file?)")
        if not self.top:
            raise InvalidInput(f"{self.name}: no pcsTable elements")
        found = re.match(r"\s*(\d{4})\b", self.title)
        version = f"FY{found.group(1)}" if found else self.title
        variant_sets: dict[AxisKey, set[Variant]] = {}
        for table, axes in self.row_labels.items():
            for number, labels in enumerate(axes):
                position = _ROW_POSITIONS[number % 4]
                for value, variant in labels:
                    variant_sets.setdefault((table, position, value), set()).add(variant)
        variants = {key: tuple(sorted(found_set)) for key, found_set in variant_sets.items()}
        too_many = [key for key, found_set in variants.items() if len(found_set) > len(_MARKERS)]
        if too_many:
            raise InvalidInput(f"{self.name}: {too_many[0]} has more than {len(_MARKERS)} different labels")
        rows: dict[str, tuple[Row, ...]] = {}
        for table, axes in self.row_labels.items():
            built: list[Row] = []
            for start in range(0, len(axes), 4):
                maps = [
                    {
                        value: variants[(table, _ROW_POSITIONS[offset], value)].index(variant)
                        for value, variant in axes[start + offset]
                    }
                    for offset in range(4)
                ]
                built.append((maps[0], maps[1], maps[2], maps[3]))
            rows[table] = tuple(built)
        return PcsTables(version, self.top, variants, rows)


_ENTITY = re.compile(r"&(lt|gt|amp|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _unescape(text: str) -> str:
    """Undo XML character escapes the flattening left in text (``Photons &lt;1 MeV``)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name[0] != "#":
            return _NAMED_ENTITIES[name]
        number = int(name[2:], 16) if name[1] == "x" else int(name[1:])
        return chr(number) if 0 < number < 0x110000 else match.group(0)

    return _ENTITY.sub(replace, text) if "&" in text else text


def _read(source: Path | bytes, name: str) -> str:
    if isinstance(source, Path):
        try:
            raw = source.read_bytes()
        except FileNotFoundError as exc:
            raise NotFound(f"{name}: file not found") from exc
        except OSError as exc:
            raise InvalidInput(f"{name}: cannot read: {exc.strerror or exc}") from exc
    else:
        raw = bytes(source)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise InvalidInput(f"{name}: corrupt or truncated gzip: {exc}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name}: not UTF-8 text (byte {exc.start}): not the flattened tables CSV") from exc


def parse_pcs_tables(source: Path | bytes, *, name: str | None = None) -> PcsTables:
    """Parse the flattened ICD-10-PCS tables CSV (gzip or plain) from a path or bytes.

    ``name`` labels the file in error messages (default: the path, or ``"<bytes>"``). Anything that is not a
    complete, consistent flat tables file raises InvalidInput naming the file, the row (``rowid``) and why;
    a path that does not exist raises NotFound. ``version`` is ``"FY<year>"`` from the file's title.
    """
    label = name if name is not None else (str(source) if isinstance(source, Path) else "<bytes>")
    text = _read(source, label)
    reader = csv.reader(io.StringIO(text, newline=""))
    builder = _Builder(label)
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidInput(f"{label}: empty file")
        columns = {column.strip(): index for index, column in enumerate(header)}
        missing = [column for column in _REQUIRED_COLUMNS if column not in columns]
        if missing:
            raise InvalidInput(f"{label}: header lacks column(s) {', '.join(missing)}: not the flattened tables CSV")
        i_elem, i_id, i_attr, i_value = (columns[c] for c in ("elem", "elemid", "attr", "value"))
        i_levels = [columns[f"level{n}"] for n in range(2, 6)]
        i_rowid = columns.get("rowid")
        width = len(header)
        seen: set[str] = set()
        current: str | None = None
        group: tuple[str, str, tuple[str, ...]] | None = None  # where, elem, path
        text_value: str | None = None
        attrs: dict[str, str] = {}
        for record in reader:
            number = reader.line_num - 1
            where = f"row {record[i_rowid] if i_rowid is not None and len(record) > i_rowid else number}"
            if len(record) != width:
                if not record:
                    continue
                raise builder.fail(where, f"{len(record)} fields, header has {width}")
            elem_id, elem, attr, value = record[i_id], record[i_elem], record[i_attr], record[i_value]
            path = tuple(record[i] for i in i_levels if record[i])
            if not elem or not elem_id:
                raise builder.fail(where, "empty elem or elemid")
            if elem_id != current:
                if group is not None:
                    builder.element(group[0], group[1], group[2], text_value or "", attrs)
                if elem_id in seen:
                    raise builder.fail(where, f"elemid {elem_id} reappears after other elements")
                seen.add(elem_id)
                current, group, text_value, attrs = elem_id, (where, elem, path), None, {}
            elif group is not None and (elem, path) != group[1:]:
                raise builder.fail(where, f"elemid {elem_id} is {group[1]!r} at {group[0]}, here {elem!r}")
            if attr:
                if attr in attrs:
                    raise builder.fail(where, f"attribute {attr!r} repeated")
                attrs[attr] = _unescape(value)
            else:
                if text_value is not None:
                    raise builder.fail(where, f"second text row for elemid {elem_id}")
                text_value = _unescape(value)
        if group is not None:
            builder.element(group[0], group[1], group[2], text_value or "", attrs)
    except csv.Error as exc:
        raise InvalidInput(f"{label}: line {reader.line_num}: CSV error: {exc}") from exc
    return builder.finish()
