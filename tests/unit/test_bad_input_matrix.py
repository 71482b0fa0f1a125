"""Bad input in each front end: one clear message, and nothing sent.

Every row names a value the client can judge by itself, and every test
runs under a requests-mock ``Mocker`` with no URL registered, so a
request sent anyway is recorded and fails the ``call_count == 0``
check. The three front ends are the library (exception type and
message), the ``openstack sidecar`` commands in a cliff application
(exit status and the error line) and the legacy ``sidecar`` shell run
in this process (exit status and standard error).

The second half checks the values that are allowed and must reach the
server intact: ids and markers with ``/ ? # %``, dots, white space or
non-ASCII letters are sent percent-encoded, and the exact URL is
asserted.
"""

from __future__ import annotations

import contextlib
import io
import logging
import types
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests_mock
from cliff import app as cliff_app
from cliff import commandmanager

from sidecarclient import client as sidecar_client
from sidecarclient import exceptions
from tests import inprocess
from tests.inprocess import Run

ENDPOINT = 'http://sidecar.test:9090/v2'
EVENTS = ENDPOINT + '/evacuates/events'
AUTH_URL = 'http://keystone.test:5000/v3'
TOKEN = 'matrix-token-0123456789'
EVENT_ID = '0123456789abcdef0123456789abcdef'
LONG_NAME = 'h' * 101
LIMIT_TOO_BIG = str(2**31)
BAD_NAME_RULE = (
    'is not valid: it must start and end with an ASCII letter or digit '
    'and contain only letters, digits, underscores, hyphens and spaces'
)
TIME_RULE = (
    'is not a valid time: use YYYY-MM-DD HH:MM:SS or ISO 8601 such as '
    '2016-09-02T14:32:17'
)
DOT_RULE = 'is not valid: it would be read as a relative URL path'
NOT_UTF8 = 'is not valid: it is not UTF-8 text'
NOT_URL = 'is not a URL: give it as http://HOST[:PORT]/... or https://...'

# A complete set of Identity v3 password arguments, for the library.
V3 = dict(
    auth_url=AUTH_URL,
    auth_version=3,
    username='evac-admin',
    password='matrix-password',
    project_name='ops',
    user_domain_name='Default',
    project_domain_name='Default',
)
# The same as options of the legacy shell.
V3_ARGV = [
    '--os-auth-url', AUTH_URL,
    '--os-username', 'evac-admin',
    '--os-password', 'matrix-password',
    '--os-project-name', 'ops',
    '--os-user-domain-name', 'Default',
    '--os-project-domain-name', 'Default',
]
TOKEN_ARGV = ['--os-auth-token', TOKEN, '--os-endpoint', ENDPOINT]


def token_client(**kwargs: Any) -> sidecar_client.Client:
    return sidecar_client.Client(
        auth_token=TOKEN, endpoint=ENDPOINT, retries=0, **kwargs
    )


@pytest.fixture
def mocker() -> Iterator[requests_mock.Mocker]:
    """requests-mock with no URL registered: any request is a failure."""
    with requests_mock.Mocker() as mocker:
        yield mocker


# -- The library --------------------------------------------------------------

Call = Callable[[sidecar_client.Client], Any]


def _row(
    id: str, call: Call, message: str,
    error: type[Exception] = exceptions.ValidationError,
) -> Any:
    return pytest.param(call, error, message, id=id)


