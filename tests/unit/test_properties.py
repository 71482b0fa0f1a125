"""Properties of what the client sends, over generated values.

Whatever string is used as an event id, it is either refused before
anything is sent or becomes exactly one segment of the request path
that decodes back to it; whatever string is used as a filter or marker,
it becomes exactly one query value that decodes back to it. Names are
refused by the client exactly when the reference server would refuse
them, so the check never stops a name the service takes.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import requests_mock
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from sidecarclient import client as sidecar_client
from sidecarclient import exceptions
from sidecarclient.common import validation

ENDPOINT = 'http://sidecar.test:9090/v2'
EVENTS_PATH = '/v2/evacuates/events'
REPO = Path(__file__).resolve().parents[2]

# Every code point, lone surrogates included: Python holds those for
# bytes of a command line that are not UTF-8.
any_text = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.characters(categories=['Cs']),
        st.sampled_from('/?#%&=+;. \t\n'),
    ),
    max_size=40,
)
# Text that the id and filter checks accept.
sendable_text = any_text.filter(
    lambda s: s.strip() != '' and s not in ('.', '..') and _is_utf8(s)
)


def _is_utf8(text: str) -> bool:
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        return False
    return True


def _client() -> sidecar_client.Client:
    return sidecar_client.Client(
        auth_token='property-token', endpoint=ENDPOINT, retries=0
    )


def _one_segment(url: str) -> str:
    """The event id a URL addresses, checking nothing else is there."""
    parts = urllib.parse.urlsplit(url)
    assert (parts.scheme, parts.netloc) == ('http', 'sidecar.test:9090')
    assert parts.query == ''
    assert parts.fragment == ''
    head, _, segment = parts.path.rpartition('/')
    assert head == EVENTS_PATH
    return urllib.parse.unquote(segment, errors='strict')


def _query(url: str) -> list[tuple[str, str]]:
    parts = urllib.parse.urlsplit(url)
    assert parts.path == EVENTS_PATH
    assert parts.fragment == ''
    return urllib.parse.parse_qsl(
        parts.query, keep_blank_values=True, strict_parsing=True,
        errors='strict',
    )


@settings(max_examples=300, deadline=None)
@given(event_id=any_text, method=st.sampled_from(['GET', 'PUT', 'DELETE']))
@example(event_id='..', method='GET')
@example(event_id='../..', method='DELETE')
@example(event_id='%2e%2e', method='PUT')
@example(event_id='a/b?c#d', method='GET')
@example(event_id='\udcff', method='GET')
def test_an_id_is_one_path_segment_or_refused(
    event_id: str, method: str
) -> None:
    sidecar = _client()
    with requests_mock.Mocker() as mocker:
        mocker.register_uri(
            requests_mock.ANY, requests_mock.ANY,
            json={'event': {'id': event_id}},
        )
        try:
            if method == 'GET':
                sidecar.events.detail(event_id)
            elif method == 'PUT':
                sidecar.events.edit(event_id, event_status='running')
            else:
                sidecar.events.delete(event_id)
        except exceptions.ValidationError:
            refused = True
        else:
            refused = False
        history = mocker.request_history

    sendable = (
        event_id.strip() != '' and event_id not in ('.', '..')
        and _is_utf8(event_id)
    )
    assert refused is not sendable
    if refused:
        assert history == []
    else:
        [sent] = history
        assert sent.method == method
        assert _one_segment(sent.url) == event_id


@settings(max_examples=300, deadline=None)
@given(
    values=st.fixed_dictionaries(
        {},
        optional={
            'id': sendable_text,
            'name': sendable_text,
            'node_uuid': sendable_text,
            'marker': sendable_text,
        },
    ).filter(bool)
)
@example(values={'name': 'a&limit=1', 'marker': '..'})
@example(values={'node_uuid': 'x#y', 'id': '+ %2B'})
def test_filters_are_one_query_value_each(values: dict[str, str]) -> None:
    sidecar = _client()
    with requests_mock.Mocker() as mocker:
        mocker.get(requests_mock.ANY, json={'events': []})
        assert list(sidecar.events.list(**values)) == []
        history = mocker.request_history

    assert history
    for sent in history:
        params = _query(sent.url)
        names = [name for name, _ in params]
        # The client may add its own page size; nothing else, once each.
        assert set(names) <= set(values) | {'limit'}
        assert len(names) == len(set(names))
        assert {n: v for n, v in params if n != 'limit'} == values


@settings(max_examples=200, deadline=None)
@given(value=any_text.filter(lambda s: not _is_utf8(s) or not s.strip()))
def test_unsendable_filters_are_refused_unsent(value: str) -> None:
    sidecar = _client()
    with requests_mock.Mocker() as mocker:
        with pytest.raises(exceptions.ValidationError):
            list(sidecar.events.list(name=value))
        with pytest.raises(exceptions.ValidationError):
            list(sidecar.events.list(marker=value))
        assert mocker.call_count == 0


def _reference_validation() -> Any:
    """The reference server's own checks, tools/reference_server."""
    path = REPO / 'tools' / 'reference_server'
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
    if importlib.util.find_spec('sqlalchemy') is None:
        pytest.skip('the reference server needs SQLAlchemy')
    from sidecar_ref import validation as server_validation

    return server_validation


near_names = st.one_of(
    any_text,
    st.from_regex(r'[A-Za-z0-9][\w\s-]{0,100}[A-Za-z0-9]', fullmatch=True),
    st.from_regex(r'[\w\s!.-]{2,6}', fullmatch=True),
)


@settings(max_examples=500, deadline=None)
@given(name=near_names)
@example(name='ab')
@example(name='a' * 100)
@example(name='a' * 101)
@example(name='a\nb')
@example(name='hôte-1')
@example(name='ñandú')
@example(name='a٣')
def test_names_are_refused_exactly_when_the_server_refuses_them(
    name: str,
) -> None:
    server = _reference_validation()
    body = {'event': {'name': name, 'node_uuid': 'n', 'vm_uuid_list': []}}
    try:
        server.create_fields(json.loads(json.dumps(body)))
    except server.InvalidInput:
        server_takes = False
    else:
        server_takes = True
    try:
        validation.event_name(name)
    except exceptions.ValidationError:
        client_takes = False
    else:
        client_takes = True
    assert client_takes is server_takes


@settings(max_examples=200, deadline=None)
@given(
    name=st.from_regex(r'[A-Za-z0-9][\w\s-]{1,98}[A-Za-z0-9]',
                       fullmatch=True),
    node=sendable_text,
    vms=st.lists(sendable_text, unique=True, max_size=5),
)
def test_a_valid_create_body_arrives_unchanged(
    name: str, node: str, vms: list[str]
) -> None:
    sidecar = _client()
    with requests_mock.Mocker() as mocker:
        mocker.post(
            requests_mock.ANY, status_code=201,
            json={'event': {'id': 'e' * 32, 'name': name}},
        )
        sidecar.events.create(name, node, vms)
        [sent] = mocker.request_history
    assert sent.url == ENDPOINT + '/evacuates/events'
    assert sent.json() == {
        'event': {'name': name, 'node_uuid': node, 'vm_uuid_list': vms}
    }
