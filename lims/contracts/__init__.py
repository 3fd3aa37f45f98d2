"""Agreements, cost-based pricing, price lists, quotations and orders (services A and E)."""
