"""The plugin as OpenStackClient finds, loads and uses it."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import requests
from osc_lib.command import command

from sidecarclient.osc import plugin
from sidecarclient.osc.v2 import event
from sidecarclient.osc.v2 import version
from sidecarclient.v2 import client
from tests.unit import fakes

COMMANDS = {
    'sidecar_event_list': event.ListEvent,
    'sidecar_event_create': event.CreateEvent,
    'sidecar_event_show': event.ShowEvent,
    'sidecar_event_set': event.SetEvent,
    'sidecar_event_delete': event.DeleteEvent,
    'sidecar_version_list': version.ListVersion,
}
OVERRIDE = 'http://override.test:9090/v2'


def _own_options(cls: type[command.Command]) -> list[argparse.Action]:
    """The arguments a command adds, not those of cliff's formatters."""
    cmd = cls(None, None)
    inherited = {
        option
        for action in super(cls, cmd).get_parser('openstack')._actions
        for option in action.option_strings
    }
    return [
        action for action in cmd.get_parser('openstack')._actions
        if not inherited & set(action.option_strings)
    ]


# -- registration ------------------------------------------------------------


def test_extension_entry_point_is_the_plugin_module():
    found = [
        ep for ep in metadata.entry_points(group='openstack.cli.extension')
        if ep.name == 'sidecar'
    ]
    assert len(found) == 1
    module = found[0].load()

    assert module is plugin
    assert module.API_NAME == 'sidecar'
    assert module.API_VERSION_OPTION == 'os_sidecar_api_version'
    assert module.API_VERSIONS == {'2': 'sidecarclient.v2.client.Client'}
    path, _, name = module.API_VERSIONS['2'].rpartition('.')
    assert getattr(importlib.import_module(path), name) is client.Client


def test_command_entry_points_load_every_command():
    found = {
        ep.name: ep.load()
        for ep in metadata.entry_points(group='openstack.sidecar.v2')
    }

    assert found == COMMANDS


@pytest.mark.parametrize('cls', COMMANDS.values(), ids=COMMANDS.keys())
def test_every_command_has_help(cls):
    assert issubclass(cls, command.Command)
    assert cls.__doc__ and cls.__doc__.strip()
    for action in _own_options(cls):
        if action.dest != 'help':
            assert action.help, f'{action.dest} has no help'
        for option in action.option_strings:
            assert '_' not in option


