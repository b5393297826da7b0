"""Synthetic X12 5010 files for benchmarks: 837P (005010X222A1) and 835 (005010X221A1).

Every name, identifier and address is fictitious; NPIs carry a valid Luhn check digit (computed over the "80840"
prefix and the first nine digits, as the NPI standard says). Diagnosis codes are real ICD-10-CM codes billable
in FY2024, procedure codes are common CPT/HCPCS codes. Amounts balance:

- 837P: CLM02 = Σ SV102 of the claim's lines;
- 835: SVC02 − Σ line CAS = SVC03, AMT*B6 = SVC02 − Σ CO adjustments, CLP03 − Σ CAS (claim and lines) = CLP04,
  CLP05 = Σ PR adjustments, BPR02 = Σ CLP04 of the transaction set.

Output is deterministic for a given seed. ``generate_837p(50)`` and ``generate_835(50)`` are TR3-valid files.

    .venv/bin/python bench/x12_synth.py 837p --claims 1000 -o /tmp/p.x12
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

CREATED = date(2024, 1, 15)
SENDER = "MEDBILLSYNTH"
RECEIVER = "SYNTHPAYER"

LAST_NAMES = (
    "ASHFORD", "BRAMBLE", "CALLOWAY", "DUNMORE", "ELLSWORTH", "FAIRCHILD", "GLENWOOD", "HOLLIS", "IVERSON",
    "JUNIPER", "KESTREL", "LANGLEY", "MARLOWE", "NORCROSS", "OAKHURST", "PEMBERTON", "QUILLAN", "RADCLIFFE",
    "STANWICK", "THORNBURY", "UPTON", "VANCE", "WHITCOMB", "YARDLEY",
)  # fmt: skip
FIRST_NAMES = (
    "ALMA", "BENNET", "CORA", "DORIAN", "EDITH", "FLETCHER", "GRETA", "HOLLAND", "IRIS", "JASPER", "KAI",
    "LENORE", "MILO", "NELL", "OTIS", "PEARL", "ROWAN", "SILAS", "TESS", "WREN",
)  # fmt: skip
STREETS = ("ELM STREET", "OAK AVENUE", "MAPLE DRIVE", "CEDAR LANE", "BIRCH ROAD", "WILLOW COURT", "ASPEN WAY")
CITIES = (
    ("SPRINGFIELD", "IL", "627011234"),
    ("MADISON", "WI", "537031010"),
    ("FRANKLIN", "TN", "370641200"),
    ("GREENVILLE", "SC", "296011800"),
    ("SALEM", "OR", "973012244"),
    ("DOVER", "DE", "199011122"),
)
PRACTICES = ("LAKESIDE FAMILY MEDICINE", "NORTHGATE PRIMARY CARE", "RIVERBEND INTERNAL MEDICINE")
PAYERS = (("SYNTHETIC HEALTH PLAN", "SYNPAY01"), ("EXAMPLE MUTUAL INSURANCE", "SYNPAY02"))

# ICD-10-CM codes billable in FY2024, written without the dot as X12 carries them.
DIAGNOSES = (
    "E119", "I10", "J069", "M5450", "R69", "Z0000", "E785", "K219", "N390", "J029", "R519", "F419", "E039",
    "M25561", "R109", "Z23", "J209", "E6601", "G4700", "L309",
)  # fmt: skip
# (procedure code, charge in cents)
PROCEDURES = (
    ("99213", 12500), ("99214", 18500), ("99203", 16000), ("99395", 21000), ("85025", 3500), ("80053", 4800),
    ("36415", 1500), ("93000", 6500), ("90471", 2800), ("90686", 4200), ("81003", 1200), ("87880", 3000),
    ("71046", 9500), ("97110", 7000),
)  # fmt: skip


def npi_check_digit(first9: str) -> str:
    """Luhn check digit of an NPI: computed over "80840" + the first nine digits."""
    total = 0
    for k, ch in enumerate(reversed("80840" + first9)):
        d = int(ch)
        if k % 2 == 0:  # the rightmost payload digit is doubled (the check digit will sit to its right)
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def make_npi(rng: random.Random, first: str = "1") -> str:
    body = first + "".join(str(rng.randrange(10)) for _ in range(8))
    return body + npi_check_digit(body)


def luhn_ok(npi: str) -> bool:
    """True when a 10-digit NPI's check digit is right."""
    return len(npi) == 10 and npi.isdigit() and npi_check_digit(npi[:9]) == npi[9]


def money(cents: int) -> str:
    """X12 R amount: no trailing zeros beyond what is needed (12500 → "125", 12550 → "125.5")."""
    whole, frac = divmod(cents, 100)
    if frac == 0:
        return str(whole)
    return f"{whole}.{frac:02d}".rstrip("0")


