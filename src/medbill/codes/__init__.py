"""Code sets, real and dated: ICD-10-CM (tabular, index tables, MCE), ICD-10-PCS, HCPCS, CPT numbers, modifiers,
place of service, CARC/RARC and NUCC taxonomy, compiled into one local store and chosen by date of service.

Public entry point: `CodeLibrary.open()`; every answer carries the `Edition` that gave it.
"""

from medbill.codes.editions import CodeSystem, Edition
from medbill.codes.library import CodeLibrary

__all__ = ["CodeLibrary", "CodeSystem", "Edition"]
