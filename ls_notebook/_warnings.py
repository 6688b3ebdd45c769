"""Warning category of the package (tests turn it into errors)."""


class LSNotebookWarning(UserWarning):
    """A warning issued by ls_notebook."""
