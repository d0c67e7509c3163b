"""Handlers for labour-contract commands."""

from __future__ import annotations

from ledger.base import Ctx
from ledger.commands.contracts import ProposeAmendment, RenewContract, SignAmendment, SignContract, TerminateContract
from ledger.commission_plan import CommissionPlan
from ledger.contract import Contract
from ledger.rep import Rep
from ledger.services.base import ServiceBase


class ContractService(ServiceBase):
    """Labour contracts: signing, two-party amendments, renewal and termination."""

    def sign_contract(self, cmd: SignContract, ctx: Ctx) -> Contract:
        self.load(Rep, cmd.rep_id, field="rep_id").check_active()
        if cmd.commission_plan_id is not None:
            self.load(CommissionPlan, cmd.commission_plan_id, field="commission_plan_id")
        contract = Contract.sign(
            id=cmd.id, rep_id=cmd.rep_id, kind=cmd.kind, starts_on=cmd.starts_on, ends_on=cmd.ends_on,
            probation_months=cmd.probation_months, post=cmd.post, base_pay_amount=cmd.base_pay_amount,
            currency=cmd.currency, pay_period=cmd.pay_period, commission_plan_id=cmd.commission_plan_id,
            performance_clause=cmd.performance_clause, **ctx.stamp(cmd.occurred_at),
        )
        return self.commit(ctx, contract)

    def propose_amendment(self, cmd: ProposeAmendment, ctx: Ctx) -> Contract:
        contract = self.load(Contract, cmd.contract_id)
        if cmd.changes.get("commission_plan_id") is not None:
            self.load(CommissionPlan, cmd.changes["commission_plan_id"], field="changes.commission_plan_id")
        contract.propose_amendment(amendment_id=cmd.amendment_id, changes=cmd.changes, effective_on=cmd.effective_on,
                                   proposed_by=cmd.proposed_by, reason=cmd.reason, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, contract)

    def sign_amendment(self, cmd: SignAmendment, ctx: Ctx) -> Contract:
        contract = self.load(Contract, cmd.contract_id)
        contract.sign_amendment(amendment_id=cmd.amendment_id, party=cmd.party, signer=cmd.signer,
                                **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, contract)

    def renew_contract(self, cmd: RenewContract, ctx: Ctx) -> Contract:
        contract = self.load(Contract, cmd.contract_id)
        contract.renew(new_ends_on=cmd.new_ends_on, renewed_on=cmd.renewed_on, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, contract)

    def terminate_contract(self, cmd: TerminateContract, ctx: Ctx) -> Contract:
        contract = self.load(Contract, cmd.contract_id)
        contract.terminate(terminated_on=cmd.terminated_on, ground=cmd.ground, notice=cmd.notice,
                           reason=cmd.reason, notice_given_on=cmd.notice_given_on, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, contract)
