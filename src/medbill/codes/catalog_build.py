"""Compile the smaller code sets (HCPCS, ICD-10-PCS, CPT numbers, modifiers, POS, CARC/RARC, taxonomy) into rows.

Every row is (system, code, title, short_title, periods, detail_json): one shape, so one runtime class serves them
all. Dates come from the sources (HCPCS add/termination, MCE PCS periods, CARC/RARC start/end); lists without
per-code dates get one open period.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta

from medbill.codes.editions import CodeSystem, Edition
from medbill.codes.periods import format_period
from medbill.codes.sources import source

CatalogRow = tuple[str, str, str, str | None, str, str | None]

CPT_PATTERN = re.compile(r"^\d{4}[0-9FTUM]$")


def _iso(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


HCPCS_PATTERN = re.compile(r"^[A-V][0-9]{4}$")


def hcpcs_noc_codes() -> frozenset[str]:
    """HCPCS codes that are "not otherwise classified" (CMS NOC list)."""
    return frozenset(r["hcpcs"] for r in source("hcpcs_noc_codes.csv.gz").csv_rows())


def hcpcs_row(
    code: str,
    title: str,
    short_title: str,
    start: date | None,
    end: date | None,
    fields: dict[str, str],
    noc: frozenset[str],
) -> CatalogRow:
    """One HCPCS catalog row; `fields` holds the optional betos, cov, hcpcs_section and action values."""
    detail = {
        "betos": fields.get("betos") or None,
        "coverage": fields.get("cov") or None,
        "section": fields.get("hcpcs_section") or None,
        "action": fields.get("action") or None,
        "not_otherwise_classified": code in noc,
    }
    return ("HCPCS", code, title or short_title, short_title or None, format_period(start, end), json.dumps(detail))


def hcpcs_rows() -> Iterator[CatalogRow]:
    noc = hcpcs_noc_codes()
    for r in source("hcpcs_level2_2024-07.csv.gz").csv_rows():
        yield hcpcs_row(
            r["hcpcs_code"].strip(),
            r["long_description"].strip(),
            r["short_description"].strip(),
            _iso(r["date_added"]),
            _iso(r["date_term"]),
            r,
            noc,
        )


def pcs_rows() -> Iterator[CatalogRow]:
    titles = {r["code"]: r["long_description"] for r in source("icd10pcs_codes_valid_2026-04-01_mce.csv.gz").csv_rows()}
    periods: dict[str, list[str]] = {}
    for r in source("mce_icd10pcs_proc_master.csv.gz").csv_rows():
        periods.setdefault(r["code"], []).append(f"{r['start_date']}-{r['end_date']}:{r['flags']}")
    for code, spans in periods.items():
        title = titles.get(code, "(title not in the shipped editions)")
        yield ("ICD-10-PCS", code, title, None, ";".join(spans), None)


def pcs_editions() -> list[Edition]:
    starts: set[date] = set()
    for r in source("mce_icd10pcs_proc_master.csv.gz").csv_rows():
        starts.add(date.fromisoformat(f"{r['start_date'][:4]}-{r['start_date'][4:6]}-{r['start_date'][6:]}"))
    ordered = sorted(starts)
    origin = "CMS MCE v43.1 procedure master (validity); CMS ICD-10-PCS April 2026 valid codes (titles)"
    out = []
    for i, start in enumerate(ordered):
        fy = start.year + 1 if start.month >= 10 else start.year
        through = ordered[i + 1] - timedelta(days=1) if i + 1 < len(ordered) else date(fy, 9, 30)
        label = "" if start.month == 10 else f" {start:%B} 1 update"
        out.append(Edition(CodeSystem.ICD10PCS, f"ICD-10-PCS FY{fy}{label}", start, through, origin))
    return out


def cpt_known_rows() -> Iterator[CatalogRow]:
    """CPT code numbers present in CMS tables: identifiers only, no AMA descriptors."""
    seen: dict[str, set[str]] = {}

    def note(code: str, where: str) -> None:
        code = code.strip()
        if CPT_PATTERN.match(code):
            seen.setdefault(code, set()).add(where)

    for r in source("pprrvu_cy2024_all_quarters.csv.gz").csv_rows():
        note(r["hcpcs"], "PFS RVU CY2024")
    for name, label in (
        ("mue_practitioner_2024-07-01.csv.gz", "NCCI MUE Q3 2024"),
        ("mue_hospital_outpatient_2024-07-01.csv.gz", "NCCI MUE Q3 2024"),
        ("mue_dme_2024-07-01.csv.gz", "NCCI MUE Q3 2024"),
    ):
        for r in source(name).csv_rows():
            note(r["hcpcs_code"], label)
    for r in source("addon_code_edits_2024.csv.gz").csv_rows():
        note(r["primary_code"], "NCCI add-on edits 2024")
        note(r["add_on_code"], "NCCI add-on edits 2024")
    for code in sorted(seen):
        detail = json.dumps({"known_from": sorted(seen[code])})
        yield ("CPT", code, "", None, format_period(None, None), detail)


def modifier_rows() -> Iterator[CatalogRow]:
    rows: dict[str, CatalogRow] = {}
    for r in source("modifiers_hcpcs_by_type_2024.csv.gz").csv_rows():
        code = r["modifier"].strip().upper()
        detail = json.dumps({"type": r["type"] or None, "origin": "HCPCS"})
        rows[code] = ("modifier", code, r["description"].strip(), None, format_period(None, None), detail)
    for r in source("modifiers_cpt_hcpcs_2024.csv.gz").csv_rows():
        code = r["mod_code"].strip().upper()
        if code in rows:
            continue
        detail = json.dumps({"type": r["mod_category"] or None, "origin": r["mod_type"] or None})
        rows[code] = ("modifier", code, r["mod_description"].strip(), None, format_period(None, None), detail)
    yield from rows.values()


def pos_rows() -> Iterator[CatalogRow]:
    for r in source("place_of_service_2024.csv.gz").csv_rows():
        detail = json.dumps({"setting": r["pos_type"] or None, "description": r["pos_description"] or None})
        yield ("POS", r["pos_code"].strip().zfill(2), r["pos_name"].strip(), None, format_period(None, None), detail)


def adjustment_rows() -> Iterator[CatalogRow]:
    systems = {"CARC": "CARC", "RARC": "RARC", "Group": "CAS group"}
    for r in source("carc_rarc_group_codes_2024-06.csv.gz").csv_rows():
        system = systems.get(r["adj_type"])
        if system is None:
            continue
        detail = json.dumps({"usage": r["adj_usage"] or None, "notes": r["adj_notes"] or None})
        period = format_period(_iso(r["adj_start_date"]), _iso(r["adj_end_date"]))
        yield (system, r["adj_code"].strip(), r["adj_description"].strip(), None, period, detail)


def taxonomy_rows() -> Iterator[CatalogRow]:
    medicare: dict[str, str] = {}
    for r in source("medicare_provider_supplier_taxonomy_crosswalk_2025-10.csv.gz").csv_rows():
        code = (r.get("PROVIDER TAXONOMY CODE") or "").strip()
        if code:
            medicare[code] = (r.get("MEDICARE SPECIALTY CODE") or "").strip()
    for r in source("nucc_taxonomy_251.csv.gz").csv_rows():
        code = r["Code"].strip()
        detail = json.dumps(
            {
                "grouping": r["Grouping"] or None,
                "classification": r["Classification"] or None,
                "specialization": r["Specialization"] or None,
                "section": r["Section"] or None,
                "medicare_specialty": medicare.get(code),
            }
        )
        yield (
            "taxonomy",
            code,
            r["Display Name"].strip() or r["Classification"],
            None,
            format_period(None, None),
            detail,
        )


def catalog_editions() -> list[Edition]:
    return [
        Edition(
            CodeSystem.HCPCS,
            "HCPCS Level II July 2024 quarter",
            date(2024, 7, 1),
            date(2024, 9, 30),
            "CMS HCPCS alpha-numeric file 2024-07 (add and termination dates per code)",
        ),
        Edition(
            CodeSystem.CPT,
            "CPT code numbers known from CMS tables (CY2024; no descriptors)",
            date(2024, 1, 1),
            date(2024, 12, 31),
            "CMS PFS RVU CY2024, NCCI MUE Q3 2024, NCCI add-on edits 2024",
        ),
        Edition(CodeSystem.MODIFIER, "Modifiers 2024", date(2024, 1, 1), date(2024, 12, 31), "CMS modifier lists 2024"),
        Edition(
            CodeSystem.POS, "Place of Service code set 2024", date(2024, 1, 1), None, "CMS Place of Service code set"
        ),
        Edition(CodeSystem.CARC, "CARC June 2024", date(1995, 1, 1), None, "X12 code list, June 2024 (dated per code)"),
        Edition(CodeSystem.RARC, "RARC June 2024", date(1997, 1, 1), None, "X12 code list, June 2024 (dated per code)"),
        Edition(CodeSystem.CAS_GROUP, "Claim adjustment group codes", date(1995, 1, 1), None, "X12 code list"),
        Edition(
            CodeSystem.TAXONOMY,
            "NUCC Health Care Provider Taxonomy v25.1",
            date(2025, 7, 1),
            date(2025, 12, 31),
            "NUCC taxonomy v25.1 (July 2025); CMS Medicare crosswalk October 2025",
        ),
    ]
