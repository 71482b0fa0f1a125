"""Canned Keystone and Sidecar answers shared by the unit tests.

Everything here registers responses on a ``requests_mock`` mocker; no
test ever reaches a real server.
"""

from __future__ import annotations

import json
import urllib.parse
import uuid
from typing import Any

import requests_mock
from keystoneauth1 import fixture as ksa_fixture

from sidecarclient import client

KEYSTONE = 'http://keystone.test:5000'
V2_AUTH_URL = KEYSTONE + '/v2.0'
V3_AUTH_URL = KEYSTONE + '/v3'

USERNAME = 'evac-admin'
USER_ID = 'u' * 32
PASSWORD = 'Pa55-w0rd-never-shown'
TENANT_NAME = 'ops'
TENANT_ID = 't' * 32
DOMAIN_NAME = 'Default'
DOMAIN_ID = 'default'

# What a caller holds already, and what Keystone hands out.
GIVEN_TOKEN = 'given-token-0123456789abcdef'
V2_TOKEN = 'v2-token-from-keystone-0123456789'
V3_TOKEN = 'v3-token-from-keystone-0123456789'

REGIONS = ('RegionOne', 'RegionTwo')
INTERFACES = ('public', 'internal', 'admin')

# The endpoint given explicitly, unrelated to any catalog entry.
ENDPOINT = 'http://sidecar.test:9090/v2'
EVENTS = ENDPOINT + '/evacuates/events'
REQUEST_ID = 'req-5f0c6c5e-2a8e-4a1f-9d44-0b3a8f3e6f11'


def catalog_url(region: str, interface: str) -> str:
    """The catalog's Sidecar endpoint for one region and interface."""
    return f'http://{interface}.{region.lower()}.sidecar.test:9090/v2'


def v2_token(token_id: str = V2_TOKEN) -> ksa_fixture.V2Token:
    """An Identity v2 token whose catalog has Sidecar in two regions."""
    token = ksa_fixture.V2Token(
        token_id=token_id,
        tenant_id=TENANT_ID,
        tenant_name=TENANT_NAME,
        user_id=USER_ID,
        user_name=USERNAME,
    )
    service = token.add_service('sidecar', name='sidecar')
    for region in REGIONS:
        service.add_endpoint(
            public=catalog_url(region, 'public'),
            internal=catalog_url(region, 'internal'),
            admin=catalog_url(region, 'admin'),
            region=region,
        )
    # A service of another type must never be picked.
    other = token.add_service('compute', name='nova')
    other.add_endpoint(public='http://nova.test:8774/v2.1', region=REGIONS[0])
    return token


def v3_token() -> ksa_fixture.V3Token:
    """An Identity v3 token whose catalog has Sidecar in two regions."""
    token = ksa_fixture.V3Token(
        user_id=USER_ID,
        user_name=USERNAME,
        user_domain_id=DOMAIN_ID,
        user_domain_name=DOMAIN_NAME,
        project_id=TENANT_ID,
        project_name=TENANT_NAME,
        project_domain_id=DOMAIN_ID,
        project_domain_name=DOMAIN_NAME,
    )
    service = token.add_service('sidecar', name='sidecar')
    for region in REGIONS:
        service.add_standard_endpoints(
            public=catalog_url(region, 'public'),
            internal=catalog_url(region, 'internal'),
            admin=catalog_url(region, 'admin'),
            region=region,
        )
    other = token.add_service('compute', name='nova')
    other.add_endpoint('public', 'http://nova.test:8774/v2.1', REGIONS[0])
    return token


def stub_v2_auth(
    mocker: requests_mock.Mocker, *token_ids: str
) -> requests_mock.adapter._Matcher:
    """Answer ``POST /v2.0/tokens``, once per token id, then the last."""
    ids = token_ids or (V2_TOKEN,)
    return mocker.post(
        V2_AUTH_URL + '/tokens',
        [{'json': v2_token(i)} for i in ids],
    )


def stub_v3_auth(
    mocker: requests_mock.Mocker, *token_ids: str
) -> requests_mock.adapter._Matcher:
    """Answer ``POST /v3/auth/tokens``, once per token id, then the last."""
    ids = token_ids or (V3_TOKEN,)
    return mocker.post(
        V3_AUTH_URL + '/auth/tokens',
        [
            {'json': v3_token(), 'headers': {'X-Subject-Token': i},
             'status_code': 201}
            for i in ids
        ],
    )


def stub_discovery(
    mocker: requests_mock.Mocker, v2: bool = True, v3: bool = True
) -> requests_mock.adapter._Matcher:
    """Answer the version discovery document at the unversioned URL."""
    return mocker.get(
        KEYSTONE,
        json=ksa_fixture.DiscoveryList(href=KEYSTONE, v2=v2, v3=v3),
        status_code=300,
    )


def keystone_requests(mocker: requests_mock.Mocker) -> list[Any]:
    """Every request the mocker saw that went to Keystone."""
    return [
        r for r in mocker.request_history
        if r.netloc == urllib.parse.urlsplit(KEYSTONE).netloc
    ]


def sidecar_requests(mocker: requests_mock.Mocker) -> list[Any]:
    """Every request the mocker saw that did not go to Keystone."""
    keystone = keystone_requests(mocker)
    return [r for r in mocker.request_history if r not in keystone]


def query(request: Any) -> dict[str, list[str]]:
    """The query of a recorded request, decoded, keeping letter case.

    ``request.qs`` of requests-mock lower-cases values, which would hide
    a wrong case; this reads the raw URL instead.
    """
    return urllib.parse.parse_qs(
        urllib.parse.urlsplit(request.url).query, keep_blank_values=True
    )


def event(**overrides: Any) -> dict[str, Any]:
    """One event as a server sends it."""
    data: dict[str, Any] = {
        'id': uuid.uuid4().hex,
        'name': 'host-7-down',
        'node_uuid': 'node-0007',
        'event_status': 'created',
        'event_create_time': '2026-12-01 10:20:30',
        'event_complete_time': '2026-12-01 10:20:30',
        'vm_uuid_list': ['vm-1', 'vm-2'],
        'extra': None,
    }
    data.update(overrides)
    return data


def events(count: int) -> list[dict[str, Any]]:
    """``count`` distinct events, newest first as the server orders them."""
    return [
        event(
            id=f'{n:032x}',
            name=f'host-{n}',
            event_create_time=f'2026-12-01 10:{n // 60:02d}:{n % 60:02d}',
        )
        for n in range(count, 0, -1)
    ]


def error_body(status: int, message: str, title: str = 'Error') -> str:
    """The JSON error document the service sends."""
    return json.dumps(
        {'error': {'code': status, 'title': title, 'message': message}}
    )


def token_client(**kwargs: Any) -> client.Client:
    """A client that sends a given token to the explicit endpoint."""
    kwargs.setdefault('auth_token', GIVEN_TOKEN)
    kwargs.setdefault('endpoint', ENDPOINT)
    kwargs.setdefault('retry_delay', 0)
    return client.Client(**kwargs)


def v3_client(**kwargs: Any) -> client.Client:
    """A client that logs in with a password on Identity v3."""
    args: dict[str, Any] = {
        'auth_url': V3_AUTH_URL,
        'auth_version': 3,
        'username': USERNAME,
        'password': PASSWORD,
        'user_domain_name': DOMAIN_NAME,
        'project_name': TENANT_NAME,
        'project_domain_name': DOMAIN_NAME,
        'region_name': REGIONS[0],
        'retry_delay': 0,
    }
    args.update(kwargs)
    return client.Client(**args)
