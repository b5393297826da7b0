"""Write medbill's TR3 schemas for 270/271 (005010X279A1) and 276 (005010X212), which pyx12 has no map for.

The facts (loops, segment order, usage, repeats, element positions, code lists) are those of the public
implementation guides as stated in stupidedi's 005010 definitions (BSD-3 licence); they are written here as
medbill's own compact tables. No stupidedi code is used or copied. Output: src/medbill/x12/schemas/{270,271,276}.json.gz
in the form read by medbill.x12.schema.load_schema.

Table notation, per segment: ``S(id, name, usage, max, uses, codes)`` where ``uses`` is one usage letter (R/S/N)
per element position up to the last used one, and ``codes`` maps a position (``3``) or composite component
(``"2-1"``) to a space-separated code list, or ``"@name"`` for one of medbill's external lists. A composite's
components take their usage letters from ``comp={pos: "RRSS..."}``; ``rep={pos: n}`` gives repeats (None: >1).

Usage: python scripts/x12_schemas_eligibility.py
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "src" / "medbill" / "x12" / "schemas"
SOURCE = (
    "facts from stupidedi 005010 implementation definitions {file} (BSD-3), "
    "written by scripts/x12_schemas_eligibility.py"
)

# X12 005010 element dictionary: number -> (type, min, max, name).
ELEMENTS: dict[str, tuple[str, int, int, str]] = {
    "19": ("AN", 2, 30, "City Name"),
    "26": ("ID", 2, 3, "Country Code"),
    "66": ("ID", 1, 2, "Identification Code Qualifier"),
    "67": ("AN", 2, 80, "Identification Code"),
    "93": ("AN", 1, 60, "Name"),
    "96": ("N0", 1, 10, "Number of Included Segments"),
    "98": ("ID", 2, 3, "Entity Identifier Code"),
    "116": ("ID", 3, 15, "Postal Code"),
    "127": ("AN", 1, 50, "Reference Identification"),
    "128": ("ID", 2, 3, "Reference Identification Qualifier"),
    "143": ("ID", 3, 3, "Transaction Set Identifier Code"),
    "156": ("ID", 2, 2, "State or Province Code"),
    "166": ("AN", 1, 55, "Address Information"),
    "234": ("AN", 1, 48, "Product/Service ID"),
    "235": ("ID", 2, 2, "Product/Service ID Qualifier"),
    "309": ("ID", 1, 2, "Location Qualifier"),
    "310": ("AN", 1, 30, "Location Identifier"),
    "329": ("AN", 4, 9, "Transaction Set Control Number"),
    "337": ("TM", 4, 8, "Time"),
    "352": ("AN", 1, 80, "Description"),
    "353": ("ID", 2, 2, "Transaction Set Purpose Code"),
    "355": ("ID", 2, 2, "Unit or Basis for Measurement Code"),
    "364": ("AN", 1, 256, "Communication Number"),
    "365": ("ID", 2, 2, "Communication Number Qualifier"),
    "366": ("ID", 2, 2, "Contact Function Code"),
    "373": ("DT", 8, 8, "Date"),
    "374": ("ID", 3, 3, "Date/Time Qualifier"),
    "380": ("R", 1, 15, "Quantity"),
    "443": ("AN", 1, 20, "Contact Inquiry Reference"),
    "447": ("AN", 1, 4, "Loop Identifier Code"),
    "478": ("ID", 1, 1, "Credit/Debit Flag Code"),
    "481": ("ID", 1, 2, "Trace Type Code"),
    "509": ("AN", 10, 10, "Originating Company Identifier"),
    "522": ("ID", 1, 3, "Amount Qualifier Code"),
    "559": ("ID", 2, 2, "Agency Qualifier Code"),
    "584": ("ID", 2, 2, "Employment Status Code"),
    "615": ("ID", 1, 2, "Time Period Qualifier"),
    "616": ("N0", 1, 3, "Number of Periods"),
    "628": ("AN", 1, 12, "Hierarchical ID Number"),
    "640": ("ID", 2, 2, "Transaction Type Code"),
    "659": ("ID", 1, 2, "Basis of Verification Code"),
    "673": ("ID", 2, 2, "Quantity Qualifier"),
    "678": ("ID", 1, 2, "Ship/Delivery or Calendar Pattern Code"),
    "679": ("ID", 1, 1, "Ship/Delivery Pattern Time Code"),
    "706": ("ID", 2, 2, "Entity Relationship Code"),
    "752": ("ID", 2, 2, "Surface/Layer/Position Code"),
    "734": ("AN", 1, 12, "Hierarchical Parent ID Number"),
    "735": ("ID", 1, 2, "Hierarchical Level Code"),
    "736": ("ID", 1, 1, "Hierarchical Child Code"),
    "782": ("R", 1, 18, "Monetary Amount"),
    "799": ("AN", 1, 30, "Version Identifier"),
    "875": ("ID", 3, 3, "Maintenance Type Code"),
    "889": ("ID", 1, 1, "Follow-up Action Code"),
    "901": ("ID", 2, 2, "Reject Reason Code"),
    "933": ("AN", 1, 264, "Free-form Message Text"),
    "934": ("ID", 2, 2, "Printer Carriage Control Code"),
    "954": ("R", 1, 10, "Percentage as Decimal"),
    "1005": ("ID", 4, 4, "Hierarchical Structure Code"),
    "1035": ("AN", 1, 60, "Name Last or Organization Name"),
    "1036": ("AN", 1, 35, "Name First"),
    "1037": ("AN", 1, 25, "Name Middle"),
    "1038": ("AN", 1, 10, "Name Prefix"),
    "1039": ("AN", 1, 10, "Name Suffix"),
    "1065": ("ID", 1, 1, "Entity Type Qualifier"),
    "1066": ("ID", 1, 2, "Citizenship Status Code"),
    "1067": ("ID", 1, 1, "Marital Status Code"),
    "1068": ("ID", 1, 1, "Gender Code"),
    "1069": ("ID", 2, 2, "Individual Relationship Code"),
    "1073": ("ID", 1, 1, "Yes/No Condition or Response Code"),
    "1136": ("ID", 2, 2, "Code Category"),
    "1165": ("ID", 1, 1, "Confidentiality Code"),
    "1167": ("R", 1, 6, "Sample Selection Modulus"),
    "1201": ("ID", 1, 1, "Information Status Code"),
    "1203": ("ID", 2, 3, "Maintenance Reason Code"),
    "1204": ("AN", 1, 50, "Plan Coverage Description"),
    "1207": ("ID", 3, 3, "Coverage Level Code"),
    "1216": ("ID", 1, 1, "Benefit Status Code"),
    "1219": ("ID", 1, 2, "Consolidated Omnibus Budget Reconciliation Act (COBRA) Qualifying Event Code"),
    "1220": ("ID", 1, 1, "Student Status Code"),
    "1221": ("ID", 1, 3, "Provider Code"),
    "1223": ("ID", 3, 3, "Provider Organization Code"),
    "1250": ("ID", 2, 3, "Date Time Period Format Qualifier"),
    "1251": ("AN", 1, 35, "Date Time Period"),
    "1270": ("ID", 1, 3, "Code List Qualifier Code"),
    "1271": ("AN", 1, 30, "Industry Code"),
    "1328": ("N0", 1, 2, "Diagnosis Code Pointer"),
    "1336": ("ID", 1, 3, "Insurance Type Code"),
    "1339": ("AN", 2, 2, "Procedure Modifier"),
    "1365": ("ID", 1, 2, "Service Type Code"),
    "1390": ("ID", 1, 2, "Eligibility or Benefit Information Code"),
    "1470": ("N0", 1, 9, "Number"),
    "1595": ("ID", 1, 2, "Government Service Affiliation Code"),
    "1596": ("ID", 2, 2, "Military Service Rank Code"),
    "1705": ("AN", 1, 35, "Implementation Convention Reference"),
    "1715": ("ID", 1, 3, "Country Subdivision Code"),
}

# Composites: number -> (name, component element numbers).
COMPOSITES: dict[str, tuple[str, str]] = {
    "C001": ("Composite Unit of Measure", "355 1018 649 355 1018 649 355 1018 649 355 1018 649 355 1018 649"),
    "C003": ("Composite Medical Procedure Identifier", "235 234 1339 1339 1339 1339 352 234"),
    "C004": ("Composite Diagnosis Code Pointer", "1328 1328 1328 1328"),
    "C022": ("Health Care Code Information", "1270 1271 1250 1251 782 380 799 1271 1073"),
    "C035": ("Provider Specialty Information", "1222 559 1542"),
    "C040": ("Reference Identifier", "128 127 128 127 128 127"),
    "C052": ("Medicare Status Code", "1218 1701"),
    "C056": ("Composite Race or Ethnicity Information", "1109 1270 1271"),
}

# Segment layouts in the X12 005010 standard: element number at each position.
LAYOUTS: dict[str, str] = {
    "ST": "143 329 1705",
    "SE": "96 329",
    "BHT": "1005 353 127 373 337 640",
    "HL": "628 734 735 736",
    "NM1": "98 1065 1035 1036 1037 1038 1039 66 67 706 98 1035",
    "REF": "128 127 352 C040",
    "N3": "166 166",
    "N4": "19 156 116 26 309 310 1715",
    "PER": "366 93 365 364 365 364 365 364 443",
    "PRV": "1221 128 127 156 C035 1223",
    "DMG": "1250 1251 1068 1067 C056 1066 26 659 380 1270 1271",
    "INS": "1073 1069 875 1203 1216 C052 1219 584 1220 1073 1250 1251 1165 19 156 26 1470",
    "HI": "C022 C022 C022 C022 C022 C022 C022 C022 C022 C022 C022 C022",
    "DTP": "374 1250 1251",
    "TRN": "481 127 509 127",
    "EQ": "1365 C003 1207 1336 C004",
    "AMT": "522 782 478",
    "III": "1270 1271 1136 933 380 C001 752 752 752",
    "AAA": "1073 559 901 889",
    "MPI": "1201 584 1595 352 1596 1250 1251",
    "EB": "1390 1207 1365 1336 1204 615 782 954 673 380 1073 1073 C003 C004",
    "HSD": "673 380 355 1167 615 616 678 679",
    "MSG": "933 934 1470",
    "LS": "447",
    "LE": "447",
    "SVC": "C003 782 782 234 380 C003 380",
}

# X12 standard syntax notes for the segments used here.
SYNTAX: dict[str, list[str]] = {
    "NM1": ["P0809", "C1110", "C1203"],
    "REF": ["R0203"],
    "N4": ["E0207", "C0605", "C0704"],
    "PER": ["P0304", "P0506", "P0708"],
    "PRV": ["P0203"],
    "DMG": ["P0102", "P1011", "C1105"],
    "INS": ["P1112"],
    "EQ": ["R0102"],
    "MPI": ["P0607"],
    "EB": ["P0910"],
    "HSD": ["P0102", "C0605"],
    "MSG": ["C0302"],
    "III": ["P0102", "L030405"],
}

# Code lists written once, used in several places.
FMT = "D8 RD8"
ID_SOURCE = "24 46 FI NI PI XV XX"
ENT_SOURCE = "2B 36 GP P5 PR"
ENT_RECEIVER = "1P 2B 36 80 FA GP P5 PR"
ID_RECEIVER = "24 34 FI PI PP SV XV XX"
REF_RECEIVER = "0B 1C 1D 1J 4A CT EL EO HPI JD N5 N7 Q4 SY TJ"
PRV_CODES = "AD AT BI CO CV H HH LA OT P1 P2 PC PE R RF SB SK SU"
PRV_PATIENT = "AD AT BI CO CV H HH LA OT P1 P2 PC PE R RF SK SU"
PROC_QUAL = "AD CJ HC ID IV N4 ZZ"
ENT_RELATED = "13 1I 1P 2B 36 73 FA GP GW I3 IL LR OC P3 P4 P5 PR PRP SEP TTP VER VN VY X3 Y2"
ID_RELATED = "24 34 46 FA FI II MI NI PI PP SV XV XX"
PER_QUAL = "ED EM EX FX TE UR WP"
EB01 = "1 2 3 4 5 6 7 8 A B C CB D E F G H I J K L M MC N O P Q R S T U V W X Y"
INSURANCE_TYPE = (
    "12 13 14 15 16 41 42 43 47 AP C1 CO CP D DB EP FF GP HM HN HS IN IP LC LD LI LT MA MB MC MH MI MP OT PE PL "
    "PP PR PS QM RP SP TF WC WU"
)
TIME_PERIOD = "6 7 13 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36"
HSD_PERIOD = "6 7 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35"
HSD_FREQ = "1 2 3 4 5 6 7 8 9 A B C D E F G H J K L M N O P Q R S SG SL SP SX SY SZ T U V W X Y"
MPI_RANK = (
    "A1 A2 A3 B1 B2 C1 C2 C3 C4 C5 C6 C7 C8 C9 E1 F1 F2 F3 F4 G1 G4 L1 L2 L3 L4 L5 L6 M1 M2 M3 M4 M5 M6 P1 P2 "
    "P3 P4 P5 R1 R2 S1 S2 S3 S4 S5 S6 S7 S8 S9 SA SB SC T1 V1 W1"
)
DTP_271_NAME = "096 102 152 291 307 318 340 341 342 343 346 347 356 357 382 435 442 458 472 539 540 636 771"
DTP_271_EB = "096 193 194 198 290 291 292 295 304 307 318 346 348 349 356 357 435 472 636 771"
REJECT_2110 = "15 33 52 53 54 55 56 57 60 61 62 63 69 70 98 AA AE AF AG AO CI E8 IA MA"
REF_2110 = "18 1L 1W 49 6P 9F ALS CLI F6 FO G1 IG M7 N6 NQ"
SVC_QUAL = "AD ER HC HP IV N4 NU WK"


# ---- builders ------------------------------------------------------------------------------------------------


def _codes(value: str) -> dict[str, Any]:
    if value.startswith("@"):
        return {"external": value[1:]}
    return {"codes": value.split()}


def S(  # noqa: N802 - table notation
    seg: str,
    name: str,
    usage: str,
    max_use: int | None,
    uses: str,
    codes: dict[Any, str] | None = None,
    comp: dict[int, str] | None = None,
    rep: dict[int, int | None] | None = None,
) -> dict[str, Any]:
    """One segment: ``uses`` holds a usage letter per position up to the last used one."""
    codes = {str(k): v for k, v in (codes or {}).items()}
    comp = comp or {}
    rep = rep or {}
    layout = LAYOUTS[seg].split()
    if len(uses) > len(layout):
        raise ValueError(f"{seg}: {len(uses)} usages for {len(layout)} elements")
    elements = []
    for pos, use in enumerate(uses, start=1):
        number = layout[pos - 1]
        ref = f"{seg}{pos:02d}"
        if number.startswith("C"):
            cname, parts = COMPOSITES[number]
            element: dict[str, Any] = {"ref": ref, "name": cname, "usage": use, "ele": number}
            if use != "N":
                cuses = comp.get(pos, "")
                if not cuses:
                    raise ValueError(f"{ref}: composite without component usages")
                element["components"] = [
                    {"ref": f"{ref}-{k}", "name": ELEMENTS[num][3], "usage": cu, "ele": num}
                    | (_codes(codes[f"{pos}-{k}"]) if f"{pos}-{k}" in codes else {})
                    for k, (num, cu) in enumerate(zip(parts.split(), cuses, strict=False), start=1)
                ]
        else:
            element = {"ref": ref, "name": ELEMENTS[number][3], "usage": use, "ele": number}
            if str(pos) in codes:
                element |= _codes(codes[str(pos)])
        if pos in rep:
            element["repeat"] = rep[pos]
        elements.append(element)
    return {
        "seg": seg,
        "name": name,
        "usage": usage,
        "max": max_use,
        "syntax": SYNTAX.get(seg, []),
        "elements": elements,
    }


def L(loop: str, name: str, usage: str, max_repeat: int | None, *items: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
    return {"loop": loop, "name": name, "usage": usage, "max": max_repeat, "items": list(items)}


def st(tx: str, version: str) -> dict[str, Any]:
    return S("ST", "Transaction Set Header", "R", 1, "RRR", {1: tx, 3: version})


def se() -> dict[str, Any]:
    return S("SE", "Transaction Set Trailer", "R", 1, "RR")


def hl(name: str, level: str, child: str | None, parent: bool = True) -> dict[str, Any]:
    uses = ("RR" if parent else "RN") + "R" + ("R" if child else "")
    return S("HL", name, "R", 1, uses, {3: level} | ({4: child} if child else {}))


def nm1(name: str, uses: str, ent: str, etype: str, idq: str | None = None, **more: str) -> dict[str, Any]:
    codes: dict[Any, str] = {1: ent, 2: etype}
    if idq:
        codes[8] = idq
    codes.update({int(k[1:]): v for k, v in more.items()})
    return S("NM1", name, "R", 1, uses, codes)


def ref(name: str, quals: str, usage: str = "S", max_use: int = 1, uses: str = "RR") -> dict[str, Any]:
    return S("REF", name, usage, max_use, uses, {1: quals})


def dtp(name: str, quals: str, usage: str = "S", max_use: int = 1) -> dict[str, Any]:
    return S("DTP", name, usage, max_use, "RRR", {1: quals, 2: FMT})


def n3(who: str) -> dict[str, Any]:
    return S("N3", f"{who} Address", "S", 1, "RS")


def n4(who: str, uses: str = "RSSSNNS") -> dict[str, Any]:
    return S("N4", f"{who} City, State, ZIP Code", "S", 1, uses, {2: "@states", 4: "@country"})


def prv(name: str, codes: str, ref_quals: str = "PXC") -> dict[str, Any]:
    return S("PRV", name, "S", 1, "RSS", {1: codes, 2: ref_quals})


def per(name: str, first: str, rest: str) -> dict[str, Any]:
    return S("PER", name, "S", 3, "RSSSSSSS", {1: "IC", 3: first, 5: rest, 7: rest})


def aaa(name: str, reasons: str, actions: str, max_use: int = 9) -> dict[str, Any]:
    return S("AAA", name, "S", max_use, "RNRR", {1: "N Y", 3: reasons, 4: actions})


def trn(name: str, types: str, max_use: int) -> dict[str, Any]:
    return S("TRN", name, "S", max_use, "RRRS", {1: types})


def dmg(name: str, genders: str, uses: str = "SSS") -> dict[str, Any]:
    return S("DMG", name, "S", 1, uses, {1: "D8", 3: genders})


def ins(name: str, insured: str, relations: str, uses: str) -> dict[str, Any]:
    codes = {1: insured, 2: relations}
    if uses[2] != "N":
        codes |= {3: "001", 4: "25"}
    return S("INS", name, "S", 1, uses, codes)


def hi(name: str) -> dict[str, Any]:
    codes: dict[Any, str] = {"1-1": "ABK BK"} | {f"{k}-1": "ABF BF" for k in range(2, 9)}
    return S("HI", name, "S", 1, "RSSSSSSS", codes, comp=dict.fromkeys(range(1, 9), "RR"))


def mpi(name: str, max_use: int) -> dict[str, Any]:
    codes = {
        1: "A C L O P S T",
        2: "AE AO AS AT AU CC DD HD IR LX PE RE RM RR RU",
        3: "A B C D E F G H I J K L M N O Q R S U W",
        5: MPI_RANK,
        6: FMT,
    }
    return S("MPI", name, "S", max_use, "RRRSSSS", codes)


# ---- 270 ------------------------------------------------------------------------------------------------------


def eq(name: str, coverage: bool) -> dict[str, Any]:
    # Every EQ element is situational (EQ01 or EQ02 is sent), so the qualifier medbill derives (EQ02-1) may be
    # absent; the walker then places the EQ by its id alone.
    return S(
        "EQ",
        name,
        "R",
        1,
        "SS" + ("S" if coverage else "N") + "NS",
        {1: "@service_type", "2-1": PROC_QUAL} | ({3: "FAM"} if coverage else {}),
        comp={2: "RRSSSSNN", 5: "RSSS"},
        rep={1: 99},
    )


def inquiry_name(who: str, letter: str) -> list[dict[str, Any]]:
    """2100C/2100D of the 270: the patient's name loop with its 2110 inquiries."""
    sub = letter == "C"
    person = nm1(
        f"{who} Name",
        "RRSSSNS" + ("SS" if sub else ""),
        "IL" if sub else "03",
        "1 2" if sub else "1",
        "II MI" if sub else None,
    )
    refs = (
        "18 1L 1W 3H 6P CT EA EJ F6 GH HJ IG N6 NQ SY Y4" if sub else "18 1L 1W 6P CT EA EJ F6 GH HJ IF IG MRC N6 SY Y4"
    )
    eb_items = [eq(f"{who} Eligibility or Benefit Inquiry", coverage=sub)]
    if sub:
        eb_items += [
            S("AMT", "Subscriber Spend Down Amount", "S", 1, "RR", {1: "R"}),
            S("AMT", "Subscriber Spend Down Total Billed Amount", "S", 1, "RR", {1: "PB"}),
        ]
    eb_items += [
        S("III", f"{who} Eligibility or Benefit Additional Inquiry Information", "S", 1, "RR", {1: "ZZ"}),
        ref(f"{who} Additional Information", "9F G1"),
        dtp(f"{who} Eligibility/Benefit Date", "291"),
    ]
    return [
        person,
        ref(f"{who} Additional Identification", refs, max_use=9),
        n3(who),
        n4(who),
        prv("Provider Information", PRV_PATIENT, "9K D3 EI HPI PXC SY TJ"),
        dmg(f"{who} Demographic Information", "F M U"),
        ins(
            "Multiple Birth Sequence Number" if sub else "Dependent Relationship",
            "Y" if sub else "N",
            "18" if sub else "01 19 34",
            "RRNNNNNNNNNNNNNN" + ("R" if sub else "S"),
        ),
        hi(f"{who} Health Care Diagnosis Code"),
        dtp(f"{who} Date", "102 291", max_use=2),
        L(f"2110{letter}", f"{who} Eligibility or Benefit Inquiry", "S" if sub else "R", 99, *eb_items),
    ]


