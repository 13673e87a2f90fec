"""The one error type of this package, with stable codes as the CLI's errors have."""


class IntegrationError(Exception):
    """A seed option we cannot honour, or a CLI that cannot be started.

    ``code`` is stable (match on it, not on the message); ``option`` names
    the seed option at fault (``package.dockerfile``) when there is one.
    """

    def __init__(self, code, message, option=None):
        super().__init__(message)
        self.code = code
        self.option = option
