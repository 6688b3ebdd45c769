"""``import ls_notebook`` stays cheap and side-effect free; every third-party import is declared.

Timings are not tested here (benchmarks/import_time.py prints them): these tests check what the
import *does* — which modules it loads and whether it starts a thread — in a fresh interpreter.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

import ls_notebook

ROOT = Path(__file__).resolve().parents[2]

# Modules that cost hundreds of milliseconds or have side effects: loaded on first use only.
HEAVY = (
    "label_studio_sdk",  # the SDK client and label_interface (jsonschema, rfc3987_syntax)
    "jsonschema",
    "matplotlib",
    "scipy",
    "IPython",
    "ipywidgets",
    "anywidget",
    "httpx",
    "requests",
    "tornado",
    "psutil",
)

_PROBE = """
import json, sys, threading
started = []
_start = threading.Thread.start
def start(self, *a, **k):
    started.append(self.name)
    return _start(self, *a, **k)
threading.Thread.start = start
import ls_notebook
print(json.dumps({"modules": sorted(sys.modules), "started": started,
                  "alive": [t.name for t in threading.enumerate()]}))
"""


def _fresh_import(module: str = "ls_notebook") -> dict:
    probe = _PROBE.replace("import ls_notebook\n", f"import {module}\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_import_loads_no_heavy_module_and_starts_no_thread() -> None:
    seen = _fresh_import()
    assert "ls_notebook" in seen["modules"]  # the probe did import the package
    loaded = {m.split(".")[0] for m in seen["modules"]}
    assert [m for m in HEAVY if m in loaded] == []
    assert seen["started"] == []
    assert seen["alive"] == ["MainThread"]


@pytest.mark.parametrize("module", ["ls_notebook.widgets.labeling", "ls_notebook._api", "ls_notebook.magics"])
def test_importing_the_widget_or_api_starts_no_thread(module: str) -> None:
    """The kernel warm-up is started by start()/attach()/%load_ext (ls_notebook._warm), not by imports."""
    seen = _fresh_import(module)
    assert module in seen["modules"]
    assert seen["started"] == [] and seen["alive"] == ["MainThread"]


def test_warm_does_nothing_outside_a_kernel() -> None:
    from ls_notebook._warm import in_kernel, warm

    assert not in_kernel()
    assert warm() is None


def test_probe_sees_heavy_modules_and_threads() -> None:
    """The probe above can fail: importing a module that loads the SDK and starts a thread is seen."""
    probe = _PROBE.replace("import ls_notebook\n", "import ls_notebook.configs, label_studio_sdk\n")
    probe = probe.replace("print(", "threading.Thread(target=lambda: None, name='x').start()\nprint(")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout)
    assert "label_studio_sdk" in seen["modules"] and seen["started"] == ["x"]


@pytest.mark.parametrize("name", ls_notebook.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(ls_notebook, name) is not None
    assert name in dir(ls_notebook)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = ls_notebook.no_such_name  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# Declared dependencies
# ---------------------------------------------------------------------------------------------

# Files that run inside Label Studio's own server process (its Django settings), not in ours.
_IN_SERVER_PROCESS = ("ls_notebook/server/_django/",)


def _third_party_imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "ls_notebook").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(_IN_SERVER_PROCESS):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in {"ls_notebook", "__future__"}:
                    found.setdefault(top, set()).add(rel)
    return found


def _normalize(requirement: str) -> str:
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name is not None, requirement
    return re.sub(r"[-_.]+", "-", name.group(0)).lower()


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    required = {_normalize(r) for r in project["dependencies"]}
    optional = {_normalize(r) for reqs in project["optional-dependencies"].values() for r in reqs}
    return required, optional


def test_every_third_party_import_is_declared() -> None:
    required, optional = _declared()
    distributions = metadata.packages_distributions()
    undeclared = {}
    for module, files in _third_party_imports().items():
        dists = {_normalize(d) for d in distributions.get(module, [module])}
        if not dists & (required | optional):
            undeclared[module] = sorted(files)
    assert undeclared == {}, f"imported but not declared in pyproject.toml: {undeclared}"


def test_the_import_scan_finds_imports() -> None:
    """The scan above can fail: it sees the package's known third-party imports."""
    found = _third_party_imports()
    assert {"pandas", "pyarrow", "label_studio_sdk", "httpx"} <= set(found)
