"""Turn the classic client arguments into a keystoneauth1 session.

The original client took flat keyword arguments (username, tenant_name,
auth_version, endpoint_type, ...). They map onto keystoneauth plugins
here, once, and everything after this point speaks only keystoneauth.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from keystoneauth1 import plugin as ksa_plugin
from keystoneauth1 import session as ksa_session

from sidecarclient import exceptions

LOG = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 300.0

_INTERFACES = {
    'public': 'public',
    'publicurl': 'public',
    'internal': 'internal',
    'internalurl': 'internal',
    'admin': 'admin',
    'adminurl': 'admin',
}

_V3_ONLY = (
    'project_domain_id',
    'project_domain_name',
    'user_domain_id',
    'user_domain_name',
)


@dataclasses.dataclass(repr=False)
class Credentials:
    """The classic authentication arguments, as given by the caller."""

    username: str | None = None
    user_id: str | None = None
    password: str | None = None
    tenant_id: str | None = None
    tenant_name: str | None = None
    project_id: str | None = None
    project_name: str | None = None
    project_domain_id: str | None = None
    project_domain_name: str | None = None
    user_domain_id: str | None = None
    user_domain_name: str | None = None
    auth_token: str | None = None
    auth_url: str | None = None
    auth_version: str | int | None = None

    def __repr__(self) -> str:
        # Secrets are never shown, only whether they were given.
        shown = []
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None:
                continue
            if field.name in ('password', 'auth_token'):
                value = '***'
            shown.append(f'{field.name}={value!r}')
        return f'Credentials({", ".join(shown)})'

    def given(self, *names: str) -> list[str]:
        return [n for n in names if getattr(self, n) not in (None, '')]


def interface(value: str | None) -> str:
    """Map ``publicURL``-style and plain interface names to plain ones."""
    if value is None or value == '':
        return 'public'
    found = _INTERFACES.get(str(value).strip().lower())
    if found is None:
        raise exceptions.ValidationError(
            f'endpoint type {value!r} is not one of: public, internal, '
            f'admin (or publicURL, internalURL, adminURL)'
        )
    return found


def auth_version(value: str | int | None) -> int | None:
    """Normalise ``2``, ``"2.0"``, ``"v3"``... to 2 or 3; None stays."""
    if value is None or value == '':
        return None
    text = str(value).strip().lower().lstrip('v')
    if text in ('2', '2.0'):
        return 2
    if text in ('3', '3.0'):
        return 3
    raise exceptions.ValidationError(
        f'auth_version {value!r} is not supported: use 2 or 3'
    )


def _pick(creds: Credentials, first: str, second: str) -> str | None:
    """Return one of two alias arguments, refusing two different values."""
    a, b = getattr(creds, first), getattr(creds, second)
    if a and b and a != b:
        raise exceptions.ValidationError(
            f'{first} {a!r} and {second} {b!r} disagree: give only one'
        )
    return a or b or None


def _scope(creds: Credentials) -> dict[str, str | None]:
    """The project (tenant) the token is scoped to."""
    return {
        'project_id': _pick(creds, 'project_id', 'tenant_id'),
        'project_name': _pick(creds, 'project_name', 'tenant_name'),
    }


def _check_v3_domains(creds: Credentials, scope: dict[str, Any]) -> None:
    if scope['project_name'] and not creds.given(
        'project_domain_id', 'project_domain_name'
    ):
        raise exceptions.ValidationError(
            'project_domain_name or project_domain_id is required with '
            'a project name on Identity v3'
        )
    if creds.username and not creds.user_id and not creds.given(
        'user_domain_id', 'user_domain_name'
    ):
        raise exceptions.ValidationError(
            'user_domain_name or user_domain_id is required with a '
            'username on Identity v3'
        )


def build_auth(
    creds: Credentials, endpoint: str | None
) -> ksa_plugin.BaseAuthPlugin:
    """Choose and build the keystoneauth plugin for ``creds``."""
    version = auth_version(creds.auth_version)

    if creds.auth_token:
        if endpoint:
            # The token is used as is against a known endpoint: Keystone
            # is never called.
            from keystoneauth1 import token_endpoint

            return token_endpoint.Token(endpoint, creds.auth_token)
        if not creds.auth_url:
            raise exceptions.ValidationError(
                'auth_url is required with auth_token unless endpoint is '
                'given'
            )
        return _token_plugin(
            creds, version, creds.auth_url, creds.auth_token
        )

    missing = []
    if not creds.auth_url:
        missing.append('auth_url')
    if not creds.given('username', 'user_id'):
        missing.append('username or user_id')
    if not creds.password:
        missing.append('password')
    if missing or not creds.auth_url:
        raise exceptions.ValidationError(
            'Missing authentication arguments: '
            + ', '.join(missing)
            + ' (or give auth_token, or a ready session)'
        )
    return _password_plugin(creds, version, creds.auth_url)


def _common(creds: Credentials, version: int | None) -> dict[str, Any]:
    scope = _scope(creds)
    if version == 2:
        v3_given = creds.given(*_V3_ONLY)
        if v3_given:
            raise exceptions.ValidationError(
                f'{", ".join(v3_given)} cannot be used with auth_version 2:'
                f' domains exist only in Identity v3'
            )
        return {
            'tenant_id': scope['project_id'],
            'tenant_name': scope['project_name'],
        }
    kwargs: dict[str, Any] = dict(scope)
    kwargs.update(
        project_domain_id=creds.project_domain_id,
        project_domain_name=creds.project_domain_name,
    )
    if version == 3:
        _check_v3_domains(creds, scope)
    return kwargs


def _password_plugin(
    creds: Credentials, version: int | None, auth_url: str
) -> ksa_plugin.BaseAuthPlugin:
    kwargs = _common(creds, version)
    kwargs.update(
        username=creds.username,
        user_id=creds.user_id,
        password=creds.password,
    )
    if version == 2:
        from keystoneauth1.identity import v2

        return v2.Password(auth_url, **kwargs)
    kwargs.update(
        user_domain_id=creds.user_domain_id,
        user_domain_name=creds.user_domain_name,
    )
    if version == 3:
        from keystoneauth1.identity import v3

        return v3.Password(auth_url, **kwargs)
    from keystoneauth1.identity import generic

    return generic.Password(auth_url, **kwargs)


def _token_plugin(
    creds: Credentials, version: int | None, auth_url: str, token: str
) -> ksa_plugin.BaseAuthPlugin:
    kwargs = _common(creds, version)
    if version == 2:
        from keystoneauth1.identity import v2

        return v2.Token(auth_url, token, **kwargs)
    if version == 3:
        from keystoneauth1.identity import v3

        return v3.Token(auth_url, token, **kwargs)
    from keystoneauth1.identity import generic

    return generic.Token(auth_url, token, **kwargs)


def build_session(
    creds: Credentials,
    endpoint: str | None,
    timeout: float | None,
    insecure: bool,
    cacert: str | None,
) -> ksa_session.Session:
    """Build a keystoneauth session from the classic arguments."""
    auth = build_auth(creds, endpoint)
    verify: bool | str = True
    if insecure:
        verify = False
    elif cacert:
        verify = cacert
    LOG.debug(
        'Using %s authentication, timeout %s s, TLS verification %s',
        type(auth).__name__,
        timeout,
        'off' if verify is False else 'on',
    )
    return ksa_session.Session(auth=auth, verify=verify, timeout=timeout)
