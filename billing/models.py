"""Models of billing: added by the issue that builds this domain."""
