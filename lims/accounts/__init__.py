"""Organisations (customers), users, roles and login."""
