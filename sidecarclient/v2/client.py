"""The Sidecar v2 client object."""

from __future__ import annotations

import logging
from typing import Any

from keystoneauth1 import adapter as ksa_adapter
from keystoneauth1 import session as ksa_session

import sidecarclient
from sidecarclient import exceptions
from sidecarclient.common import auth
from sidecarclient.common import http
from sidecarclient.common import validation
from sidecarclient.v2 import events
from sidecarclient.v2 import versions

LOG = logging.getLogger(__name__)


class Client:
    """Client for version 2 of the Sidecar API.

    Give either a ready keystoneauth1 ``session`` or the classic
    authentication arguments below. Nothing is sent at construction;
    arguments that are missing or contradict each other raise
    :class:`~sidecarclient.exceptions.ValidationError` at once.

    :param username: Keystone user name (or give ``user_id``).
    :param user_id: Keystone user id.
    :param password: the user's password.
    :param tenant_id: Identity v2 project (tenant) id.
    :param tenant_name: Identity v2 project (tenant) name.
    :param project_id: Identity v3 project id.
    :param project_name: Identity v3 project name.
    :param project_domain_id: the v3 project's domain id.
    :param project_domain_name: the v3 project's domain name.
    :param user_domain_id: the v3 user's domain id.
    :param user_domain_name: the v3 user's domain name.
    :param auth_token: an existing token, used instead of a password.
        With ``endpoint`` it is sent as is and Keystone is never called.
    :param auth_url: the Keystone URL.
    :param auth_version: ``2`` or ``3`` (also ``"3"``, ``"v3"``,
        ``"2.0"``); when absent the version is discovered from
        ``auth_url``.
    :param endpoint: the Sidecar URL such as ``http://controller:9090/v2``;
        when absent it is read from the service catalog (service type
        ``sidecar``).
    :param endpoint_type: catalog interface: ``public``, ``internal`` or
        ``admin``, or ``publicURL``, ``internalURL``, ``adminURL``;
        default ``public``.
    :param interface: the modern name of ``endpoint_type``.
    :param region_name: catalog region.
    :param timeout: seconds to wait for each response, default 300; a
        numeric string such as ``"10"`` is accepted.
    :param insecure: do not verify TLS certificates. ``True``/``False``,
        or a string: ``"True"``, ``"1"``, ``"yes"`` or ``"False"``,
        ``"0"``, ``"no"``, ``""``.
    :param cacert: path of a CA bundle to verify TLS certificates with.
    :param session: a ready :class:`keystoneauth1.session.Session`; the
        authentication arguments above must then be absent.
    :param retries: how many times a GET is retried after a failure to
        connect or a 502, 503 or 504 answer, with growing delays. Other
        methods are never retried, and neither is a timeout.
    :param retry_delay: seconds to wait between those tries instead of
        the growing delays; ``0`` retries at once.
    """

    def __init__(
        self,
        username: str | None = None,
        user_id: str | None = None,
        password: str | None = None,
        tenant_id: str | None = None,
        tenant_name: str | None = None,
        project_id: str | None = None,
        project_name: str | None = None,
        project_domain_id: str | None = None,
        project_domain_name: str | None = None,
        user_domain_id: str | None = None,
        user_domain_name: str | None = None,
        auth_token: str | None = None,
        auth_url: str | None = None,
        auth_version: str | int | None = None,
        endpoint: str | None = None,
        endpoint_type: str | None = None,
        interface: str | None = None,
        region_name: str | None = None,
        timeout: float | str | None = None,
        insecure: bool | str = False,
        cacert: str | None = None,
        session: ksa_session.Session | None = None,
        retries: int = http.DEFAULT_RETRIES,
        retry_delay: float | None = None,
    ) -> None:
        creds = auth.Credentials(
            username=username,
            user_id=user_id,
            password=password,
            tenant_id=tenant_id,
            tenant_name=tenant_name,
            project_id=project_id,
            project_name=project_name,
            project_domain_id=project_domain_id,
            project_domain_name=project_domain_name,
            user_domain_id=user_domain_id,
            user_domain_name=user_domain_name,
            auth_token=auth_token,
            auth_url=auth_url,
            auth_version=auth_version,
        )
        if endpoint_type and interface and (
            auth.interface(endpoint_type) != auth.interface(interface)
        ):
            raise exceptions.ValidationError(
                f'endpoint_type {endpoint_type!r} and interface '
                f'{interface!r} disagree: give only one'
            )
        chosen_interface = auth.interface(interface or endpoint_type)
        seconds = (
            None if timeout is None or timeout == ''
            else validation.timeout(timeout)
        )
        verify_off = validation.boolean(insecure, 'insecure')
        retry_count = validation.retries(retries)
        delay = (
            None if retry_delay is None
            else validation.retry_delay(retry_delay)
        )
        if endpoint is not None:
            endpoint = validation.url(endpoint, 'endpoint')
        if auth_url:
            # Else keystoneauth reports an unusable one as a missing
            # endpoint, or as a failure to connect to another URL.
            creds.auth_url = validation.url(auth_url, 'auth_url')

        # A caller's session may serve other clients too: never close it.
        self._owns_session = session is None
        if session is None:
            session = auth.build_session(
                creds,
                endpoint,
                auth.DEFAULT_TIMEOUT if seconds is None else seconds,
                verify_off,
                cacert,
            )
        else:
            # auth_version alone is harmless beside a session, but a value
            # no session could have been made with is still an error.
            auth.auth_version(auth_version)
            given = creds.given(*(
                name for name in vars(creds) if name != 'auth_version'
            ))
            if given:
                raise exceptions.ValidationError(
                    'session cannot be combined with authentication '
                    'arguments: ' + ', '.join(given)
                )

        adapter = ksa_adapter.Adapter(
            session,
            service_type=http.SERVICE_TYPE,
            interface=chosen_interface,
            region_name=region_name or None,
            endpoint_override=endpoint,
            client_name='python-sidecarclient',
            client_version=sidecarclient.version_string(),
        )
        self.http = http.HTTPClient(
            adapter,
            # The session's own timeout when none is given, so that a
            # timeout error can say how long it waited.
            timeout=(
                getattr(session, 'timeout', None) if seconds is None
                else seconds
            ),
            retries=retry_count,
            retry_delay=delay,
        )
        self.events = events.EventManager(self.http)
        self.versions = versions.VersionManager(self.http)

    @property
    def session(self) -> ksa_session.Session:
        """The keystoneauth1 session all requests go through."""
        return self.http.adapter.session

    def __repr__(self) -> str:
        adapter = self.http.adapter
        where = adapter.endpoint_override or (
            f'catalog interface={adapter.interface!r} '
            f'region={adapter.region_name!r}'
        )
        return f'<sidecarclient v2 Client {where}>'

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections of a session this client made."""
        if self._owns_session:
            self.session.session.close()