def _isa(control: int) -> str:
    return (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{SENDER:<15}*ZZ*{RECEIVER:<15}*{CREATED:%y%m%d}*1200*^*00501*"
        f"{control:09d}*0*T*:~\n"
    )


def _envelope(functional: str, version: str, sets: Iterator[list[str]], control: int) -> bytes:
    """ISA/GS around the given transaction sets (each a list of segments without terminator, ST..SE)."""
    out = [_isa(control)]
    out.append(f"GS*{functional}*{SENDER}*{RECEIVER}*{CREATED:%Y%m%d}*1200*{control}*X*{version}~\n")
    n_sets = 0
    for segments in sets:
        n_sets += 1
        out.append("~".join(segments))
        out.append("~\n")
    out.append(f"GE*{n_sets}*{control}~IEA*1*{control:09d}~\n")
    return "".join(out).encode("ascii")


def _chunks(n: int, size: int) -> Iterator[range]:
    size = max(1, size)
    for start in range(0, n, size):
        yield range(start, min(n, start + size))


# ----------------------------------------------------------------------------------------------------------------
# 837P


def _person(rng: random.Random, k: int) -> tuple[str, str, str, tuple[str, str, str]]:
    last = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
    first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
    street = f"{100 + k % 9000} {STREETS[rng.randrange(len(STREETS))]}"
    return last, first, street, CITIES[rng.randrange(len(CITIES))]


def _set_837p(
    rng: random.Random, st_number: int, claims: range, provider: tuple[str, str, str], lines: int
) -> list[str]:
    practice, npi, ein = provider
    city, state, zipc = CITIES[0]
    control = f"{st_number:04d}"
    seg = [
        f"ST*837*{control}*005010X222A1",
        f"BHT*0019*00*B{st_number:09d}*{CREATED:%Y%m%d}*1200*CH",
        f"NM1*41*2*{practice} BILLING*****46*{SENDER}",
        "PER*IC*BILLING OFFICE*TE*5555550100",
        f"NM1*40*2*{PAYERS[0][0]}*****46*{RECEIVER}",
        "HL*1**20*1",
        "PRV*BI*PXC*207Q00000X",
        f"NM1*85*2*{practice}*****XX*{npi}",
        "N3*100 MAIN STREET",
        f"N4*{city}*{state}*{zipc}",
        f"REF*EI*{ein}",
    ]
    hl = 1
    for k in claims:
        hl += 1
        last, first, street, (pcity, pstate, pzip) = _person(rng, k)
        payer, payer_id = PAYERS[k % len(PAYERS)]
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(60 * 365))
        seg += [
            f"HL*{hl}*1*22*0",
            f"SBR*P*18*GRP{k % 500:05d}******CI",
            f"NM1*IL*1*{last}*{first}****MI*MBR{k:09d}",
            f"N3*{street}",
            f"N4*{pcity}*{pstate}*{pzip}",
            f"DMG*D8*{birth:%Y%m%d}*{'FM'[k % 2]}",
            f"NM1*PR*2*{payer}*****PI*{payer_id}",
        ]
        n_dx = 1 + rng.randrange(4)
        dx = rng.sample(DIAGNOSES, n_dx)
        service = CREATED - timedelta(days=1 + rng.randrange(60))
        items = [PROCEDURES[rng.randrange(len(PROCEDURES))] for _ in range(lines)]
        total = sum(cents for _, cents in items)
        seg += [
            f"CLM*PCN{k:010d}*{money(total)}***11:B:1*Y*A*Y*Y",
            "HI*" + "*".join([f"ABK:{dx[0]}"] + [f"ABF:{d}" for d in dx[1:]]),
        ]
        for n, (code, cents) in enumerate(items, start=1):
            pointers = ":".join(str(p) for p in range(1, min(n_dx, 4) + 1))
            seg += [
                f"LX*{n}",
                f"SV1*HC:{code}*{money(cents)}*UN*1***{pointers}",
                f"DTP*472*D8*{service:%Y%m%d}",
            ]
    seg.append(f"SE*{len(seg) + 1}*{control}")
    return seg


def generate_837p(n_claims: int, claims_per_st: int = 1000, *, lines: int = 3, seed: int = 837) -> bytes:
    """An 837P interchange: one GS, ``ceil(n_claims / claims_per_st)`` transaction sets, ``lines`` lines per claim."""
    rng = random.Random(seed)
    provider = (PRACTICES[0], make_npi(rng), f"{rng.randrange(10**8, 10**9)}")
    sets = (
        _set_837p(rng, i, chunk, provider, lines) for i, chunk in enumerate(_chunks(n_claims, claims_per_st), start=1)
    )
    return _envelope("HC", "005010X222A1", sets, 1)


