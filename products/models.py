"""Models of products: added by the issue that builds this domain."""
