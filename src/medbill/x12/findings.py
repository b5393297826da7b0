"""Finding: one X12 envelope or syntax problem, with the acknowledgment code a TA1 or 999 would carry.

Acknowledgment codes used (values from the X12 code lists for TA105 = element I18, AK905 = element 716
and IK502 = element 718, as listed in pyx12's x12.control.00501.xml / 999.5010X231.A1.xml maps and
confirmed against other open X12 acknowledgment generators):

| kind | code | meaning                                                                 | raised by |
|------|------|-------------------------------------------------------------------------|-----------|
| TA1  | 001  | interchange control number in header and trailer do not match           | IEA02 != ISA13 |
| TA1  | 005..013 | invalid sender/receiver qualifier or id, authorization, security    | ISA01..ISA08 width |
| TA1  | 014  | invalid interchange date value                                          | ISA09 |
| TA1  | 015  | invalid interchange time value                                          | ISA10 |
| TA1  | 016  | invalid interchange standards identifier (ISA11, repetition separator) | ISA11 |
| TA1  | 017  | invalid interchange version id value                                    | ISA12 |
| TA1  | 018  | invalid interchange control number value                                | ISA13 |
| TA1  | 019  | invalid acknowledgment requested value                                  | ISA14 |
| TA1  | 020  | invalid test indicator value                                            | ISA15 |
| TA1  | 021  | invalid number of included groups value                                 | IEA01 |
| TA1  | 022  | invalid control structure                                               | misplaced segment |
| TA1  | 023  | improper (premature) end-of-file                                        | ISA without IEA |
| TA1  | 024  | invalid interchange content (e.g. invalid GS segment)                  | GS element count, GS04, GS05 |
| TA1  | 025  | duplicate interchange control number                                    | ISA13 repeated in one file |
| TA1  | 027  | invalid component element separator                                    | ISA16 |
| AK9  | 3    | functional group trailer missing                                        | GS without GE |
| AK9  | 4    | group control number in header and trailer do not agree                | GE02 != GS06 |
| AK9  | 5    | number of included transaction sets does not match actual count        | GE01 |
| AK9  | 6    | group control number violates syntax                                    | GS06 |
| IK5  | 2    | transaction set trailer missing                                         | ST without SE |
| IK5  | 3    | transaction set control number in header and trailer do not match      | SE02 != ST02 |
| IK5  | 4    | number of included segments does not match actual count               | SE01 |
| IK5  | 6    | missing or invalid transaction set identifier                          | ST01 |
| IK5  | 7    | missing or invalid transaction set control number                      | ST02 |
| IK5  | 18   | transaction set not in functional group                                 | ST outside GS |

Warnings (accepted files): ISA11 not a separator in 5010 (016), a repeated ISA13 (025). An input that cannot be
tokenized at all gives one "X12-SYNTAX" error without an acknowledgment code.

``ack_kind`` "AK9" means the code belongs in AK905 of a 999 (functional group level); "IK5" means IK502.
"IK3" findings are about a segment (IK304 code: 2 unexpected, 3 required segment missing, 4 loop over maximum,
5 segment over maximum use, 6 not in the transaction set, 7 not in proper sequence, I4 "not used" segment
present); "IK4" findings about an element of a segment (IK403 code: 1 required missing, 2 conditional
required missing, 3 too many elements, 4 too short, 5 too long, 6 invalid character, 7 invalid code value,
8 invalid date, 9 invalid time, 10 exclusion condition violated, 12 too many repetitions, 13 too many
components, I10 "not used" element present, I12 pattern match failure); their segment gets IK304 = 8.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from medbill.issues import Issue, Location, Severity

AckKind = Literal["TA1", "AK9", "IK5", "IK3", "IK4"]


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    code: str
    """Stable id, e.g. "X12-SE-COUNT"."""
    message: str
    """Names segments, elements, control numbers and counts only, never other file contents."""
    segment_index: int | None = None
    segment_id: str | None = None
    loop: str | None = None
    """Envelope level: "ISA", "GS" or "ST"."""
    element: str | None = None
    """Element reference such as "SE01"."""
    ack: str | None = None
    ack_kind: AckKind | None = None
    position: int | None = None
    """Position of the segment in its transaction set, ST = 1 (999 IK302)."""
    element_position: int | None = None
    component_position: int | None = None
    repeat_position: int | None = None
    element_number: str | None = None
    """X12 data element reference number (999 IK402)."""
    path: str | None = None
    """Full loop path, e.g. "2000A/2000B/2300/2400"."""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"severity": str(self.severity), "code": self.code, "message": self.message}
        optional: dict[str, object | None] = {
            "segment_index": self.segment_index,
            "segment_id": self.segment_id,
            "loop": self.loop,
            "element": self.element,
            "ack": self.ack,
            "ack_kind": self.ack_kind,
            "position": self.position,
            "element_position": self.element_position,
            "component_position": self.component_position,
            "repeat_position": self.repeat_position,
            "element_number": self.element_number,
            "path": self.path,
        }
        out.update({key: value for key, value in optional.items() if value is not None})
        return out

    def to_issue(self, *, file: str | None = None) -> Issue:
        """The project-wide Issue form of this finding."""
        location = Location(file=file, segment_index=self.segment_index, loop=self.loop, element=self.element)
        return Issue(self.severity, self.code, self.message, location)