LIBRARY_CALLS = [
    # Event status.
    _row('list-status-unknown',
         lambda c: list(c.events.list(event_status='deleted')),
         "event status 'deleted' is not one of: created, running, "
         "completed"),
    _row('list-status-case',
         lambda c: list(c.events.list(event_status='Running')),
         "event status 'Running' is not one of"),
    _row('list-status-empty',
         lambda c: list(c.events.list(event_status='')),
         'event status must not be empty'),
    _row('edit-status-created',
         lambda c: c.events.edit(EVENT_ID, event_status='created'),
         "event status 'created' is not one of: running, completed"),
    _row('edit-status-unknown',
         lambda c: c.events.edit(EVENT_ID, event_status='done'),
         "event status 'done' is not one of: running, completed"),
    # Limit.
    _row('limit-zero', lambda c: list(c.events.list(limit=0)),
         'limit must be between 1 and 2147483647, not 0'),
    _row('limit-negative', lambda c: list(c.events.list(limit=-1)),
         'limit must be between 1 and 2147483647, not -1'),
    _row('limit-text', lambda c: list(c.events.list(limit='abc')),
         "limit must be a positive integer, not 'abc'"),
    _row('limit-float', lambda c: list(c.events.list(limit=2.5)),
         'limit must be a positive integer, not 2.5'),
    _row('limit-bool', lambda c: list(c.events.list(limit=True)),
         'limit must be a positive integer, not True'),
    _row('limit-huge', lambda c: list(c.events.list(limit=2**31)),
         'limit must be between 1 and 2147483647, not 2147483648'),
    _row('page-size-zero', lambda c: list(c.events.list(page_size=0)),
         'page_size must be between 1 and 2147483647, not 0'),
    # Times.
    _row('time-month-13',
         lambda c: list(c.events.list(event_create_time='2016-13-01')),
         f"event_create_time '2016-13-01' {TIME_RULE}"),
    _row('time-words',
         lambda c: list(c.events.list(min_event_create_time='yesterday')),
         f"min_event_create_time 'yesterday' {TIME_RULE}"),
    _row('time-empty',
         lambda c: list(c.events.list(max_event_create_time='')),
         "max_event_create_time '' is not a valid time"),
    _row('time-number',
         lambda c: list(c.events.list(event_create_time=1480000000)),
         'event_create_time 1480000000 is not a valid time'),
    # Names the server would refuse.
    _row('name-too-short', lambda c: c.events.create('ab', 'node-1'),
         "name 'ab' must be 3 to 100 characters long (it has 2)"),
    _row('name-too-long', lambda c: c.events.create(LONG_NAME, 'node-1'),
         'must be 3 to 100 characters long (it has 101)'),
    _row('name-leading-hyphen',
         lambda c: c.events.create('-host-1', 'node-1'),
         f"name '-host-1' {BAD_NAME_RULE}"),
    _row('name-trailing-dot',
         lambda c: c.events.create('host-1.', 'node-1'),
         f"name 'host-1.' {BAD_NAME_RULE}"),
    _row('name-trailing-space',
         lambda c: c.events.create('host-1 ', 'node-1'),
         f"name 'host-1 ' {BAD_NAME_RULE}"),
    _row('name-punctuation',
         lambda c: c.events.create('bad name!', 'node-1'),
         f"name 'bad name!' {BAD_NAME_RULE}"),
    _row('name-slash', lambda c: c.events.create('rack/7', 'node-1'),
         f"name 'rack/7' {BAD_NAME_RULE}"),
    _row('name-unicode-first',
         lambda c: c.events.create('ñandú-1', 'node-1'),
         f"name 'ñandú-1' {BAD_NAME_RULE}"),
    _row('name-unicode-digits',
         lambda c: c.events.create('١٢٣', 'node-1'),
         f"name '١٢٣' {BAD_NAME_RULE}"),
    _row('edit-name-too-short',
         lambda c: c.events.edit(EVENT_ID, name='x1'),
         "name 'x1' must be 3 to 100 characters long (it has 2)"),
    # Instance lists.
    _row('vms-duplicate',
         lambda c: c.events.create('host-1', 'node-1', ['vm-1', 'vm-1']),
         "instance id 'vm-1' appears more than once"),
    _row('edit-vms-duplicate',
         lambda c: c.events.edit(EVENT_ID, vm_uuid_list=['a', 'b', 'a']),
         "instance id 'a' appears more than once"),
    _row('vms-empty-id',
         lambda c: c.events.create('host-1', 'node-1', ['vm-1', '']),
         'an instance id in vm_uuid_list must not be empty'),
    _row('vms-one-string',
         lambda c: c.events.create('host-1', 'node-1', 'vm-1'),
         'vm_uuid_list must be a list of instance ids'),
    _row('vms-mapping',
         lambda c: c.events.create('host-1', 'node-1', {'vm-1': 'x'}),
         'vm_uuid_list must be a list of instance ids'),
    _row('vms-not-strings',
         lambda c: c.events.create('host-1', 'node-1', [1, 2]),
         'an instance id in vm_uuid_list must be a string, not int'),
    # Empty or missing required values.
    _row('create-name-empty', lambda c: c.events.create('', 'node-1'),
         'name must not be empty'),
    _row('create-name-none', lambda c: c.events.create(None, 'node-1'),
         'name must be a string, not NoneType'),
    _row('create-node-empty', lambda c: c.events.create('host-1', ''),
         'node_uuid must not be empty'),
    _row('create-node-blank', lambda c: c.events.create('host-1', ' \t'),
         'node_uuid must not be empty'),
    _row('edit-node-empty',
         lambda c: c.events.edit(EVENT_ID, node_uuid=''),
         'node_uuid must not be empty'),
    _row('edit-nothing', lambda c: c.events.edit(EVENT_ID),
         f'Nothing to change for event {EVENT_ID}: give at least one of '
         f'name, node_uuid, event_status, vm_uuid_list'),
    _row('detail-id-empty', lambda c: c.events.detail(''),
         'id must not be empty'),
    _row('delete-id-blank', lambda c: c.events.delete('   '),
         'id must not be empty'),
    _row('edit-id-none', lambda c: c.events.edit(None, name='host-1'),
         'id must be a string, not NoneType'),
    _row('find-empty', lambda c: c.events.find(''),
         'event name or ID must not be empty'),
    _row('list-name-empty', lambda c: list(c.events.list(name='')),
         'name must not be empty'),
    _row('list-node-empty', lambda c: list(c.events.list(node_uuid='')),
         'node_uuid must not be empty'),
    _row('list-marker-empty', lambda c: list(c.events.list(marker='')),
         'marker must not be empty'),
    # Ids that would address another URL path.
    _row('detail-id-dot', lambda c: c.events.detail('.'),
         f"id '.' {DOT_RULE}"),
    _row('detail-id-dotdot', lambda c: c.events.detail('..'),
         f"id '..' {DOT_RULE}"),
    _row('edit-id-dotdot',
         lambda c: c.events.edit('..', event_status='running'),
         f"id '..' {DOT_RULE}"),
    _row('delete-id-dotdot', lambda c: c.events.delete('..'),
         f"id '..' {DOT_RULE}"),
    _row('find-dotdot', lambda c: c.events.find('..'),
         f"event name or ID '..' {DOT_RULE}"),
    # Text that cannot be sent: a byte that is not UTF-8, as Python
    # decodes it from a command line, cannot be encoded back.
    _row('detail-id-not-utf8', lambda c: c.events.detail('ev\udcff'),
         f"id 'ev\\udcff' {NOT_UTF8}"),
    _row('list-name-not-utf8',
         lambda c: list(c.events.list(name='host-\udce9')),
         f"name 'host-\\udce9' {NOT_UTF8}"),
    _row('create-node-not-utf8',
         lambda c: c.events.create('host-1', 'n\udcff'),
         f"node_uuid 'n\\udcff' {NOT_UTF8}"),
    _row('create-vm-not-utf8',
         lambda c: c.events.create('host-1', 'node-1', ['\udcff']),
         f"an instance id in vm_uuid_list '\\udcff' {NOT_UTF8}"),
]