def build_270() -> dict[str, Any]:
    dependent = L(
        "2000D",
        "Dependent Level",
        "S",
        None,
        hl("Dependent Level", "23", "0"),
        trn("Dependent Trace Number", "1", 2),
        L("2100D", "Dependent Name", "R", 1, *inquiry_name("Dependent", "D")),
    )
    subscriber = L(
        "2000C",
        "Subscriber Level",
        "R",
        None,
        hl("Subscriber Level", "22", "0 1"),
        trn("Subscriber Trace Number", "1", 2),
        L("2100C", "Subscriber Name", "R", 1, *inquiry_name("Subscriber", "C")),
        dependent,
    )
    receiver = L(
        "2000B",
        "Information Receiver Level",
        "R",
        None,
        hl("Information Receiver Level", "21", "1"),
        L(
            "2100B",
            "Information Receiver Name",
            "R",
            1,
            nm1("Information Receiver Name", "RRRSSNSRR", ENT_RECEIVER, "1 2", ID_RECEIVER),
            ref("Information Receiver Additional Identification", REF_RECEIVER, max_use=9, uses="RRS"),
            n3("Information Receiver"),
            n4("Information Receiver"),
            prv("Information Receiver Provider Information", PRV_CODES),
        ),
        subscriber,
    )
    source = L(
        "2000A",
        "Information Source Level",
        "R",
        None,
        hl("Information Source Level", "20", "1", parent=False),
        L(
            "2100A",
            "Information Source Name",
            "R",
            1,
            nm1("Information Source Name", "RRRSSNSRR", ENT_SOURCE, "1 2", ID_SOURCE),
        ),
        receiver,
    )
    bht = S("BHT", "Beginning of Hierarchical Transaction", "R", 1, "RRSRRS", {1: "0022", 2: "01 13", 6: "RT"})
    return L("ST", "Transaction Set", "R", None, st("270", "005010X279A1"), bht, source, se())


