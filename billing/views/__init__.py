"""Screens of billing: billing runs (list, scheduling, the run page with its live
progress, review and actions) and invoices (list, and the invoice with every line
explained — "why is my bill this amount?").

Views stay thin: they read through ``billing.selectors`` and write through one
``billing.services`` call; the rules live there.
"""

from .invoices import InvoiceDetailView, InvoiceListView
from .runs import RunActionView, RunCreateView, RunDetailView, RunListView, run_progress

__all__ = [
    "InvoiceDetailView",
    "InvoiceListView",
    "RunActionView",
    "RunCreateView",
    "RunDetailView",
    "RunListView",
    "run_progress",
]
