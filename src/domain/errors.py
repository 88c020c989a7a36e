"""Errors the domain raises; the entrypoints map each one to an HTTP status or an exit code."""


class WebhookError(Exception):
    """Base of every error the domain raises on purpose."""


class InvalidWebhook(WebhookError):
    """A value given to register a webhook breaks one of its rules.

    Attributes:
        field: the name of the offending value (``userid``, ``arguments``).
        message: what is wrong and how to fix it.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ArgumentsTooLarge(InvalidWebhook):
    """The arguments of a webhook exceed the stored size limit."""


class WebhookNotFound(WebhookError):
    """No webhook is stored under the id (or the id cannot be one)."""


class WebhookIdTaken(WebhookError):
    """A repository already holds a webhook under this id; the new one was not stored."""


class StorageUnavailable(WebhookError):
    """The storage behind a repository failed or did not answer in time."""


class HandlerFailed(WebhookError):
    """The handler raised while processing a triggered webhook."""
