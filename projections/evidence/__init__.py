"""The evidence bundle for a dismissal: events with proofs, scorecards, allocation, contract, readiness, PDF."""
