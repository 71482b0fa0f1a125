"""``client.Client(...)``: every way of authenticating and finding Sidecar."""

from __future__ import annotations

import datetime
import json
import logging
import pydoc
import re

import pytest
from keystoneauth1 import exceptions as ksa_exc
from keystoneauth1 import session as ksa_session
from keystoneauth1.identity import generic
from keystoneauth1.identity import v2
from keystoneauth1.identity import v3

from sidecarclient import client
from sidecarclient import exceptions
from tests.unit import fakes

# Any Sidecar host of the explicit endpoint or of the catalog.
SIDECAR = re.compile(r'^http://[a-z.]*sidecar\.test:9090/')
EVENT = fakes.event(id='e' * 32)


@pytest.fixture
def sidecar(requests_mock):
    """Sidecar answers every show with one event."""
    requests_mock.get(SIDECAR, json={'event': EVENT})
    return requests_mock


def show(sc: client.Client) -> None:
    assert sc.events.detail(EVENT['id']).id == EVENT['id']


def only_sidecar_request(mocker):
    sent = fakes.sidecar_requests(mocker)
    assert len(sent) == 1
    return sent[0]


# -- Identity v2 --------------------------------------------------------------


@pytest.mark.parametrize(
    'scope, expected',
    [
        ({'tenant_name': fakes.TENANT_NAME},
         {'tenantName': fakes.TENANT_NAME}),
        ({'tenant_id': fakes.TENANT_ID}, {'tenantId': fakes.TENANT_ID}),
    ],
    ids=['tenant_name', 'tenant_id'],
)
def test_v2_password(sidecar, scope, expected):
    login = fakes.stub_v2_auth(sidecar)
    sc = client.Client(
        auth_version=2,
        auth_url=fakes.V2_AUTH_URL,
        username=fakes.USERNAME,
        password=fakes.PASSWORD,
        region_name='RegionOne',
        **scope,
    )
    assert sidecar.call_count == 0
    show(sc)

    assert isinstance(sc.session.auth, v2.Password)
    assert login.call_count == 1
    body = login.last_request.json()['auth']
    assert body['passwordCredentials'] == {
        'username': fakes.USERNAME,
        'password': fakes.PASSWORD,
    }
    assert {k: v for k, v in body.items() if k != 'passwordCredentials'} \
        == expected
    sent = only_sidecar_request(sidecar)
    assert sent.url == (
        fakes.catalog_url('RegionOne', 'public')
        + '/evacuates/events/' + EVENT['id']
    )
    assert sent.headers['X-Auth-Token'] == fakes.V2_TOKEN


def test_v2_password_by_user_id(sidecar):
    login = fakes.stub_v2_auth(sidecar)
    sc = client.Client(
        auth_version='2',
        auth_url=fakes.V2_AUTH_URL,
        user_id=fakes.USER_ID,
        password=fakes.PASSWORD,
        tenant_name=fakes.TENANT_NAME,
        region_name='RegionOne',
    )
    show(sc)
    credentials = login.last_request.json()['auth']['passwordCredentials']
    assert credentials == {
        'userId': fakes.USER_ID, 'password': fakes.PASSWORD
    }


def test_v2_refuses_v3_domains(requests_mock):
    with pytest.raises(exceptions.ValidationError) as caught:
        client.Client(
            auth_version=2,
            auth_url=fakes.V2_AUTH_URL,
            username=fakes.USERNAME,
            password=fakes.PASSWORD,
            tenant_name=fakes.TENANT_NAME,
            user_domain_name=fakes.DOMAIN_NAME,
        )
    assert 'user_domain_name' in str(caught.value)
    assert requests_mock.call_count == 0


# -- Identity v3 --------------------------------------------------------------


