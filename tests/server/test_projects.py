"""Server.project(): get-or-create by title, ambiguity, config mismatch; create_user."""

from __future__ import annotations

import pytest

import ls_notebook as lsn
from ls_notebook.errors import ProjectError
from tests._support import unique_title

pytestmark = pytest.mark.server

CONFIG = """
<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="pos"/><Choice value="neg"/></Choices>
</View>
"""


def test_get_or_create_is_idempotent(server: lsn.Server) -> None:
    title = unique_title("reviews")
    first = server.project(title, config=CONFIG)
    second = server.project(title, config=CONFIG)
    third = server.project(title)
    assert first.id == second.id == third.id
    assert sum(server.projects()["title"] == title) == 1
    assert first.title == title and "sentiment" in first.config


def test_missing_project_without_config(server: lsn.Server) -> None:
    with pytest.raises(ProjectError, match="Pass config="):
        server.project(unique_title("absent"))


def test_ambiguous_title(server: lsn.Server) -> None:
    title = unique_title("twice")
    a = server.client.projects.create(title=title, label_config=CONFIG)
    b = server.client.projects.create(title=title, label_config=CONFIG)
    with pytest.raises(ProjectError, match=rf"2 projects are titled .*ids {a.id}, {b.id}|ids {b.id}, {a.id}"):
        server.project(title)
    assert server.project(id=a.id).title == title


def test_config_mismatch_and_update(server: lsn.Server) -> None:
    title = unique_title("cfg")
    project = server.project(title, config=CONFIG)
    other = CONFIG.replace('<Choice value="neg"/>', '<Choice value="neg"/><Choice value="neutral"/>')
    with pytest.raises(ProjectError, match="update=True"):
        server.project(title, config=other)
    assert "neutral" not in project.refresh().config
    updated = server.project(title, config=other, update=True)
    assert "neutral" in updated.config  # the config the update answered with, not a stale one
    assert updated.id == project.id and "neutral" in updated.refresh().config
    assert "neutral" in server.project(title).config


def test_project_comes_with_its_title_and_config(server: lsn.Server, monkeypatch) -> None:
    """get-or-create keeps what the create/list answer said: push() needs no second read of the project."""
    title = unique_title("known")
    created = server.project(title, config=CONFIG)
    found = server.project(title)
    monkeypatch.setattr(server.client.projects, "get", None)  # any read of the project would fail
    for project in (created, found):
        assert project.title == title and "sentiment" in project.config


def test_short_title(server: lsn.Server) -> None:
    with pytest.raises(ProjectError, match="at least 3 characters"):
        server.project("ab", config=CONFIG)


def test_create_user_gives_a_working_key(server: lsn.Server) -> None:
    email = f"{unique_title('ann').replace(' ', '-')}@example.com"
    user = server.create_user(email, first_name="Ann")
    assert user.email == email and user.api_key
    assert user.api_key not in repr(user)
    as_ann = server.as_user(user)
    assert as_ann.user == email
    again = server.create_user(email)
    assert again.id == user.id
