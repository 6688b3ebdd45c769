"""The notebook's model → Label Studio predictions (result JSON with score and ``model_version``).

A model is a callable or an object with ``predict`` / ``predict_proba`` (scikit-learn style). It is
given a whole batch of tasks at once:

- by default, when the label config reads one data field (``$text``, ``$image``...), that field's
  values as a pandas Series — what a scikit-learn text pipeline expects;
- otherwise, or with ``features="frame"``, a DataFrame of the tasks' data (one row per task);
- ``features="<column>"`` picks one data field (a Series), a list of names picks several (a
  DataFrame), and a callable ``features(frame)`` builds any input.

Both ways of running a model in the kernel use this one adapter: ``Project.prelabel`` (predictions
uploaded in bulk) and ``Project.serve_model`` (Label Studio asks the kernel as tasks open).

It returns one prediction per task in any form :mod:`ls_notebook.tasks` accepts for
``push(predictions=...)`` (``"positive"``, ``[(start, end, "PER")]``, ``{"result": ..., "score": 0.9}``,
Label Studio result dicts, None for no prediction). With ``predict_proba`` and ``classes_``, the most
probable class is the label and its probability the score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
from label_studio_sdk.label_interface import LabelInterface

from ls_notebook.errors import DataError, LabelStudioError
from ls_notebook.tasks._predictions import to_prediction

__all__ = ["Features", "ModelAdapter", "ModelFailure", "NotAModel"]

Features = str | Sequence[str] | Callable[[pd.DataFrame], Any] | None


class ModelFailure(DataError):
    """The model raised or returned something unusable; the message names the model and the tasks."""


class NotAModel(DataError, TypeError):
    """The object given as a model is neither callable nor has ``predict`` / ``predict_proba``."""


def _plain(value: Any) -> Any:
    """numpy scalars and arrays → Python values (so the prediction forms recognise them)."""
    if hasattr(value, "ndim") and getattr(value, "ndim", 1) == 0 and hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist") and not isinstance(value, (str, Mapping)):
        return value.tolist()
    return value


def _describe(model: Any) -> str:
    return getattr(model, "__name__", None) or type(model).__name__


class ModelAdapter:
    """Call ``model`` on Label Studio tasks and return Label Studio predictions.

    Parameters
    ----------
    model : callable or object with ``predict`` / ``predict_proba``
        See the module documentation for what it receives and may return.
    config : str
        The project's label config, used to build and validate the result JSON.
    features : str, callable or None
        What the model receives (see the module documentation).

    Examples
    --------
    >>> from ls_notebook import configs
    >>> adapter = ModelAdapter(lambda texts: ["pos" if "good" in t else "neg" for t in texts],
    ...                        configs.text_classification(["pos", "neg"]))
    >>> [p["result"][0]["value"] for p in adapter.predict([{"id": 1, "data": {"text": "good"}}], "v1")]
    [{'choices': ['pos']}]
    """

    def __init__(self, model: Any, config: str, features: Features = None) -> None:
        if not (callable(model) or hasattr(model, "predict") or hasattr(model, "predict_proba")):
            raise NotAModel(
                f"{type(model).__name__} is not a model: pass a callable (data -> predictions) or an "
                "object with predict()/predict_proba(), as scikit-learn estimators have."
            )
        self.model = model
        self.config = config
        self.interface = LabelInterface(config)
        self.features = features
        self._choices = any(c.tag.lower() == "choices" for c in self.interface.controls)

    # -- inputs ---------------------------------------------------------------------------------------
    def _variables(self) -> list[str]:
        names = [o.value_name for o in self.interface.objects if getattr(o, "value_is_variable", False)]
        return list(dict.fromkeys(n for n in names if n))

    def inputs(self, tasks: Sequence[Mapping[str, Any]]) -> Any:
        """Return what the model is called with for ``tasks`` (Label Studio task dicts with ``data``)."""
        frame = pd.DataFrame([dict(t.get("data") or {}) for t in tasks])
        if callable(self.features):
            return self.features(frame)
        if self.features == "frame":
            return frame
        column = self.features
        if column is None:
            variables = self._variables()
            if len(variables) != 1:
                return frame
            column = variables[0]
        columns = [column] if isinstance(column, str) else list(column)
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            names = repr(missing[0]) if len(missing) == 1 else repr(missing)
            raise ModelFailure(
                f"The tasks have no data field {names} (fields: {list(frame.columns)}): pass features= "
                "with one of those names."
            )
        return frame[column] if isinstance(column, str) else frame[columns]

    # -- outputs --------------------------------------------------------------------------------------
    def _raw(self, x: Any) -> list[Any]:
        model = self.model
        proba = getattr(model, "predict_proba", None)
        classes = getattr(model, "classes_", None)
        if proba is not None and classes is not None:
            matrix = proba(x)
            best = matrix.argmax(axis=1)
            out: list[Any] = []
            for row, idx in zip(matrix, best, strict=True):
                label = _plain(classes[idx])
                out.append({"result": str(label) if self._choices else label, "score": float(row[idx])})
            return out
        predict = getattr(model, "predict", None) or model
        values = _plain(predict(x))
        if isinstance(values, (str, Mapping)) or not isinstance(values, Sequence):
            raise ModelFailure(
                f"{_describe(model)} returned {type(values).__name__}; it must return one prediction per "
                "task (a list, array or Series)."
            )
        return list(values)

    def _label(self, value: Any) -> Any:
        value = _plain(value)
        if self._choices and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value

    def predict(self, tasks: Sequence[Mapping[str, Any]], model_version: str) -> list[dict[str, Any]]:
        """Return one Label Studio prediction per task (``{"result": []}`` where the model gave none).

        Raises
        ------
        ModelFailure
            The model raised or returned the wrong number of predictions; the message says which.
        ConfigError, DataError
            A prediction does not fit the label config (as in ``push(predictions=...)``).
        """
        if not tasks:
            return []
        try:
            values = self._raw(self.inputs(tasks))
        except ModelFailure:
            raise
        except Exception as exc:
            ids = [t.get("id") for t in tasks]
            raise ModelFailure(
                f"{_describe(self.model)} failed on tasks {ids[:10]}: {type(exc).__name__}: {exc}"
            ) from exc
        if len(values) != len(tasks):
            raise ModelFailure(
                f"{_describe(self.model)} returned {len(values)} predictions for {len(tasks)} tasks; "
                "it must return exactly one per task (None for no prediction)."
            )
        predictions = []
        for task, value in zip(tasks, values, strict=True):
            if isinstance(value, Mapping) and "result" in value:
                value = {**value, "result": self._label(value["result"])}
            else:
                value = self._label(value)
            try:
                prediction = to_prediction(
                    value, self.interface, task.get("data") or {}, f"task {task.get('id')}", model_version
                )
            except LabelStudioError:
                raise  # ConfigError / DataError, as push(predictions=...) raises them
            except Exception as exc:
                raise ModelFailure(str(exc)) from exc
            predictions.append(prediction or {"result": [], "model_version": model_version})
        return predictions