# ----------------------------------------------------------------------------------------------------------------
# 835


def _set_835(
    rng: random.Random, st_number: int, claims: range, provider: tuple[str, str, str], lines: int
) -> list[str]:
    practice, npi, ein = provider
    payer, _payer_id = PAYERS[0]
    city, state, zipc = CITIES[0]
    control = f"{st_number:04d}"
    body: list[str] = []
    paid_total = 0
    body.append("LX*1")
    for k in claims:
        last, first, _street, _city = _person(rng, k)
        service = CREATED - timedelta(days=10 + rng.randrange(60))
        items = [PROCEDURES[rng.randrange(len(PROCEDURES))] for _ in range(lines)]
        charge_total = 0
        adjust_total = 0
        patient_total = 0
        service_segs: list[str] = []
        for n, (code, charge) in enumerate(items, start=1):
            contractual = charge * rng.randrange(5, 35) // 100  # CO-45: over the fee schedule
            allowed = charge - contractual
            coinsurance = allowed * 20 // 100 if rng.random() < 0.5 else 0  # PR-2
            paid = allowed - coinsurance
            charge_total += charge
            adjust_total += contractual + coinsurance
            patient_total += coinsurance
            service_segs += [
                f"SVC*HC:{code}*{money(charge)}*{money(paid)}**1",
                f"DTM*472*{service:%Y%m%d}",
                f"CAS*CO*45*{money(contractual)}",
            ]
            if coinsurance:
                service_segs.append(f"CAS*PR*2*{money(coinsurance)}")
            service_segs += [f"REF*6R*L{k}X{n}", f"AMT*B6*{money(allowed)}"]
        # A claim-level deductible on some claims (taken from what the lines paid).
        line_paid = charge_total - adjust_total
        deductible = min(line_paid, 2000) if rng.random() < 0.25 else 0
        claim_paid = line_paid - deductible
        patient_total += deductible
        paid_total += claim_paid
        status = "1" if claim_paid > 0 else "4"
        body.append(
            f"CLP*PCN{k:010d}*{status}*{money(charge_total)}*{money(claim_paid)}*{money(patient_total)}*12*"
            f"PAYER{k:012d}*11*1"
        )
        if deductible:
            body.append(f"CAS*PR*1*{money(deductible)}")
        body += [f"NM1*QC*1*{last}*{first}****MI*MBR{k:09d}", f"DTM*050*{CREATED - timedelta(days=5):%Y%m%d}"]
        body += service_segs
    pay_date = CREATED
    seg = [
        f"ST*835*{control}",
        f"BPR*I*{money(paid_total)}*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*021000021*DA*98765432*"
        f"{pay_date:%Y%m%d}",
        f"TRN*1*EFT{st_number:09d}*1512345678",
        f"DTM*405*{pay_date - timedelta(days=1):%Y%m%d}",
        f"N1*PR*{payer}",
        "N3*1 PAYER PLAZA",
        "N4*HARTFORD*CT*061031234",
        "PER*BL*PROVIDER SERVICES*TE*8005550199",
        f"N1*PE*{practice}*XX*{npi}",
        "N3*100 MAIN STREET",
        f"N4*{city}*{state}*{zipc}",
        f"REF*TJ*{ein}",
        *body,
    ]
    seg.append(f"SE*{len(seg) + 1}*{control}")
    return seg


def generate_835(n_claims: int, claims_per_st: int = 1000, *, lines: int = 3, seed: int = 835) -> bytes:
    """An 835 interchange: one GS, one payment (ST..SE with its own BPR) per ``claims_per_st`` claims."""
    rng = random.Random(seed)
    provider = (PRACTICES[0], make_npi(rng), f"{rng.randrange(10**8, 10**9)}")
    sets = (
        _set_835(rng, i, chunk, provider, lines) for i, chunk in enumerate(_chunks(n_claims, claims_per_st), start=1)
    )
    return _envelope("HP", "005010X221A1", sets, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=("837p", "835"))
    parser.add_argument("--claims", type=int, default=100)
    parser.add_argument("--per-st", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("-o", "--output", type=Path, default=None)
    args = parser.parse_args(argv)
    make = generate_837p if args.kind == "837p" else generate_835
    kwargs = {} if args.seed is None else {"seed": args.seed}
    data = make(args.claims, args.per_st, **kwargs)
    if args.output is None:
        sys.stdout.buffer.write(data)
    else:
        args.output.write_bytes(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
