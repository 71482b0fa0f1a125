"""The documentation tooling: tools/check_docs.py and the shell extension.

The real documentation build runs in tools/run-tests.sh; these tests
check, without Sphinx building anything, that the check notices what is
missing and that the legacy shell's reference renders every argument.
"""

from __future__ import annotations

import argparse
import importlib.util
import pathlib
import sys
import types
import zlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def _load(name: str, path: pathlib.Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


check_docs = _load('check_docs', REPO / 'tools' / 'check_docs.py')


def _parsers() -> list[tuple[str, argparse.ArgumentParser]]:
    return list(check_docs.osc_parsers()) + list(check_docs.legacy_parsers())


def _expected() -> list[tuple[str, str]]:
    """(command, argument) for everything both command lines accept."""
    return [
        (command, name)
        for command, parser in _parsers()
        for name in check_docs.arguments(parser)
    ]


def _anchor(command: str, name: str) -> str:
    return 'cmdoption-' + '-'.join(command.split() + [name.lstrip('-')])


def _write_site(
    root: pathlib.Path,
    skip_option: set[tuple[str, str]] = frozenset(),
    skip_anchor: set[tuple[str, str]] = frozenset(),
    skip_text: set[str] = frozenset(),
) -> None:
    """A fake HTML build documenting everything but what is skipped."""
    lines = []
    anchors = []
    for command, name in _expected():
        if (command, name) in skip_option:
            continue
        program = '-'.join(command.split())
        anchor = _anchor(command, name)
        lines.append(f'{program}.{name} std:cmdoption 1 ref.html#{anchor} -')
        if (command, name) not in skip_anchor:
            anchors.append(f'<dt id="{anchor}">{name}</dt>')
    commands = {command for command, _ in _parsers()}
    words = sorted(commands - skip_text)
    words += list(check_docs.legacy_env_vars())
    words = [w for w in words if w not in skip_text]
    header = (
        b'# Sphinx inventory version 2\n# Project: test\n'
        b'# Version: \n# The remainder of this file is compressed.\n'
    )
    body = zlib.compress('\n'.join(lines).encode())
    (root / 'objects.inv').write_bytes(header + body)
    (root / 'ref.html').write_text(
        '<html><body>'
        + ''.join(anchors)
        + ''.join(f'<p>{word}</p>' for word in words)
        + '</body></html>'
    )


def test_both_command_lines_are_found() -> None:
    commands = {command for command, _ in _parsers()}
    assert 'openstack sidecar event list' in commands
    assert 'openstack sidecar version list' in commands
    assert 'sidecar evacuates-events-list' in commands
    assert ('openstack sidecar event list', '--status') in _expected()
    assert ('sidecar evacuates-event-create', '--vm-uuid-list') in (
        _expected()
    )
    assert ('sidecar', '--os-auth-url') in _expected()
    assert 'sidecar bash-completion' in commands


def test_hidden_and_help_options_are_not_required() -> None:
    names = {name for _, name in _expected()}
    assert '--os-enpoint-type' not in names
    assert '--help' not in names


def test_complete_site_passes(tmp_path: pathlib.Path) -> None:
    _write_site(tmp_path)
    missing, checked = check_docs.check(tmp_path)
    assert missing == []
    assert checked > len(_expected())


def test_undescribed_options_are_reported(tmp_path: pathlib.Path) -> None:
    gone = {
        ('openstack sidecar event set', '--no-vm'),
        ('sidecar evacuates-events-list', '--max-event-create-time'),
    }
    _write_site(tmp_path, skip_option=gone)
    missing, _ = check_docs.check(tmp_path)
    assert sorted(missing) == [
        'openstack sidecar event set: option --no-vm is not described',
        'sidecar evacuates-events-list: option --max-event-create-time '
        'is not described',
    ]


def test_missing_anchor_is_reported(tmp_path: pathlib.Path) -> None:
    gone = ('openstack sidecar event create', '--vm')
    _write_site(tmp_path, skip_anchor={gone})
    missing, _ = check_docs.check(tmp_path)
    assert missing == [
        f"openstack sidecar event create: option --vm has no anchor "
        f"'{_anchor(*gone)}' in ref.html"
    ]


def test_missing_command_and_variable_are_reported(
    tmp_path: pathlib.Path,
) -> None:
    _write_site(tmp_path, skip_text={'sidecar all-versions', 'OS_CACERT'})
    missing, _ = check_docs.check(tmp_path)
    assert sorted(missing) == [
        "command 'sidecar all-versions' appears on no page",
        'environment variable OS_CACERT is on no page',
    ]


def test_main_exits_1_without_a_build(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_docs.main([str(tmp_path)]) == 1
    assert 'build the HTML first' in capsys.readouterr().err


def test_main_exits_0_on_a_complete_site(tmp_path: pathlib.Path) -> None:
    _write_site(tmp_path)
    assert check_docs.main([str(tmp_path)]) == 0


class TestShellExtension:
    @pytest.fixture(autouse=True)
    def extension(self) -> None:
        pytest.importorskip('sphinx')
        self.ext = _load(
            'sidecar_shell',
            REPO / 'doc' / 'source' / '_exts' / 'sidecar_shell.py',
        )

    def _parser(self) -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(prog='tool', description='A tool.')
        parser.add_argument('--flag', action='store_true', help='Turn on.')
        parser.add_argument('--old', help=argparse.SUPPRESS)
        subs = parser.add_subparsers(dest='command', metavar='<command>')
        show = subs.add_parser('show', help='Show a *thing*.')
        show.add_argument(
            '--id',
            metavar='<id>',
            required=True,
            help='Which one, as in `ls`|grep.',
        )
        show.add_argument('name', metavar='<name>', help='Its name_')
        return parser

    def test_every_argument_is_an_option_entry(self) -> None:
        parser = self._parser()
        text = '\n'.join(self.ext.parser_lines(parser))
        assert '.. program:: tool' in text
        assert '.. option:: --flag' in text
        assert '.. option:: -h, --help' in text
        assert '--old' not in text

    def test_subcommands_render_without_help(self) -> None:
        subs = list(self.ext.subcommands(self._parser()))
        assert [(name, summary) for name, summary, _ in subs] == [
            ('show', 'Show a *thing*.'),
        ]
        lines = list(
            self.ext.parser_lines(subs[0][2], subs[0][1], with_help=False)
        )
        assert lines[0] == 'Show a \\*thing\\*.'
        assert '.. program:: tool show' in lines
        assert '.. option:: --id <id>' in lines
        assert '   Which one, as in \\`ls\\`\\|grep.' in lines
        assert '.. option:: name' in lines
        assert '   Its name\\_' in lines
        assert not any('--help' in line for line in lines)

    def test_usage_loses_its_prefix_and_indent(self) -> None:
        parser = argparse.ArgumentParser(prog='tool')
        for n in range(12):
            parser.add_argument(f'--option-number-{n}')
        usage = self.ext._usage(parser)
        assert usage[0].startswith('tool [-h]')
        assert len(usage) > 1
        assert all(line.startswith('     [') for line in usage[1:])

    def test_parser_from_a_tuple_factory(self) -> None:
        parser = self.ext.load_parser('sidecarclient.shell:build_parser')
        assert parser.prog == 'sidecar'
