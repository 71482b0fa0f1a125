"""The legacy ``sidecar`` shell: options, requests, output, exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import requests
import urllib3

from sidecarclient import shell
from sidecarclient import version_string
from tests.unit import fakes

EVENT_ID = 'e' * 32
EVENT_URL = fakes.EVENTS + '/' + EVENT_ID
EVENT = fakes.event(
    id=EVENT_ID,
    name='host-7-down',
    node_uuid='node-0007',
    vm_uuid_list=['vm-1', 'vm-2'],
)
HEADERS = {'x-openstack-request-id': fakes.REQUEST_ID}

# A given token sent as is to the explicit endpoint: Keystone not called.
TOKEN_ARGS = [
    '--os-auth-token', fakes.GIVEN_TOKEN, '--os-endpoint', fakes.ENDPOINT,
]
V3_ARGS = [
    '--os-auth-url', fakes.V3_AUTH_URL,
    '--os-auth-version', '3',
    '--os-username', fakes.USERNAME,
    '--os-password', fakes.PASSWORD,
    '--os-user-domain-name', fakes.DOMAIN_NAME,
    '--os-project-name', fakes.TENANT_NAME,
    '--os-project-domain-name', fakes.DOMAIN_NAME,
    '--os-region-name', 'RegionOne',
]
V3_EVENTS = fakes.catalog_url('RegionOne', 'public') + '/evacuates/events'

SUBCOMMANDS = (
    'all-versions',
    'bash-completion',
    'evacuates-event-create',
    'evacuates-event-delete',
    'evacuates-event-detail',
    'evacuates-event-edit',
    'evacuates-events-list',
    'help',
)
# option -> (environment variables in the order read, Namespace attribute)
GLOBAL_OPTIONS = {
    '--os-username': (('OS_USERNAME', 'OS_USER_NAME'), 'os_username'),
    '--os-password': (('OS_PASSWORD', 'OS_USER_PASSWORD'), 'os_password'),
    '--os-user-id': (('OS_USER_ID',), 'os_user_id'),
    '--os-tenant-name': (('OS_TENANT_NAME',), 'os_tenant_name'),
    '--os-tenant-id': (('OS_TENANT_ID',), 'os_tenant_id'),
    '--os-project-name': (('OS_PROJECT_NAME',), 'os_project_name'),
    '--os-project-id': (('OS_PROJECT_ID',), 'os_project_id'),
    '--os-project-domain-name': (
        ('OS_PROJECT_DOMAIN_NAME',), 'os_project_domain_name'),
    '--os-project-domain-id': (
        ('OS_PROJECT_DOMAIN_ID',), 'os_project_domain_id'),
    '--os-user-domain-id': (('OS_USER_DOMAIN_ID',), 'os_user_domain_id'),
    '--os-user-domain-name': (
        ('OS_USER_DOMAIN_NAME',), 'os_user_domain_name'),
    '--os-auth-token': (('OS_AUTH_TOKEN',), 'os_auth_token'),
    '--os-auth-url': (('OS_AUTH_URL',), 'os_auth_url'),
    '--os-endpoint': (('OS_ENDPOINT',), 'os_endpoint'),
    '--os-endpoint-type': (
        ('OS_ENDPOINT_TYPE', 'OS_INTERFACE'), 'os_endpoint_type'),
    '--os-region-name': (('OS_REGION_NAME',), 'os_region_name'),
    '--os-insecure': (('OS_INSECURE',), 'os_insecure'),
    '--os-timeout': (('OS_TIMEOUT',), 'os_timeout'),
    '--os-auth-version': (
        ('OS_AUTH_VERSION', 'OS_IDENTITY_API_VERSION'), 'os_auth_version'),
    '--os-cacert': (('OS_CACERT',), 'os_cacert'),
}

EVENT_TABLE = """\
+---------------------+----------------------------------+
| Field Name          | Value                            |
+---------------------+----------------------------------+
| id                  | eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee |
| name                | host-7-down                      |
| event_status        | created                          |
| node_uuid           | node-0007                        |
| event_create_time   | 2026-12-01 10:20:30              |
| event_complete_time |                                  |
| vm_uuid_list        | vm-1                             |
|                     | vm-2                             |
| extra               |                                  |
+---------------------+----------------------------------+
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No OS_* variable of the machine running the tests leaks in."""
    for name in list(os.environ):
        if name.startswith('OS_'):
            monkeypatch.delenv(name)


def run(capsys, *argv):
    """Run the shell; return (exit status, stdout, stderr)."""
    try:
        status = shell.main(list(argv))
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def parse(*argv):
    parser, _ = shell.build_parser()
    return parser.parse_args(list(argv))


def assert_usage_error(status, out, err, mocker, message):
    assert status == 2
    assert out == ''
    assert message in err
    assert 'Traceback' not in err
    assert mocker.request_history == []


# -- Global options and the environment -------------------------------------


@pytest.mark.parametrize('option', sorted(GLOBAL_OPTIONS))
def test_global_option_defaults_to_its_variable(monkeypatch, option):
    names, attribute = GLOBAL_OPTIONS[option]
    monkeypatch.setenv(names[0], 'from-env')
    assert getattr(parse('help'), attribute) == 'from-env'


@pytest.mark.parametrize('option', sorted(GLOBAL_OPTIONS))
def test_global_option_beats_its_variable(monkeypatch, option):
    names, attribute = GLOBAL_OPTIONS[option]
    for name in names:
        monkeypatch.setenv(name, 'from-env')
    assert getattr(parse(option, 'from-flag', 'help'), attribute) \
        == 'from-flag'


def test_global_options_unset():
    args = parse('help')
    for _, attribute in GLOBAL_OPTIONS.values():
        assert getattr(args, attribute) is None
    assert args.debug is False


@pytest.mark.parametrize(
    'variables, expected',
    [
        ({'OS_USER_NAME': 'legacy'}, 'legacy'),
        ({'OS_USERNAME': 'modern', 'OS_USER_NAME': 'legacy'}, 'modern'),
        ({'OS_USERNAME': '', 'OS_USER_NAME': 'legacy'}, 'legacy'),
    ],
    ids=['fallback', 'first-wins', 'empty-is-unset'],
)
def test_username_variables(monkeypatch, variables, expected):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert parse('help').os_username == expected


@pytest.mark.parametrize(
    'variables, attribute, expected',
    [
        ({'OS_IDENTITY_API_VERSION': '3'}, 'os_auth_version', '3'),
        ({'OS_AUTH_VERSION': '2', 'OS_IDENTITY_API_VERSION': '3'},
         'os_auth_version', '2'),
        ({'OS_INTERFACE': 'internal'}, 'os_endpoint_type', 'internal'),
        ({'OS_ENDPOINT_TYPE': 'adminURL', 'OS_INTERFACE': 'internal'},
         'os_endpoint_type', 'adminURL'),
    ],
    ids=['identity-version', 'auth-version-first', 'interface',
         'endpoint-type-first'],
)
def test_openrc_variables_of_openstackclient(monkeypatch, variables,
                                             attribute, expected):
    # An openrc written for OpenStackClient sets these names.
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert getattr(parse('help'), attribute) == expected


def test_password_fallback_variable(monkeypatch):
    monkeypatch.setenv('OS_USER_PASSWORD', 'legacy-secret')
    assert parse('help').os_password == 'legacy-secret'


def test_misspelt_endpoint_type_option():
    assert parse('--os-enpoint-type', 'internalURL', 'help') \
        .os_endpoint_type == 'internalURL'


def test_legacy_variables_reach_keystone(monkeypatch, capsys, requests_mock):
    """OS_USER_NAME and OS_USER_PASSWORD log in like the modern names."""
    login = fakes.stub_v3_auth(requests_mock)
    requests_mock.get(V3_EVENTS, json={'events': []})
    for name, value in {
        'OS_AUTH_URL': fakes.V3_AUTH_URL,
        'OS_AUTH_VERSION': '3',
        'OS_USER_NAME': fakes.USERNAME,
        'OS_USER_PASSWORD': fakes.PASSWORD,
        'OS_USER_DOMAIN_NAME': fakes.DOMAIN_NAME,
        'OS_PROJECT_NAME': fakes.TENANT_NAME,
        'OS_PROJECT_DOMAIN_NAME': fakes.DOMAIN_NAME,
        'OS_REGION_NAME': 'RegionOne',
    }.items():
        monkeypatch.setenv(name, value)

    status, _, err = run(capsys, 'evacuates-events-list')

    assert (status, err) == (0, '')
    user = login.last_request.json()['auth']['identity']['password']['user']
    assert user == {
        'name': fakes.USERNAME,
        'domain': {'name': fakes.DOMAIN_NAME},
        'password': fakes.PASSWORD,
    }


def test_flags_beat_variables_at_keystone(monkeypatch, capsys,
                                          requests_mock):
    login = fakes.stub_v3_auth(requests_mock)
    requests_mock.get(V3_EVENTS, json={'events': []})
    monkeypatch.setenv('OS_USERNAME', 'someone-else')
    monkeypatch.setenv('OS_PASSWORD', 'another-password')

    status, _, _ = run(capsys, *V3_ARGS, 'evacuates-events-list')

    assert status == 0
    user = login.last_request.json()['auth']['identity']['password']['user']
    assert (user['name'], user['password']) == (
        fakes.USERNAME, fakes.PASSWORD
    )


def test_v2_password_login(capsys, requests_mock):
    login = fakes.stub_v2_auth(requests_mock)
    listed = requests_mock.get(
        fakes.catalog_url('RegionTwo', 'public') + '/evacuates/events',
        json={'events': []},
    )

    status, _, err = run(
        capsys,
        '--os-auth-url', fakes.V2_AUTH_URL,
        '--os-auth-version', '2',
        '--os-username', fakes.USERNAME,
        '--os-password', fakes.PASSWORD,
        '--os-tenant-name', fakes.TENANT_NAME,
        '--os-region-name', 'RegionTwo',
        'evacuates-events-list',
    )

    assert (status, err) == (0, '')
    assert login.last_request.json() == {
        'auth': {
            'passwordCredentials': {
                'username': fakes.USERNAME, 'password': fakes.PASSWORD,
            },
            'tenantName': fakes.TENANT_NAME,
        }
    }
    assert listed.last_request.headers['X-Auth-Token'] == fakes.V2_TOKEN


@pytest.mark.parametrize('option',
                         ['--os-endpoint-type', '--os-enpoint-type'])
def test_endpoint_type_picks_the_catalog_interface(capsys, requests_mock,
                                                   option):
    fakes.stub_v3_auth(requests_mock)
    listed = requests_mock.get(
        fakes.catalog_url('RegionOne', 'internal') + '/evacuates/events',
        json={'events': []},
    )

    status, _, _ = run(
        capsys, *V3_ARGS, option, 'internalURL', 'evacuates-events-list'
    )

    assert status == 0
    assert listed.called_once
    assert listed.last_request.headers['X-Auth-Token'] == fakes.V3_TOKEN


def test_connection_options_reach_the_request(capsys, requests_mock,
                                              tmp_path):
    listed = requests_mock.get(fakes.EVENTS, json={'events': []})
    bundle = tmp_path / 'ca.pem'
    bundle.write_text('not checked by requests-mock')

    status, _, _ = run(
        capsys, *TOKEN_ARGS, '--os-timeout', '7.5', '--os-cacert',
        str(bundle), 'evacuates-events-list',
    )

    assert status == 0
    assert listed.last_request.timeout == 7.5
    assert listed.last_request.verify == str(bundle)
    assert listed.last_request.headers['X-Auth-Token'] == fakes.GIVEN_TOKEN


def test_insecure_turns_verification_off(monkeypatch, capsys,
                                         requests_mock):
    listed = requests_mock.get(fakes.EVENTS, json={'events': []})
    monkeypatch.setenv('OS_INSECURE', 'True')

    status, _, _ = run(capsys, *TOKEN_ARGS, 'evacuates-events-list')

    assert status == 0
    assert listed.last_request.verify is False


# -- Values refused before any request --------------------------------------


@pytest.mark.parametrize(
    'argv, message',
    [
        (['evacuates-events-list', '--limit', '0'],
         'sidecar evacuates-events-list: error: --limit must be between 1 '
         'and 2147483647, not 0\n'),
        (['evacuates-events-list', '--limit', 'ten'],
         "limit must be a positive integer, not 'ten'"),
        (['evacuates-events-list', '--event-status', 'done'],
         "event status 'done' is not one of: created, running, completed"),
        (['evacuates-events-list', '--min-event-create-time', 'yesterday'],
         "--min-event-create-time 'yesterday' is not a valid time"),
        (['evacuates-event-create', '--name', 'ab', '--node-uuid', 'n'],
         "name 'ab' must be 3 to 100 characters long (it has 2)"),
        (['evacuates-event-create', '--name', 'h' * 101, '--node-uuid', 'n'],
         'must be 3 to 100 characters long (it has 101)'),
        (['evacuates-event-create', '--name', 'host-7', '--node-uuid', 'n',
          '--vm-uuid-list', 'vm-1,vm-2,vm-1'],
         "instance id 'vm-1' appears more than once"),
        (['evacuates-event-create', '--name', 'host-7', '--node-uuid', 'n',
          '--vm-uuid-list', 'vm-1,,vm-2'],
         'an instance id in vm_uuid_list must not be empty'),
        (['evacuates-event-edit', '--id', EVENT_ID, '--event-status',
          'created'],
         "event status 'created' is not one of: running, completed"),
        (['evacuates-event-edit', '--id', EVENT_ID, '--name', 'bad-'],
         "name 'bad-' is not valid"),
        (['evacuates-event-edit', '--id', EVENT_ID],
         'sidecar evacuates-event-edit: error: nothing to change: give at '
         'least one of --name, --node-uuid, --event-status, '
         '--vm-uuid-list\n'),
        (['evacuates-event-detail', '--id', ''], 'id must not be empty'),
    ],
    ids=['limit-0', 'limit-text', 'status', 'time', 'short-name',
         'long-name', 'repeated-vm', 'empty-vm', 'edit-status',
         'edit-name', 'edit-nothing', 'empty-id'],
)
def test_bad_subcommand_value(capsys, requests_mock, argv, message):
    status, out, err = run(capsys, *TOKEN_ARGS, *argv)
    assert_usage_error(status, out, err, requests_mock, message)
    # The value was understood but not accepted: one line, no usage.
    assert err.count('\n') == 1


@pytest.mark.parametrize(
    'argv, message',
    [
        (['--os-timeout', 'soon'],
         "sidecar: error: timeout must be a number of seconds, not 'soon'\n"),
        (['--os-insecure', 'maybe'],
         "insecure must be true or false"),
        (['--os-endpoint-type', 'private'],
         "endpoint type 'private' is not one of: public, internal, admin"),
        (['--os-auth-version', '4'],
         "auth_version '4' is not supported: use 2 or 3"),
    ],
    ids=['timeout', 'insecure', 'endpoint-type', 'auth-version'],
)
def test_bad_global_value(capsys, requests_mock, argv, message):
    status, out, err = run(
        capsys, *V3_ARGS, *argv, 'evacuates-events-list'
    )
    assert_usage_error(status, out, err, requests_mock, message)
    assert err.startswith('sidecar: error: ')


@pytest.mark.parametrize(
    'argv, message',
    [
        ([], 'sidecar: error: missing authentication options: --os-auth-url '
             '(env[OS_AUTH_URL]), --os-username (env[OS_USERNAME]) or '
             '--os-user-id (env[OS_USER_ID]), --os-password '
             '(env[OS_PASSWORD]); or give --os-auth-token\n'),
        (['--os-auth-url', fakes.V3_AUTH_URL, '--os-user-id', 'u'],
         'sidecar: error: missing authentication options: --os-password '
         '(env[OS_PASSWORD]); or give --os-auth-token\n'),
        (['--os-auth-token', 't'],
         'sidecar: error: --os-auth-url (env[OS_AUTH_URL]) is required '
         'with --os-auth-token unless --os-endpoint is given\n'),
        (TOKEN_ARGS + ['--os-cacert', '/nonexistent/ca.pem'],
         'sidecar: error: --os-cacert: no such file: /nonexistent/ca.pem\n'),
    ],
    ids=['nothing', 'no-password', 'token-alone', 'cacert'],
)
def test_missing_authentication(capsys, requests_mock, argv, message):
    status, out, err = run(capsys, *argv, 'all-versions')
    assert_usage_error(status, out, err, requests_mock, message)
    assert err == message


@pytest.mark.parametrize(
    'argv, missing',
    [
        (['evacuates-event-detail'], '--id'),
        (['evacuates-event-delete'], '--id'),
        (['evacuates-event-edit', '--name', 'host-8'], '--id'),
        (['evacuates-event-create', '--node-uuid', 'n'], '--name'),
        (['evacuates-event-create', '--name', 'host-8'], '--node-uuid'),
    ],
)
def test_required_options(capsys, requests_mock, argv, missing):
    status, out, err = run(capsys, *TOKEN_ARGS, *argv)
    assert_usage_error(
        status, out, err, requests_mock,
        f'error: the following arguments are required: {missing}\n',
    )
    assert err.startswith(f'usage: sidecar {argv[0]} ')


def test_unknown_option(capsys, requests_mock):
    status, out, err = run(
        capsys, *TOKEN_ARGS, 'evacuates-events-list', '--status', 'running'
    )
    assert_usage_error(status, out, err, requests_mock,
                       'unrecognized arguments: --status running')


def test_unknown_subcommand(capsys, requests_mock):
    status, out, err = run(capsys, 'evacuates-event-show')
    assert_usage_error(status, out, err, requests_mock,
                       "invalid choice: 'evacuates-event-show'")


# -- Requests and output ----------------------------------------------------


def test_list_without_filters(capsys, requests_mock):
    completed = fakes.event(
        id='c' * 32,
        name='host-3',
        node_uuid='node-3',
        event_status='completed',
        event_create_time='2026-11-30 08:00:00',
        event_complete_time='2026-11-30 09:15:00',
        vm_uuid_list=None,
        # List returns extra as the raw text the server stored.
        extra='{"ticket": "OPS-12", "auto": true}',
    )
    listed = requests_mock.get(
        fakes.EVENTS,
        [{'json': {'events': [EVENT, completed]}}, {'json': {'events': []}}],
    )

    status, out, err = run(capsys, *TOKEN_ARGS, 'evacuates-events-list')

    assert (status, err) == (0, '')
    # Every page is read, until an empty one.
    first, second = listed.request_history
    assert fakes.query(first) == {}
    assert first.headers['Accept'] == 'application/json'
    assert fakes.query(second) == {'marker': ['c' * 32], 'limit': ['4']}
    assert out == (
        '+----------------------------------+-------------+--------------'
        '+-----------+---------------------+---------------------'
        '+--------------+------------------------------------+\n'
        '| id                               | name        | event_status '
        '| node_uuid | event_create_time   | event_complete_time '
        '| vm_uuid_list | extra                              |\n'
        '+----------------------------------+-------------+--------------'
        '+-----------+---------------------+---------------------'
        '+--------------+------------------------------------+\n'
        '| eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee | host-7-down | created      '
        '| node-0007 | 2026-12-01 10:20:30 |                     '
        '| vm-1         |                                    |\n'
        '|                                  |             |              '
        '|           |                     |                     '
        '| vm-2         |                                    |\n'
        '| cccccccccccccccccccccccccccccccc | host-3      | completed    '
        '| node-3    | 2026-11-30 08:00:00 | 2026-11-30 09:15:00 '
        '|              | {"auto": true, "ticket": "OPS-12"} |\n'
        '+----------------------------------+-------------+--------------'
        '+-----------+---------------------+---------------------'
        '+--------------+------------------------------------+\n'
    )


def test_list_empty(capsys, requests_mock):
    requests_mock.get(fakes.EVENTS, json={'events': []})

    status, out, _ = run(capsys, *TOKEN_ARGS, 'evacuates-events-list')

    assert status == 0
    header = (
        '| id | name | event_status | node_uuid | event_create_time '
        '| event_complete_time | vm_uuid_list | extra |'
    )
    rule = re.sub(r'[^|]', '-', header).replace('|', '+')
    assert out == f'{rule}\n{header}\n{rule}\n{rule}\n'


def test_list_with_every_filter(capsys, requests_mock):
    listed = requests_mock.get(
        fakes.EVENTS,
        [{'json': {'events': [dict(EVENT, event_status='running')]}},
         {'json': {'events': []}}],
    )

    status, out, _ = run(
        capsys, *TOKEN_ARGS, 'evacuates-events-list',
        '--id', EVENT_ID,
        '--name', 'Host-7-Down',
        '--node-uuid', 'node-0007',
        '--event-status', 'running',
        '--event-create-time', '2026-12-01T10:20:30',
        '--min-event-create-time', '2026-12-01 00:00:00',
        '--max-event-create-time', '2026-12-02T00:00:00',
        '--marker', 'a' * 32,
        '--limit', '5',
    )

    assert status == 0
    assert fakes.query(listed.request_history[0]) == {
        'id': [EVENT_ID],
        'name': ['Host-7-Down'],
        'node_uuid': ['node-0007'],
        'event_status': ['running'],
        'event_create_time': ['2026-12-01 10:20:30'],
        'min_event_create_time': ['2026-12-01 00:00:00'],
        'max_event_create_time': ['2026-12-02 00:00:00'],
        'marker': ['a' * 32],
        'limit': ['5'],
    }
    assert out.count(EVENT_ID) == 1


def test_list_limit_stops_paging(capsys, requests_mock):
    page = fakes.events(3)
    listed = requests_mock.get(fakes.EVENTS, json={'events': page})

    status, out, _ = run(
        capsys, *TOKEN_ARGS, 'evacuates-events-list', '--limit', '2'
    )

    assert status == 0
    assert listed.call_count == 1
    assert fakes.query(listed.last_request) == {'limit': ['2']}
    assert [e['id'] for e in page if e['id'] in out] == \
        [page[0]['id'], page[1]['id']]


def test_create(capsys, requests_mock):
    created = requests_mock.post(
        fakes.EVENTS, json={'event': EVENT}, status_code=201
    )

    status, out, err = run(
        capsys, *TOKEN_ARGS, 'evacuates-event-create',
        '--name', 'host-7-down', '--node-uuid', 'node-0007',
        '--vm-uuid-list', 'vm-1, vm-2',
    )

    assert (status, err) == (0, '')
    assert created.call_count == 1
    sent = created.last_request
    assert sent.headers['Content-Type'] == 'application/json'
    assert sent.json() == {
        'event': {
            'name': 'host-7-down',
            'node_uuid': 'node-0007',
            'vm_uuid_list': ['vm-1', 'vm-2'],
        }
    }
    assert out == EVENT_TABLE


@pytest.mark.parametrize('extra_argv', [[], ['--vm-uuid-list', '']],
                         ids=['no-option', 'empty'])
def test_create_without_instances(capsys, requests_mock, extra_argv):
    created = requests_mock.post(
        fakes.EVENTS, json={'event': EVENT}, status_code=201
    )

    status, _, _ = run(
        capsys, *TOKEN_ARGS, 'evacuates-event-create',
        '--name', 'host-7-down', '--node-uuid', 'node-0007', *extra_argv,
    )

    assert status == 0
    assert created.last_request.json()['event']['vm_uuid_list'] == []


def test_detail(capsys, requests_mock):
    shown = requests_mock.get(EVENT_URL, json={'event': EVENT})

    status, out, err = run(
        capsys, *TOKEN_ARGS, 'evacuates-event-detail', '--id', EVENT_ID
    )

    assert (status, err) == (0, '')
    assert shown.call_count == 1
    assert out == EVENT_TABLE


def test_detail_shows_unknown_fields_last(capsys, requests_mock):
    newer = dict(EVENT, extra={'ticket': 'OPS-7'}, zone='az-1')
    requests_mock.get(EVENT_URL, json={'event': newer})

    status, out, _ = run(
        capsys, *TOKEN_ARGS, 'evacuates-event-detail', '--id', EVENT_ID
    )

    assert status == 0
    rows = [line for line in out.splitlines() if line.startswith('| ')]
    assert rows[-2:] == [
        '| extra               | {"ticket": "OPS-7"}              |',
        '| zone                | az-1                             |',
    ]


def test_edit_prints_the_event_afterwards(capsys, requests_mock):
    edited = requests_mock.put(EVENT_URL, status_code=204)
    after = dict(EVENT, name='host-7-evacuated', event_status='completed',
                 event_complete_time='2026-12-01 11:00:00',
                 vm_uuid_list=[])
    shown = requests_mock.get(EVENT_URL, json={'event': after})

    status, out, err = run(
        capsys, *TOKEN_ARGS, 'evacuates-event-edit', '--id', EVENT_ID,
        '--name', 'host-7-evacuated', '--node-uuid', 'node-0008',
        '--event-status', 'completed', '--vm-uuid-list', '',
    )

    assert (status, err) == (0, '')
    assert [r.method for r in requests_mock.request_history] == \
        ['PUT', 'GET']
    assert edited.last_request.json() == {
        'event': {
            'name': 'host-7-evacuated',
            'node_uuid': 'node-0008',
            'event_status': 'completed',
            'vm_uuid_list': [],
        }
    }
    assert edited.last_request.headers['Content-Type'] == 'application/json'
    assert shown.call_count == 1
    assert out == """\
