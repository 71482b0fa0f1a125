"""The HTTP layer: retries, paths, and reading JSON answers."""

from __future__ import annotations

import pytest
import requests
import urllib3
from keystoneauth1 import exceptions as ksa_exc

from sidecarclient import exceptions
from sidecarclient.common import http
from tests.unit import fakes

ID = 'deadbeef' * 4
EVENT_URL = fakes.EVENTS + '/' + ID


@pytest.fixture
def sleeps(monkeypatch):
    """The delays keystoneauth waited between tries; nothing is slept."""
    waited: list[float] = []
    monkeypatch.setattr(
        'keystoneauth1.session.time.sleep', waited.append
    )
    return waited


CALLS = {
    'GET': lambda sc: sc.events.detail(ID),
    'POST': lambda sc: sc.events.create('host-7', 'node-7'),
    'PUT': lambda sc: sc.events.edit(ID, event_status='running'),
    'DELETE': lambda sc: sc.events.delete(ID),
}


def stub(mocker, method, responses):
    url = fakes.EVENTS if method == 'POST' else EVENT_URL
    return mocker.register_uri(method, url, responses)


# -- Retries ------------------------------------------------------------------


@pytest.mark.parametrize('status', [502, 503, 504])
def test_get_is_retried(requests_mock, sleeps, status):
    sc = fakes.token_client()
    show = stub(requests_mock, 'GET', [
        {'status_code': status}, {'status_code': status},
        {'json': {'event': fakes.event(id=ID)}},
    ])
    assert sc.events.detail(ID).id == ID
    assert show.call_count == 3


@pytest.mark.parametrize('status', [502, 503])
def test_get_gives_up_after_the_retries(requests_mock, sleeps, status):
    sc = fakes.token_client(retries=2)
    show = stub(requests_mock, 'GET', [{'status_code': status}])
    with pytest.raises(ksa_exc.HttpError) as caught:
        sc.events.detail(ID)
    assert caught.value.http_status == status
    assert show.call_count == 3


@pytest.mark.parametrize('method', ['POST', 'PUT', 'DELETE'])
@pytest.mark.parametrize('status', [502, 503, 504])
def test_changes_are_never_retried(requests_mock, sleeps, method, status):
    sc = fakes.token_client(retries=5)
    call = stub(requests_mock, method, [
        {'status_code': status},
        {'status_code': 201, 'json': {'event': fakes.event(id=ID)}},
    ])
    with pytest.raises(ksa_exc.HttpError) as caught:
        CALLS[method](sc)
    assert caught.value.http_status == status
    assert call.call_count == 1
    assert sleeps == []


@pytest.mark.parametrize('status', [400, 404, 409, 500])
def test_other_statuses_are_not_retried(requests_mock, sleeps, status):
    sc = fakes.token_client()
    show = stub(requests_mock, 'GET', [{'status_code': status}])
    with pytest.raises(ksa_exc.HttpError):
        sc.events.detail(ID)
    assert show.call_count == 1


def test_no_retries(requests_mock, sleeps):
    sc = fakes.token_client(retries=0)
    show = stub(requests_mock, 'GET', [{'status_code': 503}])
    with pytest.raises(exceptions.ServiceUnavailable):
        sc.events.detail(ID)
    assert show.call_count == 1
    assert sleeps == []


def test_retry_delay_zero_means_no_wait(requests_mock, sleeps):
    sc = fakes.token_client(retries=3, retry_delay=0)
    stub(requests_mock, 'GET', [{'status_code': 503}])
    with pytest.raises(exceptions.ServiceUnavailable):
        sc.events.detail(ID)
    assert len(sleeps) == 3
    assert all(delay < 0.001 for delay in sleeps), sleeps


def test_fixed_retry_delay(requests_mock, sleeps):
    sc = fakes.token_client(retries=2, retry_delay=1.5)
    stub(requests_mock, 'GET', [{'status_code': 502}])
    with pytest.raises(ksa_exc.HttpError):
        sc.events.detail(ID)
    assert sleeps == [1.5, 1.5]


def test_default_delay_grows(requests_mock, sleeps):
    sc = fakes.token_client(retry_delay=None)
    stub(requests_mock, 'GET', [{'status_code': 503}])
    with pytest.raises(exceptions.ServiceUnavailable):
        sc.events.detail(ID)
    assert sleeps == [0.5, 1.0]


def test_refused_get_is_retried(requests_mock, sleeps):
    reason = urllib3.exceptions.NewConnectionError(None, 'refused')
    error = requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, EVENT_URL, reason)
    )
    sc = fakes.token_client()
    show = stub(requests_mock, 'GET', [
        {'exc': error}, {'json': {'event': fakes.event(id=ID)}},
    ])
    assert sc.events.detail(ID).id == ID
    assert show.call_count == 2


