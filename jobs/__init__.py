"""Timed jobs: clients of the ledger that read projections and record facts through commands.

Every module in this package may define `JOBS = [Job(...), ...]`; they are discovered, listed by
`ledger jobs list`, run by `ledger jobs run NAME --at ...` and scheduled by `ledger scheduler`.
"""
