"""User-facing errors: the CLI prints them as one line and exits 1, never as a traceback."""

from __future__ import annotations


class LegalFtError(Exception):
    """An error the user can fix; the message says what happened, ``hint`` says what to do."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class InputError(LegalFtError):
    """A missing, unreadable or malformed input file."""


class ConfigError(LegalFtError):
    """A bad configuration file, rule set, profile or option value."""


class PluginError(LegalFtError):
    """A plugin that failed to import or breaks the plugin contract."""


class OutputError(LegalFtError):
    """An output that cannot be written: a full disk, no permission, or (Windows) a file another program holds."""
