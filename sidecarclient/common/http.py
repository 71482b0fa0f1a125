"""The one HTTP layer of the client, on a keystoneauth1 Adapter.

keystoneauth does the work: tokens, the catalog, TLS, connection pooling,
retries and the mapping of error statuses to exceptions. This module adds
what is specific to Sidecar: which calls may be retried, JSON bodies that
must hold a given key, and error messages that say what was tried.
"""

from __future__ import annotations

import logging
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

import requests
from keystoneauth1 import adapter as ksa_adapter
from keystoneauth1 import exceptions as ksa_exc

from sidecarclient import exceptions
from sidecarclient.common import validation

LOG = logging.getLogger(__name__)

SERVICE_TYPE = 'sidecar'

# Statuses worth another try for a call that changes nothing.
RETRIABLE_STATUSES = [502, 503, 504]
DEFAULT_RETRIES = 2
_NO_DELAY = 1e-9
# Growing delays between connection retries, as keystoneauth's own.
_FIRST_DELAY = 0.5
_MAX_DELAY = 60.0


def path(*segments: str) -> str:
    """Join URL path segments, each percent-encoded as one segment.

    A segment of ``.`` or ``..`` is refused: encoding its dots would not
    help, as requests decodes ``%2E`` back to a dot before sending.
    """
    return '/'.join(
        urllib.parse.quote(validation.resource_id(s, 'path segment'),
                           safe='')
        for s in segments
    )


def unversioned(url: str) -> str:
    """The root of a versioned endpoint: ``http://h:9090/v2`` -> ``/``."""
    parts = urllib.parse.urlsplit(url)
    segments = [s for s in parts.path.split('/') if s]
    if segments and _is_version(segments[-1]):
        segments.pop()
    root = '/' + ''.join(s + '/' for s in segments)
    return urllib.parse.urlunsplit(
        (parts.scheme, parts.netloc, root, '', '')
    )


def _is_version(segment: str) -> bool:
    return (
        len(segment) > 1
        and segment[0] in 'vV'
        and segment[1:].replace('.', '', 1).isdigit()
    )


def request_not_sent(exc: BaseException) -> bool:
    """True when a connection failure happened before anything was sent.

    keystoneauth raises ConnectFailure both when the connection was
    refused and when it broke after the request went out; only the
    original requests exception, kept as the context, tells them apart.
    It may be more than one level down: HTTPClient raises RequestTimeout
    from keystoneauth's ConnectTimeout.
    """
    cause = exc.__context__
    while cause is not None and not isinstance(
        cause, requests.exceptions.RequestException
    ):
        cause = cause.__context__
    if not isinstance(cause, requests.exceptions.ConnectionError):
        return False
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(cause.args[0] if cause.args else None, 'reason', None)
    # urllib3 reports a failure to connect as NewConnectionError, and a
    # connection that broke later as ProtocolError.
    return type(reason).__name__ in (
        'NewConnectionError',
        'NameResolutionError',
        'ConnectTimeoutError',
    )


# How much of a plain-text error body to show.
_MAX_TEXT = 200


def server_message(exc: ksa_exc.HttpError) -> str | None:
    """What the server said about a failed request, if it said anything.

    That is the message of the JSON error body, or the first line of a
    plain-text body; HTML pages and empty bodies say nothing useful.
    ``exc.message`` cannot serve: keystoneauth has already added the
    status and request id to it.
    """
    response = exc.response
    if response is None:
        return None
    content_type = response.headers.get('Content-Type', '')
    text = None
    if content_type.startswith('application/json'):
        try:
            body = response.json()
        except ValueError:
            return None
        error = body.get('error') if isinstance(body, dict) else None
        if isinstance(error, dict):
            text = error.get('message')
    elif content_type.startswith('text/plain'):
        text = next(
            (line for line in response.text.splitlines() if line.strip()),
            None,
        )
    if not isinstance(text, str) or not text.strip():
        return None
    text = ' '.join(text.split())
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + '...'
    return text


def connection_problem(exc: BaseException) -> str | None:
    """The operating system's reason for a failed connection.

    keystoneauth keeps the requests exception as the context; urllib3's
    reason within it was caused by an OSError such as "Connection
    refused" or "Name or service not known".
    """
    cause = exc.__context__
    # A few links are enough; the bound guards against a cycle.
    for _ in range(10):
        if cause is None:
            break
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
        args = getattr(cause, 'args', ())
        reason = getattr(args[0], 'reason', None) if args else None
        if isinstance(reason, BaseException):
            cause = reason
        else:
            cause = cause.__cause__ or cause.__context__
    return None


