"""Errors of the ImageCache controller.

`InvalidImageCache` is a problem with what the user asked for (a bad image reference, a
missing Secret, an image ECI cannot pull): retrying cannot help, so it becomes `phase: Failed`
with its message and is never raised out of the controller. Everything else that goes wrong
while talking to Kubernetes or ECI is retried with back-off by the work queue.
"""

from __future__ import annotations


class ImageCacheError(Exception):
    """Base of this package's errors."""


class InvalidImageCache(ImageCacheError):
    """The resource cannot be built as written; `message` says what and where."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        """The spec field at fault, e.g. `spec.images[1]`."""


class RetryableProblem(ImageCacheError):
    """A transient failure (API server or ECI): try the resource again later."""
