"""Exceptions raised by python-sidecarclient.

HTTP failures are keystoneauth1's own status-specific exceptions, so code
that already catches ``keystoneauth1.exceptions.NotFound`` keeps working;
they are re-exported here so that callers need import only this module.
The classes defined here cover what keystoneauth has no name for: input
the client refuses before sending anything, and a successful response the
client cannot read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from keystoneauth1 import exceptions as _ksa

if TYPE_CHECKING:
    import requests

__all__ = [
    'AmbiguousCreate',
    'AuthorizationFailure',
    'BadRequest',
    'ClientException',
    'Conflict',
    'ConnectFailure',
    'ConnectTimeout',
    'EndpointNotFound',
    'Forbidden',
    'HttpError',
    'HttpServerError',
    'InternalServerError',
    'NoSuchEvent',
    'NoUniqueMatch',
    'NotFound',
    'RequestTimeout',
    'ServiceUnavailable',
    'Unauthorized',
    'UnexpectedResponse',
    'Unreachable',
    'ValidationError',
]

ClientException = _ksa.ClientException
HttpError = _ksa.HttpError
HttpServerError = _ksa.HttpServerError
BadRequest = _ksa.BadRequest
Unauthorized = _ksa.Unauthorized
Forbidden = _ksa.Forbidden
NotFound = _ksa.NotFound
Conflict = _ksa.Conflict
InternalServerError = _ksa.InternalServerError
ServiceUnavailable = _ksa.ServiceUnavailable
AuthorizationFailure = _ksa.AuthorizationFailure
ConnectFailure = _ksa.ConnectFailure
ConnectTimeout = _ksa.ConnectTimeout


class ValidationError(_ksa.ClientException, ValueError):
    """An argument the client refused before sending any request."""


class EndpointNotFound(_ksa.EndpointNotFound):
    """The service catalog has no Sidecar endpoint for the filters given."""


class Unreachable(_ksa.ConnectFailure):
    """A URL could not be connected to; ``reason`` is the system's."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f'Unable to connect to {url}: {reason}')


class RequestTimeout(_ksa.ConnectTimeout):
    """The server did not answer within the configured timeout."""

    def __init__(self, url: str, timeout: float | None) -> None:
        self.url = url
        self.timeout = timeout
        if timeout is None:
            text = f'Request to {url} timed out'
        else:
            text = f'Request to {url} timed out after {timeout:g} seconds'
        super().__init__(text)


class NoSuchEvent(_ksa.NotFound):
    """No event has the name or id that was looked up."""

    def __init__(self, name_or_id: str) -> None:
        text = f"No event with a name or ID of '{name_or_id}' exists."
        super().__init__(message=text, http_status=404)
        # keystoneauth's base class stores the text with the status
        # appended as the message; keep the plain text instead.
        self.message = text

    def __str__(self) -> str:
        # The lookup made several requests; no one status belongs here.
        return self.message


class NoUniqueMatch(_ksa.ClientException):
    """Several events matched a name lookup."""


class UnexpectedResponse(_ksa.ClientException):
    """A successful response whose body the client could not understand."""

    def __init__(
        self,
        reason: str,
        method: str,
        url: str,
        status: int,
        request_id: str | None = None,
    ) -> None:
        self.method = method
        self.url = url
        self.http_status = status
        self.request_id = request_id
        text = (
            f'Unexpected response from the server for {method} {url} '
            f'(HTTP {status}): {reason}'
        )
        if request_id:
            text += f' (Request-ID: {request_id})'
        super().__init__(text)

    @classmethod
    def from_response(
        cls, resp: requests.Response, reason: str
    ) -> UnexpectedResponse:
        """Describe what was wrong with ``resp``."""
        method = resp.request.method if resp.request is not None else None
        return cls(
            reason,
            method or '?',
            resp.url,
            resp.status_code,
            resp.headers.get('x-openstack-request-id'),
        )


class AmbiguousCreate(_ksa.ClientException):
    """A create whose outcome the client could not learn from the server.

    Raised when the connection failed after the request may have been
    sent. The client then looks the name up: ``event`` holds the event
    found, or None when the server has none. When that lookup fails too,
    ``lookup_error`` holds its failure and whether the event exists is
    unknown. ``cause`` is the original failure.
    """

    def __init__(
        self,
        name: str,
        cause: Exception,
        event: object | None = None,
        lookup_error: Exception | None = None,
    ) -> None:
        self.name = name
        self.cause = cause
        self.event = event
        self.lookup_error = lookup_error
        if lookup_error is not None:
            outcome = (
                f'whether it exists is unknown, as looking it up failed '
                f'too ({lookup_error}); list events by name before '
                f'creating it again'
            )
        elif event is not None:
            outcome = (
                f'checked afterwards: the event exists on the server with '
                f'id {getattr(event, "id", "?")}'
            )
        else:
            outcome = (
                'checked afterwards: no event of that name exists on the '
                'server'
            )
        super().__init__(
            f'Creating event {name!r} failed ({cause}); {outcome}'
        )
