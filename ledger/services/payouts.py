"""Handlers for payouts commands."""

from __future__ import annotations

from ledger.services.base import ServiceBase


class PayoutService(ServiceBase):
    """payouts command handlers."""
