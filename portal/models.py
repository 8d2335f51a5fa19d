"""Models of portal: added by the issue that builds this domain."""