@pytest.mark.parametrize('call, error, message', LIBRARY_CALLS)
def test_library_call_refuses(
    mocker: requests_mock.Mocker,
    call: Call,
    error: type[Exception],
    message: str,
) -> None:
    sidecar = token_client()
    with pytest.raises(error) as caught:
        call(sidecar)
    assert message in str(caught.value)
    assert '\n' not in str(caught.value)
    assert mocker.call_count == 0


LIBRARY_CLIENTS = [
    _row('auth-version-4', lambda c: dict(V3, auth_version=4),
         'auth_version 4 is not supported: use 2 or 3'),
    _row('auth-version-v4', lambda c: dict(V3, auth_version='v4'),
         "auth_version 'v4' is not supported: use 2 or 3"),
    _row('auth-version-3.5', lambda c: dict(V3, auth_version='3.5'),
         "auth_version '3.5' is not supported"),
    _row('auth-nothing', lambda c: {},
         'Missing authentication arguments: auth_url, username or '
         'user_id, password (or give auth_token, or a ready session)'),
    _row('auth-no-password', lambda c: dict(V3, password=None),
         'Missing authentication arguments: password'),
    _row('auth-empty-password', lambda c: dict(V3, password=''),
         'Missing authentication arguments: password'),
    _row('auth-no-user', lambda c: dict(V3, username=None),
         'Missing authentication arguments: username or user_id'),
    _row('auth-no-url', lambda c: dict(V3, auth_url=None),
         'Missing authentication arguments: auth_url'),
    _row('token-without-url', lambda c: {'auth_token': TOKEN},
         'auth_url is required with auth_token unless endpoint is given'),
    _row('tenant-and-project-names',
         lambda c: dict(V3, tenant_name='ops', project_name='dev'),
         "project_name 'dev' and tenant_name 'ops' disagree: give only "
         "one"),
    _row('tenant-and-project-ids',
         lambda c: dict(V3, tenant_id='t1', project_id='p1'),
         "project_id 'p1' and tenant_id 't1' disagree"),
    _row('v2-with-domains', lambda c: dict(V3, auth_version='2.0'),
         'project_domain_name, user_domain_name cannot be used with '
         'auth_version 2: domains exist only in Identity v3'),
    _row('v3-project-without-domain',
         lambda c: dict(V3, project_domain_name=None),
         'project_domain_name or project_domain_id is required with a '
         'project name on Identity v3'),
    _row('v3-user-without-domain',
         lambda c: dict(V3, user_domain_name=None),
         'user_domain_name or user_domain_id is required with a username '
         'on Identity v3'),
    _row('interface-disagrees',
         lambda c: dict(V3, endpoint_type='internalURL',
                        interface='public'),
         "endpoint_type 'internalURL' and interface 'public' disagree"),
    _row('endpoint-type-unknown', lambda c: dict(V3, endpoint_type='web'),
         "endpoint type 'web' is not one of: public, internal, admin"),
    _row('session-and-password',
         lambda c: {'session': c.session, 'password': 'x'},
         'session cannot be combined with authentication arguments: '
         'password'),
    _row('timeout-text', lambda c: dict(V3, timeout='abc'),
         "timeout must be a number of seconds, not 'abc'"),
    _row('timeout-negative', lambda c: dict(V3, timeout='-1'),
         "timeout must be a positive number, not '-1'"),
    _row('timeout-zero', lambda c: dict(V3, timeout=0),
         'timeout must be a positive number, not 0'),
    _row('timeout-infinite', lambda c: dict(V3, timeout='inf'),
         "timeout must be a positive number, not 'inf'"),
    _row('insecure-maybe', lambda c: dict(V3, insecure='maybe'),
         'insecure must be true or false (such as "True", "false", "1", '
         '"0", "yes", "no"), not \'maybe\''),
    _row('insecure-number', lambda c: dict(V3, insecure=2),
         'insecure must be true or false'),
    _row('endpoint-empty',
         lambda c: {'auth_token': TOKEN, 'endpoint': ' '},
         'endpoint must not be empty'),
    _row('endpoint-no-scheme',
         lambda c: {'auth_token': TOKEN, 'endpoint': 'sidecar.test:9090/v2'},
         f"endpoint 'sidecar.test:9090/v2' {NOT_URL}"),
    _row('endpoint-no-host',
         lambda c: {'auth_token': TOKEN, 'endpoint': 'http:///v2'},
         f"endpoint 'http:///v2' {NOT_URL}"),
    _row('endpoint-ftp',
         lambda c: {'auth_token': TOKEN, 'endpoint': 'ftp://sidecar.test/'},
         f"endpoint 'ftp://sidecar.test/' {NOT_URL}"),
    _row('auth-url-no-scheme',
         lambda c: dict(V3, auth_url='keystone.test:5000/v3'),
         f"auth_url 'keystone.test:5000/v3' {NOT_URL}"),
    _row('auth-url-word', lambda c: dict(V3, auth_url='keystone'),
         f"auth_url 'keystone' {NOT_URL}"),
    _row('retries-negative', lambda c: dict(V3, retries=-1),
         'retries must be 0 or a positive integer, not -1'),
    _row('retries-text', lambda c: dict(V3, retries='abc'),
         "retries must be 0 or a positive integer, not 'abc'"),
    _row('retries-none', lambda c: dict(V3, retries=None),
         'retries must be 0 or a positive integer, not None'),
    _row('retries-float', lambda c: dict(V3, retries=1.5),
         'retries must be 0 or a positive integer, not 1.5'),
    _row('retry-delay-negative', lambda c: dict(V3, retry_delay=-1),
         'retry_delay must be 0 or a positive number of seconds, not -1'),
    _row('retry-delay-text', lambda c: dict(V3, retry_delay='soon'),
         "retry_delay must be 0 or a positive number of seconds, not "
         "'soon'"),
    _row('retry-delay-nan', lambda c: dict(V3, retry_delay=float('nan')),
         'retry_delay must be 0 or a positive number of seconds, not nan'),
]


