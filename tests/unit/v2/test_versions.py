"""``client.versions``: the versions document at the service root."""

from __future__ import annotations

import pytest

from sidecarclient import client
from sidecarclient import exceptions
from sidecarclient.v2 import versions as versions_mod
from tests.unit import fakes

ROOT = 'http://sidecar.test:9090/'
DOCUMENT = {
    'versions': [
        {'v2': {'date': '2016-08-07T00:00:00', 'status': 'current'}},
    ]
}


def test_list(requests_mock):
    requests_mock.get(ROOT, json=DOCUMENT)
    found = fakes.token_client().versions.list()

    sent = requests_mock.last_request
    assert (sent.method, sent.url) == ('GET', ROOT)
    assert sent.headers['X-Auth-Token'] == fakes.GIVEN_TOKEN
    assert sent.headers['Accept'] == 'application/json'
    assert len(found) == 1
    version = found[0]
    assert isinstance(version, versions_mod.Version)
    assert (version.version, version.date, version.status) == (
        'v2', '2016-08-07T00:00:00', 'current'
    )
    assert version.to_dict() == {
        'version': 'v2', 'date': '2016-08-07T00:00:00', 'status': 'current'
    }
    assert repr(version) == (
        "<Version version='v2' date='2016-08-07T00:00:00' "
        "status='current'>"
    )


def test_several_versions(requests_mock):
    requests_mock.get(ROOT, json={'versions': [
        {'v2': {'date': '2016-08-07T00:00:00', 'status': 'current'}},
        {'v1': {'date': '2015-01-01T00:00:00', 'status': 'deprecated'},
         'v3': {'date': '2027-01-01T00:00:00', 'status': 'supported'}},
    ]})
    found = fakes.token_client().versions.list()
    assert [(v.version, v.status) for v in found] == [
        ('v2', 'current'), ('v1', 'deprecated'), ('v3', 'supported'),
    ]


@pytest.mark.parametrize(
    'endpoint, root',
    [
        ('http://sidecar.test:9090/v2', 'http://sidecar.test:9090/'),
        ('http://sidecar.test:9090/v2/', 'http://sidecar.test:9090/'),
        ('http://sidecar.test/sidecar/v2', 'http://sidecar.test/sidecar/'),
        ('http://sidecar.test:9090', 'http://sidecar.test:9090/'),
    ],
)
def test_root_of_the_endpoint(requests_mock, endpoint, root):
    requests_mock.get(root, json=DOCUMENT)
    fakes.token_client(endpoint=endpoint).versions.list()
    assert requests_mock.last_request.url == root


def test_root_of_the_catalog_endpoint(requests_mock):
    fakes.stub_v3_auth(requests_mock)
    root = fakes.catalog_url('RegionTwo', 'internal')[:-len('v2')]
    requests_mock.get(root, json=DOCUMENT)
    sc = fakes.v3_client(region_name='RegionTwo', interface='internal')
    assert [v.version for v in sc.versions.list()] == ['v2']
    assert requests_mock.last_request.url == root
    assert requests_mock.last_request.headers['X-Auth-Token'] == (
        fakes.V3_TOKEN
    )


@pytest.mark.parametrize(
    'body',
    [{'v2': {'status': 'current'}}, {'versions': 'v2'},
     {'versions': ['v2']}, []],
)
def test_unreadable_document(requests_mock, body):
    requests_mock.get(ROOT, json=body)
    with pytest.raises(exceptions.UnexpectedResponse) as caught:
        fakes.token_client().versions.list()
    assert ROOT in str(caught.value)


def test_versions_from_a_session(requests_mock):
    requests_mock.get(ROOT, json=DOCUMENT)
    from keystoneauth1 import session as ksa_session
    from keystoneauth1 import token_endpoint

    session = ksa_session.Session(
        auth=token_endpoint.Token(fakes.ENDPOINT, fakes.GIVEN_TOKEN)
    )
    sc = client.Client(session=session)
    assert [v.version for v in sc.versions.list()] == ['v2']
