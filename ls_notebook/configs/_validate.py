"""Validation of label configs with label-studio-sdk's ``LabelInterface``, and what a config needs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ls_notebook.errors import ConfigError

if TYPE_CHECKING:
    from label_studio_sdk.label_interface import LabelInterface

__all__ = ["DataVariable", "data_variables", "interface", "validate"]


@dataclass(frozen=True)
class DataVariable:
    """A task data field a config reads: ``column`` (the ``$name``), and the object tag using it."""

    column: str
    tag: str
    name: str

    def describe(self) -> str:
        """Say which tag reads the column, e.g. ``<Text name="text" value="$text">``."""
        return f'<{self.tag} name="{self.name}" value="${self.column}">'


@lru_cache(maxsize=64)
def interface(config: str) -> LabelInterface:
    """Parse and validate ``config``, returning its (cached) ``LabelInterface``.

    Raises
    ------
    ConfigError
        The XML is malformed or Label Studio's schema refuses it.
    """
    if not isinstance(config, str) or not config.strip():
        raise ConfigError("The label config is empty: pass the XML of a <View> (see ls_notebook.configs).")
    # The SDK's LabelInterface imports jsonschema and friends (~1-2 s): loaded on the first config.
    from label_studio_sdk.label_interface import LabelInterface

    try:
        li = LabelInterface(config)
        li.validate()
    except Exception as exc:  # the SDK raises bare Exception subclasses of its own
        raise ConfigError(
            f"Invalid label config: {exc}. Fix the XML (or build it with ls_notebook.configs)."
        ) from exc
    if not list(li.objects):
        raise ConfigError(
            "The label config has no object tag (<Text>, <Image>, <Audio>...) to label: add one whose "
            'value is a task column, e.g. <Text name="text" value="$text"/>.'
        )
    return li


def validate(config: str) -> str:
    """Return ``config`` unchanged if Label Studio accepts it, else raise :class:`ConfigError`.

    Examples
    --------
    >>> from ls_notebook import configs
    >>> configs.validate('<View><Text name="t" value="$text"/></View>')
    '<View><Text name="t" value="$text"/></View>'
    >>> configs.validate("<View><Text name='t'></View>")
    Traceback (most recent call last):
    ...
    ls_notebook.errors.ConfigError: Invalid label config: ...
    """
    interface(config)
    return config


def data_variables(config: str) -> list[DataVariable]:
    """List the task data columns ``config`` reads (``value="$column"`` of its object tags).

    Examples
    --------
    >>> from ls_notebook import configs
    >>> [v.column for v in data_variables(configs.pairwise_comparison())]
    ['left', 'right']
    """
    out: list[DataVariable] = []
    seen: set[str] = set()
    for obj in interface(config).objects:
        if obj.value_is_variable and obj.value_name not in seen:
            seen.add(obj.value_name)
            out.append(DataVariable(column=obj.value_name, tag=obj.tag, name=obj.name))
    return out
