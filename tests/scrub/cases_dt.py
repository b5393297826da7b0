"""Cases for the DT rules (dates of service, birth, coverage, filing limits)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from scrubkit import DOS, Case, flag, institutional, line, ok, professional, with_lines, with_person

from medbill.scrub import ClaimExtras
from medbill.scrub.facts import Coverage

P = professional()
I = institutional()  # noqa: E741
OUT = institutional(facility_code="11", dates={"434": (DOS, date(2024, 8, 17)), "435": (DOS, None)})

CASES: list[Case] = [
    flag("DT001", with_lines(P, line(1, "99213", "125.00", day=None)), "line without any date, no claim date"),  # type: ignore[arg-type]
    ok(
        "DT001",
        replace(with_lines(P, line(1, "99213", "125.00", day=None)), dates={"472": (DOS, None)}),  # type: ignore[arg-type]
        "claim-level service date stands in",
    ),
    flag("DT002", with_lines(P, line(1, "99213", "125.00", day=date(2024, 9, 10))), "service a week after today"),
    flag("DT002", with_lines(P, line(1, "99213", "125.00", to=date(2024, 9, 4))), "span ending tomorrow"),
    ok("DT002", with_lines(P, line(1, "99213", "125.00", day=date(2024, 9, 3))), "service today"),
    flag("DT003", with_person(P, birth=date(2024, 8, 20)), "born after the service"),
    ok("DT003", with_person(P, birth=DOS), "born on the day of service (newborn visit)"),
    flag("DT004", with_lines(P, line(1, "99213", "125.00", to=date(2024, 8, 12))), "line to before from"),
    flag("DT004", institutional(dates={"434": (DOS, date(2024, 8, 10))}), "statement through before from"),
    ok("DT004", with_lines(P, line(1, "97110", "60.00", day=date(2024, 8, 12), to=DOS)), "two-day span"),
    flag(
        "DT005",
        P,
        "coverage ended before the service",
        extras=ClaimExtras(coverage=Coverage(date(2020, 1, 1), date(2024, 7, 31))),
    ),
    flag("DT005", P, "coverage starts after the service", extras=ClaimExtras(coverage=Coverage(date(2024, 9, 1)))),
    ok("DT005", P, "coverage ends on the day of service", extras=ClaimExtras(coverage=Coverage(date(2024, 1, 1), DOS))),
    ok("DT005", P, "coverage unknown", extras=ClaimExtras(coverage=Coverage())),
    flag("DT006", P, "commercial 90 days exceeded", extras=ClaimExtras(submitted_on=date(2024, 11, 13))),
    flag("DT006", P, "Medicare one year exceeded", profile="medicare", today=date(2025, 8, 20)),
    ok("DT006", P, "commercial last day of the limit", extras=ClaimExtras(submitted_on=date(2024, 11, 12))),
    ok("DT006", P, "Medicare within the year", profile="medicare", today=date(2025, 8, 1)),
    ok(
        "DT006",
        with_lines(P, line(1, "99213", "125.00", day=date(2024, 1, 15))),
        "Medicare: filed on the anniversary, 366 days after a leap-year service",
        profile="medicare",
        today=date(2025, 1, 15),
    ),
    flag(
        "DT006",
        with_lines(P, line(1, "99213", "125.00", day=date(2024, 1, 15))),
        "Medicare: the day after the anniversary",
        profile="medicare",
        today=date(2025, 1, 16),
    ),
    flag(
        "DT006",
        with_lines(P, line(1, "99213", "125.00", day=date(2024, 5, 1)), line(2, "99213", "125.00")),
        "837P: the earliest line's from date starts the limit (CMS §70.1)",
        extras=ClaimExtras(submitted_on=date(2024, 9, 1)),
    ),
    flag(
        "DT006",
        with_lines(P, line(1, "97110", "120.00", day=date(2024, 5, 1), to=DOS)),
        "837P line span: measured from its from date",
        extras=ClaimExtras(submitted_on=date(2024, 9, 1)),
    ),
    ok(
        "DT006",
        OUT,
        "837I: measured from the statement through date",
        extras=ClaimExtras(submitted_on=date(2024, 11, 14)),
    ),
    flag("DT007", P, "11 days left on the commercial limit", extras=ClaimExtras(submitted_on=date(2024, 11, 1))),
    flag("DT007", P, "warning window set by profile", params={"timely_filing_days": 30}),
    ok("DT007", P, "20 days left, warning at 15", extras=ClaimExtras(submitted_on=date(2024, 10, 23))),
    ok("DT007", P, "past the limit is DT006, not a warning", extras=ClaimExtras(submitted_on=date(2024, 12, 1))),
    flag("DT008", with_person(P, birth=date(1899, 8, 14)), "125 on the day of service"),
    ok("DT008", with_person(P, birth=date(1899, 8, 15)), "124, the oldest valid age"),
    flag("DT009", professional(related_causes=("OA",), dates={"439": (date(2024, 8, 20), None)}), "accident after DOS"),
    flag("DT009", professional(dates={"431": (date(2024, 8, 15), None)}), "onset the day after"),
    ok("DT009", professional(dates={"431": (DOS, None)}), "onset the same day"),
    flag(
        "DT010",
        institutional(facility_code="11", dates={"434": (date(2024, 8, 10), date(2024, 8, 12)), "435": (DOS, None)}),
        "through before admission",
    ),
    flag(
        "DT010",
        institutional(
            facility_code="11",
            dates={"434": (DOS, date(2024, 8, 17)), "435": (DOS, None), "096": (date(2024, 8, 13), None)},
        ),
        "discharge before admission",
    ),
    ok("DT010", OUT, "through after admission"),
    flag(
        "DT011",
        with_lines(P, line(1, "99213", "125.00", day=date(2015, 9, 30))),
        "day before ICD-10",
        today=date(2015, 10, 20),
    ),
    ok(
        "DT011",
        with_lines(P, line(1, "99213", "125.00", day=date(2015, 10, 1))),
        "ICD-10 go-live day",
        today=date(2015, 10, 20),
    ),
    flag(
        "DT012",
        with_lines(I, line(1, "99284", "850.00", ptr=(), revenue_code="0450", day=date(2024, 8, 16))),
        "line after the statement period",
    ),
    ok(
        "DT012",
        with_lines(OUT, line(1, "99284", "850.00", ptr=(), revenue_code="0450", day=date(2024, 8, 16))),
        "line inside a multi-day statement period",
    ),
]
