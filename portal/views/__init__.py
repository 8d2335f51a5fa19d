"""Pages of the subscriber portal, a module per part (account, invoices, payments,
services, requests, profile)."""