@pytest.mark.parametrize(
    'user, expected_user',
    [
        ({'username': fakes.USERNAME, 'user_domain_name': fakes.DOMAIN_NAME},
         {'name': fakes.USERNAME, 'domain': {'name': fakes.DOMAIN_NAME}}),
        ({'username': fakes.USERNAME, 'user_domain_id': fakes.DOMAIN_ID},
         {'name': fakes.USERNAME, 'domain': {'id': fakes.DOMAIN_ID}}),
        ({'user_id': fakes.USER_ID}, {'id': fakes.USER_ID}),
    ],
    ids=['name+domain_name', 'name+domain_id', 'user_id'],
)
def test_v3_password(sidecar, user, expected_user):
    login = fakes.stub_v3_auth(sidecar)
    sc = client.Client(
        auth_version=3,
        auth_url=fakes.V3_AUTH_URL,
        password=fakes.PASSWORD,
        project_name=fakes.TENANT_NAME,
        project_domain_id=fakes.DOMAIN_ID,
        region_name='RegionTwo',
        **user,
    )
    show(sc)

    assert isinstance(sc.session.auth, v3.Password)
    assert login.call_count == 1
    body = login.last_request.json()['auth']
    assert body['identity'] == {
        'methods': ['password'],
        'password': {'user': dict(expected_user, password=fakes.PASSWORD)},
    }
    assert body['scope'] == {
        'project': {
            'name': fakes.TENANT_NAME, 'domain': {'id': fakes.DOMAIN_ID}
        }
    }
    sent = only_sidecar_request(sidecar)
    assert sent.url.startswith(fakes.catalog_url('RegionTwo', 'public'))
    assert sent.headers['X-Auth-Token'] == fakes.V3_TOKEN


def test_v3_project_by_id_needs_no_domain(sidecar):
    login = fakes.stub_v3_auth(sidecar)
    sc = client.Client(
        auth_version='v3',
        auth_url=fakes.V3_AUTH_URL,
        user_id=fakes.USER_ID,
        password=fakes.PASSWORD,
        project_id=fakes.TENANT_ID,
        region_name='RegionOne',
    )
    show(sc)
    assert login.last_request.json()['auth']['scope'] == {
        'project': {'id': fakes.TENANT_ID}
    }


@pytest.mark.parametrize(
    'kwargs, missing',
    [
        ({'username': fakes.USERNAME, 'user_domain_name': 'Default',
          'project_name': fakes.TENANT_NAME},
         'project_domain'),
        ({'username': fakes.USERNAME, 'project_name': fakes.TENANT_NAME,
          'project_domain_name': 'Default'},
         'user_domain'),
    ],
    ids=['project-domain', 'user-domain'],
)
def test_v3_missing_domain(requests_mock, kwargs, missing):
    with pytest.raises(exceptions.ValidationError) as caught:
        client.Client(
            auth_version=3,
            auth_url=fakes.V3_AUTH_URL,
            password=fakes.PASSWORD,
            **kwargs,
        )
    assert missing in str(caught.value)
    assert requests_mock.call_count == 0


# -- Tokens -------------------------------------------------------------------


def test_v2_token(sidecar):
    login = fakes.stub_v2_auth(sidecar)
    sc = client.Client(
        auth_version=2,
        auth_url=fakes.V2_AUTH_URL,
        auth_token=fakes.GIVEN_TOKEN,
        tenant_name=fakes.TENANT_NAME,
        region_name='RegionOne',
    )
    show(sc)
    assert isinstance(sc.session.auth, v2.Token)
    assert login.last_request.json() == {
        'auth': {
            'token': {'id': fakes.GIVEN_TOKEN},
            'tenantName': fakes.TENANT_NAME,
        }
    }
    # The scoped token Keystone returned is what Sidecar receives.
    sent = only_sidecar_request(sidecar)
    assert sent.headers['X-Auth-Token'] == fakes.V2_TOKEN


def test_v3_token(sidecar):
    login = fakes.stub_v3_auth(sidecar)
    sc = client.Client(
        auth_version=3,
        auth_url=fakes.V3_AUTH_URL,
        auth_token=fakes.GIVEN_TOKEN,
        project_id=fakes.TENANT_ID,
        region_name='RegionOne',
    )
    show(sc)
    assert isinstance(sc.session.auth, v3.Token)
    body = login.last_request.json()['auth']
    assert body['identity'] == {
        'methods': ['token'], 'token': {'id': fakes.GIVEN_TOKEN}
    }
    assert body['scope'] == {'project': {'id': fakes.TENANT_ID}}
    sent = only_sidecar_request(sidecar)
    assert sent.headers['X-Auth-Token'] == fakes.V3_TOKEN


