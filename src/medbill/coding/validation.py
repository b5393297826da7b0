"""Code validation for a date of service: every problem a coder or a payer edit would name, as Issues.

ICD-10-CM: malformed input, unknown code (with "did you mean"), header code (with its billable codes), 7th
character required or invalid, placeholder X missing, not yet valid or deleted on the date. The same shape for
HCPCS, CPT (structure and known numbers), ICD-10-PCS, modifiers, POS, CARC/RARC and taxonomy.
A date past the newest loaded edition adds an info issue saying a newer release applies and is not loaded.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from medbill.codes.catalog import CatalogCode
from medbill.codes.catalog_build import CPT_PATTERN
from medbill.codes.editions import CodeSystem, EditionChoice
from medbill.codes.icd10cm import Icd10cmCode, normalize
from medbill.codes.library import CodeLibrary
from medbill.coding.matcher import CODE_ALPHABET, one_edit_variants
from medbill.issues import Issue, Severity

ICD10CM_START = date(2015, 10, 1)
# Position 2 is a digit except in the FY2026 QA0 (sequelae of exposure) block, hence [0-9A-Z].
ICD10CM_PATTERN = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$")
HCPCS_PATTERN = re.compile(r"^[A-V][0-9]{4}$")
PCS_PATTERN = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
MODIFIER_PATTERN = re.compile(r"^[0-9A-Z]{2}$")
POS_PATTERN = re.compile(r"^[0-9]{2}$")
TAXONOMY_PATTERN = re.compile(r"^[0-9]{3}[0-9A-Z]{6}X$")
SYSTEM_ALIASES = {
    "icd10cm": CodeSystem.ICD10CM,
    "icd10": CodeSystem.ICD10CM,
    "dx": CodeSystem.ICD10CM,
    "icd10pcs": CodeSystem.ICD10PCS,
    "pcs": CodeSystem.ICD10PCS,
    "hcpcs": CodeSystem.HCPCS,
    "cpt": CodeSystem.CPT,
    "modifier": CodeSystem.MODIFIER,
    "mod": CodeSystem.MODIFIER,
    "pos": CodeSystem.POS,
    "carc": CodeSystem.CARC,
    "rarc": CodeSystem.RARC,
    "group": CodeSystem.CAS_GROUP,
    "taxonomy": CodeSystem.TAXONOMY,
}


AMBULANCE_SITES = {
    "D": "diagnostic or therapeutic site other than P or H",
    "E": "residential, domiciliary, custodial facility",
    "G": "hospital-based ESRD facility",
    "H": "hospital",
    "I": "site of transfer between modes of ambulance transport",
    "J": "free-standing ESRD facility",
    "N": "skilled nursing facility",
    "P": "physician's office",
    "R": "residence",
    "S": "scene of accident or acute event",
    "X": "intermediate stop at a physician's office on the way to the hospital",
}
"""Ambulance origin/destination codes (Medicare Claims Processing Manual ch. 15, §30.A): a modifier is any
origin letter followed by a destination letter (X only as a destination), e.g. RH = residence to hospital.
The CMS modifier lists name these letters, not every pair, so they are recognised by their form."""


def ambulance_modifier(text: str) -> bool:
    return len(text) == 2 and text[0] in AMBULANCE_SITES and text[0] != "X" and text[1] in AMBULANCE_SITES


class ValidationResult(NamedTuple):
    code: str
    system: CodeSystem | None
    valid: bool
    billable: bool
    edition: str | None
    title: str | None
    issues: tuple[Issue, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "system": str(self.system) if self.system else None,
            "valid": self.valid,
            "billable": self.billable,
            "edition": self.edition,
            "title": self.title,
            "issues": [i.to_dict() for i in self.issues],
        }


def parse_system(name: str) -> CodeSystem:
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    if key in SYSTEM_ALIASES:
        return SYSTEM_ALIASES[key]
    raise ValueError(f"unknown code system {name!r} (one of: {', '.join(sorted(SYSTEM_ALIASES))})")


def _err(code: str, message: str, hint: str | None = None) -> Issue:
    return Issue(Severity.ERROR, code, message, hint=hint)


@lru_cache(maxsize=256)
def _notice(choice: EditionChoice) -> tuple[Issue, ...]:
    if choice.notice is None:
        return ()
    return (Issue(Severity.INFO, "EDITION-NOT-LOADED", choice.notice),)


class Validator:
    """Validates codes against a CodeLibrary; holds small caches so bulk validation stays fast."""

    def __init__(self, library: CodeLibrary) -> None:
        self.library = library
        self.icd = library.icd10cm

    # -- dispatch ------------------------------------------------------------------------------------------
    def validate(self, code: str, on: date | None = None, system: CodeSystem | None = None) -> ValidationResult:
        day = on or date.today()
        text = code.strip()
        if system is None and ":" in text:
            prefix, _, rest = text.partition(":")
            with contextlib.suppress(ValueError):
                system, text = parse_system(prefix), rest.strip()
        system = system or self.detect(text)
        if system is None:
            return ValidationResult(
                code,
                None,
                False,
                False,
                None,
                None,
                (
                    _err(
                        "CODE-AMBIGUOUS",
                        f"{text!r} could be a modifier or a place of service",
                        hint=f"name the system: modifier:{text} or pos:{text}",
                    ),
                ),
            )
        if system is CodeSystem.ICD10CM:
            return self.icd10cm(text, day)
        return self.catalog(text, day, system)

    def detect(self, text: str) -> CodeSystem | None:
        upper = text.upper()
        if "." in upper:
            return CodeSystem.ICD10CM
        if CPT_PATTERN.match(upper):
            return CodeSystem.CPT
        if HCPCS_PATTERN.match(upper):
            if self.library.catalog(CodeSystem.HCPCS).get(upper) is not None or self.icd.get(upper) is None:
                return CodeSystem.HCPCS
            return CodeSystem.ICD10CM
        if len(upper) == 7 and upper[0].isdigit() and PCS_PATTERN.match(upper):
            return CodeSystem.ICD10PCS
        if TAXONOMY_PATTERN.match(upper):
            return CodeSystem.TAXONOMY
        if len(upper) == 2:
            return None if upper.isdigit() else CodeSystem.MODIFIER
        return CodeSystem.ICD10CM

    # -- ICD-10-CM -----------------------------------------------------------------------------------------
    def icd10cm(self, code: str, on: date) -> ValidationResult:
        text = code.strip().upper()
        choice = self.icd.timeline.choose(on)
        rec = self.icd.get(text)
        if rec is not None and rec.kind in ("chapter", "block"):
            issue = _err("DX-NOT-A-CODE", f"{rec.code} is an ICD-10-CM {rec.kind} ({rec.title}), not a code")
            return ValidationResult(code, CodeSystem.ICD10CM, False, False, choice.edition.name, rec.title, (issue,))
        if not ICD10CM_PATTERN.match(text) or ("." in text and text.index(".") != 3):
            issue = _err(
                "DX-MALFORMED",
                f"{code!r} is not an ICD-10-CM code: a letter, two letters or digits, then up to four characters "
                "after a dot in position 4 (A00.0, S72.001A)",
            )
            return ValidationResult(code, CodeSystem.ICD10CM, False, False, choice.edition.name, None, (issue,))
        if rec is not None and choice.slot >= 0 and rec.mask >> choice.slot & 1:
            return ValidationResult(
                code, CodeSystem.ICD10CM, True, True, choice.edition.name, rec.title, _notice(choice)
            )
        issues = list(self._icd10cm_issues(code, rec, on))
        issues.extend(_notice(choice))
        return ValidationResult(
            code,
            CodeSystem.ICD10CM,
            not any(i.is_error for i in issues),
            False,
            choice.edition.name,
            rec.title if rec else None,
            tuple(issues),
        )

    def _icd10cm_issues(self, code: str, rec: Icd10cmCode | None, on: date) -> list[Issue]:
        text = code.strip().upper()
        if on < ICD10CM_START:
            return [
                _err(
                    "DX-BEFORE-ICD10",
                    f"ICD-10-CM applies to dates of service from 2015-10-01, not {on.isoformat()}",
                    hint="code dates of service before 2015-10-01 in ICD-9-CM",
                )
            ]
        if rec is None:
            return self._unknown_icd10cm(normalize(text), on)
        if rec.periods:
            first, last = rec.periods[0], rec.periods[-1]
            if on < first.start:
                return [
                    _err(
                        "DX-NOT-YET-VALID",
                        f"{rec.code} was added on {first.start.isoformat()}; it is not "
                        f"valid for a date of service of {on.isoformat()}",
                    )
                ]
            if last.end is not None and on > last.end:
                replacements = self.icd.billable_descendants(rec, on)
                if replacements:
                    # Expanded, not deleted: the code became a header when subcodes were added below it.
                    since = (last.end + timedelta(days=1)).isoformat()
                    return [
                        _err(
                            "DX-HEADER",
                            f"{rec.code} has been a header since {since} (subdivided): report a code below it",
                            hint=_list_codes(replacements, "billable codes"),
                        )
                    ]
                return [
                    _err(
                        "DX-DELETED",
                        f"{rec.code} was valid through {last.end.isoformat()}; it is not valid "
                        f"for a date of service of {on.isoformat()}",
                    )
                ]
        seventh = self.icd.seventh_characters(rec)
        if seventh is not None and rec.children and all(len(c) == 7 for c in rec.children):
            chars = ", ".join(f"{c} ({t})" for c, t in seventh.values)
            example = _with_seventh(rec.key, seventh.values[0][0])
            return [
                _err("DX-7TH-REQUIRED", f"{rec.code} requires a 7th character: {chars}", hint=f"for example {example}")
            ]
        billable = self.icd.billable_descendants(rec, on)
        return [
            _err(
                "DX-HEADER",
                f"{rec.code} is a header ({rec.kind}), not billable: report a code below it",
                hint=_list_codes(billable, "billable codes") if billable else None,
            )
        ]

    def _unknown_icd10cm(self, key: str, on: date) -> list[Issue]:
        # 7th character given on a code that needs placeholder X (T36.01A -> T36.0X1A).
        if 5 <= len(key) <= 7:
            base, last = key[:-1], key[-1]
            for split in range(len(base), 2, -1):
                candidate = base[:split] + "X" * (6 - len(base)) + base[split:] + last
                if len(candidate) == 7 and candidate != key:
                    found = self.icd.get(candidate)
                    if found is not None and found.period_on(on):
                        return [
                            _err(
                                "DX-PLACEHOLDER",
                                f"{_dotted(key)} is missing placeholder X: the 7th character must be in position 7",
                                hint=f"use {found.code}",
                            )
                        ]
        # A 7th character typed straight after a header that needs more characters first (T36.1A, S72.0A).
        if 4 <= len(key) <= 6:
            header = self.icd.get(key[:-1])
            seventh_of_header = self.icd.seventh_characters(header) if header is not None else None
            if header is not None and seventh_of_header is not None and key[-1] in dict(seventh_of_header.values):
                fuller = [
                    d.code
                    for d in self.icd.billable_descendants(header, on)
                    if len(d.key) == 7 and d.key.endswith(key[-1])
                ]
                return [
                    _err(
                        "DX-INCOMPLETE",
                        f"{header.code} needs more characters before the 7th character {key[-1]!r}",
                        hint=_list_codes_text(fuller, "use one of") if fuller else None,
                    )
                ]
        # An invalid 7th character on a code that takes one.
        if len(key) == 7:
            stem = self.icd.get(key[:6].rstrip("X") if key[:6].endswith("X") else key[:6])
            if stem is not None:
                seventh = self.icd.seventh_characters(stem)
                allowed_chars = {c for c, _ in seventh.values} if seventh is not None else set()
                if key[6] in allowed_chars:
                    # The 7th character is fine; the stem is a header that needs more characters first.
                    fuller = [
                        found.code
                        for child in self.icd.children(stem)
                        if len(child.key) < 7
                        and (found := self.icd.get(child.key.ljust(6, "X") + key[6])) is not None
                        and found.period_on(on) is not None
                    ]
                    return [
                        _err(
                            "DX-INCOMPLETE",
                            f"{stem.code} needs more characters before the 7th character",
                            hint=f"use one of {', '.join(fuller[:12])}" if fuller else None,
                        )
                    ]
                if seventh is not None:
                    allowed = ", ".join(c for c, _ in seventh.values)
                    return [
                        _err(
                            "DX-7TH-INVALID",
                            f"{key[6]!r} is not a 7th character of {stem.code} (allowed: {allowed})",
                            hint=f"for example {_with_seventh(stem.key, seventh.values[0][0])}",
                        )
                    ]
        return [_err("DX-UNKNOWN", f"{_dotted(key)} is not an ICD-10-CM code", hint=self._did_you_mean(key, on))]

    def _did_you_mean(self, key: str, on: date) -> str | None:
        keys = self.icd.keys()
        near = [k for k in one_edit_variants(key, CODE_ALPHABET) if k in keys]
        records = [r for r in map(self.icd.get, near) if r is not None and r.kind not in ("chapter", "block")]
        records.sort(key=lambda r: (r.period_on(on) is None, r.key))
        codes = [r.code for r in records[:5]]
        return f"did you mean {', '.join(codes)}?" if codes else None

    # -- the other systems ----------------------------------------------------------------------------------
    def catalog(self, code: str, on: date, system: CodeSystem) -> ValidationResult:
        text = code.strip().upper()
        if system is CodeSystem.POS:
            text = text.zfill(2)
        catalog = self.library.catalog(system)
        pattern = _PATTERNS.get(system)
        if pattern is not None and not pattern.match(text):
            return ValidationResult(
                code,
                system,
                False,
                False,
                None,
                None,
                (_err(f"{_PREFIX[system]}-MALFORMED", f"{code!r} is not a {system} code: {_SHAPES[system]}"),),
            )
        rec = catalog.get(text)
        timeline = catalog.timeline
        choice = timeline.choose(on) if timeline is not None else None
        edition = choice.edition.name if choice else None
        notices = _notice(choice) if choice else ()
        if rec is None and system is CodeSystem.MODIFIER and ambulance_modifier(text):
            title = f"ambulance origin {AMBULANCE_SITES[text[0]]}, destination {AMBULANCE_SITES[text[1]]}"
            return ValidationResult(code, system, True, False, edition, title, tuple(notices))
        if rec is None or (system is CodeSystem.POS and rec.title.lower().startswith("unassigned")):
            return ValidationResult(
                code, system, False, False, edition, None, (self._unknown_catalog(text, system), *notices)
            )
        issues = list(_period_issues(rec, on))
        if system is CodeSystem.CPT and not rec.title:
            if choice is not None and choice.edition.source.startswith("user import"):
                # The user's licensed edition applies to this date and does not list the code.
                issues.append(
                    _err(
                        "CPT-NOT-IN-EDITION",
                        f"{rec.code} is not in {choice.edition.name}; it is known only from CMS tables of an "
                        "earlier year",
                        hint="check the code against your current CPT edition",
                    )
                )
            else:
                issues.append(
                    Issue(
                        Severity.INFO,
                        "CPT-NO-DESCRIPTOR",
                        f"{rec.code} is a known CPT code number (CMS tables); descriptors are not loaded",
                        hint="import your licensed CPT file: medbill codes import-cpt FILE",
                    )
                )
        issues.extend(notices)
        valid = not any(i.is_error for i in issues)
        billable = valid and system in (CodeSystem.HCPCS, CodeSystem.CPT, CodeSystem.ICD10PCS)
        return ValidationResult(code, system, valid, billable, edition, rec.title or None, tuple(issues))

    def _unknown_catalog(self, text: str, system: CodeSystem) -> Issue:
        if system is CodeSystem.CPT:
            cat = {"F": "Category II", "T": "Category III", "U": "PLA", "M": "MAAA"}.get(text[-1], "Category I")
            source = (
                "the imported CPT file"
                if self.library.has_cpt_descriptors()
                else "the CMS PFS RVU / NCCI tables (no CPT file imported)"
            )
            return _err("CPT-UNKNOWN", f"{text} has the {cat} format but is not a known CPT code in {source}")
        catalog = self.library.catalog(system)
        near = sorted(k for k in one_edit_variants(text, CODE_ALPHABET) if catalog.get(k) is not None)
        hint = f"did you mean {', '.join(near[:5])}?" if near else None
        return _err(f"{_PREFIX[system]}-UNKNOWN", f"{text} is not a {system} code", hint=hint)


_PREFIX = {
    CodeSystem.HCPCS: "HCPCS",
    CodeSystem.CPT: "CPT",
    CodeSystem.ICD10PCS: "PCS",
    CodeSystem.MODIFIER: "MOD",
    CodeSystem.POS: "POS",
    CodeSystem.CARC: "CARC",
    CodeSystem.RARC: "RARC",
    CodeSystem.CAS_GROUP: "GROUP",
    CodeSystem.TAXONOMY: "TAXONOMY",
}
_PATTERNS = {
    CodeSystem.HCPCS: HCPCS_PATTERN,
    CodeSystem.CPT: CPT_PATTERN,
    CodeSystem.ICD10PCS: PCS_PATTERN,
    CodeSystem.MODIFIER: MODIFIER_PATTERN,
    CodeSystem.POS: POS_PATTERN,
    CodeSystem.TAXONOMY: TAXONOMY_PATTERN,
}
_SHAPES = {
    CodeSystem.HCPCS: "a letter A-V and four digits (J1100)",
    CodeSystem.CPT: "five digits, or four digits and F, T, U or M (99213, 3074F, 0042T)",
    CodeSystem.ICD10PCS: "seven characters, digits and letters except I and O (0016070)",
    CodeSystem.MODIFIER: "two letters or digits (25, LT, XU)",
    CodeSystem.POS: "two digits (11)",
    CodeSystem.TAXONOMY: "ten characters ending in X (207Q00000X)",
}


def _period_issues(rec: CatalogCode, on: date) -> list[Issue]:
    if not rec.periods or rec.period_on(on) is not None:
        return []
    first, last = rec.periods[0], rec.periods[-1]
    prefix = _PREFIX.get(rec.system, str(rec.system))
    if on < first.start:
        return [
            _err(
                f"{prefix}-NOT-YET-VALID",
                f"{rec.code} is effective from {first.start.isoformat()}; not valid on {on.isoformat()}",
            )
        ]
    end = last.end.isoformat() if last.end else "?"
    return [_err(f"{prefix}-TERMINATED", f"{rec.code} was valid through {end}; not valid on {on.isoformat()}")]


def _dotted(key: str) -> str:
    return key if len(key) <= 3 else f"{key[:3]}.{key[3:]}"


def _with_seventh(key: str, char: str) -> str:
    return _dotted(key.ljust(6, "X") + char)


def _list_codes(records: list[Icd10cmCode], label: str, limit: int = 12) -> str:
    return _list_codes_text([r.code for r in records], label, limit)


def _list_codes_text(codes: list[str], label: str, limit: int = 12) -> str:
    more = f" (+{len(codes) - limit} more)" if len(codes) > limit else ""
    return f"{label}: {', '.join(codes[:limit])}{more}"