# ---- 271 ------------------------------------------------------------------------------------------------------


def benefit_loops(who: str, letter: str) -> dict[str, Any]:
    """2110C/2110D of the 271: EB with its details, 2115 III loop and the LS/2120/LE block."""
    sub = letter == "C"
    eb = S(
        "EB",
        f"{who} Eligibility or Benefit Information",
        "R",
        1,
        "RSSSSSSSSSSSSS",
        {
            1: EB01,
            2: "CHD DEP ECH EMP ESP FAM IND SPC SPO" if sub else "CHD DEP ECH ESP FAM IND SPC SPO",
            3: "@service_type",
            4: INSURANCE_TYPE,
            6: TIME_PERIOD,
            9: "8H 99 CA CE D3 DB DY HS LA LE M2 MN P6 QA S7 S8" + ("" if sub else " VS YY"),
            11: "N U Y",
            12: "N U W Y",
            "13-1": PROC_QUAL,
        },
        comp={13: "RRSSSSNS", 14: "RSSS"},
        rep={3: 99},
    )
    hsd = S(
        "HSD",
        "Health Care Services Delivery",
        "S",
        9,
        "SSSSSSSS",
        {1: "DY FL HS MN VS", 3: "DA MO VS WK YR", 5: HSD_PERIOD, 7: HSD_FREQ, 8: "A B C D E F G Y"},
    )
    iii = S(
        "III",
        f"{who} Eligibility or Benefit Additional Information",
        "R",
        1,
        "SSSS",
        {1: "GR NI ZZ", 3: "44"},
    )
    related = L(
        f"2120{letter}",
        f"{who} Benefit Related Entity Name",
        "S",
        23,
        nm1(
            f"{who} Benefit Related Entity Name",
            "RRSSSNSSSS",
            ENT_RELATED,
            "1 2",
            ID_RELATED,
            e10="01 02 27 41 48 65 72",
        ),
        n3(f"{who} Benefit Related Entity"),
        # N405 (location qualifier RJ) is situational: no code list, so the N4 matches without it.
        n4(f"{who} Benefit Related Entity", "RSSSSSS"),
        per(f"{who} Benefit Related Entity Contact Information", "ED EM FX TE UR WP", PER_QUAL),
        prv(f"{who} Benefit Related Provider Information", PRV_CODES),
    )
    return L(
        f"2110{letter}",
        f"{who} Eligibility or Benefit Information",
        "S",
        None,
        eb,
        hsd,
        ref(
            f"{who} Additional Identification", REF_2110 if sub else REF_2110.replace(" M7", ""), max_use=9, uses="RRS"
        ),
        dtp(f"{who} Eligibility/Benefit Date", DTP_271_EB, max_use=20),
        aaa(f"{who} Request Validation", REJECT_2110, "C N R W X Y"),
        S("MSG", "Message Text", "S", 10, "R"),
        L(f"2115{letter}", f"{who} Eligibility or Benefit Additional Information", "S", 10, iii),
        S("LS", "Loop Header", "S", 1, "R", {1: "2120"}),
        related,
        S("LE", "Loop Trailer", "S", 1, "R", {1: "2120"}),
    )