def test_generic_token_discovers_the_version(sidecar):
    discovery = fakes.stub_discovery(sidecar)
    login = fakes.stub_v3_auth(sidecar)
    sc = client.Client(
        auth_url=fakes.KEYSTONE,
        auth_token=fakes.GIVEN_TOKEN,
        project_id=fakes.TENANT_ID,
        project_domain_id=fakes.DOMAIN_ID,
        region_name='RegionOne',
    )
    show(sc)
    assert isinstance(sc.session.auth, generic.Token)
    assert discovery.call_count == 1
    assert login.last_request.json()['auth']['identity']['token'] == {
        'id': fakes.GIVEN_TOKEN
    }
    sent = only_sidecar_request(sidecar)
    assert sent.headers['X-Auth-Token'] == fakes.V3_TOKEN


@pytest.mark.parametrize('auth_url', [None, fakes.V3_AUTH_URL])
def test_token_and_endpoint_never_call_keystone(sidecar, auth_url):
    discovery = fakes.stub_discovery(sidecar)
    v2_login = fakes.stub_v2_auth(sidecar)
    v3_login = fakes.stub_v3_auth(sidecar)
    sc = client.Client(
        auth_token=fakes.GIVEN_TOKEN,
        endpoint=fakes.ENDPOINT,
        auth_url=auth_url,
    )
    show(sc)
    show(sc)

    assert not discovery.called
    assert not v2_login.called
    assert not v3_login.called
    assert fakes.keystone_requests(sidecar) == []
    for sent in sidecar.request_history:
        assert sent.url == fakes.EVENTS + '/' + EVENT['id']
        assert sent.headers['X-Auth-Token'] == fakes.GIVEN_TOKEN


def test_token_without_endpoint_needs_auth_url(requests_mock):
    with pytest.raises(exceptions.ValidationError) as caught:
        client.Client(auth_token=fakes.GIVEN_TOKEN)
    assert 'auth_url' in str(caught.value)
    assert requests_mock.call_count == 0


# -- A ready session ----------------------------------------------------------


def test_session(sidecar):
    login = fakes.stub_v3_auth(sidecar)
    auth = v3.Password(
        fakes.V3_AUTH_URL,
        user_id=fakes.USER_ID,
        password=fakes.PASSWORD,
        project_id=fakes.TENANT_ID,
    )
    session = ksa_session.Session(auth=auth)
    sc = client.Client(
        session=session, region_name='RegionTwo', interface='admin'
    )
    assert sc.session is session
    show(sc)
    show(sc)
    assert login.call_count == 1
    for sent in fakes.sidecar_requests(sidecar):
        assert sent.url.startswith(fakes.catalog_url('RegionTwo', 'admin'))
        assert sent.headers['X-Auth-Token'] == fakes.V3_TOKEN


@pytest.mark.parametrize(
    'extra',
    [
        {'username': fakes.USERNAME},
        {'password': fakes.PASSWORD},
        {'auth_token': fakes.GIVEN_TOKEN},
        {'auth_url': fakes.V3_AUTH_URL},
        {'project_name': fakes.TENANT_NAME},
    ],
    ids=lambda extra: next(iter(extra)),
)
def test_session_refuses_auth_arguments(requests_mock, extra):
    with pytest.raises(exceptions.ValidationError) as caught:
        client.Client(session=ksa_session.Session(), **extra)
    message = str(caught.value)
    assert next(iter(extra)) in message
    assert 'session' in message
    # The value of a secret is never repeated back.
    assert fakes.PASSWORD not in message
    assert fakes.GIVEN_TOKEN not in message
    assert requests_mock.call_count == 0


def test_session_with_a_bad_auth_version(requests_mock):
    with pytest.raises(exceptions.ValidationError) as caught:
        client.Client(session=ksa_session.Session(), auth_version=4)
    assert "auth_version 4 is not supported" in str(caught.value)
    assert requests_mock.call_count == 0


