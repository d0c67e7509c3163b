"""Handlers for performance commands."""

from __future__ import annotations

from ledger.services.base import ServiceBase


class PerformanceService(ServiceBase):
    """performance command handlers."""