def response_name(who: str, letter: str) -> list[dict[str, Any]]:
    sub = letter == "C"
    reasons = (
        "15 35 42 43 45 47 48 49 51 52 56 57 58 60 61 62 63 71 72 73 74 75 76 78"
        if sub
        else "15 35 42 43 45 47 48 49 51 52 56 57 58 60 61 62 63 64 65 66 67 68 71 77"
    )
    refs = (
        "18 1L 1W 3H 49 6P CE CT EA EJ F6 GH HJ IF IG N6 NQ Q4 SY Y4"
        if sub
        else "18 1L 1W 49 6P CE CT EA EJ F6 GH HJ IF IG MRC N6 NQ Q4 SY Y4"
    )
    return [
        nm1(
            f"{who} Name",
            "RRSSSNS" + ("SS" if sub else ""),
            "IL" if sub else "03",
            "1 2" if sub else "1",
            "II MI" if sub else None,
        ),
        ref(f"{who} Additional Identification", refs, max_use=9, uses="RRS"),
        n3(who),
        n4(who),
        aaa(f"{who} Request Validation", reasons, "C N R S W X Y"),
        prv("Provider Information", PRV_PATIENT),
        dmg(f"{who} Demographic Information", "F M U"),
        ins(
            f"{who} Relationship",
            "Y" if sub else "N",
            "18" if sub else "01 19 20 21 39 40 53 G8",
            "RRSSNNNNNNNNNNNNS",
        ),
        hi(f"{who} Health Care Diagnosis Code"),
        dtp(f"{who} Date", DTP_271_NAME, max_use=9),
        mpi(f"{who} Military Personnel Information", 9 if sub else 1),
        benefit_loops(who, letter),
    ]


