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
            if not found:
                raise self._no_endpoint()
            self._endpoint = found
        return self._endpoint

    def _no_endpoint(self) -> exceptions.EndpointNotFound:
        region = self.adapter.region_name
        return exceptions.EndpointNotFound(
            f'No {SERVICE_TYPE!r} endpoint with interface '
            f'{self.adapter.interface!r} in '
            + (f'region {region!r}' if region else 'any region')
            + ' of the service catalog; check the region and interface, '
            'or give the endpoint explicitly'
        )

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
                LOG.warning(
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

    def json(
        self,
        method: str,
        url: str,
        key: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """Send a request and return ``body[key]`` of its JSON answer."""
        resp = self.request(method, url, params=params, body=body)
        return self.read_key(resp, key)

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
