"""Subscriptions: life cycle, contract terms, resting, changes, provisioning, documents."""
