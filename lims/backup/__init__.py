"""Backups and restores: the database and the file store, with a manifest that proves them.

``lims backup DEST`` writes a folder: the database copy (``pg_dump`` custom format, or a
SQLite file made with SQLite's online backup API), every stored file, and ``manifest.json``
with the row count and content digest of every table, the audit chain's head and the hash
of every file.  ``lims restore SRC`` checks all of that before it touches anything, restores
into an empty database and file store, and checks it again on the restored copy.
"""