+---------------------+----------------------------------+
| Field Name          | Value                            |
+---------------------+----------------------------------+
| id                  | eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee |
| name                | host-7-evacuated                 |
| event_status        | completed                        |
| node_uuid           | node-0007                        |
| event_create_time   | 2026-12-01 10:20:30              |
| event_complete_time | 2026-12-01 11:00:00              |
| vm_uuid_list        |                                  |
| extra               |                                  |
+---------------------+----------------------------------+
"""


def test_edit_sends_only_what_was_given(capsys, requests_mock):
    edited = requests_mock.put(EVENT_URL, status_code=204)
    requests_mock.get(EVENT_URL, json={'event': EVENT})

    status, _, _ = run(
        capsys, *TOKEN_ARGS, 'evacuates-event-edit', '--id', EVENT_ID,
        '--vm-uuid-list', 'vm-9',
    )

    assert status == 0
    assert edited.last_request.json() == {'event': {'vm_uuid_list': ['vm-9']}}


def test_delete(capsys, requests_mock):
    deleted = requests_mock.delete(EVENT_URL, status_code=204)

    status, out, err = run(
        capsys, *TOKEN_ARGS, 'evacuates-event-delete', '--id', EVENT_ID
    )

    assert (status, out, err) == (0, '', '')
    assert deleted.call_count == 1
    assert len(requests_mock.request_history) == 1


def test_all_versions(capsys, requests_mock):
    root = requests_mock.get(
        'http://sidecar.test:9090/',
        json={'versions': [
            {'v2': {'date': '2016-08-07T00:00:00', 'status': 'current'}},
        ]},
    )

    status, out, err = run(capsys, *TOKEN_ARGS, 'all-versions')

    assert (status, err) == (0, '')
    assert root.call_count == 1
    assert out == """\
