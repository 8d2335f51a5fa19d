"""Leads: qualification, assignment, SLA, offers and quotes, approvals, commissions."""
