"""Secrets never land in notebooks, outputs, reprs, logs or errors; owner-only files; loopback only;
local media confined to the allowed folders; task text shown as text, never run as HTML/JS."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pandas as pd
import psutil
import pytest
from nbclient import NotebookClient

import ls_notebook as lsn
from ls_notebook import configs
from ls_notebook.client import Connection
from ls_notebook.errors import AuthenticationError, MediaError
from ls_notebook.server import ServerInfo, stop_process
from ls_notebook.server._credentials import Credentials
from ls_notebook.server._files import info_path, read_json
from ls_notebook.server._info import load as load_info
from ls_notebook.storage._media import fetch_media
from tests._fixtures import TEST_ROOT, copy_data_dir
from tests._support import CHROMIUM, CHROMIUM_ARGS, unique_title

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PAYLOAD = '<img src=x onerror="__lsn_xss=1">'  # short enough for a project title (50 characters)


def secrets_of(folder: Path) -> list[str]:
    """Passwords and API keys of every ls_notebook data dir under ``folder``."""
    found = []
    for path in folder.rglob("ls_notebook.json"):
        data = read_json(path) or {}
        found += [data[k] for k in ("password", "token") if isinstance(data.get(k), str)]
    return found


def assert_clean(text: str, secrets: list[str], where: str) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret of the server is in {where}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_keep_no_secret(path: Path, template_dir: Path, server: lsn.Server) -> None:
    """Run the notebook (its kernel gets a fresh home whose default server is initialised), save it with
    widget state, and scan the file, the outputs and the server logs for the credentials."""
    home = TEST_ROOT / f"nb-home-{path.stem}"
    copy_data_dir(template_dir, f"nb-home-{path.stem}/default")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=900,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    env = dict(os.environ, LS_NOTEBOOK_HOME=str(home))
    try:
        client.execute(env=env)
    finally:
        for info_file in (home / "run").glob("*.json"):  # a server the notebook left running
            info = load_info(info_file)
            if info is not None:
                stop_process(info)
            info_file.unlink(missing_ok=True)
    saved = TEST_ROOT / f"executed-{path.name}"
    nbformat.write(nb, saved)
    secrets = secrets_of(home) + secrets_of(server.data_dir)  # type: ignore[arg-type]
    assert len(secrets) >= 4
    text = saved.read_text()
    assert_clean(text, secrets, f"the saved {path.name}")
    widget_state = json.dumps(nb.metadata.get("widgets", {}))
    assert_clean(widget_state, secrets, "the saved widget state")
    for log in home.rglob("server.log"):
        assert_clean(log.read_text(errors="replace"), secrets, str(log))
    assert any(o.get("output_type") for c in nb.cells for o in c.get("outputs", [])), "no output to scan"


def test_reprs_status_card_and_errors_keep_no_secret(server: lsn.Server) -> None:
    creds = Credentials.load(server.data_dir)  # type: ignore[arg-type]
    assert creds is not None
    secrets = [creds.password, creds.token]
    card = server.card()
    project = server.project(unique_title("secrets"), configs.text_classification(["a", "b"]))
    shown = [
        repr(server),
        server._repr_html_(),
        json.dumps(server.status()),
        repr(creds),
        json.dumps(card.get_state(), default=str),
        repr(project),
        project._repr_html_(),
        repr(server.create_user("someone-secret-check@example.org")),
    ]
    with pytest.raises(AuthenticationError) as refused:
        lsn.attach(server.url, api_key=creds.token[::-1])
    shown.append(str(refused.value))
    for text in shown:
        assert_clean(text, secrets, text[:60])
    log = (server.data_dir / "server.log").read_text(errors="replace")  # type: ignore[operator]
    assert_clean(log, secrets, "server.log")
    info = read_json(info_path(server.data_dir))  # type: ignore[arg-type]
    assert_clean(json.dumps(info), secrets, "the info file")


def test_owner_only_files_and_loopback_only(server: lsn.Server) -> None:
    data_dir = server.data_dir
    assert data_dir is not None
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for name in ("ls_notebook.json", "ls_notebook.database.json"):
        if (data_dir / name).exists():
            assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE((data_dir / "ls_notebook.json").stat().st_mode) == 0o600
    assert stat.S_IMODE(info_path(data_dir).stat().st_mode) == 0o600
    assert stat.S_IMODE(info_path(data_dir).parent.stat().st_mode) == 0o700
    proc = psutil.Process(server.pid)
    listening = [
        c.laddr
        for p in [proc, *proc.children(recursive=True)]
        for c in p.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert listening, "the server listens nowhere?"
    assert {a.ip for a in listening} == {"127.0.0.1"}, listening


def test_local_media_confined_to_allowed_folders(tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n ok")
    outside = tmp_path / "secret.txt"
    outside.write_text("top secret")
    (allowed / "link.png").symlink_to(outside)
    (allowed / "sub").mkdir()
    roots = [allowed]
    nowhere = Connection("http://127.0.0.1:9", "unused")  # no request may reach it
    described, buffers = fetch_media({"image": str(allowed / "ok.png")}, ["image"], nowhere, roots)
    assert described == [("image", "image/png")] and buffers[0].endswith(b"ok")
    for attempt in (
        str(allowed / "sub" / ".." / ".." / "secret.txt"),  # ../ out of the folder
        str(outside),  # an absolute path elsewhere
        str(allowed / "link.png"),  # a symlink pointing out
        "/etc/passwd",
    ):
        with pytest.raises(MediaError, match="outside the folders allowed"):
            fetch_media({"image": attempt}, ["image"], nowhere, roots)
    # nothing allowed: every local path is refused
    with pytest.raises(MediaError):
        fetch_media({"image": str(allowed / "ok.png")}, ["image"], nowhere, [])
    # relative paths and file: URLs are never read by the kernel
    assert fetch_media({"image": "../secret.txt"}, ["image"], nowhere, roots) == ([], [])
    assert fetch_media({"image": f"file://{outside}"}, ["image"], nowhere, roots) == ([], [])


def html_views(server: lsn.Server, tmp_path: Path) -> dict[str, str]:
    """Every HTML view ls_notebook renders, with the payload in the text it shows."""
    from ls_notebook.stats import agreement

    project = server.project(f"{PAYLOAD} {unique_title('xss')}", configs.text_classification(["a", PAYLOAD]))
    pushed = project.push(pd.DataFrame({"text": [PAYLOAD, "plain"]}), progress=False)
    run = unique_title("").strip()
    users = [server.create_user(f"xss{i}-{run}@example.org") for i in range(2)]
    for task_id in pushed.task_ids:
        for user, label in zip(users, ("a", PAYLOAD), strict=True):
            value = {"choices": [label]}
            result = [{"from_name": "label", "to_name": "text", "type": "choices", "value": value}]
            server.client.annotations.create(id=int(task_id), result=result, completed_by=user.id)
    pulled = project.pull(progress=False)
    fake_dir = tmp_path / PAYLOAD.replace("/", "")
    offline = lsn.Server(
        "http://127.0.0.1:9",
        "not-a-key",
        info=ServerInfo(1, 0.0, 9, "http://127.0.0.1:9", str(fake_dir), PAYLOAD, 0.0, "label-studio"),
    )
    views = {
        "Server card": server._repr_html_(),
        "Server card (payload in data dir and version)": offline._repr_html_(),
        "Project card": project._repr_html_(),
        "PushResult": pushed._repr_html_(),
        "pull() table": pulled._repr_html_(),
        "pull(shape='wide') table": project.pull(shape="wide", progress=False)._repr_html_(),
    }
    views["agreement report"] = agreement(pulled)._repr_html_()
    return views


def test_html_payload_is_escaped_in_every_view(server: lsn.Server, tmp_path: Path) -> None:
    views = html_views(server, tmp_path)
    for name, markup in views.items():
        assert "<img src=x" not in markup, f"{name} renders the task text as HTML"
    assert "&lt;img src=x onerror=" in views["Project card"]
    assert "&lt;img src=x onerror=" in views["pull() table"]


# A trusted image with the payload's broken source: its handler running shows that handlers of images
# in this page run, and that the payload's would have by then.
CANARY = '<img id="lsn-canary" src=x onerror="__lsn_canary=1">'


def test_html_payload_never_runs_in_a_real_browser(server: lsn.Server, tmp_path: Path) -> None:
    """Load every view in Debian's Chromium: the payload shows as text and its handler never runs."""
    pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium (make chromium)")
    views = html_views(server, tmp_path)
    page_html = "<html><body>" + "".join(
        f"<section id='v{i}'>{m}</section>" for i, m in enumerate(views.values())
    )
    page_html += CANARY + "</body></html>"
    # In a subprocess: the browser tests of the same session may hold a running Playwright loop.
    page_file = tmp_path / "views.html"
    page_file.write_text(page_html)
    script = textwrap.dedent(
        """
        import json, sys
        from playwright.sync_api import sync_playwright
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=sys.argv[2], args=json.loads(sys.argv[3]))
            page = browser.new_page()
            page.set_content(open(sys.argv[1]).read(), wait_until="load")
            page.wait_for_function("() => window.__lsn_canary === 1", timeout=60_000)
            print(json.dumps({"xss": page.evaluate("window.__lsn_xss || 0"),
                              "imgs": page.locator("img:not(#lsn-canary)").count(),
                              "text": page.inner_text("body")}))
            browser.close()
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(page_file), CHROMIUM, json.dumps(CHROMIUM_ARGS)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["xss"] == 0, "the payload's handler ran"
    assert seen["imgs"] == 0
    assert "<img src=x onerror=" in seen["text"]  # shown as text


def test_widget_javascript_never_parses_html() -> None:
    """The front-end code puts values in the DOM as text (no innerHTML & co.)."""
    sources = list((ROOT / "js" / "src").glob("*.js"))
    assert sources
    for src in sources:
        code = src.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in code, f"{src.name} uses {sink}"
