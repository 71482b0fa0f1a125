"""From the classic arguments to a keystoneauth plugin and session."""

from __future__ import annotations

import pytest
from keystoneauth1 import token_endpoint
from keystoneauth1.identity import generic
from keystoneauth1.identity import v2
from keystoneauth1.identity import v3

from sidecarclient import exceptions
from sidecarclient.common import auth
from tests.unit import fakes


@pytest.mark.parametrize(
    'value, expected',
    [
        (None, 'public'), ('', 'public'),
        ('public', 'public'), ('publicURL', 'public'),
        ('PUBLICURL', 'public'), (' internal ', 'internal'),
        ('internalURL', 'internal'), ('admin', 'admin'),
        ('adminURL', 'admin'),
    ],
)
def test_interface(value, expected):
    assert auth.interface(value) == expected


@pytest.mark.parametrize('value', ['private', 'publicurls', 'URL', 'pub'])
def test_bad_interface(value):
    with pytest.raises(exceptions.ValidationError) as caught:
        auth.interface(value)
    assert repr(value) in str(caught.value)
    assert 'publicURL' in str(caught.value)


@pytest.mark.parametrize(
    'value, expected',
    [
        (None, None), ('', None),
        (2, 2), ('2', 2), ('2.0', 2), ('v2', 2), ('v2.0', 2), ('V2.0', 2),
        (3, 3), ('3', 3), ('3.0', 3), ('v3', 3), (' v3 ', 3), (3.0, 3),
    ],
)
def test_auth_version(value, expected):
    assert auth.auth_version(value) == expected


@pytest.mark.parametrize(
    'value', [4, '4', 'v4', 1, '2.1', 'v', 'three', True],
)
def test_bad_auth_version(value):
    with pytest.raises(exceptions.ValidationError) as caught:
        auth.auth_version(value)
    assert str(caught.value) == (
        f'auth_version {value!r} is not supported: use 2 or 3'
    )


def creds(**kwargs):
    base = {'auth_url': fakes.V3_AUTH_URL, 'user_id': fakes.USER_ID,
            'password': fakes.PASSWORD}
    base.update(kwargs)
    return auth.Credentials(**base)


@pytest.mark.parametrize(
    'kwargs, plugin',
    [
        ({'auth_version': 2}, v2.Password),
        ({'auth_version': 3}, v3.Password),
        ({}, generic.Password),
        ({'auth_token': 't', 'password': None, 'auth_version': 2}, v2.Token),
        ({'auth_token': 't', 'password': None, 'auth_version': 3}, v3.Token),
        ({'auth_token': 't', 'password': None}, generic.Token),
    ],
)
def test_plugin_choice(kwargs, plugin):
    assert type(auth.build_auth(creds(**kwargs), None)) is plugin


def test_token_with_endpoint_is_used_as_is():
    plugin = auth.build_auth(creds(auth_token='t'), fakes.ENDPOINT)
    assert isinstance(plugin, token_endpoint.Token)
    assert plugin.get_token(None) == 't'
    assert plugin.get_endpoint(None) == fakes.ENDPOINT


def test_credentials_repr_hides_secrets():
    text = repr(creds(auth_token=fakes.GIVEN_TOKEN, username='bob'))
    assert fakes.PASSWORD not in text
    assert fakes.GIVEN_TOKEN not in text
    assert "password='***'" in text
    assert "auth_token='***'" in text
    assert "username='bob'" in text
    # Arguments not given are left out.
    assert 'tenant_id' not in text


def test_session_settings():
    session = auth.build_session(creds(), None, 12.0, False, None)
    assert session.timeout == 12.0
    assert session.verify is True
    session = auth.build_session(creds(), None, 12.0, False, '/ca.pem')
    assert session.verify == '/ca.pem'
    session = auth.build_session(creds(), None, 12.0, True, '/ca.pem')
    assert session.verify is False
