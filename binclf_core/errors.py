"""The one error type the user is meant to read."""


class ConfigError(ValueError):
    """A setting or an input the user must change; the message says which and how."""
