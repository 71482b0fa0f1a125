"""How every failure surfaces: class, message, status and request id."""

from __future__ import annotations

import json

import pytest
import requests
import urllib3
from keystoneauth1 import exceptions as ksa_exc

from sidecarclient import exceptions
from tests.unit import fakes

ID = 'c0ffee00' * 4
EVENT_URL = fakes.EVENTS + '/' + ID
HTML_500 = (
    '<html><head><title>500 Internal Server Error</title></head>'
    '<body><h1>Internal Server Error</h1><p>Traceback (most recent call '
    'last): ...</p></body></html>'
)


def refused(url: str = EVENT_URL) -> requests.exceptions.ConnectionError:
    """What requests raises when nothing listens on the port."""
    reason = urllib3.exceptions.NewConnectionError(
        None,
        'Failed to establish a new connection: [Errno 111] Connection '
        'refused',
    )
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, url, reason)
    )


def reset() -> requests.exceptions.ConnectionError:
    """What requests raises when the connection broke after sending."""
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.ProtocolError(
            'Connection aborted.', ConnectionResetError(104, 'reset')
        )
    )


def json_error(status: int, message: str, code: object = None) -> dict:
    return {
        'status_code': status,
        'text': json.dumps({'error': {
            'code': status if code is None else code,
            'title': 'Error',
            'message': message,
        }}),
        'headers': {
            'Content-Type': 'application/json',
            'x-openstack-request-id': fakes.REQUEST_ID,
        },
    }


@pytest.fixture
def sc():
    return fakes.token_client(timeout=10)


# -- HTTP statuses ------------------------------------------------------------

STATUSES = [
    (400, exceptions.BadRequest, 'Invalid input for field/attribute name'),
    (401, exceptions.Unauthorized,
     'The request you have made requires authentication.'),
    (403, exceptions.Forbidden, 'Only a completed event may be deleted'),
    (404, exceptions.NotFound, f'Event {ID} could not be found.'),
    (409, exceptions.Conflict, 'There is already an event named host-7'),
    (500, exceptions.InternalServerError, 'Something went wrong'),
    (503, exceptions.ServiceUnavailable, 'Try again later'),
]

CALLS = {
    'detail': lambda sc: sc.events.detail(ID),
    'list': lambda sc: list(iter(sc.events.list())),
    'create': lambda sc: sc.events.create('host-7', 'node-7'),
    'edit': lambda sc: sc.events.edit(ID, name='host-7'),
    'delete': lambda sc: sc.events.delete(ID),
}


def stub_everything(mocker, response):
    for method, url in (('GET', EVENT_URL), ('GET', fakes.EVENTS),
                        ('POST', fakes.EVENTS), ('PUT', EVENT_URL),
                        ('DELETE', EVENT_URL)):
        mocker.register_uri(method, url, **response)


@pytest.mark.parametrize('call', sorted(CALLS))
@pytest.mark.parametrize('status, cls, message', STATUSES)
def test_status_mapping(requests_mock, sc, status, cls, message, call):
    stub_everything(requests_mock, json_error(status, message))
    with pytest.raises(cls) as caught:
        CALLS[call](sc)
    error = caught.value
    assert type(error) is cls
    assert isinstance(error, exceptions.HttpError)
    assert error.http_status == status
    assert error.request_id == fakes.REQUEST_ID
    text = str(error)
    assert message in text
    assert f'(HTTP {status})' in text
    assert fakes.REQUEST_ID in text
    assert fakes.GIVEN_TOKEN not in text
    assert fakes.GIVEN_TOKEN not in repr(error)


def test_exported_classes_are_keystoneauths():
    assert exceptions.NotFound is ksa_exc.NotFound
    assert exceptions.Conflict is ksa_exc.Conflict
    assert exceptions.BadRequest is ksa_exc.BadRequest
    assert exceptions.Unauthorized is ksa_exc.Unauthorized
    assert exceptions.Forbidden is ksa_exc.Forbidden
    assert exceptions.InternalServerError is ksa_exc.InternalServerError
    for name in exceptions.__all__:
        assert issubclass(getattr(exceptions, name), ksa_exc.ClientException)


def test_code_as_a_string(requests_mock, sc):
    requests_mock.get(EVENT_URL, **json_error(400, 'Bad marker', '400'))
    with pytest.raises(exceptions.BadRequest) as caught:
        sc.events.detail(ID)
    assert 'Bad marker (HTTP 400)' in str(caught.value)


def test_500_with_html(requests_mock, sc):
    requests_mock.get(EVENT_URL, status_code=500, text=HTML_500, headers={
        'Content-Type': 'text/html',
        'x-openstack-request-id': fakes.REQUEST_ID,
    })
    with pytest.raises(exceptions.InternalServerError) as caught:
        sc.events.detail(ID)
    text = str(caught.value)
    assert '(HTTP 500)' in text
    assert fakes.REQUEST_ID in text
    # The page is kept for whoever wants it, not thrown at the user.
    assert '<html>' not in text
    assert 'Traceback' not in text
    assert caught.value.details == HTML_500


