"""Self-service for persons: claim an imported record, apply, accept invitations, transfer, the inbox."""
