"""The vendored code-set source files, as listed in data/MANIFEST.tsv (checksum, rows, edition, licence).

Sources are read-only inputs; the store is compiled from them and keyed by their checksums, so replacing a file
(a newer quarter) rebuilds the store on next use.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medbill.errors import CodeSetUnavailable

DATA_DIR = Path(__file__).parent / "data"
MANIFEST = DATA_DIR / "MANIFEST.tsv"


@dataclass(frozen=True, slots=True)
class Source:
    file: str
    sha256: str
    rows: int
    system: str
    edition: str
    origin: str
    licence: str

    @property
    def path(self) -> Path:
        return DATA_DIR / self.file

    def read_bytes(self) -> bytes:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise CodeSetUnavailable(f"code-set source {self.file} cannot be read: {exc.strerror}") from exc
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise CodeSetUnavailable(f"code-set source {self.file} does not match its MANIFEST.tsv checksum")
        return gzip.decompress(data) if self.file.endswith(".gz") else data

    def csv_rows(self) -> Iterator[dict[str, str]]:
        text = self.read_bytes().decode("utf-8-sig")
        yield from csv.DictReader(io.StringIO(text))


def vendored_sources() -> dict[str, Source]:
    """All manifest entries by file name."""
    out: dict[str, Source] = {}
    with MANIFEST.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            out[row["file"]] = Source(
                file=row["file"],
                sha256=row["sha256"],
                rows=int(row["rows"]),
                system=row["system"],
                edition=row["edition"],
                origin=row["source"],
                licence=row["licence"],
            )
    return out


def source(file: str) -> Source:
    try:
        return vendored_sources()[file]
    except KeyError as exc:
        raise CodeSetUnavailable(f"{file} is not listed in the code-set MANIFEST.tsv") from exc


def manifest_digest() -> str:
    """A digest of every vendored file's checksum: the store's cache key (cheap: no file is hashed)."""
    return hashlib.sha256(MANIFEST.read_bytes()).hexdigest()
