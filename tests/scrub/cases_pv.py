"""Cases for the PV rules (providers: NPI, taxonomy, tax id, billing address)."""

from __future__ import annotations

from dataclasses import replace

from scrubkit import (
    BILLING,
    NPI_FACILITY,
    OFFICE,
    REFERRING,
    RENDERING,
    Case,
    flag,
    institutional,
    line,
    ok,
    professional,
    with_lines,
)

from medbill.billing.claim import Address, Party

P = professional()
I = institutional()  # noqa: E741
FACILITY = Party(
    "2",
    "SPRINGFIELD GENERAL HOSPITAL",
    id_qualifier="XX",
    id=NPI_FACILITY,
    address=Address("800 HOSPITAL DR", "", "SPRINGFIELD", "IL", "627029999"),
)
OPERATING = Party("1", "CUTTER", "SAM", id_qualifier="XX", id="1333333338")


def billing(**changes: object) -> Party:
    return replace(BILLING, **changes)  # type: ignore[arg-type]


CASES: list[Case] = [
    flag("PV001", professional(billing_provider=billing(id="1234567890")), "billing NPI check digit wrong"),
    flag("PV001", professional(billing_provider=billing(id="")), "billing NPI missing"),
    flag("PV001", professional(billing_provider=billing(id="123456789")), "nine-digit NPI"),
    ok("PV001", professional(billing_provider=billing(id="1555555550")), "another valid NPI"),
    flag("PV002", professional(rendering_provider=replace(RENDERING, id="1987654321")), "claim rendering NPI wrong"),
    flag(
        "PV002",
        with_lines(P, line(1, "99213", "125.00", rendering_provider=replace(RENDERING, id="1987654321"))),
        "line rendering NPI wrong",
    ),
    ok("PV002", with_lines(P, line(1, "99213", "125.00", rendering_provider=RENDERING)), "valid line rendering NPI"),
    flag("PV003", professional(referring_provider=replace(REFERRING, id="1555555551")), "referring NPI wrong"),
    ok("PV003", professional(referring_provider=REFERRING), "valid referring NPI"),
    flag(
        "PV004",
        professional(facility_code="22", service_facility=replace(FACILITY, id="1444444440")),
        "facility NPI wrong",
    ),
    ok("PV004", professional(facility_code="22", service_facility=FACILITY), "valid facility NPI"),
    flag(
        "PV005",
        institutional(attending_provider=replace(OPERATING, last_or_org="WELBY", first="MARCUS", id="1333333330")),
        "attending NPI wrong",
    ),
    flag("PV005", institutional(operating_provider=replace(OPERATING, id="1333333331")), "operating NPI wrong"),
    ok("PV005", institutional(operating_provider=OPERATING), "valid operating NPI"),
    flag("PV006", professional(billing_provider=billing(tax_id="")), "no tax id"),
    flag("PV006", professional(billing_provider=billing(tax_id="37-1234567")), "tax id with hyphen"),
    ok("PV006", professional(billing_provider=billing(tax_id="123456789")), "nine-digit SSN-shaped tax id"),
    flag("PV007", professional(billing_provider=billing(address=replace(OFFICE, line1="PO BOX 1234"))), "PO BOX"),
    flag("PV007", professional(billing_provider=billing(address=replace(OFFICE, line1="P.O. Box 77"))), "P.O. Box"),
    ok(
        "PV007",
        professional(billing_provider=billing(address=replace(OFFICE, line1="1 BOXWOOD LN"))),
        "street named Boxwood",
    ),
    flag("PV008", professional(billing_provider=billing(address=replace(OFFICE, postal_code="62701"))), "5-digit ZIP"),
    flag("PV008", professional(billing_provider=billing(address=None)), "no billing address"),
    ok(
        "PV008",
        professional(billing_provider=billing(address=replace(OFFICE, postal_code="62701-1234"))),
        "ZIP+4 written with a hyphen",
    ),
    flag("PV009", professional(billing_provider=billing(taxonomy="207Q0000X")), "nine-character taxonomy"),
    flag(
        "PV009",
        professional(billing_provider=billing(taxonomy="")),
        "taxonomy required by the payer",
        params={"taxonomy_required": True},
    ),
    ok("PV009", professional(billing_provider=billing(taxonomy="")), "taxonomy optional by default"),
    ok("PV009", professional(billing_provider=billing(taxonomy="193200000X")), "multi-specialty group"),
    flag("PV010", professional(rendering_provider=replace(RENDERING, taxonomy="207R0000XX")), "bad rendering taxonomy"),
    flag(
        "PV010",
        with_lines(P, line(1, "99213", "125.00", rendering_provider=replace(RENDERING, taxonomy="999999999X"))),
        "line taxonomy not in NUCC",
    ),
    ok("PV010", professional(rendering_provider=replace(RENDERING, taxonomy="207RC0000X")), "cardiology taxonomy"),
    flag("PV011", professional(rendering_provider=replace(BILLING, taxonomy="")), "group as rendering provider"),
    flag(
        "PV011",
        with_lines(P, line(1, "99213", "125.00", rendering_provider=replace(RENDERING, entity="2"))),
        "line rendering as organization",
    ),
    ok("PV011", professional(referring_provider=REFERRING), "person referring provider"),
    flag("PV012", professional(billing_provider=billing(last_or_org="")), "billing name missing"),
    ok(
        "PV012",
        professional(
            billing_provider=Party(
                "1", "SMITH", "ALAN", id_qualifier="XX", id="1987654328", address=OFFICE, tax_id="123456789"
            )
        ),
        "solo physician billing",
    ),
    flag("PV013", institutional(billing_provider=replace(I.billing_provider, entity="1")), "837I billing as person"),
    ok(
        "PV013",
        institutional(billing_provider=replace(I.billing_provider, last_or_org="ACME MEDICAL CENTER")),
        "organization billing",
    ),
]
