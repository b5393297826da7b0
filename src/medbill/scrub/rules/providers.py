"""PV rules: providers on the claim (NPI check digits, taxonomy, tax id, billing address)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from medbill.billing.claim import Party
from medbill.codes.editions import CodeSystem
from medbill.issues import Severity
from medbill.scrub.context import ScrubContext
from medbill.scrub.facts import ClaimFacts
from medbill.scrub.registry import Hit, rule
from medbill.x12.rules import npi_valid

PO_BOX = re.compile(r"\b(P\.?\s*O\.?\s*BOX|POST\s+OFFICE\s+BOX|LOCK\s*BOX|P\.?\s*O\.?\s*DRAWER|BOX\s+\d)")
TAXONOMY_SHAPE = re.compile(r"^[0-9]{3}[0-9A-Z]{6}X$")


def _npi_problem(party: Party, ctx: ScrubContext) -> str | None:
    """The NPI when it fails the check digit (None when valid, absent or another kind of id)."""
    npi = party.id
    if not npi or party.id_qualifier not in ("XX", ""):
        return None
    memo = ctx.memo("pv-npi")
    valid = memo.get(npi)
    if valid is None:
        valid = memo[npi] = npi_valid(npi.strip())
    return None if valid else npi.strip()


def _taxonomy_ok(code: str, day: date | None, ctx: ScrubContext) -> bool:
    memo = ctx.memo("pv-taxonomy")
    key = (code, day)
    known = memo.get(key)
    if known is None:
        rec = ctx.catalog(CodeSystem.TAXONOMY, code) if TAXONOMY_SHAPE.match(code) else None
        known = rec is not None and (day is None or rec.period_on(day) is not None)
        memo[key] = known
    return bool(known)


@rule("PV001", "billing-npi-invalid")
def billing_npi_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The billing provider's NPI (2010AA NM109) is missing or fails the NPI check digit.

    What it checks:
        The billing provider is identified by an NPI (NM108 "XX") of ten digits whose last digit is the Luhn
        check digit computed over the prefix 80840 and the first nine digits.
    Why it matters:
        HIPAA requires the NPI for covered providers; a mistyped NPI is rejected at the front end (or
        denied with CARC 16 and RARC N257).
    Example:
        NPI 1234567890 (the check digit should be 3).
    How to fix:
        Copy the NPI from NPPES; check for transposed digits.
    References:
        45 CFR 162.406 and 162.410 (NPI standard); CMS NPI check digit (ISO/IEC 7812 Luhn with prefix 80840);
        X12 005010X222A1 and 005010X223A2, 2010AA NM108/NM109 (required).
    """
    party = facts.claim.billing_provider
    if not party.id.strip():
        yield Hit("the billing provider has no NPI (2010AA NM109)", None, "enter the billing NPI")
        return
    bad = _npi_problem(party, ctx)
    if bad is not None:
        yield Hit(f"billing provider NPI {bad} fails the NPI check digit", None, "verify the NPI in NPPES")