def _requested_url(exc: BaseException) -> str | None:
    """The URL of the request behind a keystoneauth connection error."""
    cause = exc.__context__
    while cause is not None:
        request = getattr(cause, 'request', None)
        if request is not None and getattr(request, 'url', None):
            return request.url
        cause = cause.__context__
    return None


def _clearer_connect_failure(
    exc: ksa_exc.ConnectFailure,
) -> ksa_exc.ConnectFailure:
    """Say which URL could not be reached, and the system's reason.

    keystoneauth's text ends in a long urllib3 repr. The exception keeps
    its class; it is returned unchanged when there is nothing clearer to
    say, or when it was made clearer already (it then has ``url``).
    """
    if getattr(exc, 'url', None):
        return exc
    problem = connection_problem(exc)
    target = _requested_url(exc)
    if problem is None or target is None:
        return exc
    return exceptions.Unreachable(target, problem)


def _clearer_http_error(exc: ksa_exc.HttpError) -> ksa_exc.HttpError:
    """Name the method and URL in an error the service did not explain.

    The service's own errors carry a message; a bare status (an HTML
    page from a proxy, a wrong endpoint path) says nothing of which
    request failed. The exception keeps its class and attributes.
    """
    if server_message(exc) is not None or not exc.url:
        return exc
    phrase = type(exc).message if exc.http_status else 'HTTP error'
    try:
        return type(exc)(
            message=f'{phrase} for {exc.method} {exc.url}',
            details=exc.details,
            response=exc.response,
            request_id=exc.request_id,
            url=exc.url,
            method=exc.method,
            http_status=exc.http_status,
            retry_after=exc.retry_after,
        )
    except TypeError:
        # A subclass with a constructor of its own: keep it as it is.
        return exc


