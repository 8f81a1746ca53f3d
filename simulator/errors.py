"""Errors the simulator answers with, shaped as ECI's error body.

Every failure that reaches a caller is an `EciError`: an ECI error code, a
message naming what was wrong, and the HTTP status ECI uses for it. Domain
modules raise these (or subclasses); the API edge turns them into
`{"Code": ..., "Message": ..., "RequestId": ...}`. Nothing here knows HTTP
beyond the status number.
"""

from __future__ import annotations


class EciError(Exception):
    """An error ECI would return: `code` and `message` go into the body."""

    code: str = "InternalError"
    http_status: int = 500

    def __init__(self, message: str, *, code: str | None = None, http_status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InvalidParameter(EciError):
    """A parameter is present but its value is wrong (name, value, what was expected)."""

    code = "InvalidParameter"
    http_status = 400


class MissingParameter(EciError):
    """A required parameter is absent."""

    code = "MissingParameter"
    http_status = 400


class NotFound(EciError):
    """A named resource (container group, image cache, ...) does not exist."""

    code = "ResourceNotFound"
    http_status = 404


class IncorrectStatus(EciError):
    """The resource exists but is not in a state that allows the operation.

    HTTP 400, as ECI's error tables list it (DeleteContainerGroup,
    https://help.aliyun.com/document_detail/90342.html: "400 IncorrectStatus").
    """

    code = "IncorrectStatus"
    http_status = 400
