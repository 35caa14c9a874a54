"""Integration: domain signals, the transactional outbox, and what delivers them (webhooks, streams, feeds)."""
