"""The vendored code-set sources: MANIFEST.tsv checksums, provenance, and identity with ../shared/data."""

from __future__ import annotations

import csv
import gzip
import hashlib
from pathlib import Path

import pytest

from medbill.codes.sources import DATA_DIR, MANIFEST, source, vendored_sources
from medbill.errors import CodeSetUnavailable

PROVENANCE = DATA_DIR / "PROVENANCE.md"


def manifest_rows() -> list[dict[str, str]]:
    with MANIFEST.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


MANIFEST_FILES = [row["file"] for row in manifest_rows()]


def test_manifest_has_entries_and_columns() -> None:
    rows = manifest_rows()
    assert len(rows) >= 20
    assert list(rows[0]) == ["file", "sha256", "rows", "system", "edition", "source", "licence"]
    assert len(set(MANIFEST_FILES)) == len(MANIFEST_FILES), "a file is listed twice"
    for row in rows:
        assert all(row[k].strip() for k in row), row["file"]
        assert len(row["sha256"]) == 64 and int(row["sha256"], 16) >= 0


@pytest.mark.parametrize("file", MANIFEST_FILES)
def test_manifest_file_exists_and_matches_checksum(file: str) -> None:
    path = DATA_DIR / file
    assert path.is_file(), f"{file} is listed in MANIFEST.tsv but missing"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == vendored_sources()[file].sha256


@pytest.mark.parametrize("file", MANIFEST_FILES)
def test_manifest_rows_is_the_line_count(file: str) -> None:
    entry = source(file)
    assert entry.read_bytes().count(b"\n") == entry.rows


def test_every_data_file_is_in_the_manifest() -> None:
    on_disk = {p.name for p in DATA_DIR.iterdir() if p.is_file()} - {"MANIFEST.tsv", "PROVENANCE.md"}
    assert on_disk == set(MANIFEST_FILES)


def test_provenance_names_every_manifest_file() -> None:
    if not PROVENANCE.exists():
        pytest.skip("PROVENANCE.md is not written yet")
    text = PROVENANCE.read_text(encoding="utf-8")
    missing = [f for f in MANIFEST_FILES if f not in text]
    assert missing == []


def test_unknown_source_is_code_set_unavailable() -> None:
    with pytest.raises(CodeSetUnavailable, match="not listed"):
        source("no_such_file.csv.gz")


def test_checksum_mismatch_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import medbill.codes.sources as sources

    real = vendored_sources()["place_of_service_2024.csv.gz"]
    (tmp_path / real.file).write_bytes(gzip.compress(b"code,title\n99,tampered\n"))
    monkeypatch.setattr(sources, "DATA_DIR", tmp_path)
    with pytest.raises(CodeSetUnavailable, match="checksum"):
        real.read_bytes()


def _shared_copy(shared: Path, file: str) -> tuple[Path, bool]:
    """The ../shared/data file a vendored file comes from, and whether it was gzipped by us (shared is plain)."""
    data = shared / "data"
    same = sorted(data.rglob(file))
    if same:
        return same[0], False
    plain = sorted(data.rglob(file.removesuffix(".gz")))
    assert plain, f"{file} has no counterpart under ../shared/data"
    return plain[0], True


@pytest.mark.shared
@pytest.mark.parametrize("file", MANIFEST_FILES)
def test_vendored_copy_is_identical_to_shared(shared_dir: Path, file: str) -> None:
    origin, gzipped_by_us = _shared_copy(shared_dir, file)
    vendored = (DATA_DIR / file).read_bytes()
    if gzipped_by_us:
        assert file.endswith(".gz")
        assert gzip.decompress(vendored) == origin.read_bytes()
    else:
        assert vendored == origin.read_bytes()
