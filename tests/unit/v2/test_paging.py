"""Lazy marker paging of ``events.list`` against correct and quirky servers.

Two emulated servers answer ``GET /v2/evacuates/events``: a correct one,
where ``limit`` is a page length, and one that behaves as deployed
servers do, reading ``limit`` as an end index into the whole result.
"""

from __future__ import annotations

import collections
import itertools

import pytest

from sidecarclient.common import base
from tests.unit import fakes

SERVER_PAGE = 30
MOST_REQUESTS = 200


def bounded(answer):
    """A requests-mock callback that fails once called too often."""
    calls = []

    def callback(request, context):
        calls.append(request)
        assert len(calls) <= MOST_REQUESTS, 'the client is looping'
        return answer(request, context)

    return callback


class Server:
    """A list endpoint over ``count`` events, newest first."""

    def __init__(self, count: int, limit_is_end_index: bool = False,
                 page: int = SERVER_PAGE) -> None:
        self.events = fakes.events(count)
        self.limit_is_end_index = limit_is_end_index
        self.page = page
        self.asked: list[tuple[str | None, int | None]] = []

    def __call__(self, request, context):
        query = fakes.query(request)
        # Each parameter at most once: deployed servers fail otherwise.
        assert all(len(values) == 1 for values in query.values()), query
        marker = query.get('marker', [None])[0]
        limit = int(query['limit'][0]) if 'limit' in query else None
        self.asked.append((marker, limit))
        # A client that loops fails here instead of hanging the suite.
        assert len(self.asked) <= MOST_REQUESTS, 'the client is looping'

        ids = [e['id'] for e in self.events]
        # An unknown marker starts from the top.
        start = ids.index(marker) + 1 if marker in ids else 0
        count = self.page if limit is None else limit
        if self.limit_is_end_index:
            chosen = self.events[start:count]
        else:
            chosen = self.events[start:start + count]
        return {'events': chosen}


def serve(mocker, server: Server):
    return mocker.get(fakes.EVENTS, json=server)


@pytest.fixture
def sc():
    return fakes.token_client()


def ids_of(result):
    return [e.id for e in result]


# -- Every event exactly once, whatever the server ----------------------------


@pytest.mark.parametrize('quirky', [False, True], ids=['correct', 'deployed'])
@pytest.mark.parametrize('count', [0, 1, 29, 30, 31, 60, 61, 95])
def test_all_events_exactly_once(requests_mock, sc, quirky, count):
    server = Server(count, limit_is_end_index=quirky)
    serve(requests_mock, server)
    found = ids_of(sc.events.list())
    assert found == [e['id'] for e in server.events]


@pytest.mark.parametrize('quirky', [False, True], ids=['correct', 'deployed'])
@pytest.mark.parametrize('page_size', [1, 7, 30, 50])
def test_page_size(requests_mock, sc, quirky, page_size):
    server = Server(45, limit_is_end_index=quirky)
    serve(requests_mock, server)
    found = ids_of(sc.events.list(page_size=page_size))
    assert found == [e['id'] for e in server.events]
    # The first request asks for one page of the size given.
    assert server.asked[0] == (None, page_size)


def test_deployed_server_is_asked_for_seen_plus_page(requests_mock, sc):
    server = Server(25, limit_is_end_index=True)
    serve(requests_mock, server)
    assert len(ids_of(sc.events.list(page_size=10))) == 25
    ids = [e['id'] for e in server.events]
    assert server.asked == [
        (None, 10),
        (ids[9], 20),
        (ids[19], 30),
        (ids[24], 35),
    ]


def test_correct_server_is_then_asked_for_pages(requests_mock, sc):
    server = Server(25, limit_is_end_index=False)
    serve(requests_mock, server)
    assert len(ids_of(sc.events.list(page_size=10))) == 25
    ids = [e['id'] for e in server.events]
    # The second request returns more than a page: the server reads
    # limit as a length, so later requests ask for one page.
    assert server.asked == [(None, 10), (ids[9], 20), (ids[24], 10)]


def test_server_page_size_is_learnt(requests_mock, sc):
    server = Server(65, limit_is_end_index=True)
    serve(requests_mock, server)
    assert len(ids_of(sc.events.list())) == 65
    ids = [e['id'] for e in server.events]
    assert server.asked == [
        (None, None), (ids[29], 60), (ids[59], 90), (ids[64], 95),
    ]