@rule("PV002", "rendering-npi-invalid")
def rendering_npi_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A rendering provider's NPI (2310B or 2420A NM109) fails the NPI check digit.

    What it checks:
        The claim-level rendering provider and every line-level rendering provider, when identified by an
        NPI, carry a ten-digit NPI with a valid Luhn check digit (prefix 80840).
    Why it matters:
        The rendering NPI is what the payer credentials and pays against; an invalid one is rejected
        (CARC 16 / RARC N290, missing/invalid rendering provider identifier).
    Example:
        Rendering NPI 1987654321 (check digit should be 8).
    How to fix:
        Copy the clinician's individual NPI from NPPES.
    References:
        45 CFR 162.410; X12 005010X222A1 2310B and 2420A NM109; X12 005010X223A2 2420C NM109; RARC N290.
    """
    claim_party = facts.claim.rendering_provider
    if claim_party is not None and (bad := _npi_problem(claim_party, ctx)) is not None:
        yield Hit(f"rendering provider NPI {bad} fails the NPI check digit", None, "verify the NPI")
    for ln in facts.lines:
        party = ln.line.rendering_provider
        if party is not None and (bad := _npi_problem(party, ctx)) is not None:
            yield Hit(f"line {ln.number}: rendering NPI {bad} fails the check digit", ln.number, "verify the NPI")


@rule("PV003", "referring-npi-invalid")
def referring_npi_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The referring provider's NPI (2310A on 837P, 2310F on 837I) fails the NPI check digit.

    What it checks:
        When a referring provider is identified by an NPI, it has ten digits and a valid Luhn check digit.
    Why it matters:
        Ordered and referred services are denied when the referring NPI is invalid or not enrolled (CARC
        16 / RARC N265, N264).
    Example:
        Referring NPI 1555555551.
    How to fix:
        Take the ordering/referring clinician's NPI from the order and verify it in NPPES.
    References:
        45 CFR 162.410; X12 005010X222A1 2310A NM109; 42 CFR 424.507 (ordering/referring requirements).
    """
    party = facts.claim.referring_provider
    if party is not None and (bad := _npi_problem(party, ctx)) is not None:
        yield Hit(f"referring provider NPI {bad} fails the NPI check digit", None, "verify the NPI")


@rule("PV004", "facility-npi-invalid")
def facility_npi_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The service facility's NPI (2310C on 837P, 2310E on 837I) fails the NPI check digit.

    What it checks:
        When the service facility location is identified by an NPI, it has ten digits and a valid check digit.
    Why it matters:
        The facility NPI is required when the facility has one; an invalid value is rejected by the payer
        front end.
    Example:
        Facility NPI 1444444440.
    How to fix:
        Use the facility's organisational NPI from NPPES, or leave it out if the location has none.
    References:
        45 CFR 162.410; X12 005010X222A1 2310C NM109; X12 005010X223A2 2310E NM109.
    """
    party = facts.claim.service_facility
    if party is not None and (bad := _npi_problem(party, ctx)) is not None:
        yield Hit(f"service facility NPI {bad} fails the NPI check digit", None, "verify the NPI")


@rule("PV005", "attending-operating-npi-invalid")
def attending_operating_npi_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The attending or operating physician's NPI (837I 2310A / 2310B) fails the NPI check digit.

    What it checks:
        When the attending or operating physician is identified by an NPI, it has ten digits and a valid Luhn
        check digit (prefix 80840).
    Why it matters:
        Medicare returns institutional claims with an invalid attending or operating NPI (RARC N253 for the attending).
    Example:
        Attending NPI 1333333330.
    How to fix:
        Take the physician's NPI from NPPES.
    References:
        45 CFR 162.410; X12 005010X223A2 2310A and 2310B NM109; NUBC UB-04 FL 76-77; RARC N253.
    """
    for role, party in (("attending", facts.claim.attending_provider), ("operating", facts.claim.operating_provider)):
        if party is not None and (bad := _npi_problem(party, ctx)) is not None:
            yield Hit(f"{role} physician NPI {bad} fails the NPI check digit", None, "verify the NPI")


