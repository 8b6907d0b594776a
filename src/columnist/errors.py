"""Errors a user can act on.

Every error raised to the command line is a ColumnistError whose message is one line
naming the thing at fault (a config key, a source, a file). The CLI prints it without a
traceback; anything else is a bug and keeps its traceback.
"""


class ColumnistError(Exception):
    """A problem the user can fix; the message names the source, key or file."""


class ConfigError(ColumnistError):
    """An invalid or missing key in columnist.toml."""


class FetchError(ColumnistError):
    """A feed could not be fetched (network, HTTP status, size or time bound, policy)."""


class FeedError(ColumnistError):
    """A feed was fetched but could not be read (malformed, hostile, unknown format)."""


class ModelError(ColumnistError):
    """A model file is missing, fails its checksum, or a backend cannot be reached."""
