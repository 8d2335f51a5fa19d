"""Models of cases: added by the issue that builds this domain."""
