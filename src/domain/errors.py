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


class Unauthorized(WebhookError):
    """No credential was given, or it is not a credential at all (HTTP 401)."""


class Forbidden(WebhookError):
    """The credential is valid but does not allow this (HTTP 403), or the caller's address is refused."""


class MethodNotAllowed(WebhookError):
    """The hook does not accept triggers by this HTTP method.

    Attributes:
        allowed: the methods it accepts.
    """

    def __init__(self, allowed: tuple[str, ...]) -> None:
        super().__init__(f"allowed methods: {', '.join(allowed)}")
        self.allowed = allowed


class SignatureInvalid(WebhookError):
    """A signed hook was triggered without a valid, fresh signature (HTTP 401)."""


class RateLimited(WebhookError):
    """The hook was triggered more often than its rate limit allows.

    Attributes:
        retry_after: seconds until the current window ends.
    """

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:.0f} s")
        self.retry_after = retry_after


class InvalidPayload(WebhookError):
    """The trigger's body does not parse as the content type it declares."""
