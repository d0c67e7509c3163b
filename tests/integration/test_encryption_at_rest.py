"""Personal data at rest: the database's raw bytes never hold it; keys are shared by every process on one database."""

from __future__ import annotations

import os
import stat
import threading
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from ledger.application import build_application
from ledger.base import Ctx
from ledger.commands.org import CreateTeam, OnboardRep, PersonalDetails, RecordPersonalDetails
from ledger.errors import Invalid
from ledger.keystore import KeyStoreError, SubjectErased
from ledger.personal import ERASED
from ledger.rep import Rep
from ledger.settings import Settings
from tests.conftest import TEST_DATABASE_URL
from tests.integration.rawdb import database_bytes, key_row, leaked

NOW = datetime.now(timezone.utc)


def ctx() -> Ctx:
    return Ctx("hr:test", f"k-{uuid4()}", "fp")


def onboard(app: Any, **personal: str) -> Rep:
    team = app.create_team(CreateTeam(name="T", occurred_at=NOW), ctx())
    return app.onboard_rep(OnboardRep(name="n", team_id=team.id, hired_on=date(2025, 1, 2), occurred_at=NOW,
                                      personal=PersonalDetails(**personal) if personal else None), ctx())


def test_the_database_holds_no_personal_plaintext(post: Any, make: Any, settings: Settings) -> None:
    national_id = f"3201{uuid4().int % 10**14:014d}"  # unique: a match could only come from this test
    control = f"明文对照 {uuid4().hex[:8]}"  # stored in clear on purpose: proves the dump would show plaintext
    rep = make.rep(name=control, personal={"national_id": national_id, "phone": "+86 139 0013 9000",
                                           "home_address": "上海市浦东新区隐私路 99 号"})
    contract = post("/api/v1/contracts", {"rep_id": rep["id"], "kind": "open_ended", "starts_on": "2025-03-01",
                                          "post": "sales", "base_pay_amount": "98765.43", "currency": "CNY"})
    assert contract.status_code == 201 and contract.json["base_pay_amount"] == "98765.43"
    make.customer(contacts=[{"name": "联系人张三", "phone": "+86 138 0013 8000", "title": "采购经理"}])
    raw = database_bytes(settings)
    assert leaked(raw, control, "采购经理") == [control, "采购经理"]
    assert leaked(raw, national_id, "+86 139 0013 9000", "上海市浦东新区隐私路 99 号", "98765.43",
                  "联系人张三", "+86 138 0013 8000") == []


def test_two_application_instances_share_the_keys_of_one_database(ledger_app: Any, settings: Settings) -> None:
    other = build_application(settings)
    try:
        rep = onboard(ledger_app, phone="+86 139 0013 9002")
        assert other.repository.get(rep.id).phone.value == "+86 139 0013 9002"
        subject = uuid4()
        keys: list[bytes] = []
        threads = [threading.Thread(target=lambda app=app: keys.append(app.keystore.key_for_writing(subject)))
                   for app in (ledger_app, other, ledger_app, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(keys) == 4 and len(set(keys)) == 1  # concurrent first use: one key wins everywhere

        assert ledger_app.keystore.erase(rep.id)
        other.keystore.clock = lambda: float("inf")  # past its short cache: what another process sees soon after
        assert other.repository.get(rep.id).phone == ledger_app.repository.get(rep.id).phone
        assert other.repository.get(rep.id).phone.value == ERASED
        with pytest.raises(SubjectErased):
            other.record_personal_details(RecordPersonalDetails(rep_id=rep.id, occurred_at=NOW, phone="1"), ctx())
    finally:
        other.close()


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="the SQLite file's own bytes")
def test_an_erased_key_leaves_no_copy_in_the_sqlite_files(ledger_app: Any, settings: Settings) -> None:
    rep = onboard(ledger_app, national_id="X")
    row = key_row(settings, rep.id.hex)
    assert row is not None and row[0] is not None and row[1] is None
    wrapped = row[0]
    ledger_app.keystore.erase(rep.id)
    assert key_row(settings, rep.id.hex) == (None, key_row(settings, rep.id.hex)[1])  # type: ignore[index]
    path = Path(settings.db_path)
    raw = b"".join(f.read_bytes() for f in path.parent.glob(path.name + "*") if f.is_file())
    assert wrapped not in raw


def test_development_master_key_is_kept_in_a_private_file_beside_sqlite(tmp_path: Path) -> None:
    settings = Settings(db_path=str(tmp_path / "dev.sqlite"))
    first = build_application(settings)
    rep = onboard(first, phone="+86 139 0013 9003")
    first.close()
    key_file = tmp_path / "dev.sqlite.master-key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    again = build_application(settings)
    try:
        assert again.repository.get(rep.id).phone.value == "+86 139 0013 9003"
    finally:
        again.close()


def test_a_wrong_or_lost_master_key_is_refused_at_start_not_mistaken_for_erasure(tmp_path: Path) -> None:
    settings = Settings(db_path=str(tmp_path / "k.sqlite"))
    build_application(settings).close()  # no personal data yet: nothing to check the key against
    first = build_application(settings)
    onboard(first, phone="1")
    first.close()
    with pytest.raises(KeyStoreError, match="master key"):
        build_application(replace(settings, master_key="B" * 43 + "="))
    (tmp_path / "k.sqlite.master-key").unlink()
    with pytest.raises(Invalid, match="key file"):  # a fresh key would make every earlier key unreadable
        build_application(settings)
    assert not (tmp_path / "k.sqlite.master-key").exists()


@pytest.mark.parametrize("bad", [{"database_url": "postgresql://u:p@localhost/db"},
                                 {"master_key": "too-short"}, {"environment": "production"}])
def test_configurations_without_a_usable_master_key_are_refused(bad: dict[str, str]) -> None:
    with pytest.raises(Invalid, match="LEDGER_MASTER_KEY"):
        Settings(**bad).check()
