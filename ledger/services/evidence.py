"""Handlers for evidence commands: protected statuses (art. 42) and evidence exports."""

from __future__ import annotations

from ledger.base import Ctx
from ledger.commands.evidence import EndProtectedStatus, RecordEvidenceExport, RecordProtectedStatus
from ledger.evidence_export import EvidenceExport
from ledger.protected_status import ProtectedStatus
from ledger.rep import Rep
from ledger.services.base import ServiceBase


class EvidenceService(ServiceBase):
    """Facts a dismissal's legality turns on, and the record that someone exported them."""

    def record_protected_status(self, cmd: RecordProtectedStatus, ctx: Ctx) -> ProtectedStatus:
        self.load(Rep, cmd.rep_id, field="rep_id").check_active()
        status = ProtectedStatus.record(id=cmd.id, rep_id=cmd.rep_id, category=cmd.category, starts_on=cmd.starts_on,
                                        ends_on=cmd.ends_on, basis=cmd.basis, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, status)

    def end_protected_status(self, cmd: EndProtectedStatus, ctx: Ctx) -> ProtectedStatus:
        status = self.load(ProtectedStatus, cmd.status_id)
        status.end(ended_on=cmd.ended_on, reason=cmd.reason, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, status)

    def record_evidence_export(self, cmd: RecordEvidenceExport, ctx: Ctx) -> EvidenceExport:
        self.load(Rep, cmd.rep_id, field="rep_id")
        export = EvidenceExport.record(rep_id=cmd.rep_id, from_date=cmd.from_date, to_date=cmd.to_date,
                                       exported_by=cmd.exported_by, position=cmd.position,
                                       checkpoint_id=cmd.checkpoint_id, manifest_sha256=cmd.manifest_sha256,
                                       **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, export)
