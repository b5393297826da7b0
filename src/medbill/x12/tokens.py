"""X12 tokenizer: delimiters from the ISA header, then a lazy stream of segments.

Decoding: bytes are decoded as strict UTF-8 and, only if that fails, as Latin-1. Neither step loses or
replaces a character, so ``serialize`` of the segments encodes back to the original bytes with the same
codec. Offsets are character offsets in the decoded text (equal to byte offsets for ASCII files, which
almost every X12 file is). A UTF-8 byte-order mark and whitespace before the ISA are skipped.

Tolerated layout: CR, LF, CRLF (or nothing) after each segment terminator, indentation before a
segment id, and several interchanges in one file (each ISA re-reads the delimiters).

Segments are produced one at a time by a generator; memory does not grow with the number of
transaction sets beyond the decoded input itself.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import NamedTuple, Protocol

from medbill.errors import X12SyntaxError

ISA_LENGTH = 106
"""ISA is fixed-length: 'ISA', 16 separators, 86 characters of elements, then the segment terminator."""

ISA_WIDTHS: tuple[int, ...] = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
"""TR3 fixed widths of ISA01..ISA16."""

_SEPARATOR_POSITIONS: tuple[int, ...] = tuple(3 + sum(ISA_WIDTHS[:k]) + k for k in range(16))
_LAYOUT_WHITESPACE = " \t\r\n"
_BOM = "\ufeff"


class Delimiters(NamedTuple):
    element: str
    component: str
    repetition: str | None
    segment: str


class Segment(NamedTuple):
    id: str
    elements: tuple[str, ...]
    """The elements after the segment id, as text (composites and repeats are not split here)."""
    index: int  # type: ignore[assignment]  # the field name the API promises; shadows tuple.index
    """0-based position of the segment in the file."""
    line: int
    """1-based line on which the segment starts."""
    offset: int
    """Character offset of the segment id in the decoded text."""


def decode(data: bytes | str) -> str:
    """Text of an X12 input: strict UTF-8, else Latin-1 (lossless either way)."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _skip_prefix(text: str) -> int:
    pos = 1 if text.startswith(_BOM) else 0
    while pos < len(text) and text[pos] in _LAYOUT_WHITESPACE:
        pos += 1
    return pos


def _isa_delimiters(text: str, pos: int) -> tuple[Delimiters, str] | str:
    """Delimiters and the ISA text at ``pos``, or the reason it is not a well-formed fixed-length ISA."""
    head = text[pos : pos + ISA_LENGTH]
    if not head.startswith("ISA"):
        return "the data does not start with an ISA segment"
    if len(head) < ISA_LENGTH:
        return f"the ISA segment is shorter than {ISA_LENGTH} characters"
    element = head[3]
    if element.isalnum() or element in _LAYOUT_WHITESPACE:
        return "the element separator (ISA position 4) is a letter, digit or whitespace"
    for number, where in enumerate(_SEPARATOR_POSITIONS, start=1):
        if head[where] != element:
            return f"ISA{number:02d} is not preceded by the element separator at its fixed position"
    component = head[104]
    segment = head[105]
    if component == element or component.isalnum():
        return "the component separator (ISA16) is invalid"
    if head[3:105].count(element) != 16:
        return "the element separator occurs inside an ISA element (wrong field widths)"
    if segment in (element, component) or segment.isalnum() or segment == " ":
        return "the segment terminator after ISA16 is invalid"
    version = head[_SEPARATOR_POSITIONS[11] + 1 : _SEPARATOR_POSITIONS[11] + 6]
    repetition: str | None = None
    if version.isdigit() and version >= "00501":
        candidate = head[_SEPARATOR_POSITIONS[10] + 1]
        if candidate in (element, component, segment):
            return "the repetition separator (ISA11) repeats another delimiter"
        # Many 5010 senders still put the 4010 standards id "U" here: then there is no repetition separator.
        repetition = None if candidate.isalnum() or candidate == " " else candidate
    return Delimiters(element, component, repetition, segment), head[:105]


