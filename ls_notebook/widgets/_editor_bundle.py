"""The Label Studio editor's files, read from the server's own web app.

Label Studio 1.23 ships no standalone editor bundle, but its web app (``web/dist/apps/labelstudio/``
next to the ``label_studio`` package, also served without login at ``<server>/react-app/<file>``)
carries the editor in a few webpack chunks. The browser side (``js/src/_editor_boot.js``) loads them
inside an iframe without booting the app; this module finds which chunks and modules to load (their
ids change with every Label Studio build, so they are found by searching ``main.js``, never
hard-coded), reads the files, and caches them per server version.
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ls_notebook.errors import LabelStudioError

__all__ = ["EditorBundle", "EditorBundleError", "load_bundle", "local_web_app_dir", "parse_manifest"]

# `Promise.all([n.e(502),n.e(594),…]).then(n.bind(n,41607))`: how the app loads a lazy module.
_LAZY_IMPORT = re.compile(
    r"Promise\.all\(\[((?:[\w$]+\.e\(\d+\),?)+)\]\)\.then\([\w$]+\.bind\([\w$]+,(\d+)\)\)"
)
_CHUNK_ID = re.compile(r"\.e\((\d+)\)")
# The chunk that defines the editor sets this global.
_EDITOR_MARK = b"window.LabelStudio="
_TAILWIND_MARK = b"tailwindcss v"
_MODULE_HEAD = re.compile(rb"[{,](\d+):\([\w$,]*\)=>\{")
# The scripts the editor starts with, in the order the browser evaluates them. They are sent first
# (the manifest's "runtime"), and evaluated while the rest arrives.
_RUNTIME = ("runtime.js", "vendor.js", "main.js")


class EditorBundleError(LabelStudioError):
    """The editor files could not be found or understood for this Label Studio version."""


@dataclass(frozen=True)
class EditorBundle:
    """The editor's files and the ids needed to load them, for one Label Studio build.

    Attributes
    ----------
    version
        Label Studio version the files belong to (the cache key).
    source
        Where the files were read from: a local folder or a server URL.
    editor_chunks
        Chunk ids the app loads before requiring the editor module.
    editor_module
        Webpack module id whose evaluation sets ``window.LabelStudio``.
    tailwind_module
        Webpack module id of the app's Tailwind CSS (a css-loader module), or ``None``.
    files
        File name to content: the runtime, vendor and main scripts, every script chunk, CSS and
        lazily fetched assets (``.wasm``), and the fonts the CSS names (``fonts/<name>``).
    asset_modules
        Asset file name to the ids of the modules whose value is that file's URL (the public path
        plus the name); the browser evaluates them with the public path set to the asset's URL.
    """

    version: str
    source: str
    editor_chunks: tuple[int, ...]
    editor_module: int
    tailwind_module: int | None
    files: dict[str, bytes] = field(repr=False)
    asset_modules: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Total size of the files in bytes."""
        return sum(len(b) for b in self.files.values())

    def manifest(self) -> dict[str, object]:
        """JSON-able description sent to the browser alongside the file buffers."""
        return {
            "version": self.version,
            "editor_chunks": list(self.editor_chunks),
            "editor_module": self.editor_module,
            "tailwind_module": self.tailwind_module,
            "asset_modules": {a: list(m) for a, m in self.asset_modules.items()},
            "names": list(self.files),
            "runtime": [n for n in _RUNTIME if n in self.files],
            # style sheets naming the fonts by their server path: the browser rewrites only these
            "font_css": [n for n, b in self.files.items() if n.endswith(".css") and _FONT_PATH in b],
        }


@dataclass(frozen=True)
class _Manifest:
    editor_chunks: tuple[int, ...]
    editor_module: int
    tailwind_module: int | None
    chunk_files: tuple[str, ...]


def local_web_app_dir() -> Path | None:
    """Folder of the installed Label Studio's web app, or ``None`` when it is not installed.

    Found without importing ``label_studio`` (which would configure Django).
    """
    try:
        spec = importlib.util.find_spec("label_studio")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    folder = Path(spec.origin).parent.parent / "web" / "dist" / "apps" / "labelstudio"
    return folder if (folder / "main.js").is_file() else None


