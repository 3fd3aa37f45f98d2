"""Measurement jobs (B1-B3): items, plans, results, uncertainty, conformity, review."""
