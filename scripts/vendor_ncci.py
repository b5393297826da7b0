"""Vendor the CMS NCCI PTP edit files into src/medbill/scrub/data, recompressed with xz.

Usage: .venv/bin/python scripts/vendor_ncci.py [--shared ../shared/data/ncci]

Rows are copied unchanged and in their original order (deleted edits included); only the compression changes
(gzip -> xz preset 9 extreme). The rationale column is dropped only when it costs more than RATIONALE_LIMIT of the compressed
size: both variants are compressed and measured, and the result is written to PROVENANCE.md. Writes MANIFEST.tsv
(file, sha256, lines of the decompressed text) beside the data.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import lzma
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEST = ROOT / "src" / "medbill" / "scrub" / "data"
SOURCES = {
    "ptp_practitioner_2024-07-01.csv.gz": "practitioner",
    "ptp_hospital_outpatient_2024-07-01.csv.gz": "hospital outpatient",
}
PRESET = 9 | lzma.PRESET_EXTREME
RATIONALE_LIMIT = 0.50  # the rationale ("Mutually exclusive procedures" …) is worth its ~31 %: the edits quote it


def drop_rationale(text: bytes) -> bytes:
    return b"\n".join(line.rsplit(b",", 1)[0] if line else line for line in text.split(b"\n"))


def compress(job: tuple[Path, bool]) -> tuple[str, bool, bytes, int]:
    source, without_rationale = job
    text = gzip.decompress(source.read_bytes())
    if without_rationale:
        text = drop_rationale(text)
    lines = text.count(b"\n") + (0 if text.endswith(b"\n") else 1)
    return source.name, without_rationale, lzma.compress(text, format=lzma.FORMAT_XZ, preset=PRESET), lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data" / "ncci")
    args = parser.parse_args()
    jobs = [(args.shared / name, variant) for name in SOURCES for variant in (False, True)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = {(name, variant): (blob, lines) for name, variant, blob, lines in pool.map(compress, jobs)}
    full = sum(len(results[name, False][0]) for name in SOURCES)
    slim = sum(len(results[name, True][0]) for name in SOURCES)
    cost = (full - slim) / full
    drop = cost > RATIONALE_LIMIT
    print(f"xz total with rationale {full:,} B, without {slim:,} B: rationale costs {cost:.1%}", file=sys.stderr)

    DEST.mkdir(parents=True, exist_ok=True)
    manifest = ["file\tsha256\tlines"]
    table = []
    for name, setting in SOURCES.items():
        blob, lines = results[name, drop]
        target = name.removesuffix(".gz") + ".xz"
        (DEST / target).write_bytes(blob)
        sha = hashlib.sha256(blob).hexdigest()
        manifest.append(f"{target}\t{sha}\t{lines}")
        gz = (args.shared / name).stat().st_size
        table.append(f"| {target} | {setting} | {lines - 1:,} | {gz:,} | {len(blob):,} | `{sha[:16]}…` |")
        print(f"{target}: {len(blob):,} B ({lines} lines)", file=sys.stderr)
    (DEST / "MANIFEST.tsv").write_text("\n".join(manifest) + "\n", encoding="utf-8")

    kept = (
        f"dropped (it cost {cost:.1%} of the xz size, over the {RATIONALE_LIMIT:.0%} limit: {full:,} B with it, "
        f"{slim:,} B without; `PtpEdit.rationale` is empty)"
        if drop
        else f"kept (it costs {cost:.1%} of the xz size: {full:,} B with it, {slim:,} B without)"
    )
    (DEST / "PROVENANCE.md").write_text(
        f"""# NCCI procedure-to-procedure (PTP) edits: provenance

Source: CMS National Correct Coding Initiative (NCCI) PTP edit tables, **Q3 2024 edition, effective 2024-07-01**
(practitioner and hospital outpatient), as gathered in the team's reference-data folder (`shared/data/ncci`).
Licence: **PD**, a US federal government work (CMS). CPT code numbers appear only as identifiers; no CPT descriptor
is shipped.

Columns: `column1,column2,modifier_indicator,deletion_date,rationale`. Effective dates were lost upstream: only
the deletion date survives (`9999-12-31` = active), so an edit applies to a date of service up to and including
its deletion date.

What changed here: the gzip files were decompressed and recompressed with xz (preset 9 | extreme) by
`scripts/vendor_ncci.py`. Every row is kept, unchanged and in the same order, including deleted edits. The
rationale column was {kept}.

`MANIFEST.tsv` lists each file's sha256 (as stored here) and the line count of its decompressed text (header
included). The MUE and add-on edit tables are not duplicated here: `medbill.scrub.ncci` reads them from
`medbill/codes/data`.

| file | setting | rows | source .gz bytes | .xz bytes | sha256 |
|---|---|---|---|---|---|
"""
        + "\n".join(table)
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