def test_empty_page_ends_the_listing(requests_mock, sc):
    pages = [fakes.events(5)[:3], fakes.events(5)[3:], []]
    requests_mock.get(fakes.EVENTS, [{'json': {'events': p}} for p in pages]
                      + [{'status_code': 500}])
    assert len(ids_of(sc.events.list())) == 5
    assert requests_mock.call_count == 3


# -- limit --------------------------------------------------------------------


@pytest.mark.parametrize('quirky', [False, True], ids=['correct', 'deployed'])
@pytest.mark.parametrize(
    'limit, page_size',
    [(1, None), (5, None), (30, None), (31, None), (45, 10), (7, 3),
     (100, None), (500, 20)],
)
def test_limit(requests_mock, sc, quirky, limit, page_size):
    server = Server(95, limit_is_end_index=quirky)
    serve(requests_mock, server)
    found = ids_of(sc.events.list(limit=limit, page_size=page_size))
    assert found == [e['id'] for e in server.events][:limit]


def test_limit_is_sent_as_the_first_page_length(requests_mock, sc):
    server = Server(95)
    serve(requests_mock, server)
    assert len(sc.events.list(limit=12)) == 12
    assert server.asked == [(None, 12)]


def test_limit_caps_the_page_size(requests_mock, sc):
    server = Server(95)
    serve(requests_mock, server)
    assert len(sc.events.list(limit=4, page_size=10)) == 4
    assert server.asked == [(None, 4)]


def test_limit_beyond_a_short_page(requests_mock, sc):
    # A server that caps pages at 30 whatever the limit asked.
    server = Server(95)
    server_cap = 30

    def capped(request, context):
        body = server(request, context)
        return {'events': body['events'][:server_cap]}

    requests_mock.get(fakes.EVENTS, json=capped)
    found = ids_of(sc.events.list(limit=70))
    assert found == [e['id'] for e in server.events][:70]


def test_marker_given_by_the_caller(requests_mock, sc):
    server = Server(40)
    serve(requests_mock, server)
    ids = [e['id'] for e in server.events]
    found = ids_of(sc.events.list(marker=ids[9]))
    assert found == ids[10:]
    # Without a page size, the server's documented default is asked for,
    # so that the reply tells which kind of server this is.
    assert server.asked[0] == (ids[9], base.DEFAULT_PAGE_SIZE)


@pytest.mark.parametrize('deployed', [False, True])
@pytest.mark.parametrize('depth', [1, 10, 29, 30, 31, 40, 75, 99])
@pytest.mark.parametrize('page_size', [None, 7, 30])
def test_caller_marker_at_any_depth(requests_mock, sc, deployed, depth,
                                    page_size):
    server = Server(100, limit_is_end_index=deployed)
    serve(requests_mock, server)
    ids = [e['id'] for e in server.events]
    found = ids_of(sc.events.list(marker=ids[depth - 1],
                                  page_size=page_size))
    assert found == ids[depth:]


@pytest.mark.parametrize('deployed', [False, True])
@pytest.mark.parametrize('depth, limit', [(10, 10), (40, 5), (95, 10)])
def test_caller_marker_with_limit(requests_mock, sc, deployed, depth,
                                  limit):
    server = Server(100, limit_is_end_index=deployed)
    serve(requests_mock, server)
    ids = [e['id'] for e in server.events]
    found = ids_of(sc.events.list(marker=ids[depth - 1], limit=limit))
    assert found == ids[depth:depth + limit]


def test_caller_marker_at_the_end_costs_one_probe(requests_mock, sc):
    server = Server(50)
    serve(requests_mock, server)
    last = server.events[-1]['id']
    assert ids_of(sc.events.list(marker=last)) == []
    # The empty page, then one request for everything after the marker.
    assert len(server.asked) == 2


@pytest.mark.parametrize('deployed', [False, True])
def test_status_filter_ignored_by_the_server(requests_mock, sc, deployed):
    server = Server(90, limit_is_end_index=deployed)
    for number, event in enumerate(server.events):
        event['event_status'] = ('created', 'running')[number % 3 == 0]
    serve(requests_mock, server)
    running = [e['id'] for e in server.events
               if e['event_status'] == 'running']
    found = ids_of(sc.events.list(event_status='running', page_size=20))
    assert found == running
    limited = ids_of(sc.events.list(event_status='running', limit=12,
                                    page_size=20))
    assert limited == running[:12]