@pytest.mark.parametrize('arguments, error, message', LIBRARY_CLIENTS)
def test_library_client_refuses(
    mocker: requests_mock.Mocker,
    arguments: Callable[[sidecar_client.Client], dict[str, Any]],
    error: type[Exception],
    message: str,
) -> None:
    kwargs = arguments(token_client())
    with pytest.raises(error) as caught:
        sidecar_client.Client(**kwargs)
    assert message in str(caught.value)
    assert mocker.call_count == 0


# -- openstack sidecar ... ----------------------------------------------------


class SidecarApp(cliff_app.App):
    """The sidecar commands as OpenStackClient serves them."""

    def __init__(self, client: sidecar_client.Client,
                 stderr: io.StringIO) -> None:
        super().__init__(
            description='bad input matrix',
            version='0',
            command_manager=commandmanager.CommandManager(
                'openstack.sidecar.v2'
            ),
            stdin=io.StringIO(),
            stdout=io.StringIO(),
            stderr=stderr,
            deferred_help=True,
        )
        self.client_manager = types.SimpleNamespace(sidecar=client)

    def configure_logging(self) -> None:
        # The error line is caught by run_osc's own handler instead.
        pass


def run_osc(*argv: str) -> Run:
    """Run ``openstack sidecar ARGV``; the error line is its stderr."""
    stderr = io.StringIO()
    handler = logging.StreamHandler(stderr)
    handler.setLevel(logging.ERROR)
    root = logging.getLogger()
    root.addHandler(handler)
    app = SidecarApp(token_client(), stderr)
    try:
        with contextlib.redirect_stderr(stderr):
            try:
                code = app.run(['sidecar', *argv])
            except SystemExit as exc:  # argparse refused the arguments
                code = int(exc.code or 0)
    finally:
        root.removeHandler(handler)
    return Run(code, app.stdout.getvalue(), stderr.getvalue())


def _osc(id: str, argv: str | list[str], code: int, message: str) -> Any:
    words = argv.split() if isinstance(argv, str) else argv
    return pytest.param(words, code, message, id=id)


