"""What can go wrong in an import, each with a message for the person importing (in Chinese)."""


class ImportProblem(Exception):
    """An import cannot go on as asked; `message` (a lazy translation) says what to change."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class FileProblem(ImportProblem):
    """The file cannot be imported at all."""


class CellProblem(ImportProblem):
    """One cell's value is not allowed; the row becomes an error row."""


class StalePlan(ImportProblem):
    """The catalogue changed between the preview and the confirmation."""


class PlanWithErrors(ImportProblem):
    """A plan with errors was given to be written; it never is."""
