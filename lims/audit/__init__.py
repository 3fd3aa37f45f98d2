"""Append-only, hash-chained record of every change to a domain record.

A base package: every domain writes through it, so it imports none of them (reading the trail
with a person's rights is ``lims.records.audit_trail``).
"""