# Values refused by argparse exit 2, the others 1 as every OSC error.
OSC_COMMANDS = [
    _osc('list-status-unknown', 'event list --status deleted', 2,
         "argument --status: invalid choice: 'deleted'"),
    _osc('set-status-created', 'event set host-1 --status created', 2,
         "argument --status: invalid choice: 'created' (choose from "
         "'running', 'completed')"),
    _osc('list-limit-zero', 'event list --limit 0', 1,
         '--limit must be between 1 and 2147483647, not 0'),
    _osc('list-limit-negative', 'event list --limit -1', 1,
         "--limit must be a positive integer, not '-1'"),
    _osc('list-limit-text', 'event list --limit abc', 1,
         "--limit must be a positive integer, not 'abc'"),
    _osc('list-limit-huge', ['event', 'list', '--limit', LIMIT_TOO_BIG], 1,
         '--limit must be between 1 and 2147483647, not 2147483648'),
    _osc('list-time-month-13', 'event list --created-at 2016-13-01', 1,
         f"--created-at '2016-13-01' {TIME_RULE}"),
    _osc('list-time-words', 'event list --created-after yesterday', 1,
         f"--created-after 'yesterday' {TIME_RULE}"),
    _osc('list-time-empty', ['event', 'list', '--created-before', ''], 1,
         "--created-before '' is not a valid time"),
    _osc('list-marker-empty', ['event', 'list', '--marker', ''], 1,
         '--marker must not be empty'),
    _osc('list-node-empty', ['event', 'list', '--node', ''], 1,
         '--node must not be empty'),
    _osc('create-name-short', 'event create ab --node node-1', 1,
         "<name> 'ab' must be 3 to 100 characters long (it has 2)"),
    _osc('create-name-long', ['event', 'create', LONG_NAME, '--node', 'n'],
         1, 'must be 3 to 100 characters long (it has 101)'),
    _osc('create-name-punctuation',
         ['event', 'create', 'bad name!', '--node', 'node-1'], 1,
         f"<name> 'bad name!' {BAD_NAME_RULE}"),
    _osc('create-name-trailing-hyphen', 'event create host- --node n', 1,
         f"<name> 'host-' {BAD_NAME_RULE}"),
    _osc('create-name-unicode', 'event create été-1 --node n', 1,
         f"<name> 'été-1' {BAD_NAME_RULE}"),
    _osc('create-name-empty', ['event', 'create', '', '--node', 'n'], 1,
         '<name> must not be empty'),
    _osc('create-node-empty', ['event', 'create', 'host-1', '--node', ''],
         1, '--node must not be empty'),
    _osc('create-node-missing', 'event create host-1', 2,
         'the following arguments are required: --node'),
    _osc('create-vms-duplicate',
         'event create host-1 --node n --vm vm-1 --vm vm-1', 1,
         "instance id 'vm-1' appears more than once"),
    _osc('set-vms-duplicate', 'event set host-1 --vm a --vm a', 1,
         "instance id 'a' appears more than once"),
    _osc('set-nothing', 'event set host-1', 1,
         'Nothing to change: give at least one of --name, --node, '
         '--status, --vm, --no-vm'),
    _osc('set-name-punctuation', ['event', 'set', 'host-1', '--name', 'a!b'],
         1, f"--name 'a!b' {BAD_NAME_RULE}"),
    _osc('set-node-empty', ['event', 'set', 'host-1', '--node', ''], 1,
         '--node must not be empty'),
    _osc('set-dotdot', 'event set .. --status running', 1,
         f"event name or ID '..' {DOT_RULE}"),
    _osc('show-dotdot', 'event show ..', 1,
         f"event name or ID '..' {DOT_RULE}"),
    _osc('show-dot', 'event show .', 1,
         f"event name or ID '.' {DOT_RULE}"),
    _osc('show-empty', ['event', 'show', ''], 1,
         'event name or ID must not be empty'),
    _osc('delete-dotdot', 'event delete ..', 1,
         f"Failed to delete event '..': event name or ID '..' {DOT_RULE}"),
    _osc('delete-blank', ['event', 'delete', ' '], 1,
         "Failed to delete event ' ': event name or ID must not be empty"),
    _osc('show-not-utf8', ['event', 'show', 'host-\udcff'], 1,
         f"event name or ID 'host-\\udcff' {NOT_UTF8}"),
    _osc('list-name-not-utf8', ['event', 'list', '--name', '\udcff-1'], 1,
         f"--name '\\udcff-1' {NOT_UTF8}"),
]


@pytest.mark.parametrize('argv, code, message', OSC_COMMANDS)
def test_osc_command_refuses(
    mocker: requests_mock.Mocker, argv: list[str], code: int, message: str
) -> None:
    run = run_osc(*argv)
    assert run.code == code
    assert message in run.stderr
    assert 'Traceback' not in run.stderr
    assert run.stdout == ''
    assert mocker.call_count == 0


# -- sidecar ... (legacy shell) -----------------------------------------------


@pytest.fixture
def sidecar(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Run]:
    return inprocess.sidecar_runner(monkeypatch, capsys)


def _shell(id: str, argv: list[str], message: str,
           prefix: str | None = None) -> Any:
    """A row whose stderr is ``PREFIX: error: MESSAGE``.

    ``prefix`` is the subcommand's prog for a subcommand's option, and
    ``sidecar`` for a global option.
    """
    command = next(
        word for word in argv if word.startswith(('evacuates-', 'all-'))
    )
    expected = f'{prefix or "sidecar " + command}: error: {message}'
    return pytest.param(argv, expected, id=id)


