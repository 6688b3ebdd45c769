"""A project's data, under the ``Project`` facade: push, pull (API, incremental cache, direct database
reads), export, push keys, media uploads. Every function takes a :class:`~ls_notebook.client.ProjectRef`.
"""
