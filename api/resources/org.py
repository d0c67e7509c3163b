"""Teams, competition groups and reps."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView

from api.ext import ledger
from api.idempotency import idempotent
from api.parser import Blueprint
from api.resources.common import add_read_routes
from api.schemas.org import (
    GroupCreate,
    GroupMembersChange,
    GroupOut,
    RepLeave,
    RepOnboard,
    RepOut,
    RepPersonalDetails,
    RepTransfer,
    TeamCreate,
    TeamOut,
)
from ledger.base import Ctx
from ledger.commands.org import (
    ChangeGroupMembers,
    CreateTeam,
    FormGroup,
    OnboardRep,
    RecordPersonalDetails,
    RecordRepLeft,
    TransferRep,
)
from ledger.group import Group
from ledger.rep import Rep
from ledger.team import Team

blp = Blueprint("org", __name__, url_prefix="/api/v1", description="Teams, competition groups and reps")


@blp.route("/teams")
class Teams(MethodView):
    @blp.arguments(TeamCreate)
    @blp.response(201, TeamOut)
    @idempotent
    def post(self, cmd: CreateTeam, ctx: Ctx) -> Any:
        """Create a team."""
        return ledger().create_team(cmd, ctx)


@blp.route("/groups")
class Groups(MethodView):
    @blp.arguments(GroupCreate)
    @blp.response(201, GroupOut)
    @idempotent
    def post(self, cmd: FormGroup, ctx: Ctx) -> Any:
        """Form a competition group of reps for a period."""
        return ledger().form_group(cmd, ctx)


@blp.route("/groups/<uuid:group_id>/members", methods=["POST"])
@blp.arguments(GroupMembersChange)
@blp.response(200, GroupOut)
@idempotent
def change_members(data: dict[str, Any], group_id: UUID, ctx: Ctx) -> Any:
    """Add or remove members of a competition group."""
    return ledger().change_group_members(ChangeGroupMembers(group_id=group_id, **data), ctx)


@blp.route("/reps")
class Reps(MethodView):
    @blp.arguments(RepOnboard)
    @blp.response(201, RepOut)
    @idempotent
    def post(self, cmd: OnboardRep, ctx: Ctx) -> Any:
        """Onboard a rep into a team."""
        return ledger().onboard_rep(cmd, ctx)


@blp.route("/reps/<uuid:rep_id>/transfer", methods=["POST"])
@blp.arguments(RepTransfer)
@blp.response(200, RepOut)
@idempotent
def transfer(data: dict[str, Any], rep_id: UUID, ctx: Ctx) -> Any:
    """Transfer a rep to another team, post or manager."""
    return ledger().transfer_rep(TransferRep(rep_id=rep_id, **data), ctx)


@blp.route("/reps/<uuid:rep_id>/leave", methods=["POST"])
@blp.arguments(RepLeave)
@blp.response(200, RepOut)
@idempotent
def leave(data: dict[str, Any], rep_id: UUID, ctx: Ctx) -> Any:
    """Record that a rep has left; a departed rep can be given no customer."""
    return ledger().record_rep_left(RecordRepLeft(rep_id=rep_id, **data), ctx)


@blp.route("/reps/<uuid:rep_id>/personal-details", methods=["POST"])
@blp.arguments(RepPersonalDetails)
@blp.response(200, RepOut)
@idempotent
def personal_details(data: dict[str, Any], rep_id: UUID, ctx: Ctx) -> Any:
    """Record a rep's national ID, phone or home address, encrypted under the rep's own key."""
    return ledger().record_personal_details(RecordPersonalDetails(rep_id=rep_id, **data), ctx)


add_read_routes(blp, "teams", Team, TeamOut)
add_read_routes(blp, "groups", Group, GroupOut)
add_read_routes(blp, "reps", Rep, RepOut)
