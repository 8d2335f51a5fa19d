"""Models of leads: added by the issue that builds this domain."""