def build_271() -> dict[str, Any]:
    dependent = L(
        "2000D",
        "Dependent Level",
        "S",
        None,
        hl("Dependent Level", "23", "0"),
        trn("Dependent Trace Number", "1 2", 3),
        L("2100D", "Dependent Name", "R", 1, *response_name("Dependent", "D")),
    )
    subscriber = L(
        "2000C",
        "Subscriber Level",
        "S",
        None,
        hl("Subscriber Level", "22", "0 1"),
        trn("Subscriber Trace Number", "1 2", 3),
        L("2100C", "Subscriber Name", "R", 1, *response_name("Subscriber", "C")),
        dependent,
    )
    receiver = L(
        "2000B",
        "Information Receiver Level",
        "S",
        None,
        hl("Information Receiver Level", "21", "0 1"),
        L(
            "2100B",
            "Information Receiver Name",
            "R",
            1,
            nm1("Information Receiver Name", "RRSSSNSRR", ENT_RECEIVER, "1 2", ID_RECEIVER),
            ref("Information Receiver Additional Identification", REF_RECEIVER, max_use=9, uses="RRS"),
            n3("Information Receiver"),
            n4("Information Receiver"),
            aaa(
                "Information Receiver Request Validation",
                "15 41 43 44 45 46 47 48 50 51 79 97 T4",
                "C N R S W X Y",
            ),
            prv("Information Receiver Provider Information", PRV_CODES),
        ),
        subscriber,
    )
    source = L(
        "2000A",
        "Information Source Level",
        "R",
        None,
        hl("Information Source Level", "20", "0 1", parent=False),
        aaa("Request Validation", "04 41 42 79", "C N P R S Y"),
        L(
            "2100A",
            "Information Source Name",
            "R",
            1,
            nm1("Information Source Name", "RRRSSNSRR", ENT_SOURCE, "1 2", ID_SOURCE),
            per("Information Source Contact Information", "ED EM FX TE UR", "ED EM EX FX TE UR"),
            aaa("Request Validation", "04 41 42 79 80 T4", "C N P R S W X Y"),
        ),
        receiver,
    )
    bht = S("BHT", "Beginning of Hierarchical Transaction", "R", 1, "RRSRR", {1: "0022", 2: "06 11"})
    return L("ST", "Transaction Set", "R", None, st("271", "005010X279A1"), bht, source, se())