@rule("PV006", "billing-tax-id-invalid")
def billing_tax_id_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The billing provider's tax id (2010AA REF*EI or REF*SY) is missing or not nine digits.

    What it checks:
        The billing provider's taxpayer identification number (EIN or SSN) is present and is exactly nine
        digits, with no hyphen.
    Why it matters:
        The tax id is required in 2010AA; payers report payments under it (IRS 1099) and reject claims
        without a valid one.
    Example:
        Tax id "37-1234567" or "12345".
    How to fix:
        Send the nine digits of the EIN (or SSN for a sole proprietor) without punctuation.
    References:
        X12 005010X222A1 and 005010X223A2, 2010AA REF (Billing Provider Tax Identification, required) with
        qualifier EI or SY.
    """
    tax = facts.claim.billing_provider.tax_id.strip()
    if not tax:
        yield Hit("the billing provider has no tax id (2010AA REF*EI)", None, "enter the EIN")
    elif len(tax) != 9 or not tax.isdigit():
        yield Hit("the billing provider tax id is not nine digits", None, "send the nine digits without hyphen")


@rule("PV007", "billing-address-po-box")
def billing_address_po_box(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The billing provider's address (2010AA N3) is a post office box or lock box.

    What it checks:
        The billing provider's street address lines do not name a P.O. box, lock box or drawer.
    Why it matters:
        In 5010 the billing provider address must be a street address; a P.O. box or lock box goes in the
        pay-to address (2010AB). Claims with a P.O. box in 2010AA are rejected.
    Example:
        2010AA N301 "PO BOX 1234".
    How to fix:
        Put the physical practice address in 2010AA and the P.O. box in the pay-to address loop 2010AB.
    References:
        X12 005010X222A1 and 005010X223A2, 2010AA N301 note ("the billing provider address must be a
        street address; post office box or lock box addresses are to be sent in the pay-to address loop").
    """
    addr = facts.claim.billing_provider.address
    if addr is None:
        return
    for text in (addr.line1, addr.line2):
        if text and PO_BOX.search(text.upper()):
            yield Hit("the billing provider address is a P.O./lock box", None, "use a street address; box in 2010AB")
            return


