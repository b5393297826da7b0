"""Regenerate medbill's compact TR3 schemas (src/medbill/x12/schemas/*.json.gz) from the facts in pyx12's maps.

pyx12's maps (BSD licence) are read as a public statement of each implementation guide's structure: loops,
segment order, usage, repeats, element ids, types, lengths and code lists. This script keeps only those facts and
writes them in medbill's own form (see medbill.x12.schema). No pyx12 code is used or copied.

Usage: python scripts/x12_schemas_from_pyx12.py MAP_DIR   (MAP_DIR = the ``pyx12/map`` folder of pyx12 4.0.0)
"""

from __future__ import annotations

import gzip
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "src" / "medbill" / "x12" / "schemas"

MAPS = {
    "837P": ("837.5010.X222.A1.xml", "005010X222A1", "HC"),
    "837I": ("837Q3.I.5010.X223.A1.xml", "005010X223A2", "HC"),
    "835": ("835.5010.X221.A1.xml", "005010X221A1", "HP"),
    "999": ("999.5010X231.A1.xml", "005010X231A1", "FA"),
    "277CA": ("277.5010.X214.xml", "005010X214", "HN"),
    "277": ("277.5010.X212.xml", "005010X212", "HN"),
}
CODE_LISTS = ("states", "country", "currency", "entity_id", "service_type", "claim_status_cat", "claim_status")


def _text(node: ET.Element, tag: str) -> str | None:
    value = node.findtext(tag)
    return value.strip() if value is not None else None


def _repeat(value: str | None) -> int | None:
    """None means unbounded (">1")."""
    if value is None:
        return 1
    return None if value.startswith(">") else int(value)


def _element(node: ET.Element, used: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ref": node.get("xid"),
        "name": _text(node, "name"),
        "usage": _text(node, "usage"),
    }
    ele = _text(node, "data_ele")
    out["ele"] = ele
    repeat = _text(node, "repeat")
    if repeat:
        out["repeat"] = _repeat(repeat)
    if node.tag == "composite":
        out["components"] = [_element(child, used) for child in node.findall("element")]
        return out
    if ele:
        used.add(ele)
    codes = node.find("valid_codes")
    if codes is not None:
        if codes.get("external"):
            out["external"] = codes.get("external")
        listed = [c.text.strip() for c in codes.findall("code") if c.text]
        if listed:
            out["codes"] = listed
    regex = _text(node, "regex")
    if regex:
        out["regex"] = regex
    return out


def _segment(node: ET.Element, used: set[str]) -> dict[str, Any]:
    return {
        "seg": node.get("xid"),
        "name": _text(node, "name"),
        "usage": _text(node, "usage"),
        "max": _repeat(_text(node, "max_use")),
        "syntax": [s.text.strip() for s in node.findall("syntax") if s.text],
        "elements": [_element(child, used) for child in node if child.tag in ("element", "composite")],
    }


def _items(node: ET.Element, used: set[str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for child in node:
        if child.tag == "segment":
            items.append(_segment(child, used))
        elif child.tag == "loop":
            if child.get("type") == "wrapper":  # HEADER / DETAIL / FOOTER tables: no segment of their own
                items.extend(_items(child, used))
            else:
                items.append(
                    {
                        "loop": child.get("xid"),
                        "name": _text(child, "name"),
                        "usage": _text(child, "usage"),
                        "max": _repeat(_text(child, "repeat")),
                        "items": _items(child, used),
                    }
                )
    return items


def _nest_x212_levels(items: list[dict[str, Any]], root: ET.Element, used: set[str]) -> list[dict[str, Any]]:
    """pyx12's X212 277 map lists the 2000C/D/E levels beside 2000A and leaves SE outside the set; the guide
    nests each HL level in the one above (2000A > 2000B > 2000C > 2000D > 2000E) and ends with SE."""
    by_id = {item.get("loop"): item for item in items if "loop" in item}
    head = [item for item in items if item.get("loop") not in ("2000C", "2000D", "2000E")]
    parent = next(i for i in by_id["2000A"]["items"] if i.get("loop") == "2000B")
    for level in ("2000C", "2000D", "2000E"):
        parent["items"].append(by_id[level])
        parent = by_id[level]
    se = root.find(".//segment[@xid='SE']")
    if se is None:
        raise SystemExit("277 X212: no SE segment in the map")
    return [*head, _segment(se, used)]


def convert(map_dir: Path, key: str) -> dict[str, Any]:
    file_name, version, functional_id = MAPS[key]
    root = ET.parse(map_dir / file_name).getroot()
    st_loop = root.find(".//loop[@xid='ST_LOOP']")
    if st_loop is None:
        raise SystemExit(f"{file_name}: no ST_LOOP")
    used: set[str] = set()
    items = _items(st_loop, used)
    if key == "277":
        items = _nest_x212_levels(items, root, used)
    # ST03 names the implementation guide: required in the claim, status and acknowledgment guides; the 835
    # guide leaves it situational (payers omit it), so there it is checked only when present.
    st03 = items[0]["elements"][2]
    st03.update(usage="S" if key == "835" else "R", codes=[version])
    dictionary = {
        d.get("ele_num"): [d.get("data_type"), int(d.get("min_len", "1")), int(d.get("max_len", "1"))]
        for d in ET.parse(map_dir / "dataele.xml").getroot()
        if d.get("ele_num") in used
    }
    missing = used - set(dictionary)
    if missing:
        raise SystemExit(f"{file_name}: elements not in dataele.xml: {sorted(missing)}")
    return {
        "key": key,
        "transaction": root.get("xid", "")[:3],
        "version": version,
        "functional_id": functional_id,
        "name": _text(root, "name"),
        "source": f"facts from pyx12 4.0.0 map {file_name} (BSD licence), regenerated by {Path(__file__).name}",
        "elements": dict(sorted(dictionary.items())),
        "root": {"loop": "ST", "name": "Transaction Set", "usage": "R", "max": None, "items": items},
    }


def code_lists(map_dir: Path) -> dict[str, Any]:
    root = ET.parse(map_dir / "codes.xml").getroot()
    lists: dict[str, Any] = {}
    for codeset in root:
        ident = codeset.findtext("id")
        if ident in CODE_LISTS:
            lists[ident] = {
                "name": codeset.findtext("name"),
                "codes": sorted({c.text.strip() for c in codeset.iter("code") if c.text}),
            }
    return {"source": "code lists from pyx12 4.0.0 map codes.xml (BSD licence)", "lists": lists}


def _write(name: str, payload: dict[str, Any]) -> None:
    data = json.dumps(payload, separators=(",", ":"), sort_keys=False).encode()
    # mtime=0: the same facts give the same bytes.
    with gzip.GzipFile(OUT / name, "wb", mtime=0) as fh:
        fh.write(data)


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        raise SystemExit(__doc__)
    map_dir = Path(argv[0])
    OUT.mkdir(parents=True, exist_ok=True)
    for key in MAPS:
        _write(f"{key}.json.gz", convert(map_dir, key))
    _write("codelists.json.gz", code_lists(map_dir))


if __name__ == "__main__":
    main(sys.argv[1:])