# ---- 276 ------------------------------------------------------------------------------------------------------


def claim_loops(letter: str) -> list[dict[str, Any]]:
    """2200D/E claim status tracking and 2210D/E service lines of the 276."""
    svc = S(
        "SVC",
        "Service Line Information",
        "R",
        1,
        "RRNSNNS",
        {"1-1": SVC_QUAL},
        comp={1: "RRSSSSNN"},
    )
    line = L(
        f"2210{letter}",
        "Service Line Information",
        "S",
        None,
        svc,
        ref("Service Line Item Identification", "FJ"),
        dtp("Service Line Date", "472", usage="R"),
    )
    return [
        L(
            f"2200{letter}",
            "Claim Status Tracking Number",
            "S" if letter == "D" else "R",
            None,
            S("TRN", "Claim Status Tracking Number", "R", 1, "RR", {1: "1"}),
            ref("Payer Claim Control Number", "1K"),
            ref("Institutional Bill Type Identification", "BLT"),
            ref("Application or Location System Identifier", "LU"),
            ref("Group Number", "6P"),
            ref("Patient Control Number", "EJ"),
            ref("Pharmacy Prescription Number", "XZ"),
            ref("Claim Identification Number for Clearinghouses and Other Transmission Intermediaries", "D9"),
            S("AMT", "Claim Submitted Charges", "S", 1, "RR", {1: "T3"}),
            dtp("Claim Service Date", "472"),
            line,
        )
    ]