def test_session_with_a_good_auth_version():
    sc = client.Client(session=ksa_session.Session(), auth_version='3',
                       endpoint=fakes.ENDPOINT)
    assert sc.http.adapter.endpoint_override == fakes.ENDPOINT


# -- Choosing the Identity version --------------------------------------------


@pytest.mark.parametrize(
    'kwargs, plugin, token',
    [
        ({'tenant_name': fakes.TENANT_NAME}, v2.Password, fakes.V2_TOKEN),
        ({'project_name': fakes.TENANT_NAME,
          'project_domain_name': fakes.DOMAIN_NAME,
          'user_domain_name': fakes.DOMAIN_NAME},
         v3.Password, fakes.V3_TOKEN),
    ],
    ids=['to-v2', 'to-v3'],
)
def test_no_auth_version_discovers(sidecar, kwargs, plugin, token):
    discovery = fakes.stub_discovery(sidecar)
    v2_login = fakes.stub_v2_auth(sidecar)
    v3_login = fakes.stub_v3_auth(sidecar)
    sc = client.Client(
        auth_url=fakes.KEYSTONE,
        username=fakes.USERNAME,
        password=fakes.PASSWORD,
        region_name='RegionOne',
        **kwargs,
    )
    assert isinstance(sc.session.auth, generic.Password)
    show(sc)

    assert discovery.call_count == 1
    used = v2_login if plugin is v2.Password else v3_login
    unused = v3_login if plugin is v2.Password else v2_login
    assert used.call_count == 1
    assert not unused.called
    assert isinstance(sc.session.auth._plugin, plugin)
    sent = only_sidecar_request(sidecar)
    assert sent.headers['X-Auth-Token'] == token


def test_discovery_with_only_v3(sidecar):
    fakes.stub_discovery(sidecar, v2=False)
    v3_login = fakes.stub_v3_auth(sidecar)
    sc = client.Client(
        auth_url=fakes.KEYSTONE,
        user_id=fakes.USER_ID,
        password=fakes.PASSWORD,
        project_id=fakes.TENANT_ID,
        region_name='RegionOne',
    )
    show(sc)
    assert v3_login.call_count == 1


@pytest.mark.parametrize(
    'version, expected',
    [(2, 2), ('2', 2), ('v2.0', 2), ('2.0', 2),
     (3, 3), ('3', 3), ('v3', 3), ('V3', 3)],
)
def test_auth_version_spellings(sidecar, version, expected):
    v2_login = fakes.stub_v2_auth(sidecar)
    v3_login = fakes.stub_v3_auth(sidecar)
    sc = client.Client(
        auth_version=version,
        auth_url=fakes.V2_AUTH_URL if expected == 2 else fakes.V3_AUTH_URL,
        user_id=fakes.USER_ID,
        password=fakes.PASSWORD,
        project_id=fakes.TENANT_ID,
        region_name='RegionOne',
    )
    show(sc)
    assert isinstance(
        sc.session.auth, v2.Password if expected == 2 else v3.Password
    )
    assert v2_login.call_count == (1 if expected == 2 else 0)
    assert v3_login.call_count == (1 if expected == 3 else 0)
    # The version was given: nothing is discovered.
    assert [r.method for r in fakes.keystone_requests(sidecar)] == ['POST']


@pytest.mark.parametrize('version', [4, '4', 'v4', 1, 'abc', '2.5'])
def test_unsupported_auth_version(requests_mock, version):
    with pytest.raises(exceptions.ValidationError) as caught:
        client.Client(
            auth_version=version,
            auth_url=fakes.V3_AUTH_URL,
            user_id=fakes.USER_ID,
            password=fakes.PASSWORD,
            project_id=fakes.TENANT_ID,
        )
    message = str(caught.value)
    assert 'auth_version' in message
    assert repr(version) in message
    assert requests_mock.call_count == 0


def test_unsupported_auth_version_with_token_and_endpoint(requests_mock):
    with pytest.raises(exceptions.ValidationError, match='auth_version'):
        fakes.token_client(auth_version=4)
    assert requests_mock.call_count == 0


# -- Missing arguments --------------------------------------------------------


