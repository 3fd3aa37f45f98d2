"""CAD/PMI intake (C1): STEP AP242 semantic PMI and QIF 3.0 into measurement plans.

The readers here are pure: ``part21`` (STEP exchange structure), ``ap242`` (semantic PMI),
``qif`` (QIF 3.0 with lxml), ``iso286`` (limits and fits), ``plan`` (what they return) and
``reader`` (which one a file needs).  ``worker`` runs a reader in a bounded process;
``service`` puts the result into jobs.

Why a small Part 21 reader and not a CAD kernel: a kernel (OpenCascade and its Python
bindings) is several hundred MB, brings geometry we never use, and its XCAF layer reads
graphic PMI as if it were semantic (it reports 60 "dimensions" in NIST FTC-08, which has no
semantic PMI) while dropping parts of semantic tolerances.  The PMI we need is a few
hundred records of a file of thousands: a reader that indexes every record by id with one
regular expression (keeping the raw text and the type names) and parses only the records
the extraction follows reads the NIST test models in tens of milliseconds, in pure Python,
with exact control over hostile input.  See ``bench/bench_cad.py`` for the comparison with
steputils, a full-parse pure-Python reader.
"""
