"""The endpoint is found in the catalog once per client, not per call."""

from __future__ import annotations

from unittest import mock

from keystoneauth1.access import service_catalog

from sidecarclient import exceptions
from tests.unit import fakes

EVENT_ID = 'e' * 32
CATALOG_ENDPOINT = fakes.catalog_url(fakes.REGIONS[0], 'public')


def count_catalog_lookups() -> mock._patch[mock.MagicMock]:
    real = service_catalog.ServiceCatalog.endpoint_data_for
    return mock.patch.object(
        service_catalog.ServiceCatalog,
        'endpoint_data_for',
        autospec=True,
        side_effect=real,
    )


def test_many_calls_read_the_catalog_once(requests_mock):
    auth = fakes.stub_v3_auth(requests_mock)
    requests_mock.get(
        f'{CATALOG_ENDPOINT}/evacuates/events/{EVENT_ID}',
        json={'event': fakes.event(id=EVENT_ID)},
    )
    requests_mock.get(
        f'{CATALOG_ENDPOINT}/evacuates/events', json={'events': []}
    )
    sidecar = fakes.v3_client()

    with count_catalog_lookups() as lookups:
        for _ in range(5):
            sidecar.events.detail(EVENT_ID)
        list(sidecar.events.list())

    assert lookups.call_count == 1
    assert auth.call_count == 1
    sent = fakes.sidecar_requests(requests_mock)
    assert len(sent) == 6
    assert all(r.url.startswith(CATALOG_ENDPOINT + '/') for r in sent)


def test_the_endpoint_outlives_a_token_renewal(requests_mock):
    auth = fakes.stub_v3_auth(requests_mock, 'first-token', 'second-token')
    url = f'{CATALOG_ENDPOINT}/evacuates/events/{EVENT_ID}'
    requests_mock.get(url, [
        {'json': {'event': fakes.event(id=EVENT_ID)}},
        {'status_code': 401, 'json': {}},
        {'json': {'event': fakes.event(id=EVENT_ID)}},
    ])
    sidecar = fakes.v3_client()

    with count_catalog_lookups() as lookups:
        sidecar.events.detail(EVENT_ID)
        # The 401 makes keystoneauth fetch a new token and send again.
        sidecar.events.detail(EVENT_ID)

    assert auth.call_count == 2
    assert lookups.call_count == 1
    tokens = [r.headers['X-Auth-Token']
              for r in fakes.sidecar_requests(requests_mock)]
    assert tokens == ['first-token', 'first-token', 'second-token']


def test_a_missing_endpoint_is_reported_each_time(requests_mock):
    # Only a found endpoint is kept: a failed lookup is tried again.
    fakes.stub_v3_auth(requests_mock)
    sidecar = fakes.v3_client(region_name='RegionNine')

    for _ in range(2):
        try:
            sidecar.events.detail(EVENT_ID)
        except exceptions.EndpointNotFound as exc:
            assert 'RegionNine' in str(exc)
        else:
            raise AssertionError('no EndpointNotFound')
    assert fakes.sidecar_requests(requests_mock) == []