@pytest.mark.parametrize(
    'kwargs, named, not_named',
    [
        ({'username': fakes.USERNAME, 'password': fakes.PASSWORD},
         ['auth_url'], ['password', 'username']),
        ({'auth_url': fakes.V3_AUTH_URL},
         ['username or user_id', 'password'], ['auth_url']),
        ({'auth_url': fakes.V3_AUTH_URL, 'username': fakes.USERNAME},
         ['password'], ['auth_url', 'username']),
        ({'auth_url': fakes.V3_AUTH_URL, 'password': fakes.PASSWORD},
         ['username or user_id'], ['auth_url']),
        ({}, ['auth_url', 'username or user_id', 'password'], []),
    ],
    ids=['auth_url', 'user+password', 'password', 'user', 'everything'],
)
def test_missing_arguments(requests_mock, kwargs, named, not_named):
    with pytest.raises(exceptions.ValidationError) as caught:
        client.Client(**kwargs)
    message = str(caught.value)
    for name in named:
        assert name in message
    listed = message.split(':', 1)[1].split('(')[0]
    for name in not_named:
        assert name not in listed
    assert fakes.PASSWORD not in message
    assert requests_mock.call_count == 0


def test_validation_error_is_a_client_exception():
    with pytest.raises(ksa_exc.ClientException):
        client.Client()
    with pytest.raises(ValueError):
        client.Client()


def test_contradictory_scope(requests_mock):
    with pytest.raises(exceptions.ValidationError) as caught:
        client.Client(
            auth_url=fakes.V3_AUTH_URL,
            user_id=fakes.USER_ID,
            password=fakes.PASSWORD,
            tenant_name='one',
            project_name='two',
        )
    assert 'tenant_name' in str(caught.value)
    assert 'project_name' in str(caught.value)
    assert requests_mock.call_count == 0


# -- The service catalog ------------------------------------------------------

SPELLINGS = {
    'public': 'public', 'publicURL': 'public',
    'internal': 'internal', 'internalURL': 'internal',
    'admin': 'admin', 'adminURL': 'admin',
}


@pytest.mark.parametrize('region', fakes.REGIONS)
@pytest.mark.parametrize('spelling', sorted(SPELLINGS))
@pytest.mark.parametrize('version', [2, 3])
def test_catalog_lookup(sidecar, version, spelling, region):
    if version == 2:
        fakes.stub_v2_auth(sidecar)
    else:
        fakes.stub_v3_auth(sidecar)
    sc = client.Client(
        auth_version=version,
        auth_url=fakes.V2_AUTH_URL if version == 2 else fakes.V3_AUTH_URL,
        user_id=fakes.USER_ID,
        password=fakes.PASSWORD,
        project_id=fakes.TENANT_ID,
        endpoint_type=spelling,
        region_name=region,
    )
    show(sc)
    sent = only_sidecar_request(sidecar)
    assert sent.url == (
        fakes.catalog_url(region, SPELLINGS[spelling])
        + '/evacuates/events/' + EVENT['id']
    )


@pytest.mark.parametrize('spelling', ['internalURL', 'internal'])
def test_interface_is_the_modern_name(sidecar, spelling):
    fakes.stub_v3_auth(sidecar)
    sc = fakes.v3_client(interface=spelling, region_name='RegionTwo')
    show(sc)
    sent = only_sidecar_request(sidecar)
    assert sent.url.startswith(fakes.catalog_url('RegionTwo', 'internal'))


def test_default_interface_is_public(sidecar):
    fakes.stub_v3_auth(sidecar)
    sc = fakes.v3_client(region_name='RegionTwo')
    show(sc)
    sent = only_sidecar_request(sidecar)
    assert sent.url.startswith(fakes.catalog_url('RegionTwo', 'public'))


def test_endpoint_type_and_interface_must_agree(requests_mock):
    with pytest.raises(exceptions.ValidationError) as caught:
        fakes.v3_client(endpoint_type='adminURL', interface='public')
    assert 'endpoint_type' in str(caught.value)
    assert 'interface' in str(caught.value)
    # Two spellings of one interface are no contradiction.
    fakes.v3_client(endpoint_type='adminURL', interface='admin')
    assert requests_mock.call_count == 0


