#!/usr/bin/env python
"""Benchmark of medbill's code-set layer: store build, ICD-10-CM lookups, validation, search, CLI start, memory.

    .venv/bin/python bench/bench_codes.py            # table on stdout, progress on stderr
    .venv/bin/python bench/bench_codes.py --json     # one JSON object on stdout

Every run builds the store from the vendored sources in a private temporary MEDBILL_HOME (a cold build), then
measures against that store. It prints figures beside their targets; it asserts nothing. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medbill.codes.icd10cm import Icd10cm
    from medbill.codes.library import CodeLibrary

REPO = Path(__file__).resolve().parent.parent
WINDOW = (date(2015, 10, 1), date(2026, 9, 30))  # FY2016 .. FY2026
SEED = 20240601

# (key, label, unit, comparison, target)
TARGETS: dict[str, tuple[str, str, str, float | None]] = {
    "build_s": ("store build from sources (cold)", "s", "<=", 60.0),
    "lookups_per_s": ("ICD-10-CM lookups/s (icd.lookup)", "/s", ">=", 1_000_000),
    "billable_per_s": ("ICD-10-CM is_billable(code, date)/s", "/s", ">=", 1_000_000),
    "validations_per_s": ("validations/s, all valid", "/s", ">=", 200_000),
    "validations_mixed_per_s": ("validations/s, ~5 % invalid", "/s", ">=", 200_000),
    "search_p50_ms": ("search p50 latency", "ms", "<=", None),
    "search_p99_ms": ("search p99 latency", "ms", "<=", 10.0),
    "searcher_init_s": ("Searcher construction", "s", "<=", None),
    "cli_show_best_s": ("`medbill codes show E11.9` best of 5", "s", "<=", 0.3),
    "cli_show_median_s": ("`medbill codes show E11.9` median of 5", "s", "<=", 0.3),
    "rss_max_mb": ("peak RSS (ru_maxrss), every set open", "MB", "<=", 300.0),
}

# ~250 realistic search queries, one a line: abbreviations, clinical words, phrases, typos, HCPCS supplies and drugs.
_QUERY_TEXT = """
# abbreviations as coders type them
HTN
DM2
DM1
T2DM
IDDM
CHF
COPD
CKD
CKD stage 3
ESRD
MI
AMI
STEMI
NSTEMI
UTI
URI
CAD
afib
GERD
CVA
TIA
PNA
OA knee
RA
BPH
DVT
PE
OSA
HLD
LBP
SOB
ADHD
MDD
GAD
PVD
PTSD
HIV
IBS
MS
SLE
TB
DKA
ARDS
RSV
HPV
fx radius
hx of MI
fhx colon ca
etoh abuse
n/v
abd pain
cp
DM2 with CKD
CHF exacerbation
COPD exacerbation
HTN with CKD
# single clinical words
hypertension
diabetes
asthma
pneumonia
sepsis
migraine
depression
anxiety
obesity
anemia
hypothyroidism
hyperlipidemia
osteoporosis
gout
cellulitis
dermatitis
conjunctivitis
sinusitis
pharyngitis
bronchitis
influenza
covid-19
appendicitis
cholecystitis
pancreatitis
diverticulitis
hemorrhoids
constipation
diarrhea
dehydration
hypokalemia
hyponatremia
syncope
dizziness
vertigo
fatigue
fever
cough
insomnia
dementia
alzheimer
parkinson
epilepsy
schizophrenia
autism
pregnancy
preeclampsia
cataract
glaucoma
tinnitus
hematuria
melanoma
lymphoma
leukemia
fracture
sprain
laceration
contusion
concussion
burn
overdose
anaphylaxis
urticaria
psoriasis
acne
eczema
malnutrition
cirrhosis
hernia
pain
# multi-word phrases
type 2 diabetes with hyperglycemia
type 2 diabetes mellitus with diabetic chronic kidney disease
essential hypertension
hypertensive heart disease with heart failure
acute on chronic diastolic heart failure
chronic obstructive pulmonary disease with acute exacerbation
pneumonia due to covid-19
fracture of neck of femur
displaced fracture of left radius
sprain of right ankle
laceration of scalp
acute kidney failure
urinary tract infection
major depressive disorder recurrent severe
generalized anxiety disorder
low back pain
pain in right knee
chest pain on breathing
encounter for screening for malignant neoplasm of colon
annual physical exam
well child visit
encounter for immunization
long term use of insulin
personal history of nicotine dependence
family history of breast cancer
body mass index 40
supervision of normal pregnancy
screening mammogram
diabetic foot ulcer
pressure ulcer of sacral region stage 3
atrial fibrillation unspecified
sepsis due to e coli
history of falling
obstructive sleep apnea
gastro-esophageal reflux disease without esophagitis
iron deficiency anemia
vitamin d deficiency
alcohol dependence with withdrawal
opioid use disorder
nicotine dependence cigarettes
dog bite of hand
fall from ladder
motor vehicle accident driver
poisoning by acetaminophen
adverse effect of penicillin
malignant neoplasm of breast
secondary malignant neoplasm of bone
neoplasm of lung
chronic kidney disease stage 4
hepatitis c chronic
rheumatoid arthritis of right hand
# typos
pnuemonia
diabetis
hypertention
asthama
fractur femur
alzheimers
schizophernia
rheumatiod arthritis
migrane
diarhea
hemorroids
osteoporsis
cellulitus
sinusitus
appendicitus
hypothyroidsm
bronchitus
anxeity
depresion
gastritus
# HCPCS supplies, equipment, drugs, services
wheelchair
walker
insulin
oxygen
oxygen concentrator
portable oxygen
hospital bed
glucose test strips
blood glucose monitor
insulin pump
cpap
nebulizer
crutches
cane
commode
blood pressure cuff
compression stockings
knee brace
ankle foot orthosis
wound dressing
foam dressing
urinary catheter
ostomy pouch
enteral feeding
infusion pump
syringe
lancets
hearing aid
eyeglasses
contact lens
prosthetic leg
power wheelchair
wheelchair cushion
ambulance
injection methotrexate
vitamin b12 injection
influenza vaccine
ondansetron
ketorolac injection
medroxyprogesterone
testosterone injection
adalimumab
drug screen
home health aide
tens unit
breast pump
diabetic shoes
lumbar support
cervical collar
splint
suction pump
tracheostomy supplies
walker with wheels
"""
QUERIES: tuple[str, ...] = tuple(q.strip() for q in _QUERY_TEXT.splitlines() if q.strip() and not q.startswith("#"))


# ----------------------------------------------------------------------------------------------------------------
# helpers


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def best_rate(loop: Callable[[], None], items: int, passes: int, repeats: int) -> tuple[float, list[float]]:
    """Calls per second of `loop` (which makes `items` calls): `passes` passes per run, best of `repeats` runs."""
    rates = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        for _ in range(passes):
            loop()
        rates.append(items * passes / (time.perf_counter() - start))
    return max(rates), rates


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def max_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def current_rss_kb() -> int:
    return _status_kb("VmRSS")


def machine_info() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    git = {}
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "src"], capture_output=True, text=True, check=False
        ).stdout.splitlines()
        git = {"commit": head, "src_files_modified": len(dirty)}
    except OSError:
        pass
    import medbill

    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "cpu": cpu,
        "mem_total_mb": round(mem_kb / 1024),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
        "medbill": medbill.__version__,
        **git,
    }


# ----------------------------------------------------------------------------------------------------------------
# workloads


def dated_codes(icd: Icd10cm, n: int, rng: random.Random) -> list[tuple[str, date]]:
    """`n` (dotted code, date) pairs, each code billable on its date; every billable code of FY2016-FY2026 appears
    at least once (when n allows), dates spread over the part of the window where the code was billable."""
    lo, hi = WINDOW
    spans: list[tuple[str, date, date]] = []
    for rec in icd.records():
        for period in rec.periods:
            start, end = max(period.start, lo), min(period.end or hi, hi)
            if start <= end:
                spans.append((rec.code, start, end))
    by_code: dict[str, list[tuple[str, date, date]]] = {}
    for span in spans:
        by_code.setdefault(span[0], []).append(span)
    codes = list(by_code)
    rng.shuffle(codes)
    picks = codes[:n] + [rng.choice(codes) for _ in range(max(0, n - len(codes)))]
    out = []
    for code in picks:
        _, start, end = rng.choice(by_code[code])
        out.append((code, start + timedelta(days=rng.randrange((end - start).days + 1))))
    rng.shuffle(out)
    return out


INVALID_MIX = (  # kind, share of the invalid items
    ("typo (unknown code)", 0.30),
    ("header code", 0.25),
    ("7th character missing", 0.15),
    ("not valid on the date", 0.15),
    ("malformed", 0.10),
    ("placeholder X missing", 0.05),
)


def invalid_codes(icd: Icd10cm, n: int, rng: random.Random) -> list[tuple[str, date, str]]:
    """`n` realistic invalid (code, date, kind) items in the proportions of INVALID_MIX."""
    lo, hi = WINDOW
    days = (hi - lo).days
    recs = list(icd.records())
    billable = [r for r in recs if r.periods and len(r.key) >= 4]
    headers = [r for r in recs if r.kind in ("category", "subcategory") and r.children and not r.periods]
    needs_7th = [r for r in headers if all(len(c) == 7 for c in r.children)]
    placeholder = [r for r in billable if len(r.key) == 7 and "X" in r.key[3:6]]
    dated = [r for r in billable if r.periods[0].start > lo or (r.periods[-1].end or hi) < hi]
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"

    def any_day() -> date:
        return lo + timedelta(days=rng.randrange(days + 1))

    def typo() -> str:
        while True:
            rec = rng.choice(billable)
            key = list(rec.key)
            pos = rng.randrange(1, len(key))
            key[pos] = rng.choice(alphabet)
            text = "".join(key)
            if icd.get(text) is None and text[1].isdigit():
                return text[:3] + "." + text[3:]

    def header() -> str:
        return rng.choice(headers).code

    def seventh() -> str:
        return rng.choice(needs_7th).code

    def malformed() -> str:
        code = rng.choice(billable).code
        return rng.choice(
            (
                code.replace(".", ".."),
                code[1:],
                code[0] + "I" + code[2:],
                code[:3] + "." + "-",
                code.replace(".", "") + ".",
                code[:2] + "." + code[2:].replace(".", ""),
            )
        )

    def missing_placeholder() -> str:
        rec = rng.choice(placeholder)
        return f"{rec.key[:3]}.{rec.key[3:].replace('X', '')}"

    out: list[tuple[str, date, str]] = []
    for kind, share in INVALID_MIX:
        for _ in range(round(n * share)):
            if kind == "not valid on the date":
                rec = rng.choice(dated)
                first, last = rec.periods[0].start, rec.periods[-1].end or hi
                before = (first - lo).days
                after = (hi - last).days
                if before > 0 and (after <= 0 or rng.random() < 0.5):
                    on = lo + timedelta(days=rng.randrange(before))
                else:
                    on = last + timedelta(days=1 + rng.randrange(max(1, after)))
                out.append((rec.code, on, kind))
                continue
            make = {
                "typo (unknown code)": typo,
                "header code": header,
                "7th character missing": seventh,
                "malformed": malformed,
                "placeholder X missing": missing_placeholder,
            }[kind]
            out.append((make(), any_day(), kind))
    return out[:n]


# ----------------------------------------------------------------------------------------------------------------
# the figures


def bench_build(home: Path) -> tuple[CodeLibrary, dict[str, Any]]:
    from medbill.codes.library import CodeLibrary
    from medbill.codes.store import store_path

    steps: list[tuple[str, float]] = []
    start = time.perf_counter()

    def progress(step: str) -> None:
        steps.append((step, time.perf_counter() - start))

    library = CodeLibrary.open(home, progress=progress)
    total = time.perf_counter() - start
    marks = [*(t for _, t in steps), total]
    step_times = {name: round(marks[i + 1] - marks[i], 3) for i, (name, _) in enumerate(steps)}
    path = store_path(home)
    start = time.perf_counter()
    CodeLibrary.open(home).close()
    reopen = time.perf_counter() - start
    return library, {
        "build_s": total,
        "steps_s": step_times,
        "store_mb": round(path.stat().st_size / 2**20, 1),
        "reopen_s": reopen,
    }


def bench_lookups(library: CodeLibrary, items: list[tuple[str, date]], passes: int, preload_s: float) -> dict[str, Any]:
    icd = library.icd10cm
    lookup = icd.lookup
    answers = [lookup(code, on) for code, on in items]
    missing = sum(1 for a in answers if a is None)
    not_billable = sum(1 for a in answers if a is not None and not a.billable)
    del answers

    def run_lookups() -> None:
        for code, on in items:
            lookup(code, on)

    rate, runs = best_rate(run_lookups, len(items), passes, 3)

    # The question simple_icd_10_cm's is_valid_item answers, asked for a date of service.
    is_billable = icd.is_billable

    def run_billable() -> None:
        for code, on in items:
            is_billable(code, on)

    billable_rate, _ = best_rate(run_billable, len(items), passes, 3)

    plain = {rec.code: rec for rec in icd.records() if rec.periods}
    get = plain.get

    def run_dict() -> None:
        for code, _on in items:
            get(code)

    dict_rate, dict_runs = best_rate(run_dict, len(items), passes, 3)

    # The same call over 1,000 distinct (code, date) pairs cycled to the same length: the code path's own cost
    # with the touched objects in CPU cache. The gap to the headline is memory latency over ~100k records.
    hot = (items[:1000] * (len(items) // 1000 + 1))[: len(items)]

    def run_hot() -> None:
        for code, on in hot:
            lookup(code, on)

    hot_rate, _ = best_rate(run_hot, len(hot), passes, 3)

    out: dict[str, Any] = {
        "lookups_per_s": rate,
        "billable_per_s": billable_rate,
        "lookup_runs": runs,
        "preload_s": preload_s,
        "items": len(items),
        "distinct_codes": len({c for c, _ in items}),
        "distinct_dates": len({d for _, d in items}),
        "answers_missing": missing,
        "answers_not_billable": not_billable,
        "lookups_hot_per_s": hot_rate,
        "dict_get_per_s": dict_rate,
        "dict_runs": dict_runs,
    }
    try:
        start = time.perf_counter()
        import simple_icd_10_cm as sicd  # type: ignore[import-not-found, import-untyped, unused-ignore]

        import_s = time.perf_counter() - start
        valid = sicd.is_valid_item

        def run_simple() -> None:
            for code, _on in items:
                valid(code)

        simple_rate, simple_runs = best_rate(run_simple, len(items), passes, 3)
        version = getattr(sicd, "__version__", None)
        if version is None:
            from importlib.metadata import version as dist_version

            version = dist_version("simple-icd-10-cm")
        out["simple_icd_10_cm"] = {
            "version": version,
            "import_s": import_s,
            "is_valid_item_per_s": simple_rate,
            "runs": simple_runs,
            "known_share": sum(1 for c, _ in items if valid(c)) / len(items),
        }
    except ImportError:
        out["simple_icd_10_cm"] = None
    return out


def bench_validation(
    library: CodeLibrary, valid_items: list[tuple[str, date]], passes: int, rng: random.Random
) -> dict[str, Any]:
    from medbill.coding.validation import Validator

    icd = library.icd10cm

    def fresh() -> Validator:
        # A new validator per pass, so the (code, date) result cache starts empty: the figure is real work, not
        # cache hits. One unknown code first builds the did-you-mean key list outside the timing.
        validator = Validator(library)
        validator.validate("Z99.99", date(2024, 1, 1))
        cache = getattr(validator, "_valid_cache", None)
        if isinstance(cache, dict):
            cache.clear()
        return validator

    def rate_of(items: list[tuple[str, date]], passes: int, repeats: int, budget_s: float) -> tuple[float, list[float]]:
        rates: list[float] = []
        for _ in range(repeats):
            elapsed = 0.0
            for _ in range(passes):
                validate = fresh().validate
                gc.collect()
                start = time.perf_counter()
                for code, on in items:
                    validate(code, on)
                elapsed += time.perf_counter() - start
            rates.append(len(items) * passes / elapsed)
            if elapsed > budget_s:
                break  # a slow workload: one run is enough to see it
        return max(rates), rates

    checker = fresh()
    judged_invalid = Counter(
        r.issues[0].code for code, on in valid_items for r in [checker.validate(code, on)] if not r.valid
    )
    all_valid_rate, all_valid_runs = rate_of(valid_items, passes, 3, 1e9)

    warm = fresh()
    for code, on in valid_items:
        warm.validate(code, on)
    validate = warm.validate

    def run_cached() -> None:
        for code, on in valid_items:
            validate(code, on)

    cached_rate, _ = best_rate(run_cached, len(valid_items), 1, 3)

    n_invalid = round(len(valid_items) * 0.05)
    bad = invalid_codes(icd, n_invalid, rng)
    mixed = [*valid_items[: len(valid_items) - n_invalid], *((c, d) for c, d, _ in bad)]
    rng.shuffle(mixed)
    mixed_rate, mixed_runs = rate_of(mixed, 1, 3, 15.0)

    per_kind: dict[str, dict[str, Any]] = {}
    by_kind: dict[str, list[tuple[str, date]]] = {}
    for code, on, kind in bad:
        by_kind.setdefault(kind, []).append((code, on))
    issue_codes: dict[str, Counter[str]] = {}
    for kind, cases in by_kind.items():
        validator = fresh()
        sample = cases[:200]
        start = time.perf_counter()
        results = [validator.validate(code, on) for code, on in sample]
        elapsed = time.perf_counter() - start
        issue_codes[kind] = Counter(r.issues[0].code if r.issues else "VALID" for r in results)
        per_kind[kind] = {
            "count_in_mix": len(cases),
            "us_per_call": round(elapsed / len(sample) * 1e6, 1),
            "issues": dict(issue_codes[kind].most_common()),
        }
    valid_us = 1e6 / all_valid_rate
    # Estimated share of the mixed list's time per kind: each kind's count x its cost per call, over the same sum
    # including the valid items at the all-valid cost.
    estimated_us = (len(mixed) - len(bad)) * valid_us + sum(
        i["count_in_mix"] * i["us_per_call"] for i in per_kind.values()
    )
    for info in per_kind.values():
        info["share_of_mixed_time"] = round(info["count_in_mix"] * info["us_per_call"] / estimated_us, 3)
    return {
        "validations_per_s": all_valid_rate,
        "all_valid_runs": all_valid_runs,
        "all_valid_judged_invalid": dict(judged_invalid.most_common()),
        "all_valid_us_per_call": round(valid_us, 2),
        "validations_cached_per_s": cached_rate,
        "validations_mixed_per_s": mixed_rate,
        "mixed_runs": mixed_runs,
        "mixed_items": len(mixed),
        "mixed_invalid": len(bad),
        "invalid_kinds": per_kind,
    }


def bench_search(library: CodeLibrary, passes: int) -> dict[str, Any]:
    from medbill.coding.search import Searcher

    systems = dict(library.db.execute("SELECT system, count(*) FROM term GROUP BY system").fetchall())
    gc.collect()
    start = time.perf_counter()
    searcher = Searcher(library)
    init_s = time.perf_counter() - start
    search = searcher.search
    empty = [q for q in QUERIES if not search(q, limit=20)]  # the warm-up pass
    samples: dict[str, list[float]] = {q: [] for q in QUERIES}
    for _ in range(passes):
        for query in QUERIES:
            start = time.perf_counter()
            search(query, limit=20)
            samples[query].append((time.perf_counter() - start) * 1000)
    per_query = {q: statistics.median(v) for q, v in samples.items()}
    times = list(per_query.values())
    slowest = sorted(per_query.items(), key=lambda kv: -kv[1])[:10]
    return {
        "searcher_init_s": init_s,
        "queries": len(QUERIES),
        "passes": passes,
        "search_p50_ms": percentile(times, 50),
        "search_p90_ms": percentile(times, 90),
        "search_p99_ms": percentile(times, 99),
        "search_max_ms": max(times),
        "search_mean_ms": statistics.fmean(times),
        "over_10ms": sum(1 for t in times if t > 10),
        "slowest_ms": {q: round(t, 2) for q, t in slowest},
        "queries_without_hits": empty,
        "term_systems": systems,
    }


def bench_cli(home: Path, runs: int) -> dict[str, Any]:
    script = Path(sys.executable).parent / "medbill"
    env = {**os.environ, "MEDBILL_HOME": str(home), "COLUMNS": "100"}

    def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        return time.perf_counter() - start, proc

    if not script.exists():
        return {"error": f"{script} not found (run with the project venv's python)"}
    show = []
    for _ in range(runs):
        elapsed, proc = timed([str(script), "codes", "show", "E11.9"])
        if proc.returncode != 0 or "E11.9" not in proc.stdout:
            return {"error": f"medbill codes show E11.9 exited {proc.returncode}: {proc.stderr.strip()[:300]}"}
        show.append(elapsed)
    typer = [timed([sys.executable, "-c", "import typer"])[0] for _ in range(runs)]
    bare = [timed([sys.executable, "-c", "pass"])[0] for _ in range(runs)]
    return {
        "cli_show_best_s": min(show),
        "cli_show_median_s": statistics.median(show),
        "cli_show_runs_s": show,
        "import_typer_best_s": min(typer),
        "import_typer_median_s": statistics.median(typer),
        "python_startup_best_s": min(bare),
    }


def rss_launcher(home: Path) -> int:
    """Start the measuring process and pass its output on.

    Linux carries ru_maxrss across execve: a process exec'd straight from this (large) benchmark process would
    report the benchmark's own peak. This small launcher's child starts from the launcher's peak (~20 MB) instead.
    """
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--rss-measure", str(home)], check=False)
    return proc.returncode


def rss_child(home: Path) -> int:
    """Run in a fresh interpreter: open everything, print RSS figures as JSON."""
    os.environ["MEDBILL_HOME"] = str(home)
    stages: dict[str, tuple[int, int]] = {"python": (current_rss_kb(), max_rss_kb())}
    from medbill.codes.editions import CodeSystem
    from medbill.codes.index_tables import IndexKind
    from medbill.codes.library import CodeLibrary
    from medbill.coding.search import Searcher

    stages["imports"] = (current_rss_kb(), max_rss_kb())
    library = CodeLibrary.open(home)
    library.icd10cm.preload()
    stages["icd10cm preloaded"] = (current_rss_kb(), max_rss_kb())
    counts: dict[str, int] = {"ICD-10-CM": sum(1 for _ in library.icd10cm.records())}
    for system in sorted({e.system for e in library.editions()} - {CodeSystem.ICD10CM}):
        counts[str(system)] = len(library.catalog(system).codes())
    stages["catalogs"] = (current_rss_kb(), max_rss_kb())
    for kind in IndexKind:
        table = library.index_table(kind)
        counts[f"index:{kind}"] = len(table.entries) if table is not None else 0
    stages["index tables"] = (current_rss_kb(), max_rss_kb())
    counts["pcs_tables"] = len(library.pcs_tables.tables())
    stages["pcs tables"] = (current_rss_kb(), max_rss_kb())
    searcher = Searcher(library)
    searcher.search("type 2 diabetes with chronic kidney disease")
    stages["searcher"] = (current_rss_kb(), max_rss_kb())
    gc.collect()
    print(
        json.dumps(
            {
                "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "vmhwm_kb": _status_kb("VmHWM"),
                "vmrss_kb": current_rss_kb(),
                "stages_kb": stages,
                "counts": counts,
            }
        )
    )
    return 0


def bench_rss(home: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--rss-child", str(home)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MEDBILL_HOME": str(home)},
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-500:]}
    data = json.loads(proc.stdout)
    return {
        "rss_max_mb": data["ru_maxrss_kb"] / 1024,
        "rss_hwm_mb": data["vmhwm_kb"] / 1024,
        "rss_now_mb": data["vmrss_kb"] / 1024,
        "stages_mb": {
            k: {"now": round(v[0] / 1024, 1), "peak": round(v[1] / 1024, 1)} for k, v in data["stages_kb"].items()
        },
        "counts": data["counts"],
    }


# ----------------------------------------------------------------------------------------------------------------
# report


def verdict(key: str, value: float | None) -> str:
    _, _, op, target = TARGETS[key]
    if value is None:
        return "ERROR"
    if target is None:
        return "info"
    ok = value <= target if op == "<=" else value >= target
    return "PASS" if ok else "MISS"


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "/s":
        return f"{value:,.0f}/s"
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value}"


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out.extend(
        "  ".join(
            c.rjust(w) if 0 < i < len(row) - 1 else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )
    return "\n".join(out)


def render(report: dict[str, Any]) -> str:
    m = report["machine"]
    f = report["figures"]
    d = report["details"]
    out = [
        "medbill code-set benchmark",
        f"machine: nproc {m['nproc']} (cpu_count {m['cpu_count']}), {m['cpu'] or 'cpu ?'}, {m['mem_total_mb']} MB RAM",
        f"python:  {m['python']} on {m['platform']}, sqlite {m['sqlite']}, medbill {m['medbill']}"
        f" @ {m.get('commit', '?')} ({m.get('src_files_modified', '?')} src files modified)",
        f"load average (1/5/15 min) at start {report['loadavg_at_start']}, at end {m['loadavg_at_end']}"
        " (other work on the machine skews the figures)",
        "",
    ]
    rows = []
    for key, (label, unit, op, target) in TARGETS.items():
        value = f.get(key)
        rows.append(
            [label, fmt(value, unit), f"{op} {fmt(target, unit)}" if target is not None else "-", verdict(key, value)]
        )
    out.append(table(rows, ["figure", "measured", "target", "result"]))

    b, lk, v, s, c, r = (d.get(k, {}) for k in ("build", "lookups", "validation", "search", "cli", "rss"))
    out += ["", "context"]
    if b:
        steps = ", ".join(f"{k.split(',')[0].split(' (')[0]} {t:.1f}s" for k, t in b["steps_s"].items())
        out.append(
            f"  build steps: {steps}; store {b['store_mb']} MB; reopen (store present) {b['reopen_s'] * 1000:.1f} ms"
        )
    if lk:
        out.append(
            f"  lookups: {lk['items']:,} items, {lk['distinct_codes']:,} codes, {lk['distinct_dates']:,} dates "
            f"(FY2016-FY2026); preload {lk['preload_s']:.2f} s; runs "
            + ", ".join(f"{x:,.0f}" for x in lk["lookup_runs"])
            + f"; answers missing {lk['answers_missing']}, not billable {lk['answers_not_billable']}"
        )
        out.append(
            f"  lookups over 1,000 distinct (code, date) pairs cycled (objects in CPU cache): "
            f"{lk['lookups_hot_per_s']:,.0f}/s"
        )
        out.append(
            f"  plain dict d.get(code), same list: {lk['dict_get_per_s']:,.0f}/s "
            f"(lookup is {lk['dict_get_per_s'] / lk['lookups_per_s']:.1f}x slower)"
        )
        simple = lk.get("simple_icd_10_cm")
        if simple:
            out.append(
                f"  simple_icd_10_cm {simple['version']} is_valid_item, same list: "
                f"{simple['is_valid_item_per_s']:,.0f}/s (one edition, no dates; knows "
                f"{simple['known_share']:.1%} of the list; import {simple['import_s']:.2f} s)"
            )
        else:
            out.append("  simple_icd_10_cm: not installed (pip install simple-icd-10-cm to compare)")
    if v:
        judged = sum(v["all_valid_judged_invalid"].values())
        out.append(
            "  validations: fresh Validator per pass (empty result cache); all-valid runs "
            + ", ".join(f"{x:,.0f}" for x in v["all_valid_runs"])
            + f"; {v['all_valid_us_per_call']:.2f} us/call"
        )
        out.append(f"  validations, repeat pass (result cache warm): {v['validations_cached_per_s']:,.0f}/s")
        out.append(
            f"  all-valid list judged invalid by Validator: {judged} of {lk.get('items', '?'):,} "
            f"{v['all_valid_judged_invalid'] or ''} (expected 0)"
        )
        out.append(
            f"  mixed: {v['mixed_items']:,} items, {v['mixed_invalid']:,} invalid; runs "
            + ", ".join(f"{x:,.0f}" for x in v["mixed_runs"])
        )
        krows = [
            [
                k,
                f"{i['count_in_mix']:,}",
                f"{i['us_per_call']:,.1f}",
                f"{i['share_of_mixed_time']:.0%}",
                ", ".join(f"{c} {n}" for c, n in i["issues"].items()),
            ]
            for k, i in v["invalid_kinds"].items()
        ]
        out.append("  invalid kinds (cost per call, fresh validator, up to 200 samples each):")
        out += [
            "    " + line
            for line in table(
                krows, ["kind", "in mix", "us/call", "est. share of mixed time", "first issue reported"]
            ).splitlines()
        ]
    if s:
        out.append(
            f"  search: {s['queries']} queries x {s['passes']} passes (median per query) after one warm-up; "
            f"terms by system {s['term_systems']}"
        )
        out.append(
            f"  search p90 {s['search_p90_ms']:.2f} ms, mean {s['search_mean_ms']:.2f} ms, "
            f"max {s['search_max_ms']:.2f} ms; {s['over_10ms']} queries over 10 ms"
        )
        out.append("  slowest: " + ", ".join(f"{q!r} {t:.1f}" for q, t in s["slowest_ms"].items()))
        if s["queries_without_hits"]:
            out.append(f"  queries without hits: {s['queries_without_hits']}")
    if c:
        if "error" in c:
            out.append(f"  cli: ERROR {c['error']}")
        else:
            out.append(
                "  cli show runs: "
                + ", ".join(f"{x:.3f}" for x in c["cli_show_runs_s"])
                + f" s; python -c 'import typer' best {c['import_typer_best_s']:.3f} s, median "
                f"{c['import_typer_median_s']:.3f} s; python -c pass {c['python_startup_best_s']:.3f} s"
            )
    if r:
        if "error" in r:
            out.append(f"  rss: ERROR {r['error']}")
        else:
            out.append(
                f"  rss: ru_maxrss {r['rss_max_mb']:.0f} MB, VmHWM {r['rss_hwm_mb']:.0f} MB, VmRSS at the end "
                f"{r['rss_now_mb']:.0f} MB"
            )
            out.append(
                "  rss after each stage, MB now/peak: "
                + ", ".join(f"{k} {x['now']:.0f}/{x['peak']:.0f}" for k, x in r["stages_mb"].items())
            )
            out.append(f"  loaded: {r['counts']}")
    out.append(f"\ntotal benchmark time {report['elapsed_s']:.0f} s")
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--items", type=int, default=100_000, help="codes in the lookup/validation lists")
    parser.add_argument("--passes", type=int, default=5, help="passes over the list per timed lookup run")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--keep-home", action="store_true", help="keep the temporary MEDBILL_HOME (path on stderr)")
    parser.add_argument("--rss-child", metavar="HOME", help=argparse.SUPPRESS)
    parser.add_argument("--rss-measure", metavar="HOME", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rss_child:
        return rss_launcher(Path(args.rss_child))
    if args.rss_measure:
        return rss_child(Path(args.rss_measure))

    home = Path(tempfile.mkdtemp(prefix="medbill-bench-"))
    os.environ["MEDBILL_HOME"] = str(home)  # before medbill is imported: nothing may touch the user's home
    began = time.perf_counter()
    loadavg_at_start = [round(x, 2) for x in os.getloadavg()]
    rng = random.Random(args.seed)
    details: dict[str, Any] = {}
    try:
        import medbill.codes.library  # noqa: F401  (imports outside the build timing)

        log(f"building the store in {home} ...")
        library, details["build"] = bench_build(home)
        log(f"built in {details['build']['build_s']:.1f} s; preparing {args.items:,} dated codes ...")
        start = time.perf_counter()
        library.icd10cm.preload()
        preload_s = time.perf_counter() - start
        items = dated_codes(library.icd10cm, args.items, rng)
        log("lookups ...")
        details["lookups"] = bench_lookups(library, items, args.passes, preload_s)
        log("validations ...")
        details["validation"] = bench_validation(library, items, max(1, args.passes // 2), rng)
        log("search ...")
        details["search"] = bench_search(library, 3)
        log("cli ...")
        details["cli"] = bench_cli(home, 5)
        log("rss (fresh process) ...")
        details["rss"] = bench_rss(home)
        library.close()
    finally:
        if args.keep_home:
            log(f"kept MEDBILL_HOME at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)

    figures: dict[str, float | None] = {}
    for key in TARGETS:
        figures[key] = next((part[key] for part in details.values() if key in part), None)
    report = {
        "machine": machine_info(),
        "figures": figures,
        "targets": {
            k: {"label": t[0], "unit": t[1], "op": t[2], "target": t[3], "result": verdict(k, figures[k])}
            for k, t in TARGETS.items()
        },
        "details": details,
        "elapsed_s": time.perf_counter() - began,
        "loadavg_at_start": loadavg_at_start,
    }
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print(render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
