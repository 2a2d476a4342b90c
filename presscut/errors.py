"""Errors that the CLI reports as a clear message and an exit code, never a traceback."""

from __future__ import annotations


class PresscutError(Exception):
    """A user-facing error. ``problems`` holds one line per problem found."""

    exit_code = 1

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])

    def render(self, limit: int = 20) -> str:
        lines = [self.message]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(
                f"  ... and {len(self.problems) - limit} more ({len(self.problems)} in all)"
            )
        return "\n".join(lines)


class AnnotationError(PresscutError):
    """Gold/silver annotation files or raw pages that break a rule."""


class PredictionError(PresscutError):
    """A predictions file that does not fit its task's expected input format."""

    exit_code = 2