LEGACY = [
    _shell('list-status-unknown',
           TOKEN_ARGV + ['evacuates-events-list', '--event-status', 'gone'],
           "event status 'gone' is not one of: created, running, "
           "completed"),
    _shell('edit-status-created',
           TOKEN_ARGV + ['evacuates-event-edit', '--id', EVENT_ID,
                         '--event-status', 'created'],
           "event status 'created' is not one of: running, completed"),
    _shell('list-limit-zero',
           TOKEN_ARGV + ['evacuates-events-list', '--limit', '0'],
           '--limit must be between 1 and 2147483647, not 0'),
    _shell('list-limit-negative',
           TOKEN_ARGV + ['evacuates-events-list', '--limit', '-1'],
           "--limit must be a positive integer, not '-1'"),
    _shell('list-limit-text',
           TOKEN_ARGV + ['evacuates-events-list', '--limit', 'abc'],
           "--limit must be a positive integer, not 'abc'"),
    _shell('list-limit-huge',
           TOKEN_ARGV + ['evacuates-events-list', '--limit', LIMIT_TOO_BIG],
           '--limit must be between 1 and 2147483647, not 2147483648'),
    _shell('list-time-month-13',
           TOKEN_ARGV + ['evacuates-events-list', '--event-create-time',
                         '2016-13-01'],
           f"--event-create-time '2016-13-01' {TIME_RULE}"),
    _shell('list-time-words',
           TOKEN_ARGV + ['evacuates-events-list', '--min-event-create-time',
                         'yesterday'],
           f"--min-event-create-time 'yesterday' {TIME_RULE}"),
    _shell('list-time-empty',
           TOKEN_ARGV + ['evacuates-events-list', '--max-event-create-time',
                         ''],
           "--max-event-create-time '' is not a valid time: use "
           "YYYY-MM-DD HH:MM:SS"),
    _shell('list-marker-empty',
           TOKEN_ARGV + ['evacuates-events-list', '--marker', ''],
           '--marker must not be empty'),
    _shell('create-name-short',
           TOKEN_ARGV + ['evacuates-event-create', '--name', 'ab',
                         '--node-uuid', 'node-1'],
           "--name 'ab' must be 3 to 100 characters long (it has 2)"),
    _shell('create-name-long',
           TOKEN_ARGV + ['evacuates-event-create', '--name', LONG_NAME,
                         '--node-uuid', 'node-1'],
           f"--name '{LONG_NAME}' must be 3 to 100 characters long (it has "
           f"101)"),
    _shell('create-name-leading-hyphen',
           TOKEN_ARGV + ['evacuates-event-create', '--name=-host',
                         '--node-uuid', 'node-1'],
           f"--name '-host' {BAD_NAME_RULE}"),
    _shell('create-name-punctuation',
           TOKEN_ARGV + ['evacuates-event-create', '--name', 'bad name!',
                         '--node-uuid', 'node-1'],
           f"--name 'bad name!' {BAD_NAME_RULE}"),
    _shell('create-name-unicode',
           TOKEN_ARGV + ['evacuates-event-create', '--name', 'ünïcode',
                         '--node-uuid', 'node-1'],
           f"--name 'ünïcode' {BAD_NAME_RULE}"),
    _shell('create-node-empty',
           TOKEN_ARGV + ['evacuates-event-create', '--name', 'host-1',
                         '--node-uuid', ''],
           '--node-uuid must not be empty'),
    _shell('create-node-missing',
           TOKEN_ARGV + ['evacuates-event-create', '--name', 'host-1'],
           'the following arguments are required: --node-uuid'),
    _shell('create-vms-duplicate',
           TOKEN_ARGV + ['evacuates-event-create', '--name', 'host-1',
                         '--node-uuid', 'n', '--vm-uuid-list', 'a,b,a'],
           "instance id 'a' appears more than once"),
    _shell('create-vms-hole',
           TOKEN_ARGV + ['evacuates-event-create', '--name', 'host-1',
                         '--node-uuid', 'n', '--vm-uuid-list', 'a,,b'],
           'an instance id in vm_uuid_list must not be empty'),
    _shell('edit-nothing',
           TOKEN_ARGV + ['evacuates-event-edit', '--id', EVENT_ID],
           'nothing to change: give at least one of --name, --node-uuid, '
           '--event-status, --vm-uuid-list'),
    _shell('edit-name-punctuation',
           TOKEN_ARGV + ['evacuates-event-edit', '--id', EVENT_ID,
                         '--name', 'host#1'],
           f"--name 'host#1' {BAD_NAME_RULE}"),
    _shell('edit-id-empty',
           TOKEN_ARGV + ['evacuates-event-edit', '--id', '',
                         '--event-status', 'running'],
           'id must not be empty'),
    _shell('detail-id-dotdot',
           TOKEN_ARGV + ['evacuates-event-detail', '--id', '..'],
           f"id '..' {DOT_RULE}"),
    _shell('delete-id-dot',
           TOKEN_ARGV + ['evacuates-event-delete', '--id', '.'],
           f"id '.' {DOT_RULE}"),
    _shell('delete-id-blank',
           TOKEN_ARGV + ['evacuates-event-delete', '--id', ' '],
           'id must not be empty'),
    _shell('detail-id-not-utf8',
           TOKEN_ARGV + ['evacuates-event-detail', '--id', 'ev\udcff'],
           f"id 'ev\\udcff' {NOT_UTF8}"),
    _shell('list-node-not-utf8',
           TOKEN_ARGV + ['evacuates-events-list', '--node-uuid', '\udcff'],
           f"--node-uuid '\\udcff' {NOT_UTF8}"),
    # Global options: the message starts with the program's name.
    _shell('auth-nothing', ['evacuates-events-list'],
           'missing authentication options: --os-auth-url '
           '(env[OS_AUTH_URL]), --os-username (env[OS_USERNAME]) or '
           '--os-user-id (env[OS_USER_ID]), --os-password '
           '(env[OS_PASSWORD]); or give --os-auth-token', 'sidecar'),
    _shell('auth-no-password',
           ['--os-auth-url', AUTH_URL, '--os-username', 'u',
            'evacuates-events-list'],
           'missing authentication options: --os-password '
           '(env[OS_PASSWORD]); or give --os-auth-token', 'sidecar'),
    _shell('token-without-url',
           ['--os-auth-token', TOKEN, 'evacuates-events-list'],
           '--os-auth-url (env[OS_AUTH_URL]) is required with '
           '--os-auth-token unless --os-endpoint is given', 'sidecar'),
    _shell('auth-version-4',
           V3_ARGV + ['--os-auth-version', '4', 'evacuates-events-list'],
           "auth_version '4' is not supported: use 2 or 3", 'sidecar'),
    _shell('tenant-and-project',
           V3_ARGV + ['--os-tenant-name', 'dev', 'evacuates-events-list'],
           "project_name 'ops' and tenant_name 'dev' disagree: give only "
           "one", 'sidecar'),
    _shell('v2-with-domains',
           V3_ARGV + ['--os-auth-version', '2', 'evacuates-events-list'],
           'project_domain_name, user_domain_name cannot be used with '
           'auth_version 2: domains exist only in Identity v3', 'sidecar'),
    _shell('timeout-text',
           TOKEN_ARGV + ['--os-timeout', 'abc', 'evacuates-events-list'],
           "timeout must be a number of seconds, not 'abc'", 'sidecar'),
    _shell('timeout-negative',
           TOKEN_ARGV + ['--os-timeout', '-1', 'evacuates-events-list'],
           "timeout must be a positive number, not '-1'", 'sidecar'),
    _shell('insecure-maybe',
           TOKEN_ARGV + ['--os-insecure', 'maybe', 'evacuates-events-list'],
           'insecure must be true or false (such as "True", "false", "1", '
           '"0", "yes", "no"), not \'maybe\'', 'sidecar'),
    _shell('endpoint-type-unknown',
           TOKEN_ARGV + ['--os-endpoint-type', 'web',
                         'evacuates-events-list'],
           "endpoint type 'web' is not one of: public, internal, admin (or "
           "publicURL, internalURL, adminURL)", 'sidecar'),
    _shell('endpoint-no-scheme',
           ['--os-auth-token', TOKEN, '--os-endpoint', 'sidecar.test/v2',
            'evacuates-event-detail', '--id', EVENT_ID],
           f"endpoint 'sidecar.test/v2' {NOT_URL}", 'sidecar'),
    _shell('auth-url-no-scheme',
           V3_ARGV + ['--os-auth-url', 'keystone.test:5000/v3',
                      'evacuates-events-list'],
           f"auth_url 'keystone.test:5000/v3' {NOT_URL}", 'sidecar'),
    _shell('cacert-missing',
           TOKEN_ARGV + ['--os-cacert', '/nonexistent/ca.pem',
                         'all-versions'],
           '--os-cacert: no such file: /nonexistent/ca.pem', 'sidecar'),
]