def test_unknown_endpoint_type(requests_mock):
    with pytest.raises(exceptions.ValidationError) as caught:
        fakes.v3_client(endpoint_type='privateURL')
    assert 'privateURL' in str(caught.value)
    assert requests_mock.call_count == 0


def test_explicit_endpoint_overrides_the_catalog(sidecar):
    login = fakes.stub_v3_auth(sidecar)
    sc = fakes.v3_client(endpoint=fakes.ENDPOINT, endpoint_type='adminURL')
    show(sc)
    assert login.call_count == 1
    sent = only_sidecar_request(sidecar)
    assert sent.url == fakes.EVENTS + '/' + EVENT['id']
    assert sent.headers['X-Auth-Token'] == fakes.V3_TOKEN


@pytest.mark.parametrize('version', [2, 3])
@pytest.mark.parametrize(
    'region, interface', [('RegionThree', 'internal'), ('RegionTwo', 'x')]
)
def test_no_endpoint_in_catalog(requests_mock, version, region, interface):
    if interface == 'x':
        # A catalog whose Sidecar entry has no such region.
        region, interface = 'Nowhere', 'adminURL'
    if version == 2:
        fakes.stub_v2_auth(requests_mock)
    else:
        fakes.stub_v3_auth(requests_mock)
    sc = client.Client(
        auth_version=version,
        auth_url=fakes.V2_AUTH_URL if version == 2 else fakes.V3_AUTH_URL,
        user_id=fakes.USER_ID,
        password=fakes.PASSWORD,
        project_id=fakes.TENANT_ID,
        endpoint_type=interface,
        region_name=region,
    )
    with pytest.raises(exceptions.EndpointNotFound) as caught:
        sc.events.detail(EVENT['id'])
    message = str(caught.value)
    assert region in message
    assert repr(SPELLINGS.get(interface, interface)) in message
    assert 'sidecar' in message
    # Still keystoneauth's own exception for callers that catch that.
    assert isinstance(caught.value, ksa_exc.EndpointNotFound)
    assert fakes.sidecar_requests(requests_mock) == []


def test_no_sidecar_in_catalog(requests_mock):
    token = fakes.v3_token()
    token.remove_service('sidecar')
    requests_mock.post(
        fakes.V3_AUTH_URL + '/auth/tokens',
        json=token,
        headers={'X-Subject-Token': fakes.V3_TOKEN},
    )
    sc = fakes.v3_client(region_name=None)
    with pytest.raises(exceptions.EndpointNotFound) as caught:
        list(sc.events.list())
    assert 'any region' in str(caught.value)
    assert "'public'" in str(caught.value)
    with pytest.raises(exceptions.EndpointNotFound):
        sc.versions.list()


# -- One token, one connection pool -------------------------------------------


def test_one_token_for_many_calls(sidecar):
    login = fakes.stub_v3_auth(sidecar)
    sidecar.get(fakes.catalog_url('RegionOne', 'public')
                + '/evacuates/events', json={'events': []})
    sidecar.delete(SIDECAR, status_code=204)
    sc = fakes.v3_client()
    for _ in range(3):
        show(sc)
    list(sc.events.list())
    sc.events.delete(EVENT['id'])
    assert login.call_count == 1
    sent = fakes.sidecar_requests(sidecar)
    assert len(sent) == 5
    assert {r.headers['X-Auth-Token'] for r in sent} == {fakes.V3_TOKEN}


def test_one_requests_session_for_all_calls(sidecar):
    sc = fakes.token_client()
    pool = sc.session.session
    show(sc)
    show(sc)
    assert sc.session.session is pool
    assert sc.http.adapter.session is sc.session


# -- timeout and insecure -----------------------------------------------------


@pytest.mark.parametrize(
    'given, seconds',
    [('10', 10.0), (10, 10.0), (' 10 ', 10.0), ('2.5', 2.5), (0.5, 0.5)],
)
def test_timeout(sidecar, given, seconds):
    sc = fakes.token_client(timeout=given)
    assert sc.session.timeout == seconds
    show(sc)
    assert sidecar.last_request.timeout == seconds


