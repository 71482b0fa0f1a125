"""The WSGI pipeline: request ids and logging, then auth, then the API."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sidecar_ref import api
from sidecar_ref import storage

LOG = logging.getLogger(__name__)

REQUEST_ID_HEADER = 'x-openstack-request-id'

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Version discovery needs no token, as in every OpenStack service.
_OPEN_PATHS = frozenset({'', '/', '/v2', '/v2/'})


class RequestLog:
    """Give every response a request id and log one line per request."""

    def __init__(self, app: WSGIApp) -> None:
        self._app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request_id = f'req-{uuid.uuid4()}'
        environ['openstack.request_id'] = request_id
        started = time.monotonic()
        statuses = []

        def start_with_id(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            statuses.append(status)
            headers = [
                (name, value)
                for name, value in headers
                if name.lower() != REQUEST_ID_HEADER
            ]
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(status, headers, exc_info)

        result = self._app(environ, start_with_id)
        path = environ.get('PATH_INFO', '')
        if environ.get('QUERY_STRING'):
            path += '?' + environ['QUERY_STRING']
        LOG.info(
            '%s %s -> %s %s user=%s (%.0f ms)',
            environ.get('REQUEST_METHOD'),
            path,
            statuses[-1] if statuses else '-',
            request_id,
            environ.get('HTTP_X_USER_NAME', '-'),
            (time.monotonic() - started) * 1000,
        )
        return result


class OpenVersions:
    """Send version discovery to the API directly, the rest through auth."""

    def __init__(self, api_app: WSGIApp, protected_app: WSGIApp) -> None:
        self._api = api_app
        self._protected = protected_app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get('PATH_INFO', '') in _OPEN_PATHS:
            return self._api(environ, start_response)
        return self._protected(environ, start_response)


def build_app(db_path: str, auth_config: str | None = None) -> WSGIApp:
    """Return the whole server application.

    :param db_path: the SQLite file of the events, created if missing.
    :param auth_config: an oslo.config file whose ``[keystone_authtoken]``
        section configures keystonemiddleware; ``None`` serves without
        authentication and lets every caller do everything.
    """
    store = storage.EventStore(db_path)
    if auth_config is None:
        return RequestLog(api.SidecarApp(store, require_admin=False))

    # Imported here so that a no-auth server runs without
    # keystonemiddleware installed.
    from keystonemiddleware import auth_token

    sidecar = api.SidecarApp(store, require_admin=True)
    protected = auth_token.AuthProtocol(
        sidecar,
        {
            'oslo_config_project': 'sidecar-ref',
            'oslo_config_file': auth_config,
        },
    )
    return RequestLog(OpenVersions(sidecar, protected))