def test_importing_the_plugin_loads_nothing_osc_has_not():
    # OSC imports every plugin on every run: the plugin may add only its
    # own small modules to what OSC loads anyway.
    probe = (
        'import sys\n'
        'before = set(sys.modules)\n'
        'import sidecarclient.osc.plugin\n'
        'new = set(sys.modules) - before\n'
        'import openstackclient.shell\n'
        'print(" ".join(sorted(new)))\n'
        'print(" ".join(sorted(new - set(sys.modules))))\n'
    )
    out = subprocess.run(
        [sys.executable, '-c', probe],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    new, not_in_osc = out[0].split(), out[1:] and out[1].split()

    assert not not_in_osc
    assert {m for m in new if m.startswith('sidecarclient')} == {
        'sidecarclient', 'sidecarclient.osc', 'sidecarclient.osc.plugin',
    }
    assert all(
        m.startswith('sidecarclient')
        or m.split('.')[0] in sys.stdlib_module_names
        for m in new
    ), new


# -- the global option -------------------------------------------------------


@pytest.mark.parametrize('env, argv, expected', [
    (None, [], '2'),
    ('', [], '2'),
    ('2', [], '2'),
    ('3', [], '3'),
    ('3', ['--os-sidecar-api-version', '2'], '2'),
])
def test_api_version_option(monkeypatch, env, argv, expected):
    if env is None:
        monkeypatch.delenv('OS_SIDECAR_API_VERSION', raising=False)
    else:
        monkeypatch.setenv('OS_SIDECAR_API_VERSION', env)
    parser = plugin.build_option_parser(argparse.ArgumentParser())

    assert parser.parse_args(argv).os_sidecar_api_version == expected
    assert 'OS_SIDECAR_API_VERSION' in parser.format_help()


# -- make_client through the real OpenStackClient ---------------------------


def _write_clouds(tmp_path: Path, **cloud: object) -> None:
    # JSON is YAML: no YAML writer is needed.
    (tmp_path / 'clouds.yaml').write_text(
        json.dumps({'clouds': {'test': cloud}})
    )


def _password_cloud(**extra: object) -> dict[str, object]:
    cloud: dict[str, object] = {
        'auth': {
            'auth_url': fakes.V3_AUTH_URL,
            'username': fakes.USERNAME,
            'password': fakes.PASSWORD,
            'project_name': fakes.TENANT_NAME,
            'user_domain_name': fakes.DOMAIN_NAME,
            'project_domain_name': fakes.DOMAIN_NAME,
        },
        'identity_api_version': '3',
    }
    cloud.update(extra)
    return cloud


def _stub_keystone(requests_mock):
    fakes.stub_discovery(requests_mock)
    requests_mock.get(
        fakes.V3_AUTH_URL,
        json={'version': {
            'id': 'v3.14', 'status': 'stable',
            'links': [{'rel': 'self', 'href': fakes.V3_AUTH_URL + '/'}],
        }},
    )
    fakes.stub_v3_auth(requests_mock)


def test_standalone_endpoint(openstack, requests_mock, capsys):
    requests_mock.get(fakes.EVENTS, [
        {'json': {'events': [fakes.event(id='e' * 32)]}},
        {'json': {'events': []}},
    ])

    code = openstack(
        '--os-auth-type', 'none', '--os-endpoint', fakes.ENDPOINT,
        'sidecar', 'event', 'list', '-f', 'value', '-c', 'ID',
    )

    assert (code, capsys.readouterr().out) == (0, 'e' * 32 + '\n')
    assert requests_mock.request_history[0].url == fakes.EVENTS


def test_standalone_endpoint_from_the_environment(
    openstack, requests_mock, monkeypatch, capsys
):
    monkeypatch.setenv('OS_AUTH_TYPE', 'none')
    monkeypatch.setenv('OS_ENDPOINT', fakes.ENDPOINT)
    requests_mock.get('http://sidecar.test:9090/', json={'versions': [
        {'v2': {'date': '2016-08-07T00:00:00', 'status': 'current'}},
    ]})

    code = openstack('sidecar', 'version', 'list', '-f', 'value')

    assert (code, capsys.readouterr().out) == (
        0, 'v2 2016-08-07T00:00:00 current\n'
    )


def test_standalone_without_endpoint_fails_clearly(
    openstack, requests_mock, capsys
):
    code = openstack('--os-auth-type', 'none', 'sidecar', 'event', 'list')

    assert code == 1
    assert capsys.readouterr().err == (
        'No Sidecar endpoint: the authentication type has no service '
        'catalog, so give the URL with --os-endpoint\n'
    )
    assert not requests_mock.request_history


@pytest.mark.parametrize('argv, region, interface', [
    ([], 'RegionTwo', 'internal'),
    (['--os-region-name', 'RegionOne', '--os-interface', 'admin'],
     'RegionOne', 'admin'),
])
def test_catalog_endpoint_from_clouds_yaml(
    openstack, requests_mock, tmp_path, argv, region, interface
):
    _write_clouds(
        tmp_path,
        **_password_cloud(
            regions=['RegionTwo', 'RegionOne'],
            region_name='RegionTwo',
            interface='internal',
        ),
    )
    _stub_keystone(requests_mock)
    url = fakes.catalog_url(region, interface) + '/evacuates/events'
    requests_mock.get(url, json={'events': []})

    code = openstack('--os-cloud', 'test', *argv, 'sidecar', 'event', 'list')

    assert code == 0
    sent = fakes.sidecar_requests(requests_mock)
    assert [r.url for r in sent] == [url]
    assert sent[0].headers['X-Auth-Token'] == fakes.V3_TOKEN


def test_catalog_endpoint_from_openrc_variables(
    openstack, requests_mock, monkeypatch
):
    for name, value in {
        'OS_AUTH_URL': fakes.V3_AUTH_URL,
        'OS_IDENTITY_API_VERSION': '3',
        'OS_USERNAME': fakes.USERNAME,
        'OS_PASSWORD': fakes.PASSWORD,
        'OS_PROJECT_NAME': fakes.TENANT_NAME,
        'OS_USER_DOMAIN_NAME': fakes.DOMAIN_NAME,
        'OS_PROJECT_DOMAIN_NAME': fakes.DOMAIN_NAME,
        'OS_REGION_NAME': 'RegionTwo',
    }.items():
        monkeypatch.setenv(name, value)
    _stub_keystone(requests_mock)
    url = fakes.catalog_url('RegionTwo', 'public') + '/evacuates/events'
    requests_mock.get(url, json={'events': []})

    assert openstack('sidecar', 'event', 'list') == 0
    assert [r.url for r in fakes.sidecar_requests(requests_mock)] == [url]


def test_endpoint_override_in_clouds_yaml(
    openstack, requests_mock, tmp_path
):
    _write_clouds(
        tmp_path,
        **_password_cloud(
            region_name='RegionOne', sidecar_endpoint_override=OVERRIDE,
        ),
    )
    _stub_keystone(requests_mock)
    requests_mock.get(OVERRIDE + '/evacuates/events', json={'events': []})

    assert openstack('--os-cloud', 'test', 'sidecar', 'event', 'list') == 0
    sent = fakes.sidecar_requests(requests_mock)
    assert [r.url for r in sent] == [OVERRIDE + '/evacuates/events']
    assert sent[0].headers['X-Auth-Token'] == fakes.V3_TOKEN


def test_region_missing_from_the_catalog(
    openstack, requests_mock, tmp_path, capsys
):
    _write_clouds(tmp_path, **_password_cloud(region_name='RegionNine'))
    _stub_keystone(requests_mock)

    code = openstack('--os-cloud', 'test', 'sidecar', 'event', 'list')

    assert code == 1
    assert capsys.readouterr().err == (
        'No Sidecar endpoint in the service catalog (public endpoint for '
        'sidecar service in RegionNine region not found); check '
        '--os-region-name and --os-interface, or set '
        'sidecar_endpoint_override in clouds.yaml\n'
    )
    assert not fakes.sidecar_requests(requests_mock)


def test_connection_failure_is_one_line_naming_the_url(
    openstack, requests_mock, capsys
):
    requests_mock.get(
        fakes.EVENTS,
        exc=requests.exceptions.ConnectionError('Connection refused'),
    )

    code = openstack(
        '--os-auth-type', 'none', '--os-endpoint', fakes.ENDPOINT,
        'sidecar', 'event', 'list',
    )

    err = capsys.readouterr().err
    assert code == 1
    assert err == (
        f'Unable to establish connection to {fakes.EVENTS}: '
        f'Connection refused\n'
    )
    # A command line reports the failure at once, without retrying.
    assert len(requests_mock.request_history) == 1


# -- the installed ``openstack`` program ---------------------------------


def _run_openstack(tmp_path: Path, *argv: str) -> str:
    """Run the installed ``openstack`` program; return what it printed."""
    program = Path(sys.executable).with_name('openstack')
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env['HOME'] = str(tmp_path)
    done = subprocess.run(
        [str(program), *argv],
        capture_output=True, text=True, env=env, cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_help_of_event_list_shows_every_option(tmp_path):
    out = _run_openstack(tmp_path, 'sidecar', 'event', 'list', '--help')

    assert 'usage: openstack sidecar event list' in out
    assert 'List evacuation events, newest first' in out
    for action in _own_options(event.ListEvent):
        for option in action.option_strings:
            assert option in out
    for text in ('--created-after <time>', '{created,running,completed}',
                 'Show at most this many events'):
        assert text in out


@pytest.mark.parametrize('name', [
    'sidecar event create', 'sidecar event show', 'sidecar event set',
    'sidecar event delete', 'sidecar version list',
])
def test_help_of_each_command(openstack, capsys, name):
    cls = COMMANDS[name.replace(' ', '_')]

    assert openstack('help', *name.split()) == 0
    out = capsys.readouterr().out
    # The program name is pytest's here.
    assert f' {name} [-h]' in out
    assert cls.__doc__.strip() in out
    for action in _own_options(cls):
        for option in action.option_strings or [action.metavar]:
            assert option in out


def test_completion_lists_the_commands(tmp_path):
    lines = _run_openstack(tmp_path, 'complete').splitlines()

    assert "  cmds_sidecar='event version'" in lines
    assert "  cmds_sidecar_event='create delete list set show'" in lines
    assert "  cmds_sidecar_version='list'" in lines
    (set_line,) = [
        line for line in lines if line.startswith('  cmds_sidecar_event_set=')
    ]
    assert set_line.split('=', 1)[1].strip("'").split() == [
        '-h', '--help', '--name', '--node', '--status', '--vm', '--no-vm',
    ]
