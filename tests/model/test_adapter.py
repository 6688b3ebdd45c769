"""Model outputs → predictions, and the HTTP protocol layer, without a Label Studio server."""

from __future__ import annotations

import httpx
import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from ls_notebook import configs
from ls_notebook.errors import ConfigError
from ls_notebook.model import ModelAdapter, ModelFailure
from ls_notebook.model._backend import Backend

TASKS = [{"id": 1, "data": {"text": "great fun"}}, {"id": 2, "data": {"text": "awful"}}]


def test_predict_proba_gives_label_and_score() -> None:
    clf = make_pipeline(CountVectorizer(), LogisticRegression()).fit(["great", "awful"], ["pos", "neg"])
    out = ModelAdapter(clf, configs.text_classification(["pos", "neg"])).predict(TASKS, "v3")
    assert [p["result"][0]["value"]["choices"] for p in out] == [["pos"], ["neg"]]
    assert all(p["model_version"] == "v3" and 0.5 < p["score"] < 1 for p in out)


def test_integer_classes_become_choice_strings() -> None:
    class Model:
        def predict(self, x: list[str]) -> np.ndarray:
            return np.array([1, 0])

    out = ModelAdapter(Model(), configs.text_classification(["0", "1"])).predict(TASKS, "v1")
    assert [p["result"][0]["value"]["choices"] for p in out] == [["1"], ["0"]]
    assert "score" not in out[0]


def test_none_means_no_prediction_and_frames_for_several_fields() -> None:
    config = configs.pairwise_comparison()
    seen = []

    def model(frame: pd.DataFrame) -> list:
        seen.append(frame)
        return ["left", None]

    tasks = [{"id": 1, "data": {"left": "a", "right": "b"}}, {"id": 2, "data": {"left": "c", "right": "d"}}]
    out = ModelAdapter(model, config).predict(tasks, "v1")
    assert list(seen[0].columns) == ["left", "right"]
    assert out[0]["result"][0]["value"] == {"selected": "left"}
    assert out[1] == {"result": [], "model_version": "v1"}


def test_bad_models_fail_with_clear_messages() -> None:
    config = configs.text_classification(["pos", "neg"])
    with pytest.raises(TypeError, match="not a model: pass a callable"):
        ModelAdapter(42, config)
    with pytest.raises(ModelFailure, match="returned str"):
        ModelAdapter(lambda texts: "pos", config).predict(TASKS, "v1")
    with pytest.raises(ConfigError, match="does not fit the label config"):
        ModelAdapter(lambda texts: ["maybe", "pos"], config).predict(TASKS, "v1")
    with pytest.raises(ModelFailure, match="no data field 'body'"):
        ModelAdapter(lambda texts: texts, config, features="body").predict(TASKS, "v1")


class _Handler:
    def health(self) -> dict:
        return {"status": "UP"}

    def setup(self, body: dict) -> dict:
        return {"model_version": "v1", "got": sorted(body)}

    def predict(self, body: dict) -> dict:
        raise ModelFailure("the model is broken")

    def webhook(self, body: dict) -> dict:
        return {"status": "ignored", "action": body.get("action")}

    def versions(self) -> dict:
        return {"versions": ["v1"]}


def test_backend_routes_and_errors() -> None:
    backend = Backend(_Handler()).start()
    try:
        get = lambda path: httpx.get(backend.url + path, trust_env=False, timeout=30)  # noqa: E731
        post = lambda path, body: httpx.post(backend.url + path, json=body, trust_env=False, timeout=30)  # noqa: E731
        assert get("/health").json() == {"status": "UP"}
        assert get("/").json() == {"status": "UP"}
        assert post("/setup", {"project": "1.2", "schema": "<View/>"}).json()["got"] == ["project", "schema"]
        failed = post("/predict", {"tasks": []})
        assert failed.status_code == 500 and failed.json() == {"error": "the model is broken"}
        assert post("/train", {}).json() == {"status": "ignored", "action": "START_TRAINING"}
        bad = httpx.post(backend.url + "/webhook", content=b"{not json", trust_env=False, timeout=30)
        assert bad.status_code == 400
        assert get("/versions").json() == {"versions": ["v1"]}
    finally:
        backend.stop()
    assert not backend.running
