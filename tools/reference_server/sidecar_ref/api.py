"""The Sidecar v2 API as a WSGI application.

Routing, content negotiation, the admin-only policy and the translation
of errors into the API's error body live here; validation and storage
are in their own modules.
"""

from __future__ import annotations

import http
import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

import webob

from sidecar_ref import storage
from sidecar_ref import validation

LOG = logging.getLogger(__name__)

VERSION_V2 = {'date': '2016-08-07T00:00:00', 'status': 'current'}
ADMIN_ROLE = 'admin'

_NOT_FOUND_PAGE = (
    '<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n'
    '  <h1>404 Not Found</h1>\n'
    '  The resource could not be found.<br /><br />\n'
    ' </body>\n</html>\n'
)

Handler = Callable[..., webob.Response]
# What a path allows: {method: (handler, policy action or None)}.
Methods = dict[str, tuple[Handler, str | None]]
StartResponse = Callable[..., Any]


class ApiError(Exception):
    """An error the API reports with its JSON error body."""

    def __init__(
        self,
        status: int,
        message: str,
        code_as_text: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code_as_text = code_as_text
        self.headers = headers or {}

    def response(self) -> webob.Response:
        response = _json_response(
            {
                'error': {
                    'code': (
                        str(self.status) if self.code_as_text else self.status
                    ),
                    'title': http.HTTPStatus(self.status).phrase,
                    'message': self.message,
                }
            },
            status=self.status,
        )
        response.headers.update(self.headers)
        return response


class SidecarApp:
    """The API over an :class:`~sidecar_ref.storage.EventStore`.

    With ``require_admin`` every event call needs the ``admin`` role in
    the ``X-Roles`` header that keystonemiddleware sets; without it (no
    auth) every caller may do everything.
    """

    def __init__(
        self, store: storage.EventStore, require_admin: bool = True
    ) -> None:
        self._store = store
        self._require_admin = require_admin
        self._routes: list[tuple[re.Pattern[str], Methods]] = [
            (re.compile(r'/'), {'GET': (self._versions, None)}),
            (re.compile(r'/v2/'), {'GET': (self._version_v2, None)}),
            (
                re.compile(r'/v2/evacuates/events'),
                {
                    'GET': (self._list, 'list'),
                    'POST': (self._create, 'create'),
                },
            ),
            (
                re.compile(r'/v2/evacuates/events/(?P<event_id>[^/]+)'),
                {
                    'GET': (self._show, 'show'),
                    'PUT': (self._edit, 'edit'),
                    'DELETE': (self._delete, 'delete'),
                },
            ),
        ]

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        request = webob.Request(environ)
        try:
            response = self._dispatch(request)
        except ApiError as exc:
            LOG.debug(
                '%s %s refused: %s',
                request.method,
                request.path_qs,
                exc.message,
            )
            response = exc.response()
        except Exception:
            LOG.exception(
                'Unexpected error in %s %s', request.method, request.path_qs
            )
            response = webob.Response(
                status=500,
                content_type='text/plain',
                text='500 Internal Server Error\n',
            )
        return response(environ, start_response)

    def _dispatch(self, request: webob.Request) -> webob.Response:
        path = request.path_info
        if path == '/v2':
            return _redirect(request, '/v2/')

        found = self._find_route(path)
        if found is None:
            return _not_found_page()

        match, methods = found
        try:
            handler, action = methods[request.method]
        except KeyError:
            raise ApiError(
                405,
                f'The method {request.method} is not allowed on {path}',
                headers={'Allow': ', '.join(sorted(methods))},
            ) from None

        if not request.accept.acceptable_offers(['application/json']):
            accept = request.headers.get('Accept')
            raise ApiError(
                406,
                'This service only answers in application/json; the '
                f'request accepts only {accept}',
            )
        if action is not None:
            self._authorize(request, action)
        return handler(request, **match.groupdict())

    def _find_route(self, path: str) -> tuple[re.Match[str], Methods] | None:
        for pattern, methods in self._routes:
            match = pattern.fullmatch(path)
            if match is not None:
                return match, methods
        return None

    def _authorize(self, request: webob.Request, action: str) -> None:
        if not self._require_admin:
            return
        roles = {
            role.strip().lower()
            for role in request.headers.get('X-Roles', '').split(',')
        }
        if ADMIN_ROLE not in roles:
            LOG.debug(
                'User %s with roles %s may not %s events',
                request.headers.get('X-User-Id'),
                sorted(roles),
                action,
            )
            raise ApiError(
                403,
                f"Policy doesn't allow sidecar:event:{action} to be "
                'performed: the admin role is required.',
            )

    # Versions

    def _versions(self, request: webob.Request) -> webob.Response:
        return _json_response({'versions': [{'v2': VERSION_V2}]})

    def _version_v2(self, request: webob.Request) -> webob.Response:
        return _json_response({'v2': VERSION_V2})

    # Events

    def _list(self, request: webob.Request) -> webob.Response:
        params = {key: request.GET.getall(key) for key in request.GET}
        try:
            filters, limit, marker = validation.list_query(params)
        except validation.InvalidInput as exc:
            raise ApiError(400, str(exc)) from None

        try:
            events = self._store.list_events(filters, limit, marker)
        except storage.MarkerNotFound as exc:
            raise ApiError(400, str(exc)) from None
        return _json_response({'events': [_event_body(e) for e in events]})

    def _show(self, request: webob.Request, event_id: str) -> webob.Response:
        try:
            event = self._store.get(event_id)
        except storage.EventNotFound as exc:
            raise ApiError(404, str(exc)) from None
        return _json_response({'event': _event_body(event)})

    def _create(self, request: webob.Request) -> webob.Response:
        fields = _validated(validation.create_fields, _json_body(request))
        try:
            event = self._store.create(**fields)
        except storage.NameConflict as exc:
            raise ApiError(409, str(exc)) from None
        return _json_response({'event': _event_body(event)}, status=201)

    def _edit(self, request: webob.Request, event_id: str) -> webob.Response:
        changes = _validated(validation.edit_changes, _json_body(request))
        try:
            self._store.update(event_id, changes)
        except storage.EventNotFound as exc:
            raise ApiError(404, str(exc)) from None
        except storage.NameConflict as exc:
            raise ApiError(409, str(exc)) from None
        return webob.Response(status=204, content_type=None)

    def _delete(self, request: webob.Request, event_id: str) -> webob.Response:
        try:
            self._store.delete(event_id)
        except storage.EventNotFound as exc:
            raise ApiError(404, str(exc)) from None
        except storage.NotDeletable as exc:
            raise ApiError(403, str(exc)) from None
        return webob.Response(status=204, content_type=None)


def _event_body(event: storage.Event) -> dict[str, Any]:
    complete_time = event.event_complete_time
    return {
        'id': event.id,
        'name': event.name,
        'event_status': event.event_status,
        'node_uuid': event.node_uuid,
        'event_create_time': event.event_create_time.strftime(
            validation.TIME_FORMAT
        ),
        'event_complete_time': (
            complete_time.strftime(validation.TIME_FORMAT)
            if complete_time is not None
            else None
        ),
        'vm_uuid_list': event.vm_uuid_list,
        'extra': event.extra,
    }


def _json_body(request: webob.Request) -> Any:
    if request.content_type != 'application/json':
        raise ApiError(
            400,
            'The request body must be sent with Content-Type '
            'application/json, not %s'
            % (request.content_type or 'no Content-Type'),
        )
    try:
        return json.loads(request.body)
    except ValueError as exc:
        raise ApiError(
            400, f'The request body is not valid JSON: {exc}'
        ) from None


def _validated(check: Callable[[Any], dict[str, Any]], body: Any) -> Any:
    try:
        return check(body)
    except validation.InvalidInput as exc:
        raise ApiError(400, str(exc), code_as_text=True) from None


def _json_response(body: Any, status: int = 200) -> webob.Response:
    return webob.Response(
        status=status,
        content_type='application/json',
        charset=None,
        body=json.dumps(body).encode('utf-8'),
    )


def _redirect(request: webob.Request, path: str) -> webob.Response:
    location = request.application_url + path
    if request.query_string:
        location += '?' + request.query_string
    return webob.Response(status=302, location=location, content_type=None)


def _not_found_page() -> webob.Response:
    return webob.Response(
        status=404, content_type='text/html', text=_NOT_FOUND_PAGE
    )
