"""Customers: persons and companies, hierarchies, billing accounts, communications, search."""