@pytest.mark.parametrize('argv, expected', LEGACY)
def test_legacy_shell_refuses(
    mocker: requests_mock.Mocker,
    sidecar: Callable[..., Run],
    argv: list[str],
    expected: str,
) -> None:
    run = sidecar(*argv)
    assert run.code == 2
    # argparse's own refusals start with the usage summary.
    *usage, last = run.stderr.splitlines()
    assert last == expected
    assert all(line.startswith(('usage: ', ' ')) for line in usage)
    assert run.stdout == ''
    assert mocker.call_count == 0


def test_the_matrix_is_large_enough() -> None:
    rows = (
        len(LIBRARY_CALLS) + len(LIBRARY_CLIENTS) + len(OSC_COMMANDS)
        + len(LEGACY)
    )
    assert rows >= 40


# -- Values that are allowed and must arrive intact ---------------------------

# id -> how it must appear as the last segment of the path.
AWKWARD_IDS = [
    pytest.param('a/b', 'a%2Fb', id='slash'),
    pytest.param('../events', '..%2Fevents', id='dotdot-slash'),
    pytest.param('a?limit=1', 'a%3Flimit%3D1', id='question-mark'),
    pytest.param('a#top', 'a%23top', id='hash'),
    pytest.param('100%', '100%25', id='percent'),
    pytest.param('%2e%2e', '%252e%252e', id='encoded-dots'),
    pytest.param('...', '...', id='three-dots'),
    pytest.param('a b', 'a%20b', id='space'),
    pytest.param(' a\t', '%20a%09', id='edge-white-space'),
    pytest.param('a\nb', 'a%0Ab', id='newline'),
    pytest.param('événement', '%C3%A9v%C3%A9nement', id='unicode'),
    pytest.param('事件', '%E4%BA%8B%E4%BB%B6', id='cjk'),
    pytest.param('a;b&c=d+e', 'a%3Bb%26c%3Dd%2Be', id='delimiters'),
]


