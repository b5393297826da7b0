"""Scrubber throughput with every rule and the full NCCI tables loaded.

    .venv/bin/python bench/bench_scrub.py                 # 20,000 claims, 1 and 2 processes
    .venv/bin/python bench/bench_scrub.py --claims 50000 --json

Claims (not timed): 837P claims of 3 service lines and 4 diagnoses each, drawn with a fixed seed from pools of
real codes (billable ICD-10-CM on the date; CPT/HCPCS numbers with PFS rows), real-looking providers with valid
NPIs, and ~10 % of claims carrying one deliberate defect (an invalid code, a total that does not add up, a PTP
pair, a missing pointer…) so the rules that report have work to do too. Timed: ``Scrubber.scrub`` over all
claims under the commercial profile (every rule of the shipped selection; NCCI practitioner tables).
Table load: ``NcciTables.load`` from its compiled cache in a fresh process (and the first compile, once).
Peak RSS: ``ru_maxrss`` of a fresh process that loads every table and scrubs all claims.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from medbill.billing.claim import Address, Claim, Diagnosis, Party, Payer, ServiceLine, Subscriber

TARGET_RATE = 10_000
TARGET_LOAD_S = 2.0
TARGET_RSS_MB = 400

DX_POOL = ("I10", "E1165", "E119", "E785", "J069", "M5450", "K219", "F419", "R519", "Z0000", "J209", "N390", "M1711",
           "E039", "G4733", "I2510", "J449", "K5900", "R0602", "M79604", "E6601", "F329", "H1045", "L309", "R112",
           "E559", "D649", "I480", "N1830", "Z23")  # fmt: skip
LINE_POOL = ("99213", "99214", "99212", "99203", "36415", "85025", "80053", "83036", "81002", "93000", "71046",
             "G0008", "90686", "90471", "20610", "J1100", "97110", "96372", "J3301", "87880", "80061", "84443",
             "82947", "73030", "11721")  # fmt: skip
NPIS = ("1234567893", "1987654328", "1555555550", "1444444446", "1333333338")


def make_claims(count: int, seed: int = 7, first: int = 0, prefix: str = "B") -> list[Claim]:
    """Claims ``first`` .. ``first + count - 1`` of the seed's sequence (each claim from its own random stream,
    so worker processes can make their share without receiving pickled claims)."""
    billing = Party(
        "2",
        "BENCH CLINIC",
        id_qualifier="XX",
        id=NPIS[0],
        address=Address("100 MAIN ST", "", "SPRINGFIELD", "IL", "627011234"),
        tax_id="371234567",
        taxonomy="207Q00000X",
    )
    payer = Payer("ACME HEALTH PLAN", "12345", Address("100 PLAN WAY", "", "CHICAGO", "IL", "606011000"))
    start = date(2024, 7, 1)
    out: list[Claim] = []
    for n in range(first, first + count):
        rng = random.Random(seed * 1_000_003 + n)
        day = start + timedelta(days=rng.randrange(60))
        birth = date(rng.randrange(1940, 2005), rng.randrange(1, 13), rng.randrange(1, 28))
        sex = rng.choice("MF")
        member = f"W{rng.randrange(10**8, 10**9)}"
        subscriber = Subscriber(
            Party("1", f"PATIENT{n}", "ALEX", id_qualifier="MI", id=member,
                  address=Address("9 ELM ST", "", "SPRINGFIELD", "IL", "627025678")),
            member_id=member, group_number="GRP01", relationship="18", payer_responsibility="P",
            claim_filing_indicator="CI", birth_date=birth, sex=sex,
        )  # fmt: skip
        dxs = rng.sample(DX_POOL, 4)
        codes = rng.sample(LINE_POOL, 3)
        procedures = any(not c.startswith("99") for c in codes)
        lines = tuple(
            ServiceLine(
                i + 1,
                code,
                Decimal(rng.choice(("25.00", "60.00", "125.00", "210.00"))),
                modifiers=("25",) if code.startswith("992") and procedures else (),  # as a coder would append
                units=Decimal(1),
                diagnosis_pointers=tuple(range(1, 1 + rng.randrange(1, 5))),
                service_date_from=day,
            )
            for i, code in enumerate(codes)
        )
        claim = Claim(
            "P",
            f"{prefix}{n:07d}",
            sum((ln.charge for ln in lines if ln.charge is not None), Decimal(0)),
            "11",
            billing,
            subscriber,
            payer,
            diagnoses=tuple(Diagnosis(c, "ABK" if i == 0 else "ABF") for i, c in enumerate(dxs)),
            rendering_provider=Party("1", "SMITH", "ALAN", id_qualifier="XX", id=rng.choice(NPIS[1:]),
                                     taxonomy="207R00000X"),
            lines=lines,
        )  # fmt: skip
        if rng.random() < 0.10:
            claim = _defect(claim, rng)
        out.append(claim)
    return out


def _defect(claim: Claim, rng: random.Random) -> Claim:
    kind = rng.randrange(5)
    if kind == 0:
        return replace(claim, diagnoses=(Diagnosis("E11", "ABK"), *claim.diagnoses[1:]))
    if kind == 1:
        return replace(claim, total_charge=(claim.total_charge or Decimal(0)) + Decimal(1))
    if kind == 2:
        first = replace(claim.lines[0], procedure_code="99213")
        second = replace(claim.lines[1], procedure_code="20610")
        return replace(claim, lines=(first, second, claim.lines[2]))
    if kind == 3:
        return replace(claim, lines=(replace(claim.lines[0], diagnosis_pointers=(9,)), *claim.lines[1:]))
    return replace(claim, billing_provider=replace(claim.billing_provider, id="1234567890"))


# -- workers ---------------------------------------------------------------------------------------------------
_state: dict[str, Any] = {}


def _init(home: str) -> None:
    os.environ["MEDBILL_HOME"] = home
    from medbill.codes import CodeLibrary
    from medbill.scrub import Scrubber, load_profile
    from medbill.services.scrub import scrub_context

    library = CodeLibrary.open(Path(home))
    library.icd10cm.preload()
    _state["ctx"] = scrub_context(library, load_profile("commercial"), today=date(2024, 9, 3))
    _state["scrubber"] = Scrubber()


def _scrub(claims: list[Claim]) -> tuple[int, int, int]:
    ctx, scrubber = _state["ctx"], _state["scrubber"]
    findings = errors = 0
    for claim in claims:
        found = scrubber.scrub(claim, ctx)
        findings += len(found)
        errors += any(f.is_error for f in found)
    return len(claims), findings, errors


def _warm() -> None:
    """Scrub 500 other claims first (as a long-running service would be warm), then forget them."""
    _scrub(make_claims(500, seed=99, prefix="W"))
    ctx = _state["ctx"]
    ctx.seen.clear()
    ctx.memo("du-claim-ids").clear()


def _scrub_range(job: tuple[int, int]) -> tuple[int, int, int, float]:
    if not _state.get("warm"):
        _warm()
        _state["warm"] = True
    claims = make_claims(job[1], first=job[0])
    t0 = time.perf_counter()
    done, findings, errors = _scrub(claims)
    return done, findings, errors, time.perf_counter() - t0


def run(count: int, workers: int, home: str) -> dict[str, Any]:
    if workers == 1:
        _init(home)
        _warm()
        claims = make_claims(count)
        t0 = time.perf_counter()
        done, findings, errors = _scrub(claims)
        elapsed = time.perf_counter() - t0
        busy = elapsed
    else:
        # Each worker makes its share of the claims (not timed) and scrubs it; the figure is claims over the
        # slowest worker's scrub time, i.e. the wall time of the parallel scrub itself.
        share = -(-count // workers)
        jobs = [(i, min(share, count - i)) for i in range(0, count, share)]
        with ProcessPoolExecutor(workers, initializer=_init, initargs=(home,)) as pool:
            results = list(pool.map(_scrub_range, jobs))
        done = sum(r[0] for r in results)
        findings = sum(r[1] for r in results)
        errors = sum(r[2] for r in results)
        elapsed = max(r[3] for r in results)
        busy = sum(r[3] for r in results)
    return {
        "workers": workers,
        "claims": done,
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(busy, 3),
        "claims_per_s": round(done / elapsed),
        "findings": findings,
        "claims_with_errors": errors,
    }


LOAD_SNIPPET = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from medbill.scrub.ncci import NcciTables
tables = NcciTables.load(Path(sys.argv[1]))
load = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load_s": round(load, 3), "rss_mb": round(rss, 1)}))
"""

