"""Customers and the shared pool: register, claim, assign, release."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView

from api.ext import ledger
from api.idempotency import idempotent
from api.parser import Blueprint
from api.resources.common import add_read_routes
from api.schemas.customers import (
    ContactRecord,
    CustomerAssign,
    CustomerClaim,
    CustomerOut,
    CustomerRegister,
    CustomerRelease,
)
from ledger.base import Ctx
from ledger.commands.pool import AssignCustomer, ClaimCustomer, RecordContact, RegisterCustomer, ReleaseCustomer
from ledger.customer import Customer

blp = Blueprint("customers", __name__, url_prefix="/api/v1", description="Customers and the shared pool")


@blp.route("/customers")
class Customers(MethodView):
    @blp.arguments(CustomerRegister)
    @blp.response(201, CustomerOut)
    @idempotent
    def post(self, cmd: RegisterCustomer, ctx: Ctx) -> Any:
        """Register a customer into the shared pool."""
        return ledger().register_customer(cmd, ctx)


@blp.route("/customers/<uuid:customer_id>/claim", methods=["POST"])
@blp.arguments(CustomerClaim)
@blp.response(200, CustomerOut)
@idempotent
def claim(data: dict[str, Any], customer_id: UUID, ctx: Ctx) -> Any:
    """A rep claims a pool customer; refused (409) if someone owns it already."""
    return ledger().claim_customer(ClaimCustomer(customer_id=customer_id, **data), ctx)


@blp.route("/customers/<uuid:customer_id>/assign", methods=["POST"])
@blp.arguments(CustomerAssign)
@blp.response(200, CustomerOut)
@idempotent
def assign(data: dict[str, Any], customer_id: UUID, ctx: Ctx) -> Any:
    """A manager or a distribution rule assigns a customer to a rep, with a reason."""
    return ledger().assign_customer(AssignCustomer(customer_id=customer_id, **data), ctx)


@blp.route("/customers/<uuid:customer_id>/release", methods=["POST"])
@blp.arguments(CustomerRelease)
@blp.response(200, CustomerOut)
@idempotent
def release(data: dict[str, Any], customer_id: UUID, ctx: Ctx) -> Any:
    """The owner releases a customer back into the pool."""
    return ledger().release_customer(ReleaseCustomer(customer_id=customer_id, **data), ctx)


@blp.route("/customers/<uuid:customer_id>/contacts", methods=["POST"])
@blp.arguments(ContactRecord)
@blp.response(201, CustomerOut)
@idempotent
def contacts(data: dict[str, Any], customer_id: UUID, ctx: Ctx) -> Any:
    """Record a contact person at a customer; name and phone are encrypted under the customer's key."""
    return ledger().record_contact(RecordContact(customer_id=customer_id, **data), ctx)


add_read_routes(blp, "customers", Customer, CustomerOut)
