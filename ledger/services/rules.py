"""Handlers for rules commands."""

from __future__ import annotations

from ledger.services.base import ServiceBase


class RulesService(ServiceBase):
    """rules command handlers."""
