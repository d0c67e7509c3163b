"""Handlers for contracts commands."""

from __future__ import annotations

from ledger.services.base import ServiceBase


class ContractService(ServiceBase):
    """contracts command handlers."""