def test_list_pages_are_retried(requests_mock, sleeps):
    sc = fakes.token_client()
    pages = requests_mock.get(fakes.EVENTS, [
        {'json': {'events': fakes.events(2)}},
        {'status_code': 503},
        {'json': {'events': []}},
    ])
    assert len([e for e in sc.events.list()]) == 2
    assert pages.call_count == 3


# -- Paths --------------------------------------------------------------------


@pytest.mark.parametrize(
    'segments, expected',
    [
        (('evacuates', 'events'), 'evacuates/events'),
        (('evacuates', 'events', 'a/b'), 'evacuates/events/a%2Fb'),
        (('a?b#c',), 'a%3Fb%23c'),
        (('100%',), '100%25'),
        (('a b',), 'a%20b'),
        (('\u00e9',), '%C3%A9'),
        (('~_-',), '~_-'),
    ],
)
def test_path(segments, expected):
    assert http.path(*segments) == expected


@pytest.mark.parametrize('segment', ['.', '..'])
def test_path_refuses_dot_segments(segment):
    with pytest.raises(exceptions.ValidationError):
        http.path('evacuates', 'events', segment)


@pytest.mark.parametrize(
    'url, root',
    [
        ('http://h:9090/v2', 'http://h:9090/'),
        ('http://h:9090/v2/', 'http://h:9090/'),
        ('https://h/sidecar/v2.1', 'https://h/sidecar/'),
        ('http://h:9090', 'http://h:9090/'),
        ('http://h:9090/sidecar', 'http://h:9090/sidecar/'),
        ('http://h/vx/V2', 'http://h/vx/'),
    ],
)
def test_unversioned(url, root):
    assert http.unversioned(url) == root


# -- Was the request sent? ----------------------------------------------------


def _raised(requests_error):
    """The keystoneauth exception raised while handling ``requests_error``."""
    try:
        try:
            raise requests_error
        except requests.exceptions.Timeout:
            raise ksa_exc.ConnectTimeout('timed out') from None
        except requests.exceptions.ConnectionError:
            raise ksa_exc.ConnectFailure('failed') from None
    except ksa_exc.ClientException as exc:
        # ``from None`` keeps the context, as keystoneauth's raise does.
        exc.__context__ = requests_error
        return exc


def test_request_not_sent():
    refused = requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(
            None, '/', urllib3.exceptions.NewConnectionError(None, 'x')
        )
    )
    aborted = requests.exceptions.ConnectionError(
        urllib3.exceptions.ProtocolError('Connection aborted.')
    )
    assert http.request_not_sent(_raised(refused))
    assert http.request_not_sent(
        _raised(requests.exceptions.ConnectTimeout())
    )
    assert not http.request_not_sent(_raised(aborted))
    assert not http.request_not_sent(
        _raised(requests.exceptions.ReadTimeout())
    )
    assert not http.request_not_sent(ksa_exc.ConnectFailure('bare'))


@pytest.mark.parametrize(
    'cause, sent',
    [(requests.exceptions.ConnectTimeout, False),
     (requests.exceptions.ReadTimeout, True)],
)
def test_request_not_sent_sees_through_request_timeout(cause, sent):
    # HTTPClient turns keystoneauth's ConnectTimeout into RequestTimeout.
    try:
        try:
            raise _raised(cause())
        except ksa_exc.ConnectTimeout as inner:
            raise exceptions.RequestTimeout(EVENT_URL, 1) from inner
    except exceptions.RequestTimeout as exc:
        assert http.request_not_sent(exc) is not sent


# -- The client object --------------------------------------------------------


def test_repr():
    sc = fakes.v3_client(interface='adminURL', region_name='RegionTwo')
    assert repr(sc.http) == (
        "<HTTPClient service_type='sidecar' interface='admin' "
        "region='RegionTwo'>"
    )


def test_endpoint(requests_mock):
    assert fakes.token_client().http.endpoint() == fakes.ENDPOINT
    fakes.stub_v3_auth(requests_mock)
    sc = fakes.v3_client(interface='internal', region_name='RegionTwo')
    assert sc.http.endpoint() == fakes.catalog_url('RegionTwo', 'internal')


def test_user_agent(requests_mock):
    requests_mock.get(EVENT_URL, json={'event': fakes.event(id=ID)})
    fakes.token_client().events.detail(ID)
    agent = requests_mock.last_request.headers['User-Agent']
    assert agent.startswith('python-sidecarclient/')


def test_read_key():
    resp = requests.Response()
    resp.status_code = 200
    resp._content = b'{"event": {"id": "x"}, "other": 1}'
    resp.url = EVENT_URL
    resp.request = requests.Request('GET', EVENT_URL).prepare()
    assert http.HTTPClient.read_key(resp, 'event') == {'id': 'x'}
    with pytest.raises(exceptions.UnexpectedResponse, match="'events'"):
        http.HTTPClient.read_key(resp, 'events')