def test_500_with_plain_text(requests_mock, sc):
    requests_mock.post(fakes.EVENTS, status_code=500, text='oops',
                       headers={'Content-Type': 'text/plain'})
    with pytest.raises(exceptions.InternalServerError) as caught:
        sc.events.create('host-7', 'node-7')
    assert '(HTTP 500)' in str(caught.value)
    assert requests_mock.call_count == 1


def test_404_with_html_for_an_unknown_path(requests_mock, sc):
    requests_mock.get(EVENT_URL, status_code=404,
                      text='<html><body>Not Found</body></html>',
                      headers={'Content-Type': 'text/html'})
    with pytest.raises(exceptions.NotFound) as caught:
        sc.events.detail(ID)
    assert '(HTTP 404)' in str(caught.value)
    assert '<html>' not in str(caught.value)


# -- 401: one new token, one retry --------------------------------------------


def test_401_gets_a_new_token_once(requests_mock):
    login = fakes.stub_v3_auth(requests_mock, 'first-token', 'second-token')
    show = requests_mock.get(
        fakes.catalog_url('RegionOne', 'public') + '/evacuates/events/' + ID,
        [json_error(401, 'Token expired'),
         {'json': {'event': fakes.event(id=ID)}}],
    )
    sc = fakes.v3_client()
    assert sc.events.detail(ID).id == ID
    assert login.call_count == 2
    assert [r.headers['X-Auth-Token'] for r in show.request_history] == [
        'first-token', 'second-token',
    ]


def test_401_twice_is_raised(requests_mock):
    login = fakes.stub_v3_auth(requests_mock, 'first-token', 'second-token')
    show = requests_mock.get(
        fakes.catalog_url('RegionOne', 'public') + '/evacuates/events/' + ID,
        **json_error(401, 'The request you have made requires '
                     'authentication.'),
    )
    sc = fakes.v3_client()
    with pytest.raises(exceptions.Unauthorized) as caught:
        sc.events.detail(ID)
    assert login.call_count == 2
    assert show.call_count == 2
    assert 'requires authentication' in str(caught.value)
    assert 'second-token' not in str(caught.value)


def test_401_with_a_given_token_is_not_retried(requests_mock, sc):
    requests_mock.get(EVENT_URL, **json_error(401, 'Token expired'))
    with pytest.raises(exceptions.Unauthorized):
        sc.events.detail(ID)
    assert requests_mock.call_count == 1


# -- Successful answers the client cannot read --------------------------------


@pytest.mark.parametrize(
    'response, reason',
    [
        ({'text': 'OK'}, 'not JSON'),
        ({'text': ''}, 'not JSON'),
        ({'text': '<html>hello</html>'}, 'not JSON'),
        ({'json': {'evnt': {}}}, "'event'"),
        ({'json': ['event']}, "'event'"),
        ({'text': 'null'}, "'event'"),
    ],
)
def test_unreadable_success(requests_mock, sc, response, reason):
    requests_mock.get(EVENT_URL, headers={
        'x-openstack-request-id': fakes.REQUEST_ID}, **response)
    with pytest.raises(exceptions.UnexpectedResponse) as caught:
        sc.events.detail(ID)
    error = caught.value
    assert not isinstance(error, (KeyError, TypeError))
    assert isinstance(error, exceptions.ClientException)
    text = str(error)
    assert reason in text
    assert f'GET {EVENT_URL}' in text
    assert '(HTTP 200)' in text
    assert fakes.REQUEST_ID in text
    assert error.http_status == 200
    assert error.request_id == fakes.REQUEST_ID


@pytest.mark.parametrize(
    'body',
    [{'event': []}, {'events': None}, {'events': {'id': 'x'}},
     {'events': ['x']}, {'events': [None]}],
)
def test_unreadable_list(requests_mock, sc, body):
    requests_mock.get(fakes.EVENTS, json=body)
    with pytest.raises(exceptions.UnexpectedResponse) as caught:
        [e for e in sc.events.list()]
    assert fakes.EVENTS in str(caught.value)


# -- Connection failures and timeouts -----------------------------------------


def test_connection_refused(requests_mock, sc):
    requests_mock.get(EVENT_URL, exc=refused())
    with pytest.raises(exceptions.ConnectFailure) as caught:
        sc.events.detail(ID)
    assert EVENT_URL in str(caught.value)
    assert 'Connection refused' in str(caught.value)
    # A GET is tried again before giving up.
    assert requests_mock.call_count == 3


def test_connection_refused_on_create_is_not_ambiguous(requests_mock, sc):
    post = requests_mock.post(fakes.EVENTS, exc=refused(fakes.EVENTS))
    lookup = requests_mock.get(fakes.EVENTS, json={'events': []})
    with pytest.raises(exceptions.ConnectFailure) as caught:
        sc.events.create('host-7', 'node-7')
    assert not isinstance(caught.value, exceptions.AmbiguousCreate)
    assert fakes.EVENTS in str(caught.value)
    assert post.call_count == 1
    assert not lookup.called


