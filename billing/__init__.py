"""Billing: runs, invoices, ledger, payments, credit notes, vouchers, dunning, GL export."""