def read_delimiters(data: bytes | str, *, name: str) -> Delimiters:
    """The delimiters of the first interchange; ``X12SyntaxError`` when there is no well-formed ISA."""
    text = decode(data)
    pos = _skip_prefix(text)
    found = _isa_delimiters(text, pos)
    if isinstance(found, str):
        raise X12SyntaxError(f"{name}: offset {pos}: not an X12 interchange: {found}")
    return found[0]


def iter_segments(data: bytes | str, *, name: str) -> Iterator[Segment]:
    """Segments of an X12 file, lazily (a generator over the decoded text).

    The ISA is checked when this is called, not at the first ``next``: ``X12SyntaxError`` (naming the file,
    the offset and the reason) is raised here when the data does not begin with a well-formed 106-character ISA.
    """
    text = decode(data)
    pos = _skip_prefix(text)
    found = _isa_delimiters(text, pos)
    if isinstance(found, str):
        raise X12SyntaxError(f"{name}: offset {pos}: not an X12 interchange: {found}")
    delimiters = found[0]
    return _segments(text, pos, delimiters)


class _Cursor:
    """Where a scan stands: the next segment's index and line, the document offset of the text's first
    character, the delimiters in force, and (for a chunk) where the unfinished tail begins."""

    __slots__ = ("base", "delimiters", "index", "line", "tail")

    def __init__(self, delimiters: Delimiters) -> None:
        self.delimiters = delimiters
        self.index = 0
        self.line = 1
        self.base = 0
        self.tail = -1


def _segments(text: str, pos: int, delimiters: Delimiters) -> Iterator[Segment]:
    return _scan(text, pos, _Cursor(delimiters), final=True)


def _scan(text: str, pos: int, cur: _Cursor, *, final: bool) -> Iterator[Segment]:
    """Segments of ``text`` from ``pos`` (see ``_scan_slow`` for the rules, which this follows exactly).

    The fast way: split the region up to the last terminator in one C call and walk the pieces. An ISA that changes
    the delimiters ends the fast walk; ``_scan_slow`` goes on from there, segment by segment.
    """
    delimiters = cur.delimiters
    terminator, separator = delimiters.segment, delimiters.element
    region_end = len(text) if final else text.rfind(terminator, pos) + 1
    if region_end <= pos:
        yield from _scan_slow(text, pos, cur, final=final)
        return
    strip = "".join(ch for ch in _LAYOUT_WHITESPACE if ch not in delimiters)
    newline_terminated = terminator == "\n"
    pieces = text[pos:region_end].split(terminator)
    last = len(pieces) - 1  # the text after the region's last terminator (empty unless final and unterminated)
    index, line, base = cur.index, cur.line, cur.base
    new = tuple.__new__
    offset = pos
    for k, piece in enumerate(pieces):
        body = piece.lstrip(strip) if strip else piece
        skipped = len(piece) - len(body)
        start = offset + skipped
        if k == last and not body:
            offset = region_end
            line += piece.count("\n")
            break
        if skipped:
            line += piece.count("\n", 0, skipped)
        if body.startswith("ISA"):
            if not final and len(text) - start <= ISA_LENGTH:
                cur.index, cur.line, cur.delimiters, cur.tail = index, line, delimiters, start
                return  # like _scan_slow: an ISA this close to a chunk's end is read with the next chunk
            found = _isa_delimiters(text, start)
            if not isinstance(found, str) and found[0] != delimiters:
                # New delimiters: the split above no longer holds from here on.
                cur.index, cur.line, cur.delimiters = index, line, delimiters
                yield from _scan_slow(text, start, cur, final=final)
                return
        if newline_terminated and body.endswith("\r"):
            body = body[:-1]
        parts = body.split(separator)
        yield new(Segment, (parts[0], tuple(parts[1:]), index, line, base + start))
        index += 1
        line += piece.count("\n", skipped) + newline_terminated
        offset += len(piece) + 1
    cur.index, cur.line, cur.delimiters = index, line, delimiters
    cur.tail = -1
    if not final:
        # What follows the last terminator is left for the next chunk (``_scan_slow`` decides what it is).
        tail_start = region_end
        yield from _scan_slow(text, tail_start, cur, final=False)


