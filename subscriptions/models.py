"""Models of subscriptions: added by the issue that builds this domain."""