# -- Laziness -----------------------------------------------------------------


def test_nothing_is_fetched_until_iteration(requests_mock, sc):
    server = Server(95)
    serve(requests_mock, server)
    result = sc.events.list()
    assert isinstance(result, base.ResultGenerator)
    assert requests_mock.call_count == 0
    iterator = iter(result)
    assert requests_mock.call_count == 0
    next(iterator)
    assert requests_mock.call_count == 1


def test_only_consumed_pages_are_fetched(requests_mock, sc):
    server = Server(95)
    serve(requests_mock, server)
    found = list(itertools.islice(sc.events.list(page_size=10), 10))
    assert len(found) == 10
    assert requests_mock.call_count == 1
    found = list(itertools.islice(sc.events.list(page_size=10), 11))
    assert len(found) == 11
    assert requests_mock.call_count == 3


def test_list_builtin_fetches_each_page_once(requests_mock, sc):
    server = Server(45)
    serve(requests_mock, server)
    # list() asks len() for a size hint after it started iterating.
    found = list(sc.events.list(page_size=20))
    assert ids_of(found) == [e['id'] for e in server.events]
    assert requests_mock.call_count == 3


def test_iterating_twice(requests_mock, sc):
    server = Server(45)
    serve(requests_mock, server)
    result = sc.events.list()
    first = ids_of(result)
    second = ids_of(result)
    assert first == second == [e['id'] for e in server.events]


def test_len_counts_the_events_fetched(requests_mock, sc):
    server = Server(45)
    serve(requests_mock, server)
    result = sc.events.list()
    assert len(result) == 45
    calls = requests_mock.call_count
    # Two full pages and the empty one that ends the listing.
    assert calls == 3
    # Later uses replay what len() fetched.
    assert len(result) == 45
    assert len(ids_of(result)) == 45
    assert bool(result) is True
    assert requests_mock.call_count == calls


def test_len_of_nothing(requests_mock, sc):
    serve(requests_mock, Server(0))
    result = sc.events.list()
    assert len(result) == 0
    assert not result


def test_len_with_limit(requests_mock, sc):
    serve(requests_mock, Server(95))
    assert len(sc.events.list(limit=31)) == 31


def test_repr_does_not_fetch(requests_mock, sc):
    serve(requests_mock, Server(5))
    result = sc.events.list()
    assert 'not fetched' in repr(result)
    assert requests_mock.call_count == 0
    len(result)
    assert '5 fetched' in repr(result)


# -- Servers that misplace the marker -----------------------------------------


def test_same_page_forever_terminates(requests_mock, sc):
    page = fakes.events(3)
    requests_mock.get(fakes.EVENTS,
                      json=bounded(lambda r, c: {'events': page}))
    found = ids_of(sc.events.list())
    assert found == [e['id'] for e in page]
    assert requests_mock.call_count == 2


def test_pages_cycling_terminate(requests_mock, sc):
    every = fakes.events(6)
    pages = itertools.cycle([every[:3], every[3:]])
    requests_mock.get(fakes.EVENTS,
                      json=bounded(lambda r, c: {'events': next(pages)}))
    found = ids_of(sc.events.list())
    assert found == [e['id'] for e in every]
    assert requests_mock.call_count <= 4


def test_overlapping_pages_yield_each_id_once(requests_mock, sc):
    every = fakes.events(7)
    pages = [every[0:3], every[2:5], every[4:7], []]
    requests_mock.get(fakes.EVENTS, [{'json': {'events': p}} for p in pages])
    found = ids_of(sc.events.list())
    assert found == [e['id'] for e in every]
    assert collections.Counter(found).most_common(1)[0][1] == 1


def test_unknown_marker_restarting_from_the_top(requests_mock, sc):
    # Deployed servers start from the top on an unknown marker: the
    # caller's marker vanished, so the first page repeats forever.
    server = Server(10)
    serve(requests_mock, server)
    found = ids_of(sc.events.list(marker='f' * 32, page_size=4))
    assert found == [e['id'] for e in server.events]
    assert requests_mock.call_count < 10


def test_events_without_ids_do_not_loop(requests_mock, sc):
    requests_mock.get(fakes.EVENTS, json=bounded(
        lambda r, c: {'events': [{'name': 'no-id'}]}))
    found = [e.name for e in sc.events.list()]
    assert found == ['no-id']
    assert requests_mock.call_count == 1
