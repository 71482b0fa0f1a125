"""``openstack sidecar version list``."""

from __future__ import annotations

import json

from sidecarclient.osc.v2 import version
from tests.unit import fakes

# The unversioned root of fakes.ENDPOINT.
ROOT = fakes.ENDPOINT.removesuffix('v2')
DOCUMENT = {'versions': [
    {'v2': {'date': '2016-08-07T00:00:00', 'status': 'current'}},
    {'v1': {'date': '2015-01-01T00:00:00', 'status': 'deprecated'}},
]}


def test_parser_takes_no_argument():
    cmd = version.ListVersion(None, None)
    parser = cmd.get_parser('openstack')

    assert parser.parse_args([]).columns == []


def test_table(sidecar, requests_mock):
    requests_mock.get(ROOT, json=DOCUMENT)

    result = sidecar('version', 'list')

    assert (result.code, result.stdout) == (0, (
        '+---------+---------------------+------------+\n'
        '| Version | Date                | Status     |\n'
        '+---------+---------------------+------------+\n'
        '| v2      | 2016-08-07T00:00:00 | current    |\n'
        '| v1      | 2015-01-01T00:00:00 | deprecated |\n'
        '+---------+---------------------+------------+\n'
    ))
    assert [(r.method, r.url) for r in requests_mock.request_history] == [
        ('GET', ROOT)
    ]


def test_json(sidecar, requests_mock):
    requests_mock.get(ROOT, json=DOCUMENT)

    result = sidecar('version', 'list', '-f', 'json')

    assert result.stdout == json.dumps([
        {'Version': 'v2', 'Date': '2016-08-07T00:00:00',
         'Status': 'current'},
        {'Version': 'v1', 'Date': '2015-01-01T00:00:00',
         'Status': 'deprecated'},
    ], indent=2) + '\n'


def test_not_json(sidecar, requests_mock):
    requests_mock.get(ROOT, text='<html>hello</html>')

    result = sidecar('version', 'list')

    assert (result.code, result.stdout) == (1, '')
    assert str(result.error) == (
        f'Unexpected response from the server for GET {ROOT} (HTTP 200): '
        f'the body is not JSON'
    )
