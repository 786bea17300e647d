from app.core.error_text import UserError


class CliError(UserError):
    """A failure the command line reports as one line, with its exit code."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code
