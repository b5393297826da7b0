"""Billing throughput: encounters → claims → ready → validated 837P batches → commit, with services.bulk.

    .venv/bin/python bench/bench_billing.py                        # 20,000 encounters on SQLite
    .venv/bin/python bench/bench_billing.py --postgres URL         # and on PostgreSQL (in a private schema)
    .venv/bin/python bench/bench_billing.py --json                 # one JSON object on stdout

Setup (not timed): a fresh SQLite database in a temporary folder, the demo practice and N demo encounters with
their charges, inserted with Core executemany. Timed, in one transaction: ``create_claims_bulk`` (all encounters),
``mark_ready_bulk``, ``batch_bulk`` (Claim models, ``write_837``, ``validate_x12`` with the TR3 rules, the files,
the batch rows and the move to submitted), then the commit. PostgreSQL runs when ``--postgres URL`` or
MEDBILL_TEST_DATABASE_URL is given; the run uses a new schema there and drops it at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import multiprocessing
import os
import platform
import pstats
import resource
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

from medbill.billing.lifecycle import ClaimStatus
from medbill.services.batches import Submitter
from medbill.services.bulk import (
    batch_bulk,
    claim_ids_in_status,
    create_claims_bulk,
    mark_ready_bulk,
    validate_batch,
)
from medbill.services.demo import CHARGES, build_practice, encounters
from medbill.store.database import Database, make_engine, migrate
from medbill.store.tables import (
    BillingProviderRow,
    ChargeRow,
    EncounterRow,
    FacilityRow,
    PatientRow,
    ProviderRow,
)
from medbill.x12.validator import ValidationReport, validate_x12

TARGET = 5000.0
SUBMITTER = Submitter("LAKESIDEFM", "LAKESIDE FAMILY MEDICINE", "BILLING OFFICE", "2175550100")
ACTOR = "bench"
WARM_UP = "ISA*00*"  # not X12: the validator answers with one finding, and its modules are loaded


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load(db: Database, count: int) -> None:
    """The demo practice and ``count`` demo encounters with charges priced from the charge master (what
    ``record_encounter`` stores, without expected amounts), bulk-inserted."""
    with db.transaction() as session:
        practice = build_practice(session, patients=max(120, count // 10))
        patients = dict(session.execute(select(PatientRow.account_number, PatientRow.id)).all())
        providers = dict(session.execute(select(ProviderRow.npi, ProviderRow.id)).all())
        billing = dict(session.execute(select(BillingProviderRow.npi, BillingProviderRow.id)).all())
        facilities = dict(session.execute(select(FacilityRow.name, FacilityRow.id)).all())
        inputs = list(encounters(practice, count=count))
        rows = [
            {
                "external_id": e.external_id,
                "patient_id": patients[e.patient_account],
                "billing_provider_id": billing[e.billing_provider_npi],
                "rendering_provider_id": providers[e.rendering_npi] if e.rendering_npi else None,
                "referring_provider_id": providers[e.referring_npi] if e.referring_npi else None,
                "facility_id": facilities[e.facility] if e.facility else None,
                "place_of_service": e.place_of_service,
                "date_from": e.date_from,
                "date_to": e.date_to or e.date_from,
                "diagnoses": ",".join(d.replace(".", "").upper() for d in e.diagnoses),
            }
            for e in inputs
        ]
        table = EncounterRow.__table__
        ids = [r[0] for r in session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)]  # type: ignore[attr-defined]
        charges = []
        for encounter_id, e in zip(ids, inputs, strict=True):
            for line, c in enumerate(e.charges, start=1):
                charges.append(
                    {
                        "encounter_id": encounter_id,
                        "line": line,
                        "code": c.code,
                        "modifiers": ",".join(c.modifiers),
                        "units": c.units,
                        "pointers": ",".join(map(str, c.pointers)),
                        "amount": (Decimal(CHARGES[c.code]) * c.units).quantize(Decimal("0.01")),
                        "expected": None,
                        "revenue_code": c.revenue_code,
                        "ndc": c.ndc,
                        "date_from": e.date_from,
                        "date_to": e.date_to or e.date_from,
                    }
                )
        session.execute(insert(ChargeRow.__table__), charges)


class CodeSetCheck:
    """Validation with the TR3 rules and the code sets: picklable, each process opens the library once."""

    _state: tuple[Any, Any] | None = None

    def __call__(self, data: str) -> ValidationReport:
        if CodeSetCheck._state is None:
            from medbill.cli.common import open_library
            from medbill.x12.rules import CodeSets, rules_for

            codes = CodeSets(open_library())
            CodeSetCheck._state = (codes.external(dt.date.today()), rules_for(codes))
        external, hooks = CodeSetCheck._state
        return validate_x12(data, name="batch", external=external, hooks=hooks)


def validator(code_sets: bool) -> Callable[[str], ValidationReport]:
    if not code_sets:
        return validate_batch
    log("opening the code library for --code-sets (builds the store on first use) …")
    check = CodeSetCheck()
    check("")  # opens the library now (setup), and in the parent before a pool forks
    return check


def pool(workers: int, validate: Callable[[str], ValidationReport]) -> ProcessPoolExecutor | None:
    """Worker processes for validation, started and warmed up before the timed part (setup, like a server's)."""
    if workers <= 0:
        return None
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    for future in [executor.submit(validate, WARM_UP) for _ in range(workers)]:
        future.result()
    return executor


def run(
    db: Database,
    out_dir: Path,
    *,
    validate: Callable[[str], ValidationReport],
    profile: bool,
    executor: ProcessPoolExecutor | None,
) -> dict[str, Any]:
    clock = time.perf_counter
    stages: dict[str, float] = {}
    inside: dict[str, float] = {}
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    start, cpu = clock(), time.process_time()
    with db.sessions() as session:
        with session.begin():
            t = clock()
            claims = create_claims_bulk(session, None, actor=ACTOR)
            stages["claims"] = clock() - t
            t = clock()
            drafts = claim_ids_in_status(session, ClaimStatus.DRAFT)
            ready = mark_ready_bulk(session, drafts, actor=ACTOR, reason="scrubbed")
            stages["ready"] = clock() - t
            t = clock()
            files = batch_bulk(
                session,
                claim_ids_in_status(session, ClaimStatus.READY),
                out_dir=out_dir,
                submitter=SUBMITTER,
                actor=ACTOR,
                validate=validate,
                timings=inside,
                executor=executor,
            )
            stages["batches"] = clock() - t
            t = clock()
        stages["commit"] = clock() - t
    total, cpu = clock() - start, time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
    result: dict[str, Any] = {
        "claims": claims,
        "ready": ready,
        "batches": len(files),
        "batch_sizes": [f.claims for f in files],
        "accepted": sum(1 for f in files if f.accepted),
        "errors": sum(f.errors for f in files),
        "seconds": round(total, 3),
        "claims_per_s": round(claims / total, 1),
        "main_cpu_s": round(cpu, 3),
        "claims_per_main_cpu_s": round(claims / cpu, 1),
        "stages_s": {k: round(v, 3) for k, v in stages.items()},
        "stages_claims_per_s": {k: round(claims / v, 1) for k, v in stages.items() if v > 0},
        "batch_stages_s": {k: round(v, 3) for k, v in sorted(inside.items())},
        "batch_stages_claims_per_s": {k: round(claims / v, 1) for k, v in sorted(inside.items()) if v > 0},
    }
    if profiler is not None:
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(25)
        result["profile"] = buffer.getvalue()
    return result


def sqlite_run(
    count: int, validate: Callable[[str], ValidationReport], *, profile: bool, keep: bool, workers: int
) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="medbill-bench-billing-"))
    try:
        engine = make_engine(f"sqlite:///{folder / 'medbill.db'}")
        migrate(engine)
        db = Database(engine)
        t = time.perf_counter()
        load(db, count)
        setup = time.perf_counter() - t
        log(f"sqlite: {count} encounters loaded in {setup:.1f} s; timing …")
        executor = pool(workers, validate)
        try:
            result = run(db, folder / "837", validate=validate, profile=profile, executor=executor)
        finally:
            if executor is not None:
                executor.shutdown()
        result["setup_s"] = round(setup, 2)
        db.close()
        if keep:
            result["folder"] = str(folder)
        return result
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def postgres_run(
    url: str, count: int, validate: Callable[[str], ValidationReport], *, profile: bool, workers: int
) -> dict[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    folder = Path(tempfile.mkdtemp(prefix="medbill-bench-billing-pg-"))
    try:
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        engine = make_engine(scoped.render_as_string(hide_password=False))
        migrate(engine)
        db = Database(engine)
        t = time.perf_counter()
        load(db, count)
        setup = time.perf_counter() - t
        log(f"postgresql: {count} encounters loaded in {setup:.1f} s; timing …")
        executor = pool(workers, validate)
        try:
            result = run(db, folder / "837", validate=validate, profile=profile, executor=executor)
        finally:
            if executor is not None:
                executor.shutdown()
        result["setup_s"] = round(setup, 2)
        db.close()
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def show(name: str, r: dict[str, Any]) -> None:
    verdict = "PASS" if r["claims_per_s"] >= TARGET else "MISS"
    files = f"{r['batches']} batch file(s) ({r['accepted']} accepted, {r['errors']} errors)"
    print(f"{name}: {r['claims']:,} claims in {files}")
    target = f"   target ≥ {TARGET:,.0f}: {verdict}" if name == "sqlite" else ""
    print(f"  end to end      {r['seconds']:8.3f} s  {r['claims_per_s']:>10,.0f} claims/s{target}")
    print(f"  main-process CPU {r['main_cpu_s']:7.3f} s  {r['claims_per_main_cpu_s']:>10,.0f} claims per CPU-second")
    for stage, seconds in r["stages_s"].items():
        rate = r["stages_claims_per_s"].get(stage)
        print(f"  {stage:<15} {seconds:8.3f} s  {rate:>10,.0f} claims/s" if rate else f"  {stage:<15} {seconds:8.3f} s")
    for stage, seconds in r["batch_stages_s"].items():
        rate = r["batch_stages_claims_per_s"].get(stage)
        print(
            f"    batch {stage:<9} {seconds:8.3f} s  {rate:>10,.0f} claims/s"
            if rate
            else f"    batch {stage:<9} {seconds:8.3f} s"
        )
    print(f"  (setup, not timed: {r['setup_s']} s)")
    if "profile" in r:
        print(r["profile"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encounters", type=int, default=20_000)
    parser.add_argument("--postgres", default=os.environ.get("MEDBILL_TEST_DATABASE_URL", ""), metavar="URL")
    parser.add_argument("--code-sets", action="store_true", help="validate code sets too (opens the code library)")
    parser.add_argument(
        "--workers", type=int, default=1, help="validation processes beside the main one (0: validate in-process)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the timed part (slows it down)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite folder and print its path")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args()
    validate = validator(args.code_sets)
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "encounters": args.encounters,
        "code_sets": args.code_sets,
        "validation_workers": args.workers,
        "target_claims_per_s": TARGET,
    }
    results["sqlite"] = sqlite_run(
        args.encounters, validate, profile=args.profile, keep=args.keep, workers=args.workers
    )
    if args.postgres:
        results["postgresql"] = postgres_run(
            args.postgres, args.encounters, validate, profile=args.profile, workers=args.workers
        )
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    results["peak_rss_workers_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    results["sqlite_target"] = "PASS" if results["sqlite"]["claims_per_s"] >= TARGET else "MISS"
    if args.json:
        print(json.dumps(results))
        return
    print(f"encounters → claims → ready → 837P (validated, code sets {'on' if args.code_sets else 'off'}) → commit")
    load = ", ".join(f"{x:.2f}" for x in results["machine"]["load"])
    print(
        f"{args.encounters:,} encounters; {results['machine']['cpus']} CPUs; load {load} at the start; "
        f"{args.workers} validation worker process(es)"
    )
    show("sqlite", results["sqlite"])
    if "postgresql" in results:
        show("postgresql", results["postgresql"])
    workers = f" (validation workers: {results['peak_rss_workers_mb']} MB)" if args.workers > 0 else ""
    print(f"peak RSS {results['peak_rss_mb']} MB{workers}")


if __name__ == "__main__":
    main()