def test_default_timeout_is_300_seconds(sidecar):
    sc = fakes.token_client()
    assert sc.session.timeout == 300
    show(sc)
    assert sidecar.last_request.timeout == 300


def test_timeout_applies_to_a_given_session(sidecar):
    session = ksa_session.Session(timeout=999)
    sc = client.Client(session=session, endpoint=fakes.ENDPOINT,
                       timeout='7')
    show(sc)
    assert sidecar.last_request.timeout == 7


@pytest.mark.parametrize('given', ['abc', '-1', '0', -5, 'inf', True, [1]])
def test_bad_timeout(requests_mock, given):
    with pytest.raises(exceptions.ValidationError) as caught:
        fakes.token_client(timeout=given)
    assert 'timeout' in str(caught.value)
    assert repr(given) in str(caught.value)
    assert requests_mock.call_count == 0


@pytest.mark.parametrize(
    'given, verify',
    [
        ('False', True), ('false', True), ('0', True), ('no', True),
        ('', True), (False, True), (None, True),
        ('True', False), ('true', False), ('1', False), ('yes', False),
        (True, False),
    ],
)
def test_insecure(sidecar, given, verify):
    sc = fakes.token_client(insecure=given)
    assert sc.session.verify is verify
    show(sc)
    # requests may replace True with the path of its CA bundle.
    sent = sidecar.last_request.verify
    assert (sent is False) is (not verify)


@pytest.mark.parametrize('given', ['maybe', 'ture', 2, '2'])
def test_bad_insecure(requests_mock, given):
    with pytest.raises(exceptions.ValidationError) as caught:
        fakes.token_client(insecure=given)
    assert 'insecure' in str(caught.value)
    assert repr(given) in str(caught.value)
    assert requests_mock.call_count == 0


def test_cacert(sidecar):
    sc = fakes.token_client(cacert='/etc/ssl/sidecar-ca.pem')
    show(sc)
    assert sidecar.last_request.verify == '/etc/ssl/sidecar-ca.pem'


def test_insecure_wins_over_cacert(sidecar):
    sc = fakes.token_client(cacert='/etc/ssl/sidecar-ca.pem', insecure='1')
    show(sc)
    assert sidecar.last_request.verify is False


# -- Documentation ------------------------------------------------------------

TABLE = (
    'username', 'user_id', 'password', 'tenant_id', 'tenant_name',
    'project_id', 'project_name', 'project_domain_id', 'project_domain_name',
    'user_domain_id', 'user_domain_name', 'auth_token', 'auth_url',
    'auth_version', 'endpoint', 'endpoint_type', 'region_name', 'timeout',
    'insecure', 'session', 'cacert', 'interface',
)


def test_help_documents_every_argument():
    text = pydoc.render_doc(client.Client, renderer=pydoc.plaintext)
    for name in TABLE:
        assert f':param {name}:' in text, name


def test_every_parameter_is_documented():
    import inspect

    doc = client.Client.__doc__ or ''
    for name in inspect.signature(client.Client).parameters:
        assert f':param {name}:' in doc, name


# -- Secrets ------------------------------------------------------------------


def test_no_secret_in_reprs(sidecar):
    fakes.stub_v3_auth(sidecar)
    sc = fakes.v3_client()
    show(sc)
    shown = [
        repr(sc), str(sc), repr(sc.session), repr(sc.http),
        repr(sc.http.adapter), repr(sc.session.auth), repr(sc.events),
    ]
    for text in shown:
        assert fakes.PASSWORD not in text
        assert fakes.V3_TOKEN not in text

    token_sc = fakes.token_client()
    for text in (repr(token_sc), repr(token_sc.session.auth),
                 repr(token_sc.http)):
        assert fakes.GIVEN_TOKEN not in text


def test_repr_says_where_requests_go():
    sc = fakes.token_client()
    assert fakes.ENDPOINT in repr(sc)
    sc = fakes.v3_client(interface='internalURL', region_name='RegionTwo')
    assert "'internal'" in repr(sc)
    assert "'RegionTwo'" in repr(sc)