@pytest.mark.parametrize('found', [True, False])
def test_create_broken_after_sending(requests_mock, sc, found):
    post = requests_mock.post(fakes.EVENTS, exc=reset())
    made = fakes.event(name='host-7')
    lookup = requests_mock.get(fakes.EVENTS, [
        {'json': {'events': [made] if found else []}},
        {'json': {'events': []}},
    ])
    with pytest.raises(exceptions.AmbiguousCreate) as caught:
        sc.events.create('host-7', 'node-7')
    error = caught.value
    assert post.call_count == 1
    assert fakes.query(lookup.request_history[0]) == {'name': ['host-7']}
    assert isinstance(error.cause, exceptions.ConnectFailure)
    assert "'host-7'" in str(error)
    if found:
        assert error.event.id == made['id']
        assert made['id'] in str(error)
    else:
        assert error.event is None
        assert 'no event of that name exists' in str(error)


def test_create_broken_and_lookup_failing(requests_mock, sc):
    requests_mock.post(fakes.EVENTS, exc=reset())
    requests_mock.get(fakes.EVENTS, exc=refused(fakes.EVENTS))
    with pytest.raises(exceptions.AmbiguousCreate) as caught:
        sc.events.create('host-7', 'node-7')
    error = caught.value
    assert 'Connection aborted' in str(error)
    assert 'whether it exists is unknown' in str(error)
    assert isinstance(error.lookup_error, exceptions.ConnectFailure)
    assert error.event is None


def test_read_timeout(requests_mock, sc):
    requests_mock.get(EVENT_URL, exc=requests.exceptions.ReadTimeout)
    with pytest.raises(exceptions.RequestTimeout) as caught:
        sc.events.detail(ID)
    error = caught.value
    assert isinstance(error, ksa_exc.ConnectTimeout)
    assert str(error) == f'Request to {EVENT_URL} timed out after 10 seconds'
    assert error.url == EVENT_URL
    assert error.timeout == 10


def test_timeout_of_a_listing_names_the_url(requests_mock, sc):
    requests_mock.get(fakes.EVENTS, exc=requests.exceptions.ReadTimeout)
    with pytest.raises(exceptions.RequestTimeout) as caught:
        [e for e in sc.events.list(limit=3)]
    assert fakes.EVENTS in str(caught.value)
    assert '10 seconds' in str(caught.value)


def test_connect_timeout_on_create_is_not_ambiguous(requests_mock, sc):
    # No connection was made: nothing can have been created, so there is
    # nothing to look up.
    post = requests_mock.post(fakes.EVENTS,
                              exc=requests.exceptions.ConnectTimeout)
    lookup = requests_mock.get(fakes.EVENTS, json={'events': []})
    with pytest.raises(exceptions.RequestTimeout):
        sc.events.create('host-7', 'node-7')
    assert post.call_count == 1
    assert not lookup.called


def test_read_timeout_on_create_is_ambiguous(requests_mock, sc):
    requests_mock.post(fakes.EVENTS, exc=requests.exceptions.ReadTimeout)
    requests_mock.get(fakes.EVENTS, json={'events': []})
    with pytest.raises(exceptions.AmbiguousCreate) as caught:
        sc.events.create('host-7', 'node-7')
    assert isinstance(caught.value.cause, exceptions.RequestTimeout)


# -- The client's own exceptions ----------------------------------------------


def test_validation_error():
    error = exceptions.ValidationError('limit must be a positive integer')
    assert isinstance(error, ValueError)
    assert isinstance(error, ksa_exc.ClientException)
    assert str(error) == 'limit must be a positive integer'


def test_no_such_event():
    error = exceptions.NoSuchEvent('host-7')
    assert isinstance(error, exceptions.NotFound)
    assert error.http_status == 404
    # Several requests were made: no one status is shown.
    assert str(error) == "No event with a name or ID of 'host-7' exists."


def test_unexpected_response_without_request_id():
    error = exceptions.UnexpectedResponse(
        'the body is not JSON', 'PUT', EVENT_URL, 204
    )
    assert str(error) == (
        f'Unexpected response from the server for PUT {EVENT_URL} '
        f'(HTTP 204): the body is not JSON'
    )
    assert 'Request-ID' not in str(error)


def test_request_timeout_without_seconds():
    error = exceptions.RequestTimeout(EVENT_URL, None)
    assert str(error) == f'Request to {EVENT_URL} timed out'


def test_ambiguous_create_message():
    cause = exceptions.ConnectFailure('Connection aborted')
    event = type('E', (), {'id': ID})()
    error = exceptions.AmbiguousCreate('host-7', cause, event)
    assert str(error) == (
        "Creating event 'host-7' failed (Connection aborted); checked "
        f"afterwards: the event exists on the server with id {ID}"
    )
