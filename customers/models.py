"""Models of customers: added by the issue that builds this domain."""