def build_276() -> dict[str, Any]:
    dependent = L(
        "2000E",
        "Dependent Level",
        "S",
        None,
        hl("Dependent Level", "23", None),
        S("DMG", "Dependent Demographic Information", "R", 1, "RRS", {1: "D8", 3: "F M"}),
        L("2100E", "Dependent Name", "R", 1, nm1("Dependent Name", "RRRSSNS", "QC", "1")),
        *claim_loops("E"),
    )
    subscriber = L(
        "2000D",
        "Subscriber Level",
        "R",
        None,
        hl("Subscriber Level", "22", "0 1"),
        S("DMG", "Subscriber Demographic Information", "S", 1, "RRS", {1: "D8", 3: "F M"}),
        L("2100D", "Subscriber Name", "R", 1, nm1("Subscriber Name", "RRRSSNSRR", "IL", "1 2", "24 II MI")),
        *claim_loops("D"),
        dependent,
    )
    provider = L(
        "2000C",
        "Service Provider Level",
        "R",
        None,
        hl("Service Provider Level", "19", "1"),
        L("2100C", "Provider Name", "R", 2, nm1("Provider Name", "RRSSSNSRR", "1P", "1 2", "FI SV XX")),
        subscriber,
    )
    receiver = L(
        "2000B",
        "Information Receiver Level",
        "R",
        None,
        hl("Information Receiver Level", "21", "1"),
        L(
            "2100B",
            "Information Receiver Name",
            "R",
            1,
            nm1("Information Receiver Name", "RRSSSNNRR", "41", "1 2", "46"),
        ),
        provider,
    )
    source = L(
        "2000A",
        "Information Source Level",
        "R",
        None,
        hl("Information Source Level", "20", "1", parent=False),
        L("2100A", "Payer Name", "R", 1, nm1("Payer Name", "RRRNNNNRR", "PR", "2", "PI XV")),
        receiver,
    )
    bht = S("BHT", "Beginning of Hierarchical Transaction", "R", 1, "RRRRR", {1: "0010", 2: "13"})
    return L("ST", "Transaction Set", "R", None, st("276", "005010X212"), bht, source, se())


