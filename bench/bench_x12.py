#!/usr/bin/env python
"""Benchmark of medbill's X12 validation against pyx12, measured in the same run.

    .venv/bin/python bench/bench_x12.py                        # 10,000-claim files, pyx12 on the same files
    .venv/bin/python bench/bench_x12.py --pyx12-claims 2000    # pyx12 on smaller files (its rate is per claim)
    .venv/bin/python bench/bench_x12.py --skip-pyx12 --json    # medbill only, one JSON object on stdout

Files come from bench/x12_synth.py (TR3-valid 837P 005010X222A1 and 835 005010X221A1). medbill's figure is
``validate_x12`` on the file's bytes (read included), best of --repeats; pyx12's is one
``x12n_document`` call with its 999 written (pyx12's own ``x12valid`` does the same), in a child process.
The 100,000-claim 837P file is validated in a fresh process whose peak RSS is reported. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from x12_synth import generate_835, generate_837p  # noqa: E402

PYX12_REFERENCE = {"837P": 440.0, "835": 764.0}
"""claims/s measured for /work/shared/x12/README.md on this machine kind ('pyx12 validate (+999)')."""
TARGET_RATIO = 25.0
AIM_RATIO = 50.0
TARGET_RSS_MB = 150.0
GENERATORS: dict[str, Callable[..., bytes]] = {"837P": generate_837p, "835": generate_835}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def max_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, list[float], Any]:
    runs: list[float] = []
    result: Any = None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return min(runs), runs, result


def write_file(directory: Path, kind: str, claims: int, per_st: int) -> Path:
    start = time.perf_counter()
    data = GENERATORS[kind](claims, per_st)
    path = directory / f"{kind.lower()}_{claims}.x12"
    path.write_bytes(data)
    log(f"generated {path.name}: {len(data) / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s")
    return path


# ----------------------------------------------------------------------------------------------------------------
# medbill


def bench_medbill(path: Path, claims: int, repeats: int, workers: int = 1) -> dict[str, Any]:
    from medbill.x12.tokens import iter_segments
    from medbill.x12.validator import validate_x12

    size = path.stat().st_size

    def validate() -> Any:
        return validate_x12(path, name=path.name, workers=workers)

    def validate_one() -> Any:
        return validate_x12(path, name=path.name)

    def tokens() -> int:
        n = 0
        for _ in iter_segments(path.read_bytes(), name=path.name):
            n += 1
        return n

    best, runs, report = best_of(validate, repeats)
    one_best, _one_runs, one_report = best_of(validate_one, repeats) if workers > 1 else (best, runs, report)
    assert sorted(map(str, one_report.findings)) == sorted(map(str, report.findings))  # same verdict either way
    tok_best, tok_runs, segments = best_of(tokens, repeats)
    return {
        "claims": claims,
        "bytes": size,
        "segments": segments,
        "seconds": best,
        "runs": runs,
        "claims_per_s": claims / best,
        "workers": workers,
        "one_process_claims_per_s": claims / one_best,
        "mb_per_s": size / 1e6 / best,
        "accepted": report.accepted,
        "findings": len(report.findings),
        "first_findings": [str(f) for f in report.findings[:5]],
        "tokens_seconds": tok_best,
        "tokens_runs": tok_runs,
        "tokens_claims_per_s": claims / tok_best,
        "tokens_segments_per_s": segments / tok_best,
    }


# ----------------------------------------------------------------------------------------------------------------
# pyx12 (in a child process: its logging, maps and memory stay out of this one)


def pyx12_child(path: Path) -> int:
    import logging

    import pyx12.params
    import pyx12.x12n_document

    logging.getLogger("pyx12").addHandler(logging.NullHandler())
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    param = pyx12.params.params()
    fd_999 = io.StringIO()
    start = time.perf_counter()
    ok = pyx12.x12n_document.x12n_document(param=param, src_file=str(path), fd_997=fd_999, fd_html=None, fd_xmldoc=None)
    seconds = time.perf_counter() - start
    ack = fd_999.getvalue()
    print(
        json.dumps(
            {
                "ok": bool(ok),
                "seconds": seconds,
                "ack_bytes": len(ack),
                "ack_complete": "IEA*" in ack,
                "ru_maxrss_kb": max_rss_kb(),
            }
        )
    )
    return 0


def bench_pyx12(path: Path, claims: int) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--pyx12-child", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip() or proc.stdout.strip())[-800:]}
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data.update(claims=claims, bytes=path.stat().st_size, claims_per_s=claims / data["seconds"])
    data["mb_per_s"] = data["bytes"] / 1e6 / data["seconds"]
    return data


# ----------------------------------------------------------------------------------------------------------------
# peak RSS of a large file (fresh process, started by a small launcher)


def rss_launcher(path: Path) -> int:
    """Linux carries ru_maxrss across execve, so a child exec'd from this (large) process would start at its peak.

    This small launcher's child starts from the launcher's own peak (a bare interpreter) instead.
    """
    return subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--rss-child", str(path)], check=False
    ).returncode


def rss_child(path: Path) -> int:
    base_kb = max_rss_kb()
    from medbill.x12.validator import validate_x12

    import_kb = max_rss_kb()
    start = time.perf_counter()
    workers = int(os.environ.get("MEDBILL_BENCH_WORKERS", "1"))
    # Read in chunks: memory does not grow with the file (with workers, each reads its range in chunks too).
    report = validate_x12(path, name=path.name, workers=workers)
    seconds = time.perf_counter() - start
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "accepted": report.accepted,
                "findings": len(report.findings),
                "python_kb": base_kb,
                "imports_kb": import_kb,
                "ru_maxrss_kb": max_rss_kb(),
                "workers": workers,
                "worker_maxrss_kb": children_kb,
            }
        )
    )
    return 0


def bench_rss(path: Path, claims: int, workers: int = 1) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--rss-launch", str(path)]
    env = {**os.environ, "MEDBILL_BENCH_WORKERS": str(workers)}
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-800:]}
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data.update(claims=claims, bytes=path.stat().st_size, claims_per_s=claims / data["seconds"])
    data["rss_mb"] = data["ru_maxrss_kb"] / 1024
    return data


# ----------------------------------------------------------------------------------------------------------------
# report


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join([line, rule, *body])


def render(report: dict[str, Any]) -> str:
    out: list[str] = []
    m = report["machine"]
    out.append(
        f"medbill X12 benchmark — python {m['python']}, {m['cpus']} CPUs, load {m['load_start']} → {m['load_end']}"
    )
    rows: list[list[str]] = []
    for kind in ("837P", "835"):
        mb = report["medbill"][kind]
        px = report["pyx12"].get(kind)
        verdict = "accepted" if mb["accepted"] and mb["findings"] == 0 else f"NOT CLEAN ({mb['findings']} findings)"
        if px is None or "error" in px:
            px_cell, ratio_cell = ("skipped" if px is None else "error"), "–"
        else:
            px_cell = f"{px['claims_per_s']:,.0f} ({px['claims']:,} claims, {px['seconds']:.1f} s)"
            ratio = mb["claims_per_s"] / px["claims_per_s"]
            mark = "PASS" if ratio >= TARGET_RATIO else "MISS"
            ratio_cell = f"{ratio:,.1f}× {mark}{' (≥ aim)' if ratio >= AIM_RATIO else ''}"
        ref_ratio = mb["claims_per_s"] / PYX12_REFERENCE[kind]
        rows.append(
            [
                f"{kind} validate_x12 ({mb['workers']} proc.)",
                f"{mb['claims_per_s']:,.0f}",
                f"{mb['mb_per_s']:.2f}",
                f"{mb['seconds']:.2f}",
                px_cell,
                ratio_cell,
                f"{ref_ratio:,.1f}×",
                verdict,
            ]
        )
    for kind in ("837P", "835"):
        mb = report["medbill"][kind]
        px = report["pyx12"].get(kind)
        if mb["workers"] > 1:
            one = mb["one_process_claims_per_s"]
            ratio = f"{one / px['claims_per_s']:,.1f}×" if px is not None and "error" not in px else "–"
            rows.append([f"{kind} validate_x12 (1 proc.)", f"{one:,.0f}", "", "", "", ratio, "", ""])
    for kind in ("837P", "835"):
        mb = report["medbill"][kind]
        rows.append(
            [
                f"{kind} iter_segments only",
                f"{mb['tokens_claims_per_s']:,.0f}",
                f"{mb['bytes'] / 1e6 / mb['tokens_seconds']:.2f}",
                f"{mb['tokens_seconds']:.2f}",
                "",
                "",
                "",
                f"{mb['tokens_segments_per_s']:,.0f} segments/s",
            ]
        )
    out.append("")
    out.append(
        table(
            rows,
            ["figure", "claims/s", "MB/s", "best s", "pyx12 claims/s (same run)", "ratio ≥ 25×", "vs ref", "verdict"],
        )
    )
    big = report.get("big")
    if big:
        out.append("")
        if "error" in big:
            out.append(f"large file: error: {big['error']}")
        else:
            rows = []
            for entry in (big, report.get("big_parallel")):
                if entry is None or "error" in entry:
                    continue
                peak = max(entry["ru_maxrss_kb"], entry.get("worker_maxrss_kb", 0)) / 1024
                mark = "PASS" if peak <= TARGET_RSS_MB else "MISS"
                procs = entry.get("workers", 1)
                rows.append(
                    [
                        f"837P {entry['claims']:,} claims ({entry['bytes'] / 1e6:.0f} MB), {procs} process(es)",
                        f"{entry['seconds']:.1f} s",
                        f"{entry['claims_per_s']:,.0f}",
                        f"{peak:.0f} MB {mark}",
                        f"{entry['python_kb'] / 1024:.0f} / {entry['imports_kb'] / 1024:.0f} MB",
                        "accepted" if entry["accepted"] and entry["findings"] == 0 else f"{entry['findings']} findings",
                    ]
                )
            out.append(
                table(
                    rows,
                    [
                        "large file (fresh process)",
                        "validate",
                        "claims/s",
                        "peak RSS of any process ≤ 150 MB",
                        "peak: python / +imports",
                        "verdict",
                    ],
                )
            )
    out.append("")
    out.append(
        "vs ref: medbill against the pyx12 figures in /work/shared/x12/README.md "
        f"({PYX12_REFERENCE['837P']:.0f} 837P, {PYX12_REFERENCE['835']:.0f} 835 claims/s)."
    )
    for kind, px in report["pyx12"].items():
        if "error" in px:
            out.append(f"pyx12 {kind}: error: {px['error']}")
        else:
            note = "" if px["ack_complete"] else " (its 999 writer failed on this file; the validation ran)"
            out.append(
                f"pyx12 {kind}: ok={px['ok']}, {px['seconds']:.1f} s, 999 {px['ack_bytes']:,} bytes{note}, "
                f"peak RSS {px['ru_maxrss_kb'] / 1024:.0f} MB"
            )
            if "fixed_seconds" in px:
                out.append(
                    f"  fixed cost (1-claim file, maps loaded) {px['fixed_seconds']:.2f} s; without it "
                    f"{px['marginal_claims_per_s']:,.0f} claims/s"
                )
    for kind, mb in report["medbill"].items():
        runs = ", ".join(f"{r:.2f}" for r in mb["runs"])
        out.append(
            f"medbill {kind}: {mb['claims']:,} claims, {mb['segments']:,} segments, {mb['bytes'] / 1e6:.1f} MB; "
            f"runs {runs} s"
        )
        out.extend(f"  finding: {f}" for f in mb["first_findings"])
    return "\n".join(out)


def loadavg() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=10_000, help="claims in the timed 837P and 835 files")
    parser.add_argument("--big", type=int, default=100_000, help="claims in the peak-RSS 837P file (0: skip)")
    parser.add_argument("--pyx12-claims", type=int, default=None, help="claims in pyx12's files (default --claims)")
    parser.add_argument("--skip-pyx12", action="store_true")
    parser.add_argument("--per-st", type=int, default=1000, help="claims per transaction set")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="processes for medbill's validation (1: one pass)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout instead of the table")
    parser.add_argument("--keep", action="store_true", help="keep the generated files and print their directory")
    parser.add_argument("--pyx12-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rss-launch", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rss-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.pyx12_child:
        return pyx12_child(args.pyx12_child)
    if args.rss_launch:
        return rss_launcher(args.rss_launch)
    if args.rss_child:
        return rss_child(args.rss_child)

    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_start": loadavg(),
        },
        "medbill": {},
        "pyx12": {},
    }
    directory = Path(tempfile.mkdtemp(prefix="medbill-bench-x12-"))
    try:
        for kind in ("837P", "835"):
            path = write_file(directory, kind, args.claims, args.per_st)
            log(f"medbill {kind}: validate_x12 best of {args.repeats} …")
            report["medbill"][kind] = bench_medbill(path, args.claims, args.repeats, args.workers)
            if not args.skip_pyx12:
                px_claims = args.pyx12_claims or args.claims
                px_path = path if px_claims == args.claims else write_file(directory, kind, px_claims, args.per_st)
                log(f"pyx12 {kind}: {px_claims:,} claims …")
                result = bench_pyx12(px_path, px_claims)
                if "error" not in result:
                    fixed = bench_pyx12(write_file(directory, kind, 1, args.per_st), 1)
                    if "error" not in fixed and fixed["seconds"] < result["seconds"]:
                        result["fixed_seconds"] = fixed["seconds"]
                        result["marginal_claims_per_s"] = (px_claims - 1) / (result["seconds"] - fixed["seconds"])
                report["pyx12"][kind] = result
        if args.big:
            path = write_file(directory, "837P", args.big, args.per_st)
            gc.collect()
            log(f"medbill 837P {args.big:,} claims in a fresh process …")
            report["big"] = bench_rss(path, args.big)
            if args.workers > 1:
                log(f"medbill 837P {args.big:,} claims with {args.workers} processes …")
                report["big_parallel"] = bench_rss(path, args.big, args.workers)
    finally:
        if args.keep:
            log(f"files kept in {directory}")
        else:
            for p in directory.iterdir():
                p.unlink()
            directory.rmdir()
    report["machine"]["load_end"] = loadavg()
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
