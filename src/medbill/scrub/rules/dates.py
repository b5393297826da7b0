"""DT rules: dates of service against today, birth, coverage, the ICD-10 transition and timely filing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from medbill.issues import Severity
from medbill.scrub.context import ScrubContext
from medbill.scrub.facts import ClaimFacts
from medbill.scrub.registry import Hit, rule

ICD10_START = date(2015, 10, 1)
MAX_AGE = 124
EVENT_DATES = {"431": "onset of illness (DTP*431)", "439": "accident (DTP*439)"}


def _add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 1 March: the later, lenient reading)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def filing_start(facts: ClaimFacts) -> date | None:
    """The date the filing limit runs from (CMS Pub. 100-04 Ch. 1 §70.1): on an 837I with a statement period its
    "through" date; on an 837P each line's "from" date, so the claim's earliest line date (its first late line)."""
    if facts.kind == "I":
        stmt = facts.claim.dates.get("434")
        if stmt is not None and (stmt[1] or stmt[0]) is not None:
            return stmt[1] or stmt[0]
        return facts.last_day
    days = [ln.day for ln in facts.lines if ln.day is not None]
    return min(days) if days else facts.first_day


def _deadline(facts: ClaimFacts, ctx: ScrubContext) -> tuple[date, date, int] | None:
    start = filing_start(facts)
    if start is None:
        return None
    days = ctx.int_param("timely_filing_days", 365)
    sent = facts.extras.submitted_on or ctx.today
    if days > 0 and days % 365 == 0:  # "365 days" is a year: one calendar year (42 CFR 424.44), leap days too
        return sent, _add_years(start, days // 365), days
    return sent, start + timedelta(days=days), days


@rule("DT001", "service-date-missing")
def service_date_missing(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The claim has no date of service at all.

    What it checks:
        At least one line date (2400 DTP*472) or a claim-level service/statement date (2300 DTP*472/434)
        is present.
    Why it matters:
        Every code set, fee schedule and edit is chosen by the date of service; the line date is required on
        837P lines and the statement period on 837I claims, so the claim is rejected without one.
    Example:
        A claim whose lines and header carry no dates.
    How to fix:
        Report the date each service was furnished.
    References:
        X12 005010X222A1 2400 DTP*472 (required); X12 005010X223A2 2300 DTP*434 (required).
    """
    if facts.first_day is None:
        yield Hit("the claim has no date of service", None, "report the service dates")


@rule("DT002", "service-date-future")
def service_date_future(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A date of service is after today.

    What it checks:
        No line's from/to date (nor the claim's last date of service) is later than the scrub date.
    Why it matters:
        Services cannot be billed before they are furnished; payers reject future dates (front-end
        rejection, or CARC 16 in adjudication).
    Example:
        Line date 2024-09-10 scrubbed on 2024-09-03.
    How to fix:
        Correct the date or hold the claim until the service has been furnished.
    References:
        42 CFR 424.32 (claims are for services furnished); X12 005010X222A1 2400 DTP*472; X12 005010X223A2
        2300 DTP*434.
    """
    today = ctx.today
    if facts.last_day is None or facts.last_day <= today:
        return
    for ln in facts.lines:
        end = ln.last_day or ln.day
        if end is not None and end > today:
            yield Hit(f"line {ln.number}: date of service {end} is in the future", ln.number, "correct the date")
    if not facts.lines:
        yield Hit(f"date of service {facts.last_day} is in the future", None, "correct the date")


@rule("DT003", "service-before-birth")
def service_before_birth(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A date of service is before the patient's birth date.

    What it checks:
        The first date of service is not earlier than the patient's birth date (DMG02).
    Why it matters:
        Impossible data: payers reject it, and it usually means the wrong patient or a typo in one of the
        dates.
    Example:
        Service 2024-08-14 for a patient born 2024-09-01.
    How to fix:
        Check the birth date against registration and the service date against the encounter.
    References:
        X12 005010X222A1 and 005010X223A2, 2010BA/2010CA DMG02 and 2400 DTP*472; CMS MCE age edits.
    """
    birth, first = facts.birth_date, facts.first_day
    if birth is not None and first is not None and first < birth:
        yield Hit(f"date of service {first} is before the patient's birth date", None, "check both dates")


