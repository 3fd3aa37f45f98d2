"""Putting away the start page's first-steps hint: a person's own change, made once."""

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts import service
from lims.accounts.auth import principal_for
from lims.accounts.models import Role, User, UserCreate
from lims.accounts.principal import system_principal
from lims.errors import PermissionDenied


def make_user(engine: Engine, username: str, role: Role) -> User:
    with Session(engine) as db_session:
        return service.create_user(
            db_session,
            actor=system_principal("test"),
            data=UserCreate(
                username=username, full_name=username.title(), password="kalibrointi-2026!",
                roles=[role],
            ),
        )  # fmt: skip


def test_a_person_dismisses_their_own_hint_once_for_good(engine: Engine) -> None:
    auditor = make_user(engine, "arvioija", Role.AUDITOR)
    with Session(engine) as db_session:
        actor = principal_for(auditor, via="session")
        first = service.dismiss_first_steps(db_session, actor=actor).first_steps_dismissed_at
        again = service.dismiss_first_steps(db_session, actor=actor).first_steps_dismissed_at
    assert first is not None and again == first


def test_only_a_signed_in_person_dismisses_a_hint(engine: Engine) -> None:
    with Session(engine) as db_session, pytest.raises(PermissionDenied) as refused:
        service.dismiss_first_steps(db_session, actor=system_principal("cli"))
    assert "signed-in person" in refused.value.message
