"""Billing core: the claim model shared by the billing engine and the X12 837 reader and writer."""
