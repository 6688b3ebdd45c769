"""Notebook widgets (anywidget); their frontends are bundled from ``js/`` into ``static/``."""