+---------+---------+---------------------+
| version | status  | date                |
+---------+---------+---------------------+
| v2      | current | 2016-08-07T00:00:00 |
+---------+---------+---------------------+
"""


# -- Failures of the service ------------------------------------------------


def stub_error(mocker, method, url, status, message=None, text=None,
               content_type='text/html'):
    if message is not None:
        mocker.register_uri(
            method, url, status_code=status,
            headers=dict(HEADERS, **{'Content-Type': 'application/json'}),
            text=fakes.error_body(status, message),
        )
    else:
        mocker.register_uri(
            method, url, status_code=status,
            headers=dict(HEADERS, **{'Content-Type': content_type}),
            text=text or '<html><body>Nope</body></html>',
        )


@pytest.mark.parametrize(
    'argv, method, url, status, message, expected',
    [
        (['evacuates-event-detail', '--id', EVENT_ID], 'GET', EVENT_URL,
         404, f'Event {EVENT_ID} could not be found.',
         f'Event {EVENT_ID} not found (HTTP 404)'),
        (['evacuates-event-delete', '--id', EVENT_ID], 'DELETE', EVENT_URL,
         404, f'Event {EVENT_ID} could not be found.',
         f'Event {EVENT_ID} not found (HTTP 404)'),
        (['evacuates-event-edit', '--id', EVENT_ID, '--name', 'host-8'],
         'PUT', EVENT_URL, 404, f'Event {EVENT_ID} could not be found.',
         f'Event {EVENT_ID} not found (HTTP 404)'),
        (['evacuates-event-delete', '--id', EVENT_ID], 'DELETE', EVENT_URL,
         403, f'Event {EVENT_ID} is running: only a completed event can be '
         f'deleted.',
         f'Cannot delete event {EVENT_ID}: Event {EVENT_ID} is running: '
         f'only a completed event can be deleted. (HTTP 403)'),
        (['evacuates-event-create', '--name', 'host-7', '--node-uuid', 'n'],
         'POST', fakes.EVENTS, 409, 'There is already an event named host-7',
         "Cannot create event 'host-7': There is already an event named "
         "host-7 (HTTP 409)"),
        (['evacuates-event-edit', '--id', EVENT_ID, '--name', 'host-7'],
         'PUT', EVENT_URL, 409, 'There is already an event named host-7',
         f'Cannot edit event {EVENT_ID}: There is already an event named '
         f'host-7 (HTTP 409)'),
        (['evacuates-events-list'], 'GET', fakes.EVENTS, 403,
         "Policy doesn't allow sidecar:event:list to be performed: the "
         "admin role is required.",
         "Cannot list events: Policy doesn't allow sidecar:event:list to "
         "be performed: the admin role is required. (HTTP 403)"),
        (['evacuates-events-list'], 'GET', fakes.EVENTS, 401,
         'The request you have made requires authentication.',
         'Cannot list events: The request you have made requires '
         'authentication. (HTTP 401)'),
        (['evacuates-events-list'], 'GET', fakes.EVENTS, 500,
         'Unexpected database failure',
         'Cannot list events: Unexpected database failure (HTTP 500)'),
    ],
    ids=['detail-404', 'delete-404', 'edit-404', 'delete-403',
         'create-409', 'edit-409', 'list-403', 'list-401', 'list-500'],
)
def test_service_refusal(capsys, requests_mock, argv, method, url, status,
                         message, expected):
    stub_error(requests_mock, method, url, status, message)

    code, out, err = run(capsys, *TOKEN_ARGS, *argv)

    assert (code, out) == (1, '')
    assert err == f'ERROR: {expected} (Request-ID: {fakes.REQUEST_ID})\n'


@pytest.mark.parametrize(
    'content_type, text, expected',
    [
        ('text/html', '<html><h1>Internal Server Error</h1></html>',
         'Internal Server Error'),
        ('text/plain', '\n  database is locked  \nat line 3\n',
         'database is locked'),
        ('text/plain', 'x' * 300, 'x' * 200 + '...'),
    ],
    ids=['html', 'text', 'long-text'],
)
def test_server_error_without_json(capsys, requests_mock, content_type,
                                   text, expected):
    stub_error(requests_mock, 'GET', fakes.EVENTS, 500, text=text,
               content_type=content_type)

    code, _, err = run(capsys, *TOKEN_ARGS, 'evacuates-events-list')

    assert code == 1
    assert err == (
        f'ERROR: Cannot list events: {expected} (HTTP 500) '
        f'(Request-ID: {fakes.REQUEST_ID})\n'
    )


def test_html_404_points_at_the_endpoint(capsys, requests_mock):
    stub_error(requests_mock, 'GET', EVENT_URL, 404)

    code, _, err = run(
        capsys, *TOKEN_ARGS, 'evacuates-event-detail', '--id', EVENT_ID
    )

    assert code == 1
    assert err == (
        f'ERROR: Event {EVENT_ID} not found: no such URL {EVENT_URL} '
        f'(check the Sidecar endpoint) (HTTP 404) '
        f'(Request-ID: {fakes.REQUEST_ID})\n'
    )


def test_edit_then_failed_read_back(capsys, requests_mock):
    requests_mock.put(EVENT_URL, status_code=204)
    stub_error(requests_mock, 'GET', EVENT_URL, 500, 'Database is down')

    code, out, err = run(
        capsys, *TOKEN_ARGS, 'evacuates-event-edit', '--id', EVENT_ID,
        '--event-status', 'running',
    )

    assert (code, out) == (1, '')
    assert err == (
        f'ERROR: Event {EVENT_ID} was changed, but reading it back failed: '
        f'Database is down (HTTP 500) (Request-ID: {fakes.REQUEST_ID})\n'
    )


def test_keystone_refuses_the_password(capsys, requests_mock):
    requests_mock.post(
        fakes.V3_AUTH_URL + '/auth/tokens', status_code=401,
        headers=dict(HEADERS, **{'Content-Type': 'application/json'}),
        text=fakes.error_body(
            401, 'The request you have made requires authentication.'
        ),
    )

    code, out, err = run(capsys, *V3_ARGS, 'evacuates-events-list')

    assert (code, out) == (1, '')
    assert err == (
        'ERROR: Keystone refused the request: The request you have made '
        f'requires authentication. (HTTP 401) '
        f'(Request-ID: {fakes.REQUEST_ID})\n'
    )
    assert fakes.sidecar_requests(requests_mock) == []


def test_no_endpoint_in_the_catalog(capsys, requests_mock):
    fakes.stub_v3_auth(requests_mock)

    code, _, err = run(
        capsys, *V3_ARGS, '--os-region-name', 'RegionNine', 'all-versions'
    )

    assert code == 1
    assert err == (
        "ERROR: Cannot list the API versions: No 'sidecar' endpoint with "
        "interface 'public' in region 'RegionNine' of the service catalog; "
        "check the region and interface, or give the endpoint explicitly\n"
    )


def refused(method, url):
    """The exception requests raises when nothing listens at ``url``."""
    cause = ConnectionRefusedError(111, 'Connection refused')
    failure = urllib3.exceptions.NewConnectionError(
        None, f'Failed to establish a new connection: {cause}'
    )
    failure.__cause__ = cause
    retries = urllib3.exceptions.MaxRetryError(None, url, failure)
    request = requests.Request(method, url).prepare()
    return requests.exceptions.ConnectionError(retries, request=request)


def test_connection_refused(capsys, requests_mock):
    requests_mock.delete(EVENT_URL, exc=refused('DELETE', EVENT_URL))

    code, out, err = run(
        capsys, *TOKEN_ARGS, 'evacuates-event-delete', '--id', EVENT_ID
    )

    assert (code, out) == (1, '')
    assert err == (
        f'ERROR: Cannot delete event {EVENT_ID}: cannot connect to '
        f'{EVENT_URL}: Connection refused\n'
    )
    # A DELETE that may have reached the server is not sent again.
    assert len(requests_mock.request_history) == 1


def test_connection_refused_after_retries(capsys, requests_mock,
                                          monkeypatch):
    monkeypatch.setattr('keystoneauth1.session.time.sleep', lambda _: None)
    requests_mock.get(fakes.EVENTS, exc=refused('GET', fakes.EVENTS))

    code, _, err = run(capsys, *TOKEN_ARGS, 'evacuates-events-list')

    assert code == 1
    assert err == (
        f'ERROR: Cannot list events: cannot connect to {fakes.EVENTS}: '
        f'Connection refused\n'
    )
    assert len(requests_mock.request_history) == 3


def test_keyboard_interrupt(capsys, requests_mock):
    requests_mock.get(fakes.EVENTS, exc=KeyboardInterrupt)

    code, out, err = run(capsys, *TOKEN_ARGS, 'evacuates-events-list')

    assert (code, out, err) == (130, '', 'sidecar: interrupted\n')


class ClosedPipe:
    """Standard output whose reader has gone away."""

    def write(self, text):
        raise BrokenPipeError(32, 'Broken pipe')

    def flush(self):
        pass

    def fileno(self):
        raise OSError('not a real file')


def test_output_to_a_closed_pipe(capsys, monkeypatch, requests_mock):
    requests_mock.get(fakes.EVENTS, json={'events': [EVENT]})
    monkeypatch.setattr(sys, 'stdout', ClosedPipe())

    status = shell.main([*TOKEN_ARGS, 'evacuates-events-list'])

    assert status == 1
    assert capsys.readouterr().err == ''


# -- --debug ----------------------------------------------------------------


def test_no_traceback_without_debug(capsys, requests_mock):
    stub_error(requests_mock, 'GET', EVENT_URL, 404, 'gone')

    _, _, err = run(
        capsys, *TOKEN_ARGS, 'evacuates-event-detail', '--id', EVENT_ID
    )

    assert err.count('\n') == 1
    assert 'Traceback' not in err


def test_debug_shows_traffic_and_traceback(capsys, requests_mock):
    stub_error(requests_mock, 'GET', EVENT_URL, 404, 'gone')

    code, _, err = run(
        capsys, '--debug', *TOKEN_ARGS, 'evacuates-event-detail',
        '--id', EVENT_ID,
    )

    assert code == 1
    assert f'GET {EVENT_URL}' in err
    assert fakes.REQUEST_ID in err
    assert 'Traceback (most recent call last)' in err
    assert 'keystoneauth1.exceptions.http.NotFound' in err
    assert err.endswith(
        f'ERROR: Event {EVENT_ID} not found (HTTP 404) '
        f'(Request-ID: {fakes.REQUEST_ID})\n'
    )
    assert fakes.GIVEN_TOKEN not in err


def test_debug_never_shows_password_or_token(capsys, requests_mock):
    fakes.stub_v3_auth(requests_mock)
    requests_mock.get(V3_EVENTS, json={'events': [EVENT]})

    code, out, err = run(capsys, '--debug', *V3_ARGS,
                         'evacuates-events-list')

    assert code == 0
    # The traffic is there...
    assert (
        f'Making authentication request to {fakes.V3_AUTH_URL}/auth/tokens'
        in err
    )
    assert f'curl -g -i -X GET {V3_EVENTS}' in err
    assert 'X-Auth-Token: {SHA256}' in err
    # ...but not the secrets.
    for secret in (fakes.PASSWORD, fakes.V3_TOKEN):
        assert secret not in err
        assert secret not in out


def test_quiet_without_debug(capsys, requests_mock):
    requests_mock.get(fakes.EVENTS, json={'events': []})

    _, _, err = run(capsys, *TOKEN_ARGS, 'evacuates-events-list')

    assert err == ''


# -- help, bash-completion, --version ---------------------------------------


def test_help_lists_subcommands_and_options(capsys):
    status, out, err = run(capsys, 'help')

    assert (status, err) == (0, '')
    assert out.startswith('usage: sidecar ')
    for name in SUBCOMMANDS:
        assert re.search(rf'^    {name} +\S', out, re.MULTILINE), name
    for option in GLOBAL_OPTIONS:
        assert f'\n  {option} ' in out, option
    assert '--os-enpoint-type' not in out
    assert 'See "sidecar help COMMAND"' in out
    assert '  2    usage error' in out


def test_no_arguments_prints_help(capsys):
    status, out, _ = run(capsys)

    assert status == 0
    assert out == run(capsys, 'help')[1]


@pytest.mark.parametrize(
    'subcommand, options',
    [
        ('evacuates-events-list',
         ['--id', '--name', '--node-uuid', '--event-status',
          '--event-create-time', '--min-event-create-time',
          '--max-event-create-time', '--marker', '--limit']),
        ('evacuates-event-create',
         ['--name', '--node-uuid', '--vm-uuid-list']),
        ('evacuates-event-detail', ['--id']),
        ('evacuates-event-edit',
         ['--id', '--name', '--node-uuid', '--event-status',
          '--vm-uuid-list']),
        ('evacuates-event-delete', ['--id']),
    ],
)
def test_help_of_a_subcommand(capsys, subcommand, options):
    status, out, err = run(capsys, 'help', subcommand)

    assert (status, err) == (0, '')
    assert out.startswith(f'usage: sidecar {subcommand} ')
    for option in options:
        # The option, its metavar, then help text on the same line or
        # the next one.
        assert re.search(
            rf'^  {option} <[a-z-,.]+>(?: {{2,}}|\n {{10,}})[A-Z]', out,
            re.MULTILINE,
        ), option
    assert out == run(capsys, subcommand, '--help')[1]


def test_help_of_an_unknown_subcommand(capsys):
    status, out, err = run(capsys, 'help', 'evacuates-event-show')

    assert (status, out) == (2, '')
    assert err.endswith(
        "error: 'evacuates-event-show' is not a sidecar subcommand; see "
        "'sidecar help'\n"
    )


def test_bash_completion(capsys):
    status, out, err = run(capsys, 'bash-completion')

    assert (status, err) == (0, '')
    assert out.endswith('\n') and out.count('\n') == 1
    words = out.split()
    assert words[:len(SUBCOMMANDS)] == list(SUBCOMMANDS)
    expected_options = {
        *GLOBAL_OPTIONS, '--version', '--debug', '--help', '-h', '--id',
        '--name', '--node-uuid', '--event-status', '--event-create-time',
        '--min-event-create-time', '--max-event-create-time', '--marker',
        '--limit', '--vm-uuid-list',
    }
    assert set(words[len(SUBCOMMANDS):]) == expected_options
    assert len(words) == len(set(words))


def test_version(capsys):
    status, out, err = run(capsys, '--version')

    assert (status, out, err) == (0, version_string() + '\n', '')


@pytest.mark.parametrize('argv', [['--version'], ['help'],
                                  ['bash-completion'],
                                  ['evacuates-events-list', '--help']])
def test_cheap_commands_load_no_library(argv):
    """Only subcommands that call the service import the heavy modules."""
    code = (
        'import sys\n'
        'from sidecarclient import shell\n'
        'try:\n'
        f'    shell.main({argv!r})\n'
        'except SystemExit:\n'
        '    pass\n'
        'heavy = ("keystoneauth1", "requests", "prettytable",\n'
        '         "sidecarclient.v2", "sidecarclient.shell_commands")\n'
        'print(sorted(m for m in heavy if m in sys.modules))\n'
    )
    result = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True,
        check=True, env={k: v for k, v in os.environ.items()
                         if not k.startswith('OS_')},
    )
    assert result.stdout.splitlines()[-1] == '[]'


def test_commands_table_matches_the_parser():
    from sidecarclient import shell_commands

    _, commands = shell.build_parser()
    local = {'help', 'bash-completion'}
    assert set(shell_commands.COMMANDS) == set(commands) - local
    assert json.dumps(sorted(commands)) == json.dumps(sorted(SUBCOMMANDS))
