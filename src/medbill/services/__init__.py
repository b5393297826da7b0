"""Use cases over the store: each takes ``*, session`` and never commits (the caller owns the transaction)."""