def _event(id: str) -> dict[str, Any]:
    return {'id': id, 'name': 'host-1', 'event_status': 'completed',
            'node_uuid': 'node-1', 'vm_uuid_list': []}


@pytest.mark.parametrize('event_id, segment', AWKWARD_IDS)
@pytest.mark.parametrize('method', ['GET', 'PUT', 'DELETE'])
def test_library_sends_an_id_as_one_encoded_segment(
    mocker: requests_mock.Mocker, event_id: str, segment: str, method: str
) -> None:
    mocker.register_uri(
        requests_mock.ANY, requests_mock.ANY,
        json={'event': _event(event_id)}, status_code=200,
    )
    sidecar = token_client()
    if method == 'GET':
        assert sidecar.events.detail(event_id).id == event_id
    elif method == 'PUT':
        sidecar.events.edit(event_id, event_status='running')
    else:
        sidecar.events.delete(event_id)
    [sent] = mocker.request_history
    assert sent.method == method
    assert sent.url == f'{EVENTS}/{segment}'


@pytest.mark.parametrize('event_id, segment', AWKWARD_IDS)
def test_legacy_shell_sends_an_id_as_one_encoded_segment(
    mocker: requests_mock.Mocker,
    sidecar: Callable[..., Run],
    event_id: str,
    segment: str,
) -> None:
    mocker.delete(requests_mock.ANY, status_code=204)
    run = sidecar(*TOKEN_ARGV, 'evacuates-event-delete', '--id', event_id)
    assert run.code == 0, run.stderr
    assert [(r.method, r.url) for r in mocker.request_history] == [
        ('DELETE', f'{EVENTS}/{segment}')
    ]


@pytest.mark.parametrize('event_id, segment', AWKWARD_IDS)
def test_osc_looks_up_an_id_as_one_encoded_segment(
    mocker: requests_mock.Mocker, event_id: str, segment: str
) -> None:
    mocker.get(requests_mock.ANY, json={'event': _event(event_id)})
    run = run_osc('event', 'show', event_id, '-f', 'value', '-c', 'id')
    assert run.code == 0, run.stderr
    assert run.stdout == event_id + '\n'
    assert [r.url for r in mocker.request_history] == [f'{EVENTS}/{segment}']


@pytest.mark.parametrize('value', [
    pytest.param('a/b?c#d%e f..', id='everything'),
    pytest.param('..', id='dotdot'),
    pytest.param('&limit=1', id='smuggled-parameter'),
    pytest.param('événement', id='unicode'),
])
def test_filter_and_marker_values_are_one_query_value(
    mocker: requests_mock.Mocker, value: str
) -> None:
    mocker.get(requests_mock.ANY, json={'events': []})
    sidecar = token_client()
    list(sidecar.events.list(name=value, node_uuid=value, marker=value))
    assert mocker.call_count >= 1
    for sent in mocker.request_history:
        parts = urllib.parse.urlsplit(sent.url)
        assert parts.path == '/v2/evacuates/events'
        assert parts.fragment == ''
        # The client may add its own page limit, once.
        params = urllib.parse.parse_qsl(
            parts.query, keep_blank_values=True, strict_parsing=True
        )
        assert [key for key, _ in params].count('limit') <= 1
        assert [pair for pair in params if pair[0] != 'limit'] == [
            ('name', value), ('node_uuid', value), ('marker', value)
        ]


def test_marker_is_encoded_exactly(mocker: requests_mock.Mocker) -> None:
    mocker.get(requests_mock.ANY, json={'events': []})
    list(token_client().events.list(marker='a/b?c#d%e f..'))
    sent = mocker.request_history[0]
    base, _, query = sent.url.partition('?')
    assert base == EVENTS
    assert [
        pair for pair in query.split('&') if not pair.startswith('limit=')
    ] == ['marker=a%2Fb%3Fc%23d%25e+f..']


def test_unicode_name_that_the_server_accepts_is_sent_as_is(
    mocker: requests_mock.Mocker,
) -> None:
    # Only the first and last characters must be ASCII.
    mocker.post(EVENTS, status_code=201,
                json={'event': dict(_event(EVENT_ID), name='hôte-1')})
    event = token_client().events.create('hôte-1', 'nœud-1', ['vm-é'])
    assert event.name == 'hôte-1'
    assert mocker.last_request.json() == {
        'event': {'name': 'hôte-1', 'node_uuid': 'nœud-1',
                  'vm_uuid_list': ['vm-é']}
    }
