"""Records for auditors: verifiable export bundles of everything behind a job or a document,
and the retention period inside which no record can be deleted.

``scope`` decides what an export covers and refuses bad requests before anything is written;
``collect`` and ``lab`` read the records; ``events`` the audit events; ``bundle`` writes the
hashed ZIP; ``pages`` its offline HTML; ``export`` runs it all; ``service`` is what the API
and the CLI call; ``verify`` checks a bundle; ``retention`` keeps records from deletion;
``audit_trail`` reads one record's history and verifies the chain, with the reader's rights.
"""
