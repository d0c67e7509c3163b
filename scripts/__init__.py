"""Command-line entry points: the `ledger` CLI, the WSGI server and the repository's shell scripts."""
