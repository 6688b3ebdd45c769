"""Finding the editor inside Label Studio's web app build (ids are searched, never hard-coded)."""

from __future__ import annotations

import pytest

from ls_notebook.tasks._media import media_keys
from ls_notebook.widgets._editor_bundle import (
    EditorBundleError,
    installed_version,
    load_bundle,
    local_web_app_dir,
    parse_manifest,
)
from ls_notebook.widgets.labeling import needs_fixed_height

MAIN = (
    b"x;const a=()=>Promise.all([n.e(502),n.e(9),n.e(855)]).then(n.bind(n,19363));"
    b"const b=()=>Promise.all([n.e(502),n.e(7)]).then(n.bind(n,41607));"
    b',97562:(e,t,n)=>{"use strict";o.push([e.id,"/*! tailwindcss v3.4.3 | MIT */"])}'
)
CHUNKS = {
    "9.js": b"push([[9],{19363:(e,t,n)=>{window.DataManager=Fl}}])",
    "7.js": b"push([[7],{41607:(e,t,n)=>{AP.x=1,window.LabelStudio=AP}}])",
}


def test_ids_found_by_search():
    manifest = parse_manifest(MAIN, CHUNKS.get)
    assert manifest.editor_chunks == (502, 7)
    assert manifest.editor_module == 41607
    assert manifest.tailwind_module == 97562


def test_unknown_build_is_a_clear_error():
    with pytest.raises(EditorBundleError, match="not supported"):
        parse_manifest(b"no lazy imports here", CHUNKS.get)
    with pytest.raises(EditorBundleError, match=r"window\.LabelStudio"):
        parse_manifest(MAIN, {"9.js": CHUNKS["9.js"]}.get)


@pytest.mark.skipif(local_web_app_dir() is None, reason="label-studio is not installed")
def test_installed_web_app():
    bundle = load_bundle(installed_version() or "")
    manifest = bundle.manifest()
    assert manifest["runtime"] == ["runtime.js", "vendor.js", "main.js"]  # the order the browser runs them
    assert set(manifest["runtime"]) <= set(manifest["names"])
    assert all(f"{c}.js" in bundle.files for c in bundle.editor_chunks if c != 502)
    assert b"window.LabelStudio=" in b"".join(bundle.files.values())
    assert "decode-audio.wasm" in bundle.asset_modules
    assert 4_000_000 < bundle.size < 20_000_000


def test_media_keys_and_height():
    config = (
        '<View><Image name="i" value="$img"/><Text name="t" value="$txt"/>'
        '<Audio name="a" value="$snd"/></View>'
    )
    assert media_keys(config) == ["img", "snd"]
    assert needs_fixed_height(config)
    assert not needs_fixed_height('<View><Text name="t" value="$txt"/></View>')
