"""Handlers for sales commands."""

from __future__ import annotations

from ledger.services.base import ServiceBase


class SalesService(ServiceBase):
    """sales command handlers."""