@rule("DT004", "date-range-reversed")
def date_range_reversed(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A date span ends before it begins (claim or line).

    What it checks:
        For every line, the to date (RD8 second date) is not before the from date; for every claim-level
        DTP span (statement period 434, service 472, disability 360 …) likewise.
    Why it matters:
        A reversed range is invalid data; front-end edits reject it.
    Example:
        Line from 2024-08-14 to 2024-08-12.
    How to fix:
        Swap or correct the dates.
    References:
        X12 005010X222A1 and 005010X223A2, DTP03 with format RD8 (CCYYMMDD-CCYYMMDD, from not after to).
    """
    for qualifier, (start, end) in facts.claim.dates.items():
        if start is not None and end is not None and end < start:
            yield Hit(f"claim date span DTP*{qualifier} ends ({end}) before it starts ({start})", None, None)
    for ln in facts.lines:
        start, end = ln.line.service_date_from, ln.line.service_date_to
        if start is not None and end is not None and end < start:
            yield Hit(f"line {ln.number}: to date {end} is before from date {start}", ln.number, "correct the dates")


@rule("DT005", "outside-coverage")
def outside_coverage(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A date of service falls outside the patient's coverage with the payer.

    What it checks:
        When the practice recorded the coverage dates (extras.coverage), every line's date of service is on
        or after the effective date and on or before the termination date. Unknown coverage passes.
    Why it matters:
        Services before coverage starts or after it ends are denied (CARC 26, expenses incurred prior to
        coverage; CARC 27, after coverage terminated).
    Example:
        Coverage terminated 2024-07-31, service 2024-08-14.
    How to fix:
        Verify eligibility (270/271) for the date and bill the payer that covered the patient then.
    References:
        CARC 26 and 27; X12 005010X279A1 (eligibility) EB and DTP*291 plan dates.
    """
    cov = facts.extras.coverage
    if cov is None or (cov.effective is None and cov.termination is None):
        return
    for ln in facts.lines:
        start, end = ln.day, ln.last_day or ln.day
        if start is None:
            continue
        if cov.effective is not None and start < cov.effective:
            yield Hit(f"line {ln.number}: service {start} is before coverage starts", ln.number, "bill the right payer")
        elif cov.termination is not None and end is not None and end > cov.termination:
            yield Hit(f"line {ln.number}: service {end} is after coverage ended", ln.number, "bill the right payer")


@rule("DT006", "timely-filing-exceeded")
def timely_filing_exceeded(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The claim is submitted after the payer's timely filing limit.

    What it checks:
        The submission date (extras.submitted_on, or today) is later than the date of service plus the profile's
        timely_filing_days (default 365; a multiple of 365 is read as whole calendar years, so 365 means "one
        calendar year after the date of service", leap years included). The date of service is, as in CMS Pub.
        100-04 Ch. 1 §70.1, the statement "through" date on an 837I and each line's "from" date on an 837P (the
        earliest line decides). A replacement or void is measured the same way.
    Why it matters:
        Claims filed late are denied and cannot be billed to the patient for most contracts (CARC 29, the
        time limit for filing has expired).
    Example:
        Service 2024-08-14, submitted 2024-12-01, commercial limit 90 days.
    How to fix:
        Submit immediately with proof of timely filing (earlier 277CA or clearinghouse report) if it exists;
        otherwise the charge is usually a write-off.
    References:
        42 CFR 424.44(a)(1) (Medicare: no more than 12 months, or 1 calendar year, after the date of service);
        CMS IOM 100-04 Chapter 1 Sections 70 and 70.1 (span dates: institutional "through" date, professional
        line "from" date); CARC 29.
    """
    limit = _deadline(facts, ctx)
    if limit is None:
        return
    sent, deadline, days = limit
    if sent > deadline:
        yield Hit(
            f"submitted {(sent - deadline).days} days after the {days}-day filing limit ({deadline})",
            None,
            "send proof of timely filing if the claim was filed earlier",
        )


@rule("DT007", "timely-filing-near", severity=Severity.WARNING)
def timely_filing_near(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The claim is close to the payer's timely filing limit.

    What it checks:
        The submission date is within timely_filing_warning_days (default 30) of the filing limit (the date of
        service plus timely_filing_days, default 365, measured as DT006 does) but not past it.
    Why it matters:
        A rejection now leaves no time to correct and resubmit before the limit (CARC 29).
    Example:
        Service 2024-08-14, commercial limit 90 days (2024-11-12), submitted 2024-11-01.
    How to fix:
        Work this claim first and keep the acceptance report as proof of timely filing.
    References:
        42 CFR 424.44; CMS IOM 100-04 Chapter 1 Section 70; CARC 29.
    """
    limit = _deadline(facts, ctx)
    if limit is None:
        return
    sent, deadline, _ = limit
    warn = ctx.int_param("timely_filing_warning_days", 30)
    if deadline - timedelta(days=warn) <= sent <= deadline:
        yield Hit(f"{(deadline - sent).days} days left before the filing limit ({deadline})", None, "send it now")


@rule("DT008", "age-implausible")
def age_implausible(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The patient would be older than 124 on the date of service.

    What it checks:
        Age in whole years on the first date of service is at most 124.
    Why it matters:
        The Medicare Code Editor treats ages above 124 as invalid (age conflict); it almost always means a
        mistyped birth year.
    Example:
        Birth year 1898 on a 2024 service.
    How to fix:
        Correct the birth date from registration.
    References:
        CMS Medicare Code Editor (MCE) documentation, age edit (valid ages 0-124); X12 DMG02.
    """
    if facts.age is not None and facts.age > MAX_AGE:
        # the age itself is not quoted: ages over 89 are an identifier under HIPAA (45 CFR 164.514(b)(2)(i)(C))
        yield Hit(f"the patient would be older than {MAX_AGE} on the date of service", None, "check the birth date")


@rule("DT009", "event-after-service")
def event_after_service(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The onset (DTP*431) or accident (DTP*439) date is after the services it caused.

    What it checks:
        Onset of current illness and accident dates are not later than the last date of service.
    Why it matters:
        An illness or accident cannot start after it was treated; payers reject or pend the claim for
        accident investigation.
    Example:
        Accident 2024-08-20 for services on 2024-08-14.
    How to fix:
        Correct the onset/accident date.
    References:
        X12 005010X222A1 2300 DTP*431 and DTP*439; CMS-1500 items 14 and 10.
    """
    last = facts.last_day
    if last is None:
        return
    for qualifier, label in EVENT_DATES.items():
        span = facts.claim.dates.get(qualifier)
        if span is not None and span[0] is not None and span[0] > last:
            yield Hit(f"{label} {span[0]} is after the last date of service {last}", None, "correct the date")


@rule("DT010", "discharge-before-admission", kinds="I")
def discharge_before_admission(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """The 837I statement through date or discharge date is before the admission date.

    What it checks:
        When the admission date (DTP*435) is given, the statement through date (DTP*434) and the discharge
        date (DTP*096) are not earlier than it.
    Why it matters:
        Days and PPS payment are computed from these dates; reversed dates are returned (Medicare RTP) or
        rejected.
    Example:
        Admitted 2024-08-14, statement through 2024-08-12.
    How to fix:
        Correct the admission, discharge or statement dates.
    References:
        X12 005010X223A2 2300 DTP*434, DTP*435 and DTP*096; NUBC UB-04 FL 06 and FL 12.
    """
    dates = facts.claim.dates
    adm = dates.get("435")
    if adm is None or adm[0] is None:
        return
    admitted = adm[0]
    stmt = dates.get("434")
    if stmt is not None:
        through = stmt[1] or stmt[0]
        if through is not None and through < admitted:
            yield Hit(f"statement through {through} is before the admission date {admitted}", None, None)
    dis = dates.get("096")
    if dis is not None and dis[0] is not None and dis[0] < admitted:
        yield Hit(f"discharge date {dis[0]} is before the admission date {admitted}", None, None)


@rule("DT011", "before-icd10", until=ICD10_START - timedelta(days=1))
def before_icd10(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """A date of service before 2015-10-01, when ICD-10-CM was not yet in use.

    What it checks:
        The first date of service is on or after 2015-10-01 (the ICD-10 compliance date); this program codes
        only ICD-10-CM.
    Why it matters:
        Claims for services before the compliance date must use ICD-9-CM codes (qualifiers BK/BF); ICD-10
        codes on them are rejected.
    Example:
        A 2015-09-30 service coded with ICD-10-CM.
    How to fix:
        Code the claim with ICD-9-CM (outside this program) or correct the date.
    References:
        45 CFR 162.1002(c) (ICD-10-CM for services on or after 2015-10-01); HHS final rule 79 FR 45128 (2014).
    """
    first = facts.first_day
    if first is not None and first < ICD10_START:
        yield Hit(f"date of service {first} is before ICD-10 (2015-10-01); use ICD-9-CM", None, None)


@rule("DT012", "line-outside-statement", kinds="I")
def line_outside_statement(facts: ClaimFacts, ctx: ScrubContext) -> Iterator[Hit]:
    """An 837I line date falls outside the statement covers period.

    What it checks:
        Every line's service date (2400 DTP*472) is within the statement from and through dates (DTP*434).
    Why it matters:
        Lines must belong to the billing period; payers return or reject lines dated outside it (CARC 16).
    Example:
        Statement 2024-08-14 to 2024-08-14 and a line dated 2024-08-16.
    How to fix:
        Move the line to the claim for its period, or widen the statement period if it was wrong.
    References:
        X12 005010X223A2 2300 DTP*434 and 2400 DTP*472; NUBC UB-04 FL 06 and FL 45.
    """
    stmt = facts.claim.dates.get("434")
    if stmt is None or stmt[0] is None:
        return
    start, end = stmt[0], stmt[1] or stmt[0]
    for ln in facts.lines:
        frm = ln.line.service_date_from
        if frm is None:
            continue
        to = ln.line.service_date_to or frm
        if frm < start or to > end:
            yield Hit(f"line {ln.number}: date {frm} is outside the statement period {start} to {end}", ln.number, None)