@rule("PV008", "billing-address-invalid")
def billing_address_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The billing provider's address (2010AA N3/N4) is missing or its ZIP code is not nine digits.

    What it checks:
        2010AA has a street line, a city and a state, and the postal code is a nine-digit ZIP+4 (US addresses).
    Why it matters:
        The 5010 guides require the full nine-digit ZIP for the billing provider; Medicare and most payers
        reject five-digit ZIPs here, and the ZIP sets the pricing locality.
    Example:
        N403 "62701".
    How to fix:
        Add the four-digit ZIP extension (USPS ZIP+4 lookup).
    References:
        X12 005010X222A1 and 005010X223A2, 2010AA N3 and N4 (N403 note: "when reporting the ZIP code for the
        billing provider, the full nine-digit ZIP code must be reported").
    """
    addr = facts.claim.billing_provider.address
    if addr is None or not addr.line1.strip():
        yield Hit("the billing provider has no street address (2010AA N3)", None, "enter the street address")
        return
    if not addr.city.strip() or not addr.state.strip():
        yield Hit("the billing provider address lacks a city or state (2010AA N4)", None, None)
    if addr.country.strip().upper() not in ("", "US", "USA"):
        return
    zip_code = addr.postal_code.strip().replace("-", "")
    if len(zip_code) != 9 or not zip_code.isdigit():
        yield Hit(f"the billing provider ZIP {addr.postal_code!r} is not a nine-digit ZIP+4", None, "add the +4")


@rule("PV009", "billing-taxonomy-invalid")
def billing_taxonomy_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The billing provider's taxonomy (2000A PRV03) is not a NUCC code, or is missing when the payer wants it.

    What it checks:
        When present, the taxonomy has the NUCC shape (ten characters ending in X) and is in the NUCC
        taxonomy code set on the date of service; when the profile sets taxonomy_required (default false)
        it must be present.
    Why it matters:
        Payers that enrol providers by taxonomy (most Medicaid programs, many commercial plans) route and
        price the claim by it; an unknown code is rejected.
    Example:
        PRV03 "207Q0000X" (nine characters).
    How to fix:
        Use the taxonomy the provider registered in NPPES and with the payer.
    References:
        NUCC Health Care Provider Taxonomy code set; X12 005010X222A1 and 005010X223A2, 2000A PRV03
        (billing provider specialty, situational).
    """
    code = facts.claim.billing_provider.taxonomy.strip().upper()
    if not code:
        if ctx.bool_param("taxonomy_required", False):
            yield Hit("the billing provider taxonomy (PRV03) is missing", None, "add the NUCC taxonomy")
        return
    if not _taxonomy_ok(code, facts.first_day, ctx):
        yield Hit(f"billing provider taxonomy {code!r} is not a NUCC taxonomy code", None, "use the NPPES taxonomy")


@rule("PV010", "rendering-taxonomy-invalid")
def rendering_taxonomy_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A rendering provider's taxonomy (2310B/2420A PRV03) is not a NUCC taxonomy code.

    What it checks:
        The claim-level and line-level rendering taxonomies, when present, have the NUCC shape and are in
        the NUCC code set on the date of service.
    Why it matters:
        An unknown taxonomy fails the payer's provider matching and the claim is rejected.
    Example:
        PRV03 "207R0000X".
    How to fix:
        Use the clinician's taxonomy from NPPES.
    References:
        NUCC Health Care Provider Taxonomy code set; X12 005010X222A1 2310B and 2420A PRV03.
    """
    party = facts.claim.rendering_provider
    if party is not None and party.taxonomy.strip():
        code = party.taxonomy.strip().upper()
        if not _taxonomy_ok(code, facts.first_day, ctx):
            yield Hit(f"rendering provider taxonomy {code!r} is not a NUCC code", None, "use the NPPES taxonomy")
    for ln in facts.lines:
        lp = ln.line.rendering_provider
        if lp is not None and lp.taxonomy.strip():
            code = lp.taxonomy.strip().upper()
            if not _taxonomy_ok(code, ln.day, ctx):
                yield Hit(f"line {ln.number}: rendering taxonomy {code!r} is not a NUCC code", ln.number, None)


@rule("PV011", "provider-not-person")
def provider_not_person(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A rendering, referring, attending or operating provider is sent as an organization (NM102 2).

    What it checks:
        These roles are individual clinicians; their NM102 entity type must be 1 (person).
    Why it matters:
        The guides allow only "1" in these loops; payers reject group NPIs here (RARC N290 for rendering).
    Example:
        Rendering provider "ACME CLINIC", entity 2, with the group NPI.
    How to fix:
        Report the individual clinician's name and NPI; the group belongs in the billing provider loop.
    References:
        X12 005010X222A1 2310A/2310B/2420A NM102; X12 005010X223A2 2310A/2310B/2310F NM102 (code 1 only).
    """
    claim = facts.claim
    roles = (
        ("rendering", claim.rendering_provider),
        ("referring", claim.referring_provider),
        ("attending", claim.attending_provider),
        ("operating", claim.operating_provider),
    )
    for role, party in roles:
        if party is not None and party.entity.strip() != "1":
            yield Hit(f"the {role} provider is not a person (entity {party.entity!r})", None, "report the clinician")
    for ln in facts.lines:
        lp = ln.line.rendering_provider
        if lp is not None and lp.entity.strip() != "1":
            yield Hit(f"line {ln.number}: the rendering provider is not a person", ln.number, "report the clinician")


@rule("PV012", "billing-name-missing")
def billing_name_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The billing provider's name (2010AA NM103) is missing.

    What it checks:
        The billing provider has an organization name or, for an individual, a last name.
    Why it matters:
        NM103 is required in 2010AA; claims without it fail front-end edits.
    Example:
        Billing provider with NPI but an empty name.
    How to fix:
        Report the legal name registered with the NPI.
    References:
        X12 005010X222A1 and 005010X223A2, 2010AA NM103 (required).
    """
    if not facts.claim.billing_provider.last_or_org.strip():
        yield Hit("the billing provider name (2010AA NM103) is missing", None, "enter the NPPES legal name")


@rule("PV013", "billing-entity-invalid", severity=Severity.ERROR, kinds="I")
def billing_entity_invalid(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The 837I billing provider is sent as a person (NM102 1).

    What it checks:
        On an institutional claim the billing provider's entity type is 2 (organization).
    Why it matters:
        The 837I 2010AA NM102 allows only "2": institutions bill as organizations; anything else fails 999
        validation.
    Example:
        837I billing provider with entity 1.
    How to fix:
        Report the facility's organizational name and NPI.
    References:
        X12 005010X223A2 2010AA NM102 (code 2 only).
    """
    if facts.claim.billing_provider.entity.strip() != "2":
        yield Hit("the 837I billing provider is not an organization (NM102 must be 2)", None, None)