def parse_manifest(main_js: bytes, chunk_exists: Callable[[str], bytes | None]) -> _Manifest:
    """Find the editor's chunk ids, module id and the Tailwind module id in ``main.js``.

    Parameters
    ----------
    main_js
        Content of the web app's ``main.js``.
    chunk_exists
        Returns the content of a chunk file by name (``"358.js"``), or ``None`` when absent.
    """
    text = main_js.decode("utf-8", errors="replace")
    candidates: dict[int, tuple[int, ...]] = {}
    for match in _LAZY_IMPORT.finditer(text):
        chunks = tuple(int(c) for c in _CHUNK_ID.findall(match.group(1)))
        candidates.setdefault(int(match.group(2)), chunks)
    if not candidates:
        raise EditorBundleError(
            "main.js has no lazy import of the editor; this Label Studio build is not supported"
        )
    for module, chunks in candidates.items():
        head = re.compile(rb"[{,]" + str(module).encode() + rb":\(")
        for chunk in chunks:
            body = chunk_exists(f"{chunk}.js")
            if body and head.search(body) and _EDITOR_MARK in body:
                return _Manifest(chunks, module, _tailwind_module(main_js), tuple(f"{c}.js" for c in chunks))
    raise EditorBundleError(
        "no chunk of the web app sets window.LabelStudio; this Label Studio build is not supported"
    )


def _tailwind_module(main_js: bytes) -> int | None:
    at = main_js.find(_TAILWIND_MARK)
    if at < 0:
        return None
    heads = list(_MODULE_HEAD.finditer(main_js, max(0, at - 2000), at))
    return int(heads[-1].group(1)) if heads else None


_CHUNK_REF = re.compile(rb"\.[eu]\((\d+)\)")
# A module whose value is the URL of a file next to the scripts: `64664:(e,t,n)=>{…n.p+"x.wasm"}`.
# (Searched from its literal part, the name before the dot checked apart: 20x faster over 5 MB.)
_ASSET_URL = re.compile(rb'\.p\+"([\w.-]+)"')
_NAME_END = re.compile(rb"[\w$]")
_FONT_URL = re.compile(rb"url\(/static/fonts/([\w.-]+)\)")
_FONT_PATH = b"url(/static/fonts/"


def _collect(
    read: Callable[[str], bytes | None],
    read_font: Callable[[str], bytes | None],
    version: str,
    source: str,
) -> EditorBundle:
    """Read what the editor needs: the app's entry scripts, the editor chunks and what they load."""
    main_js = read("main.js")
    if main_js is None:
        raise EditorBundleError(f"{source}main.js could not be read")
    manifest = parse_manifest(main_js, read)
    files = {name: main_js if name == "main.js" else read(name) for name in _RUNTIME}
    # Chunks the editor chunks load lazily (audio spectrogram, decoding worker…), then their CSS.
    pending = list(manifest.chunk_files)
    while pending:
        name = pending.pop(0)
        if name in files:
            continue
        body = read(name)
        if body is None:  # e.g. the vendor chunk, loaded above under its own name
            continue
        files[name] = body
        pending += [f"{int(c)}.js" for c in _CHUNK_REF.findall(body)]
    for name in [n for n in files if n[0].isdigit()]:
        css = read(name[:-3] + ".css")
        if css is not None:
            files[name[:-3] + ".css"] = css
    asset_modules: dict[str, list[int]] = {}
    for name in [n for n in files if n.endswith(".js")]:
        for module, asset in _asset_modules(files[name] or b""):
            asset_modules.setdefault(asset, []).append(module)
    for name in ["main.css", *asset_modules]:
        body = read(name)
        if body is not None:
            files[name] = body
    for font in sorted(set(_FONT_URL.findall(files.get("main.css") or b""))):
        body = read_font(font.decode())
        if body is not None:
            files[f"fonts/{font.decode()}"] = body
    missing = [n for n, b in files.items() if b is None]
    if missing:
        raise EditorBundleError(f"{source} lacks {', '.join(missing)}")
    return EditorBundle(
        version,
        source,
        manifest.editor_chunks,
        manifest.editor_module,
        manifest.tailwind_module,
        {n: b for n, b in files.items() if b is not None},
        {a: tuple(m) for a, m in asset_modules.items() if a in files},
    )


