"""Build failures, each naming the page, template or file at fault."""


class BuildError(Exception):
    """The build stopped; ``build/`` was left as it was."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.message = message
        self.problems = problems or []
        super().__init__("\n".join([message, *self.problems]))
