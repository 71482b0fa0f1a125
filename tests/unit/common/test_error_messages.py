"""Error messages that say which request failed and why."""

from __future__ import annotations

import socket

import pytest
from keystoneauth1 import fixture as ksa_fixture

from sidecarclient import exceptions
from tests.unit import fakes

EVENT_URL = fakes.EVENTS + '/' + 'e' * 32


def test_html_404_names_method_and_url(requests_mock):
    requests_mock.get(
        EVENT_URL,
        status_code=404,
        text='<html><body>Not here</body></html>',
        headers={'Content-Type': 'text/html',
                 'x-openstack-request-id': 'req-1'},
    )
    with pytest.raises(exceptions.NotFound) as caught:
        fakes.token_client().events.detail('e' * 32)
    assert str(caught.value) == (
        f'Not Found for GET {EVENT_URL} (HTTP 404) (Request-ID: req-1)'
    )
    assert caught.value.http_status == 404
    assert caught.value.request_id == 'req-1'


def test_html_500_names_method_and_url(requests_mock):
    requests_mock.delete(
        EVENT_URL, status_code=500, text='<h1>Oops</h1>',
        headers={'Content-Type': 'text/html'},
    )
    with pytest.raises(exceptions.InternalServerError) as caught:
        fakes.token_client().events.delete('e' * 32)
    assert str(caught.value) == (
        f'Internal Server Error for DELETE {EVENT_URL} (HTTP 500)'
    )


def test_service_message_is_kept_as_it_is(requests_mock):
    requests_mock.get(
        EVENT_URL, status_code=404,
        text=fakes.error_body(404, 'Event e could not be found.'),
        headers={'Content-Type': 'application/json'},
    )
    with pytest.raises(exceptions.NotFound) as caught:
        fakes.token_client().events.detail('e' * 32)
    assert str(caught.value) == 'Event e could not be found. (HTTP 404)'


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_refused_connection_is_one_short_line():
    # A real socket: nothing listens on the port.
    endpoint = f'http://127.0.0.1:{_closed_port()}/v2'
    sc = fakes.token_client(endpoint=endpoint, retries=0)
    with pytest.raises(exceptions.ConnectFailure) as caught:
        sc.events.detail('e' * 32)
    url = f'{endpoint}/evacuates/events/{"e" * 32}'
    assert str(caught.value) == f'Unable to connect to {url}: ' + (
        'Connection refused'
    )
    assert caught.value.url == url
    assert isinstance(caught.value, exceptions.Unreachable)
    assert caught.value.reason == 'Connection refused'


def test_unscoped_token_says_why_there_is_no_endpoint(requests_mock):
    token = ksa_fixture.V3Token(user_id=fakes.USER_ID)
    requests_mock.post(
        fakes.V3_AUTH_URL + '/auth/tokens', json=token,
        headers={'X-Subject-Token': 'unscoped'}, status_code=201,
    )
    sc = fakes.v3_client(project_name=None, project_domain_name=None)
    with pytest.raises(exceptions.EndpointNotFound) as caught:
        sc.events.detail('e' * 32)
    assert 'not scoped to a project' in str(caught.value)
    assert 'project_name or project_id' in str(caught.value)


def test_missing_region_still_names_region_and_interface(requests_mock):
    fakes.stub_v3_auth(requests_mock)
    sc = fakes.v3_client(region_name='Nowhere', interface='internal')
    with pytest.raises(exceptions.EndpointNotFound) as caught:
        sc.events.detail('e' * 32)
    assert "'internal'" in str(caught.value)
    assert "'Nowhere'" in str(caught.value)


@pytest.mark.parametrize('call', ['versions', 'events'])
def test_keystone_refused_is_one_short_line(call, caplog):
    # A real socket: no Keystone listens on the port. versions.list()
    # looks the endpoint up before its request, events.list() within it.
    auth_url = f'http://127.0.0.1:{_closed_port()}/v3'
    sc = fakes.v3_client(auth_url=auth_url, retries=1)
    caplog.set_level('DEBUG')
    with pytest.raises(exceptions.ConnectFailure) as caught:
        if call == 'versions':
            sc.versions.list()
        else:
            list(sc.events.list())
    assert str(caught.value) == (
        f'Unable to connect to {auth_url}/auth/tokens: Connection refused'
    )
    # A retry is told at DEBUG only: the library is quiet otherwise.
    ours = [r for r in caplog.records if r.name.startswith('sidecarclient')]
    assert all(r.levelname == 'DEBUG' for r in ours)
    if call == 'events':
        assert any('Retrying' in r.getMessage() for r in ours)