# ---- output ---------------------------------------------------------------------------------------------------

SCHEMAS = {
    "270": ("HS", "005010X279A1", "Health Care Eligibility Benefit Inquiry", "X279A1-HS270.rb", build_270),
    "271": ("HB", "005010X279A1", "Health Care Eligibility Benefit Response", "X279A1-HB271.rb", build_271),
    "276": ("HR", "005010X212", "Health Care Claim Status Request", "X212-HR276.rb", build_276),
}


def _used(node: dict[str, Any], out: set[str]) -> set[str]:
    for item in node.get("items", ()):
        _used(item, out)
    for element in node.get("elements", ()):
        for part in element.get("components", [element]):
            if not part["ele"].startswith("C"):
                out.add(part["ele"])
    return out


def build(key: str) -> dict[str, Any]:
    functional_id, version, name, source_file, builder = SCHEMAS[key]
    root = builder()
    numbers = sorted(_used(root, set()), key=int)
    return {
        "key": key,
        "transaction": key,
        "version": version,
        "functional_id": functional_id,
        "name": f"HIPAA {name} {version}",
        "source": SOURCE.format(file=source_file),
        "elements": {n: list(ELEMENTS[n][:3]) for n in numbers},
        "root": root,
    }


def main() -> None:
    for key in SCHEMAS:
        path = OUT / f"{key}.json.gz"
        with gzip.GzipFile(path, "wb", mtime=0) as raw:
            raw.write(json.dumps(build(key), separators=(",", ":")).encode("utf-8"))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
