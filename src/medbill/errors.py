"""The exception tree, for operations that cannot continue (problems in data are Issues, not exceptions).

    MedbillError                 exit 2, HTTP 500
     ├── InvalidInput            exit 2, HTTP 422   bad user input; may carry Issues
     │    └── X12SyntaxError     exit 2, HTTP 422   an X12 file that cannot be tokenized
     ├── NotFound                exit 2, HTTP 404   a code, record or file that does not exist
     ├── Conflict                exit 2, HTTP 409   the operation clashes with stored state
     └── CodeSetUnavailable      exit 2, HTTP 503   a code set is not loaded or its store cannot be built

Messages never contain PHI: they name the file, segment, field or code, not the patient.
"""

from __future__ import annotations

from collections.abc import Sequence

from medbill.issues import Issue


class MedbillError(Exception):
    http_status = 500
    exit_code = 2

    def __init__(self, message: str, *, issues: Sequence[Issue] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.issues = tuple(issues)


class InvalidInput(MedbillError):
    http_status = 422


class X12SyntaxError(InvalidInput):
    pass


class NotFound(MedbillError):
    http_status = 404


class Conflict(MedbillError):
    http_status = 409


class CodeSetUnavailable(MedbillError):
    http_status = 503