def _scan_slow(text: str, pos: int, cur: _Cursor, *, final: bool) -> Iterator[Segment]:
    """Segments of ``text`` from ``pos``. Not ``final`` (a chunk of a longer input): a segment with no terminator
    yet, or an ISA too short to read, is left for the next chunk and ``cur.tail`` says where it begins."""
    size = len(text)
    line = cur.line
    line_pos = pos
    index = cur.index
    base = cur.base
    delimiters = cur.delimiters
    new = tuple.__new__
    terminator, separator = delimiters.segment, delimiters.element
    layout = _LAYOUT_WHITESPACE
    cur.tail = -1
    while True:
        while pos < size and text[pos] in layout and text[pos] not in delimiters:
            pos += 1
        line += text.count("\n", line_pos, pos)
        line_pos = pos
        if pos >= size:
            break
        if text.startswith("ISA", pos):
            if not final and size - pos <= ISA_LENGTH:
                cur.tail = pos
                break
            found = _isa_delimiters(text, pos)
            if not isinstance(found, str):
                delimiters = found[0]
                terminator, separator = delimiters.segment, delimiters.element
        end = text.find(terminator, pos)
        if end < 0:
            if not final:
                cur.tail = pos
                break
            end = size
        body = text[pos:end]
        if terminator == "\n" and body.endswith("\r"):
            body = body[:-1]
        parts = body.split(separator)
        yield new(Segment, (parts[0], tuple(parts[1:]), index, line, base + pos))
        index += 1
        pos = end + 1
    cur.index, cur.line, cur.delimiters = index, line, delimiters


CHUNK = 1 << 20
"""Characters read at a time by ``iter_file_segments``."""


def _file_codec(path: Path) -> str:
    """utf-8 when the whole file decodes strictly (checked chunk by chunk, nothing kept), else latin-1."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def iter_file_segments(path: Path, *, name: str) -> Iterator[Segment]:
    """Segments of an X12 file read in chunks: memory holds one chunk and one unfinished segment, whatever the
    file's size. Same segments, indexes, lines and offsets as ``iter_segments`` on the whole file's text;
    ``X12SyntaxError`` when it does not begin with a well-formed ISA (raised here, before the first segment)."""
    codec = _file_codec(path)
    handle = path.open("r", encoding=codec, newline="")
    try:
        head = handle.read(CHUNK)
        pos = _skip_prefix(head)
        while len(head) - pos <= ISA_LENGTH:  # the ISA (after any BOM and whitespace) must be whole
            more = handle.read(CHUNK)
            if not more:
                break
            head += more
            pos = _skip_prefix(head)
        found = _isa_delimiters(head, pos)
        if isinstance(found, str):
            raise X12SyntaxError(f"{name}: offset {pos}: not an X12 interchange: {found}")
    except BaseException:
        handle.close()
        raise
    return _chunks(handle, head, pos, _Cursor(found[0]))


class TextSource(Protocol):
    """What ``_chunks`` reads from: a text file, or a reader over part of one."""

    def read(self, size: int, /) -> str: ...
    def __enter__(self) -> object: ...
    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None, /
    ) -> object: ...


def _chunks(handle: TextSource, text: str, pos: int, cur: _Cursor) -> Iterator[Segment]:
    with handle:
        while True:
            more = handle.read(CHUNK)
            yield from _scan(text, pos, cur, final=not more)
            if not more:
                return
            keep = cur.tail if cur.tail >= 0 else len(text)
            cur.base += keep
            text = text[keep:] + more
            pos = 0


def serialize(segments: Iterable[Segment], delimiters: Delimiters, *, newline: bool = False) -> str:
    """X12 text of ``segments``: id and elements joined by the element separator, each terminated."""
    sep = delimiters.element
    tail = delimiters.segment + ("\n" if newline and delimiters.segment != "\n" else "")
    return "".join(sep.join((segment.id, *segment.elements)) + tail for segment in segments)
