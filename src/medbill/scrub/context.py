"""ScrubContext: everything a rule may consult besides the claim, handed in, never global.

The code sets (chosen by each claim's date of service inside the rules), the NCCI tables, the Medicare fee
schedule, the payer profile's parameters and "today". Lookups are memoized here because the same few hundred
codes recur across a batch of thousands of claims.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from medbill.codes.catalog import CatalogCode
from medbill.codes.editions import CodeSystem
from medbill.codes.icd10cm import Icd10cmCode
from medbill.scrub.profiles import PayerProfile

if TYPE_CHECKING:
    from medbill.billing.fees import MedicareFeeSchedule, RvuRow
    from medbill.codes.library import CodeLibrary
    from medbill.scrub.ncci import NcciTables


@dataclass(eq=False)
class ScrubContext:
    library: CodeLibrary
    profile: PayerProfile
    ncci: NcciTables | None = None
    fees: MedicareFeeSchedule | None = None
    today: date = field(default_factory=date.today)
    seen: dict[str, str] = field(default_factory=dict)
    """Duplicate fingerprints of the claims scrubbed so far in this run → claim id (duplicate-claim edits)."""

    def __post_init__(self) -> None:
        self._catalogs: dict[CodeSystem, Callable[[str], CatalogCode | None]] = {}
        self._rvus: dict[tuple[str, str, date], RvuRow | None] = {}
        self._memos: dict[str, dict[Any, Any]] = {}
        self._siblings: dict[int, ScrubContext] = {}

    def memo(self, name: str) -> dict[Any, Any]:
        """A named cache shared by the rules of a run (derived data such as parsed tabular notes per code)."""
        table = self._memos.get(name)
        if table is None:
            table = self._memos[name] = {}
        return table

    def with_profile(self, profile: PayerProfile) -> ScrubContext:
        """The same tables and memory of the run, another payer's parameters (one context per profile, made on
        first use: callers ask per claim)."""
        if profile is self.profile:
            return self
        made = self._siblings.get(id(profile))
        if made is not None and made.profile is profile:
            return made
        other = ScrubContext(self.library, profile, self.ncci, self.fees, self.today, self.seen)
        other._catalogs = self._catalogs
        other._rvus = self._rvus
        other._memos = self._memos
        other._siblings = self._siblings
        self._siblings[id(profile)] = other
        return other

    def param(self, name: str, default: object = None) -> object:
        return self.profile.params.get(name, default)

    def int_param(self, name: str, default: int) -> int:
        value = self.profile.params.get(name, default)
        return int(value) if isinstance(value, int | str) else default

    def bool_param(self, name: str, default: bool) -> bool:
        value = self.profile.params.get(name, default)
        return bool(value)

    def set_param(self, name: str, default: frozenset[str] = frozenset()) -> frozenset[str]:
        value = self.profile.params.get(name)
        if isinstance(value, list | tuple | set | frozenset):
            return frozenset(str(v).strip().upper() for v in value)
        return default

    @cached_property
    def icd_record(self) -> Callable[[str], Icd10cmCode | None]:
        return self.library.icd10cm.get

    def catalog(self, system: CodeSystem, code: str) -> CatalogCode | None:
        get = self._catalogs.get(system)
        if get is None:
            get = self._catalogs[system] = self.library.catalog(system).get
        return get(code)

    def procedure(self, code: str) -> CatalogCode | None:
        """A CPT or HCPCS Level II record (CPT numbers are known from CMS tables or the user's CPT import)."""
        if code[:1].isdigit():
            return self.catalog(CodeSystem.CPT, code)
        return self.catalog(CodeSystem.HCPCS, code)

    def rvu(self, code: str, modifier: str, on: date) -> RvuRow | None:
        if self.fees is None:
            return None
        key = (code, modifier, on)
        if key not in self._rvus:
            self._rvus[key] = self.fees.rvu(code, modifier or None, on)
        return self._rvus[key]
