"""Handlers for organisation commands."""

from __future__ import annotations

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
from ledger.errors import Conflict
from ledger.group import Group
from ledger.periods import check_period
from ledger.rep import Rep
from ledger.services.base import ServiceBase
from ledger.team import Team


class OrgService(ServiceBase):
    """Teams, groups and reps."""

    def create_team(self, cmd: CreateTeam, ctx: Ctx) -> Team:
        if cmd.manager_id is not None:
            self.load(Rep, cmd.manager_id, field="manager_id").check_active()
        team = Team.create(id=cmd.id, name=cmd.name, region=cmd.region, manager_id=cmd.manager_id,
                           **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, team)

    def form_group(self, cmd: FormGroup, ctx: Ctx) -> Group:
        for rep_id in cmd.member_ids:
            self.load(Rep, rep_id, field="member_ids").check_active()
        group = Group.form(id=cmd.id, name=cmd.name, period=check_period(cmd.period),
                           member_ids=cmd.member_ids, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, group)

    def change_group_members(self, cmd: ChangeGroupMembers, ctx: Ctx) -> Group:
        group = self.load(Group, cmd.group_id)
        for rep_id in cmd.added:
            self.load(Rep, rep_id, field="added").check_active()
        group.change_members(added=cmd.added, removed=cmd.removed, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, group)

    def onboard_rep(self, cmd: OnboardRep, ctx: Ctx) -> Rep:
        self.load(Team, cmd.team_id, field="team_id")
        if cmd.manager_id is not None:
            self.load(Rep, cmd.manager_id, field="manager_id").check_active()
        rep = Rep.onboard(id=cmd.id, name=cmd.name, team_id=cmd.team_id, manager_id=cmd.manager_id,
                          post=cmd.post, hired_on=cmd.hired_on, **ctx.stamp(cmd.occurred_at))
        if cmd.personal is not None:  # recorded in the same save: no rep exists without the details given
            rep.record_personal_details(national_id=cmd.personal.national_id, phone=cmd.personal.phone,
                                        home_address=cmd.personal.home_address, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, rep)

    def record_personal_details(self, cmd: RecordPersonalDetails, ctx: Ctx) -> Rep:
        rep = self.load(Rep, cmd.rep_id)
        rep.record_personal_details(national_id=cmd.national_id, phone=cmd.phone, home_address=cmd.home_address,
                                    **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, rep)

    def transfer_rep(self, cmd: TransferRep, ctx: Ctx) -> Rep:
        rep = self.load(Rep, cmd.rep_id)
        self.load(Team, cmd.team_id, field="team_id")
        if cmd.manager_id is not None:
            if cmd.manager_id == cmd.rep_id:
                raise Conflict("a rep cannot manage themself", errors={"manager_id": ["is the rep"]})
            self.load(Rep, cmd.manager_id, field="manager_id").check_active()
        rep.transfer(team_id=cmd.team_id, post=cmd.post, manager_id=cmd.manager_id, reason=cmd.reason,
                     **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, rep)

    def record_rep_left(self, cmd: RecordRepLeft, ctx: Ctx) -> Rep:
        rep = self.load(Rep, cmd.rep_id)
        rep.leave(left_on=cmd.left_on, reason=cmd.reason, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, rep)