def _asset_modules(body: bytes) -> list[tuple[int, str]]:
    found = []
    for match in _ASSET_URL.finditer(body):
        if not _NAME_END.fullmatch(body, match.start() - 1, match.start()):
            continue
        heads = list(_MODULE_HEAD.finditer(body, max(0, match.start() - 300), match.start()))
        if heads:
            found.append((int(heads[-1].group(1)), match.group(1).decode()))
    return found


def _read_folder(folder: Path, version: str) -> EditorBundle:
    def read(name: str) -> bytes | None:
        path = folder / name
        return path.read_bytes() if path.is_file() else None

    fonts = folder.parents[3] / "label_studio" / "core" / "static" / "fonts"

    def read_font(name: str) -> bytes | None:
        path = fonts / name
        return path.read_bytes() if path.is_file() else None

    return _collect(read, read_font, version, f"{folder}/")


def _read_server(url: str, version: str, get: Callable[[str], bytes | None]) -> EditorBundle:
    base = url.rstrip("/") + "/react-app/"
    cache: dict[str, bytes | None] = {}

    def read(name: str) -> bytes | None:
        if name not in cache:
            cache[name] = get(base + name)
        return cache[name]

    return _collect(read, lambda name: get(f"{url.rstrip('/')}/static/fonts/{name}"), version, base)


_CACHE: dict[str, EditorBundle] = {}
_LOCK = threading.Lock()


def installed_version() -> str | None:
    """Version of the locally installed Label Studio package, or ``None``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("label-studio")
    except PackageNotFoundError:
        return None


def load_bundle(
    version: str,
    url: str | None = None,
    get: Callable[[str], bytes | None] | None = None,
) -> EditorBundle:
    """The editor files for a Label Studio server of ``version``, cached per version.

    Read from the installed package when its version matches, else from ``<url>/react-app/``.

    Parameters
    ----------
    version
        The server's version (``GET /api/version``).
    url
        The server's base URL as the kernel reaches it; needed when the local package differs.
    get
        Fetches a URL and returns its body, or ``None`` on 404 (defaults to ``requests``).

    Raises
    ------
    EditorBundleError
        When neither source gives a usable editor.
    """
    with _LOCK:  # one reader per process: a caller arriving during a read waits for its result
        if version not in _CACHE:
            _CACHE[version] = _load(version, url, get)
        return _CACHE[version]


def _load(version: str, url: str | None, get: Callable[[str], bytes | None] | None) -> EditorBundle:
    folder = local_web_app_dir()
    if folder is not None and installed_version() == version:
        bundle = _read_folder(folder, version)
    elif url is not None:
        bundle = _read_server(url, version, get or _http_get)
    else:
        raise EditorBundleError(
            f"Label Studio {version}'s editor files are not installed here and no server URL was given"
        )
    return bundle


def warm_installed() -> threading.Thread | None:
    """Read the installed Label Studio's editor files in a background thread; the thread, or ``None``.

    The first widget of a kernel then sends them without reading them first (about 40-100 ms).
    """
    version = installed_version()
    if version is None or version in _CACHE or local_web_app_dir() is None:
        return None

    def read() -> None:
        with contextlib.suppress(Exception):  # the widget reads again and reports what went wrong
            load_bundle(version)

    thread = threading.Thread(target=read, name="lsn-editor-files", daemon=True)
    thread.start()
    return thread


def _http_get(url: str) -> bytes | None:
    """A public file of the server's web app (no key needed), with the package's HTTP settings."""
    from ls_notebook.client import new_client

    with new_client(timeout=60) as http:
        response = http.get(url)
    if 400 <= response.status_code < 500:  # the server answers 400 for a file it does not have
        return None
    response.raise_for_status()
    return response.content
