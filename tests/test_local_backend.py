"""What LocalBackend has beyond the protocol: API tokens (the team server's logins),
`as_user` (the server's per-request view) and its description."""

from __future__ import annotations

from typing import Any, cast

import pytest

from tests.conftest import Harness
from tests.contract.helpers import refused, unchanged
from tests.hostile import CORPUS
from tui_board.backend.local import LocalBackend
from tui_board.backend.local.people import hash_token
from tui_board.backend.protocol import Backend
from tui_board.core.errors import Forbidden, Invalid, NotFound
from tui_board.core.models import UserPatch
from tui_board.core.text import unsafe_character

HOSTILE = [text for text in CORPUS.values() if unsafe_character(text)]


@pytest.fixture
def ada(local_harness: Harness) -> LocalBackend:
    admin = cast(LocalBackend, local_harness.make("ada"))
    admin.me()
    admin.create_user("mia", "Mia")
    admin.create_user("max", "Max")
    return admin


def test_local_backend_is_a_backend(ada: LocalBackend) -> None:
    assert isinstance(ada, Backend)
    assert ada.description.startswith("local: ")


def test_a_token_names_its_owner_until_revoked(local_harness: Harness, ada: LocalBackend) -> None:
    mia = cast(LocalBackend, local_harness.make("mia"))
    token = mia.create_token("mia", name="laptop")
    second = ada.create_token("mia")
    assert token.startswith("tb_") and token != second
    assert ada.login_for_token(token) == "mia"
    assert ada.login_for_token(second) == "mia"
    dump = local_harness.dump()
    assert token not in repr(dump)  # only the hash is stored
    assert hash_token(token) in repr(dump["api_tokens"])
    assert mia.revoke_tokens("mia") == 2
    for revoked in (token, second):
        with pytest.raises(Forbidden, match="revoked"):
            ada.login_for_token(revoked)
    assert mia.revoke_tokens("mia") == 0
    with pytest.raises(Forbidden, match="unknown"):
        ada.login_for_token("tb_nonsense")


def test_tokens_of_other_people_are_an_admins(local_harness: Harness, ada: LocalBackend) -> None:
    mia = cast(LocalBackend, local_harness.make("mia"))
    ada.create_token("max")
    with refused(Forbidden, local_harness):
        mia.create_token("max")
    with refused(Forbidden, local_harness):
        mia.revoke_tokens("max")
    with refused(NotFound, local_harness):
        ada.create_token("nobody")


def test_a_deactivated_persons_token_is_refused(local_harness: Harness, ada: LocalBackend) -> None:
    token = ada.create_token("mia")
    ada.update_user("mia", ada.get_user("mia").version, UserPatch(active=False))
    with pytest.raises(Forbidden, match="deactivated"):
        ada.login_for_token(token)
    ada.update_user("mia", ada.get_user("mia").version, UserPatch(active=True))
    assert ada.login_for_token(token) == "mia"


def test_as_user_sees_the_same_store_as_someone_else(ada: LocalBackend) -> None:
    mia = ada.as_user("mia")
    assert mia.me().login == "mia"
    assert mia.db is ada.db and mia.clock is ada.clock
    with pytest.raises(Forbidden):
        mia.create_user("zoe", "Zoe")


def test_a_tokens_name_and_login_keep_to_the_text_rule(
    local_harness: Harness, ada: LocalBackend
) -> None:
    for text in HOSTILE:
        with unchanged(local_harness), pytest.raises(Invalid, match="token's name"):
            ada.create_token("mia", name=text)
        with unchanged(local_harness), pytest.raises(Invalid, match="login"):
            ada.create_token(text)
    with refused(Invalid, local_harness):
        ada.create_token("mia", name="n" * 101)
    assert ada.create_token("mia", name=CORPUS["wide"]).startswith("tb_")


@pytest.mark.parametrize("login", [*HOSTILE[:3], CORPUS["wide"], "two words"])
def test_the_first_person_on_an_empty_store_has_a_valid_login(
    local_harness: Harness, login: str
) -> None:
    with refused(Invalid, local_harness):
        local_harness.make(login).me()


def test_a_drivers_error_in_plain_sql_is_raised_as_the_orm_raises_it(
    local_harness: Harness,
) -> None:
    """Plain SQL on the ORM session's connection (`OrmTx`) raises SQLAlchemy's errors,
    as the ORM did: a value PostgreSQL cannot take is a `DataError` (the team server
    answers it with 422, not 500); SQLite takes a negative LIMIT as none."""
    from sqlalchemy.exc import DataError

    database = cast(Any, local_harness).database
    with database.read() as s:
        if database.is_sqlite:
            assert s.column("SELECT 1 LIMIT :n", n=-1) == [1]
        else:
            with pytest.raises(DataError):
                s.column("SELECT 1 LIMIT :n", n=-1)


def test_a_card_put_between_two_with_no_room_renumbers_the_column_in_order(
    ada: LocalBackend,
) -> None:
    """Two neighbours whose ranks have no float between them: the column is ranked
    again a step apart (keeping its order) and the card goes between them."""
    ada.create_project("REN", "Renumbering")
    keys = [ada.create_task("REN", f"card {n}").key for n in range(4)]
    column = ada.get_task(keys[0]).column_id
    with ada.db.write() as s:
        s.run("UPDATE tasks SET rank = 1.0 WHERE id = :id", id=_task_id(s, keys[0]))
        s.run(
            "UPDATE tasks SET rank = :r WHERE id = :id",
            r=1.0000000000000002,
            id=_task_id(s, keys[1]),
        )
        s.run("UPDATE tasks SET rank = 5.0 WHERE id = :id", id=_task_id(s, keys[2]))
    moving = ada.get_task(keys[3])
    ada.move_task(keys[3], moving.version, column, 1)
    order = [t.key for t in ada.list_tasks(column_id=column)]
    assert order == [keys[0], keys[3], keys[1], keys[2]]
    with ada.db.read() as s:
        ranks = s.column("SELECT rank FROM tasks WHERE column_id = :c ORDER BY rank, id", c=column)
    assert ranks == sorted(set(ranks))  # all apart
    assert ranks[1] - ranks[0] > 1.0 and ranks[3] - ranks[2] > 1.0


def _task_id(s: Any, key: str) -> int:
    project, number = key.split("-")
    return int(
        s.value(
            "SELECT t.id FROM tasks t JOIN projects p ON p.id = t.project_id"
            " WHERE p.key = :p AND t.number = :n",
            p=project,
            n=int(number),
        )
    )
