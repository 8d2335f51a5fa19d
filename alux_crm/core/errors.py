"""Domain errors raised by services; views show them, the API maps them to 409."""


class DomainError(Exception):
    """A business rule refused the action (e.g. an invalid state transition)."""

    code = "conflict"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class InvalidTransition(DomainError):
    """A status change that the state machine does not allow."""

    code = "invalid_transition"