RSS_SNIPPET = """
import json, resource, sys
sys.path.insert(0, sys.argv[2])
import bench_scrub
bench_scrub._init(sys.argv[1])
bench_scrub._scrub(bench_scrub.make_claims(int(sys.argv[3])))
print(json.dumps({"rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


def _python(snippet: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", snippet, *args], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    home = os.environ.get("MEDBILL_HOME") or tempfile.mkdtemp(prefix="medbill-bench-scrub-")
    os.environ["MEDBILL_HOME"] = home
    from medbill.codes import CodeLibrary

    CodeLibrary.open(Path(home)).close()  # build the code store if needed (not timed)
    ncci_dir = str(Path(home) / "ncci")
    with tempfile.TemporaryDirectory(prefix="medbill-ncci-") as fresh:
        t0 = time.perf_counter()
        first_run = _python(LOAD_SNIPPET, fresh)  # an empty cache: decompress and compile the vendored tables
        first = time.perf_counter() - t0
    _python(LOAD_SNIPPET, ncci_dir)  # the home's cache, compiled if needed (not reported)
    load = min((_python(LOAD_SNIPPET, ncci_dir) for _ in range(3)), key=lambda r: float(r["load_s"]))
    from medbill.scrub.registry import load_rules

    rules = len(load_rules())
    load_avg = os.getloadavg()
    runs = [run(args.claims, 1, home)]
    if args.workers > 1:
        runs.append(run(args.claims, args.workers, home))
    rss = _python(RSS_SNIPPET, home, str(Path(__file__).parent), str(args.claims))
    best = max(r["claims_per_s"] for r in runs)
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg": load_avg},
        "rules": rules,
        "ncci_first_load_s_incl_compile": round(first, 2),
        "ncci_compile_process_rss_mb": first_run["rss_mb"],
        "ncci_load_s": load["load_s"],
        "ncci_load_process_rss_mb": load["rss_mb"],
        "runs": runs,
        "peak_rss_mb": rss["rss_mb"],
        "targets": {
            "claims_per_s": [best, TARGET_RATE, "PASS" if best >= TARGET_RATE else "MISS"],
            "table_load_s": [load["load_s"], TARGET_LOAD_S, "PASS" if load["load_s"] <= TARGET_LOAD_S else "MISS"],
            "peak_rss_mb": [rss["rss_mb"], TARGET_RSS_MB, "PASS" if rss["rss_mb"] <= TARGET_RSS_MB else "MISS"],
        },
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"scrub benchmark: {rules} rules, {args.claims:,} claims (3 lines, 4 diagnoses), load {load_avg}")
    print(
        f"  NCCI tables: first load (compile, process start included) {first:.2f} s, peak RSS "
        f"{first_run['rss_mb']} MB; load from cache {load['load_s']} s ({load['rss_mb']} MB)"
    )
    for r in runs:
        print(
            f"  {r['workers']} process(es): {r['claims_per_s']:,} claims/s ({r['seconds']} s); "
            f"{r['findings']:,} findings, {r['claims_with_errors']:,} claims with errors"
        )
    print(f"  peak RSS (one process, all tables, all claims): {rss['rss_mb']} MB")
    for name, (value, target, verdict) in report["targets"].items():
        print(f"  {name}: {value} (target {target}) {verdict}")


if __name__ == "__main__":
    main()
