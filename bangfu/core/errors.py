"""Errors raised by services. Interfaces turn them into form errors, HTTP 400/403 or CLI exits."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError


class BangfuError(Exception):
    """Base class for errors that carry a message meant for the user."""


class PermissionDenied(BangfuError):
    """The actor may not do this to this object."""


class ValidationFailed(BangfuError):
    """Input was refused. `errors` maps a field name (or "__all__") to messages."""

    def __init__(self, errors: dict[str, list[str]] | str) -> None:
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))

    @classmethod
    def from_django(cls, exc: DjangoValidationError) -> ValidationFailed:
        """The same messages as Django's model validation error, keyed by field."""
        if hasattr(exc, "error_dict"):
            return cls(
                {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
            )
        return cls({"__all__": [str(m) for m in exc.messages]})


@dataclass(frozen=True)
class RowError:
    """One refused cell or row of an imported file."""

    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


@dataclass
class ImportRefused(BangfuError):
    """A whole file was refused; nothing was written."""

    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
