"""Append-only, hash-chained record of every change to a domain record."""
