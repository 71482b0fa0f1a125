"""One-line messages for the failures the ``sidecar`` shell reports.

keystoneauth's exception text is written for a programmer: the server's
message, the status, and for a connection failure a long urllib3 repr.
The shell says what it was doing, what the server said and, when the
response carried one, the request id an operator can quote.
"""

from __future__ import annotations

import http
import urllib.parse

from keystoneauth1 import exceptions as ksa_exc

from sidecarclient.common import http as http_layer


def _request_id(exc: Exception) -> str | None:
    request_id = getattr(exc, 'request_id', None)
    if request_id:
        return request_id
    response = getattr(exc, 'response', None)
    if response is not None:
        return response.headers.get('x-openstack-request-id')
    return None


def _with_status(text: str, exc: ksa_exc.HttpError) -> str:
    text = f'{text} (HTTP {exc.http_status})'
    request_id = _request_id(exc)
    if request_id:
        text += f' (Request-ID: {request_id})'
    return text


def _status_phrase(exc: ksa_exc.HttpError) -> str:
    try:
        return http.HTTPStatus(exc.http_status).phrase
    except ValueError:
        return 'HTTP error'


def _from_keystone(exc: ksa_exc.HttpError, auth_url: str | None) -> bool:
    """Whether ``exc`` answered a token request to Keystone."""
    if not auth_url or not exc.url:
        return False
    failed = urllib.parse.urlsplit(exc.url)
    keystone = urllib.parse.urlsplit(auth_url)
    # Identity v2 asks for /tokens and v3 for /auth/tokens; no Sidecar
    # path ends so.
    return (
        failed.netloc == keystone.netloc
        and failed.path.rstrip('/').endswith('/tokens')
    )


def describe(
    exc: ksa_exc.ClientException,
    action: str,
    event_id: str | None = None,
    auth_url: str | None = None,
) -> str:
    """Return the message for ``exc`` raised while doing ``action``.

    :param action: what failed, such as "Cannot delete event 1a2b".
    :param event_id: the event a 404 would be about.
    :param auth_url: the Keystone URL, to tell its refusals apart.
    """
    if isinstance(exc, ksa_exc.HttpError):
        said = http_layer.server_message(exc)
        if _from_keystone(exc, auth_url):
            said = said or _status_phrase(exc)
            return _with_status(f'Keystone refused the request: {said}', exc)
        if exc.http_status == 404 and said is None:
            # Not the service's own answer (that is JSON): most likely
            # the endpoint points somewhere else than the Sidecar API.
            said = f'no such URL {exc.url} (check the Sidecar endpoint)'
            if event_id is not None:
                return _with_status(f'Event {event_id} not found: {said}', exc)
        elif exc.http_status == 404 and event_id is not None:
            return _with_status(f'Event {event_id} not found', exc)
        return _with_status(f'{action}: {said or _status_phrase(exc)}', exc)

    if isinstance(exc, ksa_exc.ConnectFailure) and not isinstance(
        exc, ksa_exc.ConnectTimeout
    ):
        problem = http_layer.connection_problem(exc)
        url = getattr(exc, 'url', None)
        if problem and url:
            return f'{action}: cannot connect to {url}: {problem}'
    return f'{action}: {exc}'