def test_no_secret_in_debug_logs(sidecar, caplog):
    caplog.set_level(logging.DEBUG)
    fakes.stub_v3_auth(sidecar)
    sidecar.get(SIDECAR, json={'event': EVENT},
                headers={'x-openstack-request-id': fakes.REQUEST_ID})
    sc = fakes.v3_client()
    show(sc)
    token_sc = fakes.token_client()
    show(token_sc)

    assert caplog.records, 'debug logging produced nothing to check'
    logged = '\n'.join(
        [r.getMessage() for r in caplog.records] + [caplog.text]
    )
    assert fakes.PASSWORD not in logged
    assert fakes.V3_TOKEN not in logged
    assert fakes.GIVEN_TOKEN not in logged
    # The debug log does help: it shows the request id.
    assert fakes.REQUEST_ID in logged


def test_nothing_logged_above_debug_on_success(sidecar, caplog):
    caplog.set_level(logging.DEBUG)
    fakes.stub_v3_auth(sidecar)
    show(fakes.v3_client())
    assert [r for r in caplog.records if r.levelno > logging.DEBUG] == []


def test_nothing_sent_at_construction(requests_mock):
    fakes.stub_v3_auth(requests_mock)
    fakes.stub_discovery(requests_mock)
    fakes.v3_client()
    client.Client(auth_url=fakes.KEYSTONE, user_id=fakes.USER_ID,
                  password=fakes.PASSWORD)
    fakes.token_client()
    assert requests_mock.call_count == 0


def test_context_manager_closes_connections(sidecar):
    closed = []
    with fakes.token_client() as sc:
        show(sc)
        sc.session.session.close = lambda: closed.append(True)
    assert closed == [True]


def test_closing_leaves_a_given_session_open(sidecar):
    session = ksa_session.Session()
    closed = []
    session.session.close = lambda: closed.append(True)
    with client.Client(session=session, endpoint=fakes.ENDPOINT) as sc:
        show(sc)
    sc.close()
    # The caller's session may serve other clients: it stays theirs.
    assert closed == []


def test_expiring_token_is_renewed(sidecar):
    short = fakes.v3_token()
    short.expires = datetime.datetime.now(datetime.UTC) + (
        datetime.timedelta(seconds=5)
    )
    login = sidecar.post(fakes.V3_AUTH_URL + '/auth/tokens', [
        {'json': short, 'headers': {'X-Subject-Token': 'short-lived'}},
        {'json': fakes.v3_token(), 'headers': {'X-Subject-Token': 'fresh'}},
    ])
    sc = fakes.v3_client()
    for _ in range(3):
        show(sc)
    # keystoneauth renews a token about to expire, then keeps the new one.
    assert login.call_count == 2
    sent = [r.headers['X-Auth-Token']
            for r in fakes.sidecar_requests(sidecar)]
    assert sent[1:] == ['fresh', 'fresh']


def test_library_sends_nothing_outside_keystoneauth():
    import ast
    import pathlib

    import sidecarclient

    root = pathlib.Path(sidecarclient.__file__).parent
    library = [root / 'client.py', *sorted((root / 'common').glob('*.py')),
               *sorted((root / 'v2').glob('*.py'))]
    verbs = {'get', 'post', 'put', 'delete', 'patch', 'head', 'request',
             'Session', 'urlopen'}
    for source in library:
        tree = ast.parse(source.read_text(), str(source))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id in ('requests', 'urllib3', 'urllib')
                    and node.attr in verbs):
                raise AssertionError(
                    f'{source.name}:{node.lineno} calls {node.value.id}.'
                    f'{node.attr} directly'
                )


def test_login_failure_does_not_show_the_password(requests_mock):
    requests_mock.post(
        fakes.V3_AUTH_URL + '/auth/tokens',
        status_code=401,
        text=json.dumps({'error': {
            'code': 401, 'title': 'Unauthorized',
            'message': 'The request you have made requires authentication.',
        }}),
        headers={'Content-Type': 'application/json'},
    )
    sc = fakes.v3_client()
    with pytest.raises(exceptions.Unauthorized) as caught:
        sc.events.detail(EVENT['id'])
    assert fakes.PASSWORD not in str(caught.value)
    assert fakes.PASSWORD not in repr(caught.value)
    assert fakes.sidecar_requests(requests_mock) == []
