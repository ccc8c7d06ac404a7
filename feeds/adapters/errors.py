"""Errors an adapter raises when it refuses a whole payload."""


class PayloadRefused(ValueError):
    """The payload cannot be read at all (hostile, broken, wrong format); ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
