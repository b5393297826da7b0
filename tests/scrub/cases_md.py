"""Cases for the MD (modifier) rules: one change from a clean claim each."""

from __future__ import annotations

from scrubkit import Case, flag, line, ok, professional, with_lines

from medbill.billing.claim import Claim

P = professional()


def pl(code: str, *mods: str, units: str = "1", charge: str = "100.00") -> Claim:
    return with_lines(P, line(1, "99213", "125.00"), line(2, code, charge, mods=mods, units=units))


CASES: list[Case] = [
    flag("MD001", pl("73560", "RT1"), "three-character modifier"),
    ok("MD001", pl("73560", "RT"), "two-character modifier"),
    flag("MD002", pl("36415", "ZZ"), "not a modifier"),
    ok("MD002", pl("A0425", "RH"), "ambulance origin/destination pair"),
    ok("MD002", pl("36415", "Q6"), "HCPCS modifier"),
    flag("MD003", pl("73560", "RT", "RT"), "RT twice"),
    ok("MD003", pl("73560", "RT", "GA"), "distinct modifiers"),
    flag("MD004", pl("20610", "59", "RT", "GA", "KX", "Q6"), "five modifiers"),
    ok("MD004", pl("20610", "59", "RT", "GA", "KX"), "four modifiers"),
    flag("MD005", pl("27447", "50", "RT"), "50 with RT"),
    ok("MD005", pl("27447", "50"), "50 alone"),
    flag("MD006", pl("73560", "LT", "RT", units="2"), "LT and RT on one line"),
    ok("MD006", pl("73560", "LT"), "one side"),
    flag("MD007", pl("10060", "50"), "50 on bilateral indicator 0"),
    flag("MD007", pl("77067", "50"), "50 on bilateral indicator 2"),
    ok("MD007", pl("27447", "50"), "50 on bilateral indicator 1"),
    flag("MD008", pl("73560", "50"), "50 on bilateral indicator 3"),
    ok("MD008", pl("73560", "RT"), "RT on bilateral indicator 3"),
    flag("MD009", pl("27447", "50", units="2"), "50 with 2 units"),
    ok("MD009", pl("27447", "50"), "50 with 1 unit"),
    flag("MD010", pl("71046", "26", "TC"), "26 and TC together"),
    ok("MD010", pl("71046", "26"), "26 alone"),
    flag("MD011", pl("93010", "26"), "26 on PC-only code (pctc 2)"),
    flag("MD011", pl("99211", "26"), "26 on physician service (pctc 0)"),
    ok("MD011", pl("71046", "26"), "26 on pctc 1"),
    flag("MD012", pl("93005", "TC"), "TC on technical-only code (pctc 3)"),
    flag("MD012", pl("93000", "TC"), "TC on global-test-only code (pctc 4)"),
    ok("MD012", pl("71046", "TC"), "TC on pctc 1"),
    flag("MD013", pl("10060", "80"), "assistant on indicator 1"),
    ok("MD013", pl("27447", "80"), "assistant on indicator 2"),
    flag("MD014", pl("10060", "62"), "62 on co-surgeon indicator 0"),
    ok("MD014", pl("27447", "62"), "62 on co-surgeon indicator 1"),
    flag("MD015", pl("27447", "66"), "66 on team indicator 0"),
    ok("MD015", pl("33361", "66"), "66 on team indicator 1"),
    flag("MD016", pl("11045", "51"), "51 on add-on code"),
    ok("MD016", pl("11042", "51"), "51 on a primary procedure"),
    flag("MD017", with_lines(P, line(1, "99213", "125.00", mods=("51",))), "51 on E/M"),
    ok("MD017", pl("20610", "51"), "51 on procedure"),
    flag("MD018", pl("36415", "25"), "25 on non-E/M"),
    flag("MD018", pl("20610", "57"), "57 on procedure"),
    ok("MD018", with_lines(P, line(1, "99213", "125.00", mods=("25",)), line(2, "20610", "100.00")), "25 on E/M"),
    ok("MD018", pl("92012", "25"), "25 on eye visit code"),
    flag("MD019", pl("20610", "59", "XS"), "59 with XS"),
    ok("MD019", pl("20610", "XS"), "XS alone"),
    flag("MD020", pl("20610", "GA", "GZ"), "GA with GZ"),
    ok("MD020", pl("20610", "GA"), "GA alone"),
    flag("MD021", pl("20610", "GY", "GA"), "GY with GA"),
    ok("MD021", pl("20610", "GY", "GX"), "GY with GX"),
    flag("MD022", pl("71046", "GA", "26"), "pricing after informational"),
    ok("MD022", pl("71046", "26", "GA"), "pricing first"),
    ok("MD022", pl("00840", "AA", "P2", units="45", charge="900.00"), "anesthesia payment modifier then status"),
    ok("MD022", pl("00840", "QK", "QS", "P2", units="45", charge="900.00"), "QK, QS, then physical status"),
    flag("MD022", pl("00840", "QS", "QZ", units="45", charge="900.00"), "anesthesia payment modifier after QS"),
    flag("MD023", pl("26055", "F5", "LT"), "right thumb with LT"),
    flag("MD023", pl("67800", "E1", "RT"), "left eyelid with RT"),
    ok("MD023", pl("26055", "F5", "RT"), "right thumb with RT"),
    flag("MD024", pl("92928", "LD", "RC"), "two vessels on one line"),
    ok("MD024", pl("92928", "LD"), "one vessel"),
    flag("MD025", pl("36415", "P2"), "physical status on non-anesthesia code"),
    ok("MD025", pl("00840", "P2", units="45", charge="900.00"), "physical status on anesthesia code"),
]
