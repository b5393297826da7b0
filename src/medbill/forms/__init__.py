"""Paper forms drawn from the billing model: the CMS-1500 (02/12) professional claim."""

from medbill.forms.cms1500 import render_cms1500

__all__ = ["render_cms1500"]
