"""The suite's fixtures come from one plugin module, ``tests/_fixtures.py`` (which also gives the run
its own folder and ``$LS_NOTEBOOK_HOME``); helpers from ``tests/_support.py``."""

pytest_plugins = ["tests._fixtures"]
