"""Every scrubber rule, one module per family; importing this package registers them all."""

from medbill.scrub.rules import (  # noqa: F401  (imported for registration)
    claim,
    dates,
    diagnosis,
    duplicates,
    modifiers,
    ncci_edits,
    payer,
    procedure,
    providers,
)
