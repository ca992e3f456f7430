"""The one exception type the lab raises for anything a learner can fix."""


class LabError(Exception):
    """A problem the learner can act on.

    The message is one sentence saying what went wrong and the command or
    setting that fixes it. The CLI prints it on one line (no traceback) and
    exits non-zero; notebooks show it as the cell's error.
    """
