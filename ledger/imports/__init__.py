"""Bulk import of history (JSON Lines, CSV) through the real command handlers: formats, session, runner."""
