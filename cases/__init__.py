"""Cases: service requests, queues, SLA, transfers, retention desk, campaigns, NPS."""
