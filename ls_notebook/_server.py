"""``Server``: a running Label Studio, local (started by ls_notebook) or attached (remote)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ls_notebook import _users
from ls_notebook._html import facts_table
from ls_notebook._links import browser_url
from ls_notebook._project import Project
from ls_notebook.client import Connection, api_errors
from ls_notebook.configs import validate as validate_config
from ls_notebook.errors import LabelStudioError, ProjectError
from ls_notebook.server import ServerInfo
from ls_notebook.server import manager as _manager
from ls_notebook.server._net import healthy

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

#: Longest project title Label Studio accepts.
MAX_TITLE = 50


def _normalize_xml(xml: str) -> str:
    return "".join(line.strip() for line in str(xml).splitlines())


_current: Server | None = None  # the server this kernel uses (ls_notebook.current())


def set_current(server: Server) -> Server:
    """Make ``server`` the one :func:`ls_notebook.current` returns."""
    global _current
    _current = server
    return server


def get_current() -> Server | None:
    """The server this kernel uses, if any."""
    return _current


def forget(server: Server) -> None:
    """No current server any more if it was ``server`` (or one at its URL): it was stopped."""
    global _current
    if _current is server or (_current is not None and _current.url == server.url):
        _current = None


class Server:
    """A Label Studio server the notebook talks to.

    Get one from :func:`ls_notebook.start` (a local server) or :func:`ls_notebook.attach` (any
    server). The API key is kept private: no repr, card or error message shows it.

    Examples
    --------
    >>> import ls_notebook as lsn
    >>> server = lsn.start()                      # doctest: +SKIP
    >>> project = server.project("Reviews", config=lsn.configs.text_classification(["pos", "neg"]))
    ... # doctest: +SKIP
    """

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        info: ServerInfo | None = None,
        user: dict[str, Any] | None = None,
        version: str | None = None,
    ) -> None:
        self._conn = Connection(url, api_key, info=info, version=version)
        self._user = user or {}

    # -- identity -------------------------------------------------------------------------------------
    @property
    def connection(self) -> Connection:
        """The connection every request to this server goes through (see :mod:`ls_notebook.client`)."""
        return self._conn

    @property
    def url(self) -> str:
        """The server's URL as the kernel reaches it (a local server's follows it across restarts)."""
        return self._conn.url

    @property
    def client(self) -> LabelStudio:
        """The ``label_studio_sdk.LabelStudio`` client, authenticated with this server's key."""
        return self._conn.sdk

    @property
    def is_local(self) -> bool:
        """True for a server started by :func:`ls_notebook.start`."""
        return self._conn.is_local

    @property
    def data_dir(self) -> Path | None:
        """The data dir of a local server (None for an attached one)."""
        return self._conn.data_dir

    @property
    def pid(self) -> int | None:
        """Process id of a local server."""
        info = self._conn.info
        return info.pid if info else None

    @property
    def port(self) -> int | None:
        """Port of a local server on 127.0.0.1."""
        info = self._conn.info
        return info.port if info else None

    @property
    def version(self) -> str:
        """The Label Studio release of the server (e.g. ``'1.23.2'``)."""
        return self._conn.version

    @property
    def user(self) -> str:
        """E-mail of the user the API key belongs to."""
        if not self._user:
            with api_errors("reading the current user", self.url):
                self._user = self.client.users.whoami().dict()
        return str(self._user.get("email", ""))

    @property
    def running(self) -> bool:
        """True when the server answers ``/health`` now."""
        return healthy(self.url)

    def link(self, path: str = "") -> str:
        """Return the browser-facing URL of ``path`` (through a proxy when one applies)."""
        return browser_url(self.url, self.port, path)

    # -- projects -------------------------------------------------------------------------------------
    def projects(self) -> pd.DataFrame:
        """List the server's projects: id, title, task and annotation counts, creation time."""
        with api_errors("listing projects", self.url):
            rows = [
                {
                    "id": p.id,
                    "title": p.title,
                    "tasks": p.task_number,
                    "annotations": p.total_annotations_number,
                    "created_at": p.created_at,
                }
                for p in self.client.projects.list()
            ]
        frame = pd.DataFrame(rows, columns=["id", "title", "tasks", "annotations", "created_at"])
        return frame.convert_dtypes(dtype_backend="pyarrow")

    def project(
        self,
        title: str | None = None,
        config: str | None = None,
        *,
        id: int | None = None,
        update: bool = False,
    ) -> Project:
        """Get the project titled ``title``, creating it with ``config`` when there is none.

        Parameters
        ----------
        title : str
            Exact project title (Label Studio needs at least 3 characters).
        config : str, optional
            Label config XML (see :mod:`ls_notebook.configs`). Needed to create the project; for an
            existing project it must match the stored config unless ``update=True``.
        id : int, optional
            Select the project by id instead of title.
        update : bool
            Replace the stored config with ``config`` when they differ.

        Raises
        ------
        ProjectError
            The title matches several projects, the project does not exist and no config was given,
            or the stored config differs from ``config``.
        """
        if config is not None:
            validate_config(config)  # a one-line ConfigError before anything reaches the server
        if id is not None:
            project = Project(self, id)
            project.refresh()
            return project
        if not isinstance(title, str) or len(title.strip()) < 3:
            raise ProjectError(
                f"Project title {title!r} is too short: Label Studio needs at least 3 characters."
            )
        if len(title) > MAX_TITLE:
            raise ProjectError(
                f"Project title {title[:20]!r}... has {len(title)} characters; Label Studio allows at most "
                f"{MAX_TITLE}: shorten it."
            )
        with api_errors("listing projects", self.url):
            matches = [p for p in self.client.projects.list(title=title) if p.title == title]
        if len(matches) > 1:
            ids = ", ".join(str(p.id) for p in matches)
            raise ProjectError(
                f"{len(matches)} projects are titled {title!r} (ids {ids}). Pick one with "
                f"server.project(id=...), or rename the others."
            )
        if not matches:
            if config is None:
                raise ProjectError(
                    f"No project titled {title!r} on {self.url}. Pass config= (e.g. "
                    "ls_notebook.configs.text_classification([...])) to create it."
                )
            with api_errors(f"creating project {title!r}", self.url):
                created = self.client.projects.create(title=title, label_config=config)
            return Project._read(self, created)  # title and config known: push() needs no second read
        found = matches[0]
        if config is not None and _normalize_xml(found.label_config or "") != _normalize_xml(config):
            if not update:
                raise ProjectError(
                    f"Project {title!r} (id {found.id}) has a different label config than the one given. "
                    "Pass update=True to replace it (existing annotations must still fit), or use "
                    "another title."
                )
            with api_errors(f"updating the config of project {title!r}", self.url):
                found = self.client.projects.update(id=found.id, label_config=config)
        return Project._read(self, found)

    # -- users ----------------------------------------------------------------------------------------
    def create_user(
        self, email: str, *, first_name: str = "", last_name: str = "", username: str | None = None
    ) -> _users.User:
        """Create (or find) a user, e.g. to simulate several annotators; returns it with its API key.

        The key is found for local servers (those started by :func:`ls_notebook.start`, on SQLite or
        PostgreSQL); for attached servers the returned user has ``api_key=None``. The user joins the
        admin's organization.
        """
        with api_errors(f"looking up user {email}", self.url):
            existing = [u for u in self.client.users.list() if u.email == email]
        if existing:
            user_id = existing[0].id
        else:
            with api_errors(f"creating user {email}", self.url):
                created = self.client.users.create(
                    email=email,
                    username=username or email.split("@")[0],
                    first_name=first_name,
                    last_name=last_name,
                )
            user_id = created.id
        org = self.client.users.whoami().active_organization
        with api_errors(f"adding {email} to the organization", self.url):
            self.client.users.update(id=user_id, active_organization=org)
        return _users.User(id=int(user_id), email=email, api_key=self._token_of(int(user_id), email))

    def _token_of(self, user_id: int, email: str) -> str | None:
        from ls_notebook.project._db import user_token

        return user_token(self._conn, user_id)

    def as_user(self, user: _users.User) -> Server:
        """Return a ``Server`` for the same URL authenticated as ``user`` (which must carry a key)."""
        if not user.api_key:
            raise LabelStudioError(f"No API key is known for {user.email}; only local servers provide one.")
        return Server._on(self._conn.with_key(user.api_key))

    @classmethod
    def _on(cls, conn: Connection) -> Server:
        """A ``Server`` over an existing connection."""
        server = cls.__new__(cls)
        server._conn, server._user = conn, {}
        return server

    # -- lifecycle ------------------------------------------------------------------------------------
    def stop(self) -> bool:
        """Stop a local server (its whole process group). True if it was running."""
        info = self._conn.info
        if info is None:
            raise LabelStudioError(
                "This server was attached, not started by ls_notebook: it cannot be stopped here."
            )
        forget(self)
        return _manager.stop_process(info)

    def status(self) -> dict[str, Any]:
        """Public facts about the server (never the key): URL, version, running state, projects."""
        running = self.running
        projects = -1
        if running:
            try:
                projects = len(self.projects())
            except LabelStudioError:
                projects = -1
        return {
            "url": self.url,
            "link": self.link(),
            "version": self.version if running else (self._conn._version or ""),
            "mode": "local" if self.is_local else "attached",
            "running": running,
            "projects": projects,
            "user": self._user.get("email", "") if self._user else "",
            "data_dir": str(self.data_dir) if self.data_dir else "",
            "pid": self.pid or 0,
        }

    def card(self) -> Any:
        """Return the status card widget (refreshable) for this server."""
        from ls_notebook.widgets.status import StatusCard

        return StatusCard(self)

    def open(self, path: str = "projects/", *, height: int = 720) -> Any:
        """Show the Label Studio web UI (``path``, default the project list) in the output cell.

        For a server started by :func:`ls_notebook.start` the frame is logged in already (the
        session travels to the browser as a message, never into the saved notebook).

        Examples
        --------
        >>> server.open()           # doctest: +SKIP
        """
        from ls_notebook.widgets.web_ui import open_ui

        return open_ui(self, path, height=height)

    def __repr__(self) -> str:
        mode = f"local, pid {self.pid}" if self.is_local else "attached"
        return f"Server(url={self.url!r}, {mode})"

    def _repr_html_(self) -> str:
        facts = self.status()
        state = "running" if facts["running"] else "stopped"
        rows = [
            (
                "URL",
                f'<a href="{html.escape(facts["link"])}" target="_blank" rel="noopener">'
                f"{html.escape(facts['url'])}</a>",
            ),
            ("Version", html.escape(str(facts["version"]))),
            ("State", state),
            ("Projects", "–" if facts["projects"] < 0 else str(facts["projects"])),
            ("Mode", facts["mode"]),
        ]
        if facts["data_dir"]:
            rows.append(("Data", html.escape(facts["data_dir"])))
        return facts_table(rows, "lsn-server", caption="Label Studio")
