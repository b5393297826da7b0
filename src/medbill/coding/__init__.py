"""Coding: turning words and typed codes into valid, dated codes (validation, search; later the encoder and CAC)."""
