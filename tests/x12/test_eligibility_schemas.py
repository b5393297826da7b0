"""The 270/271 (005010X279A1) and 276 (005010X212) schemas written by scripts/x12_schemas_eligibility.py."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest

from medbill.x12.schema import LoopDef, Schema, SegmentDef, load_schema, schema_key_for

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "x12_schemas_eligibility.py"


def _loop(schema: Schema, *path: str) -> LoopDef:
    loop = schema.root
    for loop_id in path:
        loop = next(item for item in loop.items if isinstance(item, LoopDef) and item.id == loop_id)
    return loop


def _segments(loop: LoopDef, sid: str) -> list[SegmentDef]:
    return [item for item in loop.items if isinstance(item, SegmentDef) and item.id == sid]


def _codes(segdef: SegmentDef, position: int) -> frozenset[str]:
    codes = segdef.elements[position - 1].codes
    assert codes is not None
    return codes


ELIGIBILITY = ("2000A", "2000B", "2000C")


@pytest.mark.parametrize(
    ("key", "functional_id", "version"),
    [("270", "HS", "005010X279A1"), ("271", "HB", "005010X279A1"), ("276", "HR", "005010X212")],
)
def test_header_facts(key: str, functional_id: str, version: str) -> None:
    schema = load_schema(key)
    assert (schema.transaction, schema.version, schema.functional_id) == (key, version, functional_id)
    assert schema_key_for(key, version) == key
    st = schema.root.items[0]
    assert isinstance(st, SegmentDef) and st.id == "ST"
    assert _codes(st, 1) == {key}
    assert _codes(st, 3) == {version}
    assert {"ST", "BHT", "HL", "NM1", "SE"} <= schema.segment_ids


@pytest.mark.parametrize("key", ["270", "271"])
def test_eligibility_hierarchy(key: str) -> None:
    schema = load_schema(key)
    levels = {"2000A": "20", "2000B": "21", "2000C": "22", "2000D": "23"}
    path: list[str] = []
    for loop_id, level in levels.items():
        path.append(loop_id)
        loop = _loop(schema, *path)
        hl = loop.trigger
        assert hl.id == "HL"
        assert hl.qualifier is not None and hl.qualifier[2] == {level}
        assert loop.max_repeat is None
    assert _loop(schema, *ELIGIBILITY, "2100C").trigger.qualifier[2] == {"IL"}  # type: ignore[index]
    assert _loop(schema, *ELIGIBILITY, "2000D", "2100D").trigger.qualifier[2] == {"03"}  # type: ignore[index]
    assert _loop(schema, "2000A", "2100A").max_repeat == 1


def test_270_inquiry() -> None:
    schema = load_schema("270")
    sub = _loop(schema, *ELIGIBILITY, "2100C", "2110C")
    dep = _loop(schema, *ELIGIBILITY, "2000D", "2100D", "2110D")
    assert sub.max_repeat == 99 and dep.max_repeat == 99
    eq = sub.trigger
    assert eq.id == "EQ"
    assert eq.elements[0].external == "service_type" and eq.elements[0].repeat == 99
    assert eq.elements[1].components[0].codes == {"AD", "CJ", "HC", "ID", "IV", "N4", "ZZ"}
    assert [_codes(s, 1) for s in _segments(sub, "AMT")] == [{"R"}, {"PB"}]
    assert [s.text for s in eq.syntax] == ["R0102"]
    assert _codes(schema.root.items[1], 2) == {"01", "13"}  # type: ignore[arg-type]


def test_271_benefits() -> None:
    schema = load_schema("271")
    name = _loop(schema, *ELIGIBILITY, "2100C")
    benefit = _loop(schema, *ELIGIBILITY, "2100C", "2110C")
    eb = benefit.trigger
    assert eb.id == "EB"
    assert {"1", "6", "C", "B", "A", "R", "L"} <= _codes(eb, 1)
    assert eb.elements[2].external == "service_type" and eb.elements[2].repeat == 99
    assert benefit.max_repeat is None
    assert _loop(schema, *ELIGIBILITY, "2100C", "2110C", "2115C").max_repeat == 10
    assert _loop(schema, *ELIGIBILITY, "2100C", "2110C", "2120C").max_repeat == 23
    ids = [item.id if isinstance(item, SegmentDef) else f"loop {item.id}" for item in benefit.items]
    assert ids == ["EB", "HSD", "REF", "DTP", "AAA", "MSG", "loop 2115C", "LS", "loop 2120C", "LE"]
    assert {"LS", "LE", "MPI", "AAA", "HSD", "III", "MSG", "PER"} <= schema.segment_ids
    assert _segments(name, "DTP")[0].max_use == 9
    assert "307" in _codes(_segments(name, "DTP")[0], 1)


def test_276_hierarchy() -> None:
    schema = load_schema("276")
    path = ("2000A", "2000B", "2000C", "2000D")
    for depth, level in enumerate(("20", "21", "19", "22")):
        loop = _loop(schema, *path[: depth + 1])
        assert loop.trigger.qualifier[2] == {level}  # type: ignore[index]
    assert _loop(schema, "2000A", "2000B", "2000C", "2100C").max_repeat == 2
    claim = _loop(schema, *path, "2200D")
    assert claim.trigger.id == "TRN"
    assert [next(iter(_codes(s, 1))) for s in _segments(claim, "REF")] == ["1K", "BLT", "LU", "6P", "EJ", "XZ", "D9"]
    line = _loop(schema, *path, "2200D", "2210D")
    assert line.trigger.id == "SVC" and line.trigger.qualifier[2] >= {"HC", "NU"}  # type: ignore[index]
    dependent = _loop(schema, *path, "2000E")
    assert dependent.trigger.qualifier[2] == {"23"}  # type: ignore[index]
    assert _loop(schema, *path, "2000E", "2100E").trigger.qualifier[2] == {"QC"}  # type: ignore[index]
    assert _loop(schema, *path, "2000E", "2200E").usage == "R"


def test_element_dictionary_covers_every_number() -> None:
    for key in ("270", "271", "276"):
        path = ROOT / "src" / "medbill" / "x12" / "schemas" / f"{key}.json.gz"
        raw = json.loads(gzip.decompress(path.read_bytes()))
        used: set[str] = set()

        def walk(node: dict, used: set[str] = used) -> None:
            for item in node.get("items", ()):
                walk(item)
            for element in node.get("elements", ()):
                for part in element.get("components", [element]):
                    if element.get("usage") != "N" and not part["ele"].startswith("C"):
                        used.add(part["ele"])

        walk(raw["root"])
        assert used <= set(raw["elements"]), key
        assert all(kind in {"ID", "AN", "DT", "TM", "N0", "N2", "R"} for kind, _, _ in raw["elements"].values())


def test_files_match_the_script() -> None:
    spec = importlib.util.spec_from_file_location("x12_schemas_eligibility", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for key in ("270", "271", "276"):
        path = ROOT / "src" / "medbill" / "x12" / "schemas" / f"{key}.json.gz"
        assert json.loads(gzip.decompress(path.read_bytes())) == module.build(key), key


SAMPLE_276 = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:~"
    "GS*HR*S*R*20240101*1200*1*X*005010X212~ST*276*0001*005010X212~BHT*0010*13*ABC276*20240101*1200~"
    "HL*1**20*1~NM1*PR*2*ABC INSURANCE*****PI*12345~HL*2*1*21*1~NM1*41*2*XYZ SERVICE*****46*X67E~"
    "HL*3*2*19*1~NM1*1P*2*HOME HOSPITAL*****XX*1234567893~HL*4*3*22*1~NM1*IL*1*MANN*JOHN****MI*345678901~"
    "HL*5*4*23~DMG*D8*19951101*M~NM1*QC*1*MANN*JOSEPH~TRN*1*ABCXYZ3~REF*1K*PAYERCLM1~AMT*T3*150~"
    "DTP*472*D8*20240101~SVC*HC:99203*150*****1~REF*FJ*LINE1~DTP*472*D8*20240101~"
    "HL*6*3*22*0~DMG*D8*19500101*F~NM1*IL*1*DOE*JANE****MI*111~TRN*1*ABCXYZ4~DTP*472*RD8*20240101-20240105~"
    "SE*26*0001~GE*1*1~IEA*1*000000001~"
)


def test_276_sample_walks_clean() -> None:
    validator = pytest.importorskip("medbill.x12.validator")
    report = validator.validate_x12(SAMPLE_276.encode(), name="276")
    assert [f.code for f in report.findings] == []
    (placed,) = list(validator.placed_sets(SAMPLE_276.encode(), name="276"))
    loops = {seg.elements[0]: loops[-1] for loops, seg in placed.segments if seg.id == "HL"}
    assert loops == {"1": "2000A", "2": "2000B", "3": "2000C", "4": "2000D", "5": "2000E", "6": "2000D"}
