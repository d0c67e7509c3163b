"""Command handlers, one mixin per family, composed into the one LedgerApplication."""
