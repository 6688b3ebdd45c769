"""Write notebooks/quickstart.ipynb (source of truth for its cells); run it to regenerate outputs."""

from pathlib import Path

import nbformat as nbf

md = nbf.v4.new_markdown_cell
code = nbf.v4.new_code_cell

cells = [
    md(
        "# ls_notebook quickstart\n\n"
        "Start a local Label Studio from this notebook, look at it, and create a project. The first start "
        "creates the server's database and an admin account with a generated password and API key (about "
        "a minute); later starts reuse the running server in a fraction of a second."
    ),
    code("import ls_notebook as lsn\n\nserver = lsn.start()"),
    md("The server card shows its URL, version and projects — never the API key or password."),
    code("# NBVAL_IGNORE_OUTPUT\nserver"),
    code("server.version, server.running"),
    md("The same from magics:"),
    code("%load_ext ls_notebook"),
    code("# NBVAL_IGNORE_OUTPUT\n%labelstudio status"),
    md("Create (or get) a project by title:"),
    code(
        'config = """\n<View>\n  <Text name="text" value="$text"/>\n'
        '  <Choices name="sentiment" toName="text">\n'
        '    <Choice value="positive"/><Choice value="negative"/>\n  </Choices>\n</View>\n"""\n'
        'project = server.project("Quickstart reviews", config=config)\n'
        "project.title, project.id == server.project(\"Quickstart reviews\").id"
    ),
    code('projects = server.projects()\n(projects["title"] == "Quickstart reviews").sum()'),
    md("Stop the server when you are done (its data stays in its data dir for the next `lsn.start()`):"),
    code("server.stop()"),
]

nb = nbf.v4.new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
Path("notebooks/quickstart.ipynb").write_text(nbf.writes(nb))
