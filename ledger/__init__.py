"""Sales Performance Ledger: the domain and the write side."""