class HTTPClient:
    """Send Sidecar requests through a keystoneauth1 Adapter."""

    def __init__(
        self,
        adapter: ksa_adapter.Adapter,
        timeout: float | None = None,
        retries: int = DEFAULT_RETRIES,
        retry_delay: float | None = None,
    ) -> None:
        self.adapter = adapter
        # Given per request so that it also applies to a caller's session.
        self.timeout = timeout
        self.retries = retries
        # None means keystoneauth's exponential backoff from half a second.
        self.retry_delay = retry_delay
        # Found once: keystoneauth would search the catalog every time.
        self._endpoint: str | None = None

    def __repr__(self) -> str:
        return (
            f'<HTTPClient service_type={self.adapter.service_type!r} '
            f'interface={self.adapter.interface!r} '
            f'region={self.adapter.region_name!r}>'
        )

    def endpoint(self) -> str:
        """The Sidecar endpoint in use, looked up in the catalog once.

        It is kept for the life of the client, through token renewals:
        a service does not move while a client talks to it.
        """
        if self._endpoint is None:
            try:
                found = self.adapter.get_endpoint()
            except ksa_exc.EndpointNotFound as exc:
                raise self._no_endpoint() from exc
            except ksa_exc.ConnectFailure as exc:
                # Keystone could not be reached for the catalog.
                clearer = _clearer_connect_failure(exc)
                if clearer is exc:
                    raise
                raise clearer from exc
            if not found:
                raise self._no_endpoint()
            self._endpoint = found
        return self._endpoint

    def _no_endpoint(self) -> exceptions.EndpointNotFound:
        region = self.adapter.region_name
        if not self._token_has_catalog():
            return exceptions.EndpointNotFound(
                'The token is not scoped to a project, so it comes with no '
                'service catalog to find the Sidecar endpoint in: give a '
                'project (project_name or project_id) or the endpoint'
            )
        return exceptions.EndpointNotFound(
            f'No {SERVICE_TYPE!r} endpoint with interface '
            f'{self.adapter.interface!r} in '
            + (f'region {region!r}' if region else 'any region')
            + ' of the service catalog; check the region and interface, '
            'or give the endpoint explicitly'
        )

    def _token_has_catalog(self) -> bool:
        """False only when the token in hand is known to be unscoped."""
        session = self.adapter.session
        auth = self.adapter.auth or session.auth
        get_access = getattr(auth, 'get_access', None)
        if get_access is None:
            return True
        try:
            # Already fetched while looking for the endpoint: no request.
            access = get_access(session)
        except ksa_exc.ClientException:
            return True
        return bool(access.project_scoped or access.has_service_catalog())

    def request(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> requests.Response:
        """Send one request; ``url`` is relative to the endpoint or full.

        Only GET is retried: a POST or PUT that may have reached the
        server is never sent again blindly. A timeout is not retried
        either, so that no call waits much longer than ``timeout``.
        """
        kwargs: dict[str, Any] = {
            'headers': {'Accept': 'application/json'},
            'raise_exc': True,
        }
        if params:
            kwargs['params'] = params
        if body is not None:
            kwargs['json'] = body
        if self.timeout is not None:
            kwargs['timeout'] = self.timeout
        retries = self.retries if method == 'GET' else 0
        kwargs.update(
            # Failures to connect are retried by _send, which unlike
            # keystoneauth does not count a timeout among them.
            connect_retries=0,
            status_code_retries=retries,
            retriable_status_codes=RETRIABLE_STATUSES,
        )
        if self.retry_delay is not None:
            # keystoneauth reads a delay of 0 as "not set" and backs off
            # exponentially; the smallest positive delay means "at once".
            kwargs['status_code_retry_delay'] = (
                self.retry_delay or _NO_DELAY
            )
        try:
            resp = self._send(method, url, retries, kwargs)
        except exceptions.EndpointNotFound:
            raise
        except ksa_exc.EndpointNotFound as exc:
            raise self._no_endpoint() from exc
        except ksa_exc.ConnectTimeout as exc:
            if isinstance(exc, exceptions.RequestTimeout):
                raise
            raise exceptions.RequestTimeout(
                self._full_url(url), self.timeout
            ) from exc
        except ksa_exc.ConnectFailure as exc:
            clearer = _clearer_connect_failure(exc)
            if clearer is exc:
                raise
            raise clearer from exc
        except ksa_exc.HttpError as exc:
            explained = _clearer_http_error(exc)
            if explained is exc:
                raise
            raise explained from exc
        LOG.debug(
            '%s %s -> HTTP %s (request id %s)',
            method,
            resp.url,
            resp.status_code,
            resp.headers.get('x-openstack-request-id'),
        )
        return resp

    def _send(
        self, method: str, url: str, retries: int, kwargs: dict[str, Any]
    ) -> requests.Response:
        """Send, and send again after a failure to connect.

        keystoneauth's own connection retries would also repeat a request
        that timed out, and so wait several times ``timeout`` for a
        server that accepts connections but never answers.
        """
        delay = _FIRST_DELAY
        for retries_left in range(retries, 0, -1):
            try:
                return self._send_once(method, url, kwargs)
            except ksa_exc.ConnectFailure as exc:
                wait = delay if self.retry_delay is None else self.retry_delay
                LOG.debug(
                    '%s. Retrying in %.1f s, %d retries left',
                    exc, wait, retries_left,
                )
                time.sleep(wait)
                delay = min(delay * 2, _MAX_DELAY)
        return self._send_once(method, url, kwargs)

    def _send_once(
        self, method: str, url: str, kwargs: dict[str, Any]
    ) -> requests.Response:
        if not urllib.parse.urlsplit(url).netloc:
            # Relative to the endpoint: hand keystoneauth the one found
            # the first time, or it parses the service catalog again.
            kwargs = dict(kwargs, endpoint_override=self.endpoint())
        return self.adapter.request(url, method, **kwargs)

    def _full_url(self, url: str) -> str:
        if urllib.parse.urlsplit(url).netloc:
            return url
        try:
            return self.endpoint().rstrip('/') + '/' + url
        except ksa_exc.ClientException:
            return url

    @staticmethod
    def read_key(resp: requests.Response, key: str) -> Any:
        """Return ``key`` of a response's JSON object, or raise clearly."""
        try:
            data = resp.json()
        except ValueError:
            raise exceptions.UnexpectedResponse.from_response(
                resp, 'the body is not JSON'
            ) from None
        if not isinstance(data, dict) or key not in data:
            raise exceptions.UnexpectedResponse.from_response(
                resp, f'the body has no {key!r} key'
            )
        return data[key]
