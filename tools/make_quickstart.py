"""Write notebooks/quickstart.ipynb (source of truth for its cells); run it to regenerate outputs."""

from pathlib import Path

import nbformat as nbf
from make_notebooks import IGNORE, KEEP_RUNNING

md = nbf.v4.new_markdown_cell
code = nbf.v4.new_code_cell

cells = [
    md(
        "# ls_notebook quickstart\n\n"
        "Start a local Label Studio from this notebook, look at it, and create a project. The first start "
        "creates the server's database and an admin account with a generated password and API key (about "
        "a minute, shown step by step; `make lab` has done it already); later starts reuse the running "
        "server in a fraction of a second."
    ),
    code(IGNORE + "import ls_notebook as lsn\n\nserver = lsn.start()"),
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
        'project.title, project.id == server.project("Quickstart reviews").id'
    ),
    code('projects = server.projects()\n(projects["title"] == "Quickstart reviews").sum()'),
    md(
        "## Push a DataFrame, label it inline, pull the labels\n\n"
        "Each row becomes a task; `key=` makes the push idempotent (running the cell again adds nothing)."
    ),
    code(
        "import pandas as pd\n\n"
        "reviews = pd.DataFrame({\n"
        '    "id": ["r1", "r2", "r3", "r4", "r5", "r6"],\n'
        '    "text": ["Loved every minute", "Dull and far too long", "A charming little film",\n'
        '             "The plot makes no sense", "Great cast, great music", "I want my money back"],\n'
        "})\n"
        'project.push(reviews, key="id", progress=False)'
    ),
    md(
        "Label in the notebook with Label Studio's own editor (choose, then *Submit*; the next task "
        "follows). The browser talks only to this kernel, never to the server."
    ),
    code("# NBVAL_IGNORE_OUTPUT\neditor = project.label()\neditor"),
    md(
        "**Test stand-in for clicks.** So that this notebook also runs unattended (CI), the next cell "
        "records what two annotators, Ann and Bob, would click, through the SDK "
        "(`project.annotate`). Skip it when you label by hand."
    ),
    code(
        "# TEST STAND-IN: Ann's and Bob's clicks (they disagree on one review).\n"
        'ann, bob = server.create_user("ann@example.org"), server.create_user("bob@example.org")\n'
        'tasks = project.pull(include_unannotated=True, progress=False).drop_duplicates("task_id")\n'
        'task_of = dict(zip(tasks["key"], tasks["task_id"]))\n'
        'ann_says = ["positive", "negative", "positive", "negative", "positive", "negative"]\n'
        'bob_says = ["positive", "negative", "negative", "negative", "positive", "negative"]\n'
        'project.annotate({task_of[k]: v for k, v in zip(reviews["id"], ann_says)}, annotator=ann), \\\n'
        'project.annotate({task_of[k]: v for k, v in zip(reviews["id"], bob_says)}, annotator=bob)'
    ),
    md("Pull: one row per label, with the annotator, the push key and the task's data (`data.text`)."),
    code(
        "labels = project.pull(progress=False)\n"
        'labels[["key", "annotator", "label"]].sort_values(["key", "annotator"]).reset_index(drop=True)'
    ),
    md("How much do Ann and Bob agree?"),
    code(
        "report = lsn.agreement(labels)\n"
        'report.summary.loc["sentiment", ["n_tasks", "n_annotators", "percent_agreement", "cohen_kappa"]]'
        ".astype(float).round(3).to_dict()"
    ),
    md(KEEP_RUNNING),
]

nb = nbf.v4.new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
Path("notebooks/quickstart.ipynb").write_text(nbf.writes(nb))
