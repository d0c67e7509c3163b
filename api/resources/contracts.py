"""Labour contracts: sign, amend (both parties sign), renew, terminate."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView

from api.ext import ledger
from api.idempotency import idempotent
from api.parser import Blueprint
from api.resources.common import add_read_routes
from api.resources.reads import queries
from api.schemas.contracts import (
    AmendmentPropose,
    AmendmentSign,
    ContractInForceOut,
    ContractOnQuery,
    ContractOut,
    ContractRenew,
    ContractSign,
    ContractTerminate,
)
from ledger.base import Ctx
from ledger.commands.contracts import ProposeAmendment, RenewContract, SignAmendment, SignContract, TerminateContract
from ledger.contract import Contract
from projections.contracts import rep_contract

blp = Blueprint("contracts", __name__, url_prefix="/api/v1", description="Labour contracts and their amendments")


@blp.route("/contracts")
class Contracts(MethodView):
    @blp.arguments(ContractSign)
    @blp.response(201, ContractOut)
    @idempotent
    def post(self, cmd: SignContract, ctx: Ctx) -> Any:
        """Record a signed labour contract of an active rep."""
        return ledger().sign_contract(cmd, ctx)


@blp.route("/contracts/<uuid:contract_id>/amendments", methods=["POST"])
@blp.arguments(AmendmentPropose)
@blp.response(201, ContractOut)
@idempotent
def propose_amendment(data: dict[str, Any], contract_id: UUID, ctx: Ctx) -> Any:
    """Propose an amendment; it takes effect once employer and employee have both signed."""
    return ledger().propose_amendment(ProposeAmendment(contract_id=contract_id, **data), ctx)


@blp.route("/contracts/<uuid:contract_id>/amendments/<uuid:amendment_id>/sign", methods=["POST"])
@blp.arguments(AmendmentSign)
@blp.response(200, ContractOut)
@idempotent
def sign_amendment(data: dict[str, Any], contract_id: UUID, amendment_id: UUID, ctx: Ctx) -> Any:
    """One party signs an amendment (each party once); the second signature applies the changes."""
    return ledger().sign_amendment(SignAmendment(contract_id=contract_id, amendment_id=amendment_id, **data), ctx)


@blp.route("/contracts/<uuid:contract_id>/renew", methods=["POST"])
@blp.arguments(ContractRenew)
@blp.response(200, ContractOut)
@idempotent
def renew(data: dict[str, Any], contract_id: UUID, ctx: Ctx) -> Any:
    """Renew a fixed-term contract to a later end date."""
    return ledger().renew_contract(RenewContract(contract_id=contract_id, **data), ctx)


@blp.route("/contracts/<uuid:contract_id>/terminate", methods=["POST"])
@blp.arguments(ContractTerminate)
@blp.response(200, ContractOut)
@idempotent
def terminate(data: dict[str, Any], contract_id: UUID, ctx: Ctx) -> Any:
    """Terminate a contract on a legal ground with a notice mode; it then accepts nothing more."""
    return ledger().terminate_contract(TerminateContract(contract_id=contract_id, **data), ctx)


@blp.route("/reps/<uuid:rep_id>/contract", methods=["GET"])
@blp.arguments(ContractOnQuery, location="query")
@blp.response(200, ContractInForceOut)
def rep_contract_on(query: dict[str, Any], rep_id: UUID) -> Any:
    """A rep's contract as in force on a day (`on`): clauses, status, amendments, events; `as_of` as elsewhere."""
    read_side = queries().read_side
    return rep_contract(read_side, ledger(), rep_id, query["on"], read_side.moment(query["as_of"]))


add_read_routes(blp, "contracts", Contract, ContractOut)
