"""One exception type for every mistake a user can make: it carries a one-line message and exit code 2."""


class XltError(Exception):
    """A bad value given by the user (or bad data on disk), reported as one line before any compute starts."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


def one_of(values) -> str:
    """Format the allowed values for an error message: 'a, b, c'."""
    return ", ".join(str(v) for v in values)


def shown(value, limit: int = 200) -> str:
    """A value as an error message quotes it: its repr, cut short (a config file may hold a whole table)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."
