"""Models of inventory: added by the issue that builds this domain."""
