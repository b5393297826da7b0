"""Code validation for a date of service, on the shipped code sets: one row per case, each naming the
expected validity and issue code."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medbill.codes import CodeLibrary
from medbill.codes.editions import CodeSystem
from medbill.coding.validation import ValidationResult, Validator, parse_system
from medbill.issues import Severity

D = date(2025, 3, 1)


@pytest.fixture(scope="module")
def validator(library: CodeLibrary) -> Validator:
    return Validator(library)


def error_codes(result: ValidationResult) -> list[str]:
    return [i.code for i in result.issues if i.severity is Severity.ERROR]


def info_codes(result: ValidationResult) -> list[str]:
    return [i.code for i in result.issues if i.severity is Severity.INFO]


def bare(code: str) -> str:
    """The code a result reports: a "system:" prefix is consumed by the validator."""
    return code.partition(":")[2].strip() if ":" in code else code


# (input, date of service, valid, system, error issue code or None)
CASES = [
    # ICD-10-CM
    ("E11.9", D, True, CodeSystem.ICD10CM, None),
    ("e11.9", D, True, CodeSystem.ICD10CM, None),
    ("E119", D, True, CodeSystem.ICD10CM, None),
    ("I10", D, True, CodeSystem.ICD10CM, None),
    ("S72.001", D, False, CodeSystem.ICD10CM, "DX-7TH-REQUIRED"),
    ("S72.001A", D, True, CodeSystem.ICD10CM, None),
    ("S72.001Z", D, False, CodeSystem.ICD10CM, "DX-7TH-INVALID"),
    ("T36.0X1A", D, True, CodeSystem.ICD10CM, None),
    ("T36.01A", D, False, CodeSystem.ICD10CM, "DX-PLACEHOLDER"),
    ("E11", D, False, CodeSystem.ICD10CM, "DX-HEADER"),
    ("E11.2", D, False, CodeSystem.ICD10CM, "DX-HEADER"),
    ("E11.95", D, False, CodeSystem.ICD10CM, "DX-UNKNOWN"),
    ("E1.1", D, False, CodeSystem.ICD10CM, "DX-MALFORMED"),
    ("123", D, False, CodeSystem.ICD10CM, "DX-MALFORMED"),
    ("", D, False, CodeSystem.ICD10CM, "DX-MALFORMED"),
    ("E11.", D, False, CodeSystem.ICD10CM, "DX-MALFORMED"),
    ("E11.9.", D, False, CodeSystem.ICD10CM, "DX-MALFORMED"),
    ("C81.0A", date(2024, 6, 1), False, CodeSystem.ICD10CM, "DX-NOT-YET-VALID"),
    ("C81.0A", date(2024, 10, 1), True, CodeSystem.ICD10CM, None),
    ("T81.32XA", date(2024, 9, 30), True, CodeSystem.ICD10CM, None),
    ("T81.32XA", date(2024, 10, 1), False, CodeSystem.ICD10CM, "DX-DELETED"),
    # Expanded into subcodes, not deleted: a header from the date of the split.
    ("E66.8", date(2024, 10, 1), False, CodeSystem.ICD10CM, "DX-HEADER"),
    ("F50.01", D, False, CodeSystem.ICD10CM, "DX-HEADER"),
    ("E11.9", date(2015, 9, 30), False, CodeSystem.ICD10CM, "DX-BEFORE-ICD10"),
    ("E11.9", date(2015, 10, 1), True, CodeSystem.ICD10CM, None),
    ("E11.9", date(2026, 11, 28), True, CodeSystem.ICD10CM, None),
    # HCPCS Level II
    ("J1100", date(2024, 8, 1), True, CodeSystem.HCPCS, None),
    ("A4397", date(2024, 8, 1), False, CodeSystem.HCPCS, "HCPCS-TERMINATED"),
    ("hcpcs:A4397", date(2021, 6, 1), True, CodeSystem.HCPCS, None),
    ("hcpcs:J11000", date(2024, 8, 1), False, CodeSystem.HCPCS, "HCPCS-MALFORMED"),
    # CPT (code numbers only)
    ("99213", date(2024, 8, 1), True, CodeSystem.CPT, None),
    ("0042T", date(2024, 8, 1), True, CodeSystem.CPT, None),
    ("3074F", date(2024, 8, 1), True, CodeSystem.CPT, None),
    ("99999", date(2024, 8, 1), False, CodeSystem.CPT, "CPT-UNKNOWN"),
    ("cpt:9921", date(2024, 8, 1), False, CodeSystem.CPT, "CPT-MALFORMED"),
    # modifiers
    ("modifier:25", D, True, CodeSystem.MODIFIER, None),
    ("modifier:LT", D, True, CodeSystem.MODIFIER, None),
    ("mod:XU", D, True, CodeSystem.MODIFIER, None),
    ("LT", D, True, CodeSystem.MODIFIER, None),
    ("modifier:ZZ", D, False, CodeSystem.MODIFIER, "MOD-UNKNOWN"),
    ("modifier:ABC", D, False, CodeSystem.MODIFIER, "MOD-MALFORMED"),
    # place of service
    ("pos:11", D, True, CodeSystem.POS, None),
    ("pos:99", D, True, CodeSystem.POS, None),
    ("pos:1", D, True, CodeSystem.POS, None),
    ("pos:28", D, False, CodeSystem.POS, "POS-UNKNOWN"),
    ("pos:1A", D, False, CodeSystem.POS, "POS-MALFORMED"),
    # taxonomy
    ("207Q00000X", D, True, CodeSystem.TAXONOMY, None),
    ("taxonomy:207Q00000Y", D, False, CodeSystem.TAXONOMY, "TAXONOMY-MALFORMED"),
    ("taxonomy:207Q00001X", D, False, CodeSystem.TAXONOMY, "TAXONOMY-UNKNOWN"),
    # ICD-10-PCS
    ("0016070", D, True, CodeSystem.ICD10PCS, None),
    ("pcs:0370046", date(2019, 9, 30), True, CodeSystem.ICD10PCS, None),
    ("pcs:0370046", date(2020, 1, 1), False, CodeSystem.ICD10PCS, "PCS-TERMINATED"),
    ("pcs:0016O70", D, False, CodeSystem.ICD10PCS, "PCS-MALFORMED"),
    # CARC / RARC / group
    ("carc:45", D, True, CodeSystem.CARC, None),
    ("rarc:N130", D, True, CodeSystem.RARC, None),
    ("group:CO", D, True, CodeSystem.CAS_GROUP, None),
    ("group:ZZ", D, False, CodeSystem.CAS_GROUP, "GROUP-UNKNOWN"),
    # no system named and the shape fits two
    ("25", D, False, None, "CODE-AMBIGUOUS"),
]


@pytest.mark.parametrize(("code", "on", "valid", "system", "issue"), CASES, ids=[f"{c[0]!r}@{c[1]}" for c in CASES])
def test_validate(
    validator: Validator, code: str, on: date, valid: bool, system: CodeSystem | None, issue: str | None
) -> None:
    result = validator.validate(code, on)
    assert result.valid is valid, result.issues
    assert result.system == system
    assert result.code == bare(code)
    if issue is None:
        assert error_codes(result) == []
    else:
        assert error_codes(result) == [issue]
        assert not result.billable


def test_invalid_result_always_names_an_error(validator: Validator) -> None:
    for code, on, valid, _system, _issue in CASES:
        result = validator.validate(code, on)
        assert valid == (not error_codes(result)), code


# -- issue details ------------------------------------------------------------------------------------------


def test_valid_icd10cm_is_billable_with_title_and_edition(validator: Validator) -> None:
    result = validator.validate("E11.9", D)
    assert result.billable
    assert result.title == "Type 2 diabetes mellitus without complications"
    assert result.edition == "ICD-10-CM FY2025"
    assert result.issues == ()


def test_seventh_required_lists_characters_and_example(validator: Validator) -> None:
    (issue,) = validator.validate("S72.001", D).issues
    assert "A (initial encounter for closed fracture)" in issue.message
    assert "S (sequela)" in issue.message
    assert issue.hint == "for example S72.001A"


def test_seventh_invalid_names_allowed_characters(validator: Validator) -> None:
    (issue,) = validator.validate("S72.001Z", D).issues
    assert "'Z'" in issue.message
    assert "A, B, C, D, E, F, G, H, J, K, M, N, P, Q, R, S" in issue.message


def test_placeholder_hint_names_the_right_code(validator: Validator) -> None:
    (issue,) = validator.validate("T36.01A", D).issues
    assert issue.hint is not None
    assert "T36.0X1A" in issue.hint


def test_header_lists_billable_children(validator: Validator) -> None:
    (issue,) = validator.validate("E11", D).issues
    assert issue.hint is not None
    assert issue.hint.startswith("billable codes: E11.00, E11.01")
    assert "E11.22" in issue.hint
    assert "more)" in issue.hint
    (sub,) = validator.validate("E11.2", D).issues
    assert sub.hint == "billable codes: E11.21, E11.22, E11.29"


def test_unknown_has_did_you_mean(validator: Validator) -> None:
    (issue,) = validator.validate("E11.95", D).issues
    assert issue.hint is not None
    assert issue.hint.startswith("did you mean ")
    assert "E11.9" in issue.hint


def test_not_yet_valid_names_added_date(validator: Validator) -> None:
    (issue,) = validator.validate("C81.0A", date(2024, 6, 1)).issues
    assert "2024-10-01" in issue.message


def test_expanded_code_names_its_split_and_the_codes_below(validator: Validator) -> None:
    (issue,) = validator.validate("E66.8", date(2024, 10, 1)).issues
    assert issue.code == "DX-HEADER"
    assert "since 2024-10-01" in issue.message
    assert issue.hint == "billable codes: E66.811, E66.812, E66.813, E66.89"


def test_deleted_code_names_its_last_valid_day(validator: Validator) -> None:
    (issue,) = validator.validate("T81.32XA", date(2024, 10, 1)).issues
    assert issue.code == "DX-DELETED"
    assert "2024-09-30" in issue.message


@pytest.mark.parametrize(
    ("code", "on"),
    [
        ("E66.8", date(2024, 9, 30)),
        ("F50.01", date(2023, 3, 1)),
        ("A04.7", date(2017, 9, 30)),
    ],
)
def test_code_expanded_later_is_valid_while_it_was_billable(
    library: CodeLibrary, validator: Validator, code: str, on: date
) -> None:
    answer = library.icd10cm.lookup(code, on)
    assert answer is not None and answer.billable  # the code set says billable on that date
    result = validator.validate(code, on)
    assert result.valid, result.issues
    assert result.billable


@pytest.mark.parametrize("code", ["H81.4", "I60.2"])
def test_billable_code_with_deleted_children_is_valid(library: CodeLibrary, validator: Validator, code: str) -> None:
    answer = library.icd10cm.lookup(code, D)
    assert answer is not None and answer.billable
    result = validator.validate(code, D)
    assert result.valid, result.issues


@pytest.mark.parametrize("code", ["QA0.0101", "QA00101", "QA0.8"])
def test_fy2026_qa0_codes_are_valid(library: CodeLibrary, validator: Validator, code: str) -> None:
    on = date(2026, 5, 1)
    answer = library.icd10cm.lookup(code, on)
    assert answer is not None and answer.billable
    result = validator.validate(code, on)
    assert result.valid, result.issues


def test_placeholder_in_place_of_sixth_character_is_not_reported_as_bad_seventh(validator: Validator) -> None:
    result = validator.validate("S72.00XA", D)
    assert not result.valid
    (issue,) = result.issues
    assert issue.code == "DX-INCOMPLETE"
    assert "S72.00XA" not in (issue.hint or "")
    assert "S72.001A" in (issue.hint or "") and "S72.009A" in (issue.hint or "")


@pytest.mark.parametrize("on", [date(2026, 5, 1), date(2024, 9, 30)])
def test_every_code_billable_on_a_date_validates(library: CodeLibrary, validator: Validator, on: date) -> None:
    icd = library.icd10cm
    billable = [r.code for r in icd.records() if r.period_on(on) is not None]
    assert len(billable) == icd.count_billable(on)
    rejected = [code for code in billable if not validator.validate(code, on).valid]
    assert rejected == []


def test_before_icd10_hint(validator: Validator) -> None:
    result = validator.validate("E11.9", date(2015, 9, 30))
    assert error_codes(result) == ["DX-BEFORE-ICD10"]
    assert "ICD-9-CM" in (result.issues[0].hint or "")


def test_date_past_newest_edition_is_valid_with_info(validator: Validator) -> None:
    result = validator.validate("E11.9", date(2026, 11, 28))
    assert result.valid
    assert info_codes(result) == ["EDITION-NOT-LOADED"]
    assert "FY2027" in result.issues[0].message
    assert result.edition == "ICD-10-CM FY2026 April 1 update"


def test_terminated_hcpcs_names_end(validator: Validator) -> None:
    (issue,) = validator.validate("A4397", date(2024, 8, 1)).issues
    assert "2021-12-31" in issue.message


def test_cpt_without_descriptors_is_info(validator: Validator) -> None:
    result = validator.validate("99213", date(2024, 8, 1))
    assert result.valid and result.billable
    assert info_codes(result) == ["CPT-NO-DESCRIPTOR"]
    assert result.title is None


def test_malformed_cpt_number_without_system_is_invalid(validator: Validator) -> None:
    result = validator.validate("9921", date(2024, 8, 1))
    assert not result.valid
    assert len(error_codes(result)) == 1
    assert error_codes(result)[0].endswith("-MALFORMED")


def test_taxonomy_shape_without_system_is_invalid(validator: Validator) -> None:
    result = validator.validate("207Q00000Y", D)
    assert not result.valid
    assert error_codes(result)[0].endswith("-MALFORMED")


def test_ambiguous_hint_names_both_systems(validator: Validator) -> None:
    (issue,) = validator.validate("25", D).issues
    assert issue.hint == "name the system: modifier:25 or pos:25"


def test_explicit_system_argument(validator: Validator) -> None:
    assert validator.validate("25", D, CodeSystem.MODIFIER).valid
    assert validator.validate("25", D, CodeSystem.POS).valid  # POS 25: birthing center
    assert validator.validate("11", D, CodeSystem.POS).title == "Office"


def test_modifiers_are_not_billable(validator: Validator) -> None:
    result = validator.validate("modifier:25", D)
    assert result.valid and not result.billable


def test_cache_does_not_mix_dates(validator: Validator) -> None:
    assert validator.validate("C81.0A", date(2024, 10, 1)).valid
    assert not validator.validate("C81.0A", date(2024, 6, 1)).valid
    assert validator.validate("C81.0A", date(2024, 10, 1)).valid


@pytest.mark.parametrize(
    ("name", "system"),
    [("ICD-10-CM", CodeSystem.ICD10CM), ("pcs", CodeSystem.ICD10PCS), ("Mod", CodeSystem.MODIFIER)],
)
def test_parse_system(name: str, system: CodeSystem) -> None:
    assert parse_system(name) is system


def test_parse_system_unknown() -> None:
    with pytest.raises(ValueError, match="unknown code system"):
        parse_system("snomed")


# -- shape --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["E11.9", "S72.001", "25", "pos:11", "99999"])
def test_to_dict_shape(validator: Validator, code: str) -> None:
    payload = validator.validate(code, D).to_dict()
    assert {"code", "valid", "billable", "edition", "issues"} <= set(payload)
    assert payload["code"] == bare(code)
    assert isinstance(payload["valid"], bool)
    issues = payload["issues"]
    assert isinstance(issues, list)
    for issue in issues:
        assert {"code", "message"} <= set(issue)
        assert issue["message"]


SYSTEM_PREFIX = st.sampled_from(["", "pos:", "cpt:", "hcpcs:", "modifier:", "taxonomy:", "pcs:", "carc:", "dx:"])
CODE_LIKE = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789.X -:", max_size=10)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=SYSTEM_PREFIX, text=st.one_of(st.text(max_size=14), CODE_LIKE), on=st.dates())
def test_arbitrary_text_never_raises(validator: Validator, prefix: str, text: str, on: date) -> None:
    result = validator.validate(prefix + text, on)
    assert isinstance(result, ValidationResult)
    assert result.valid == (not error_codes(result))
    payload = result.to_dict()
    assert payload["valid"] is result.valid


@pytest.mark.parametrize(
    ("code", "first_hint"),
    [("T36.1A", "T36.1X1A"), ("S72.0A", "S72.001A")],
)
def test_seventh_character_after_an_incomplete_header(validator: Validator, code: str, first_hint: str) -> None:
    (issue,) = validator.validate(code, D).issues
    assert issue.code == "DX-INCOMPLETE"
    assert (issue.hint or "").startswith(f"use one of: {first_hint}")
