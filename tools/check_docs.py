#!/usr/bin/env python3
"""Check that the built HTML documents every command and option.

Usage: tools/check_docs.py [HTML_DIR]   (default: doc/build/html)

What must be documented is read from the parsers themselves, not from a
list kept by hand:

* the OpenStackClient commands: every class registered under the
  ``openstack.sidecar.v2`` entry point group, through its ``get_parser``;
* the legacy ``sidecar`` shell: its top-level argparse parser and each
  subcommand's parser.

Each option and positional argument must have been described with a
``program``/``option`` pair (which is what both generated references
emit): it is then listed in the build's ``objects.inv`` and its anchor
must exist in the HTML page the inventory points at. Each command's full
name, and the ``OS_*`` variable behind each ``--os-*`` option of the
legacy shell, must appear in the text of some page. Exits 1 listing
everything missing, 0 when nothing is.
"""

from __future__ import annotations

import argparse
import html
import importlib
import importlib.metadata
import pathlib
import re
import sys
import zlib
from collections.abc import Iterator

OSC_GROUP = 'openstack.sidecar.v2'
OSC_APPLICATION = 'openstack'
LEGACY_PARSER = 'sidecarclient.shell:build_parser'

# One inventory line: name, domain:role, priority, uri, display name.
_INVENTORY_LINE = re.compile(r'(.+?)\s+(\S+?:\S+)\s+(-?\d+)\s+(\S*)\s+(.*)')
_TAG = re.compile(r'<[^>]*>')


def read_inventory(path: pathlib.Path) -> dict[str, str]:
    """Map each program option in a Sphinx ``objects.inv`` to its URI."""
    with path.open('rb') as stream:
        for _ in range(4):  # the plain-text header
            stream.readline()
        text = zlib.decompress(stream.read()).decode('utf-8')
    options = {}
    for line in text.splitlines():
        match = _INVENTORY_LINE.match(line.rstrip())
        if not match:
            continue
        name, role, _prio, uri, _disp = match.groups()
        if role != 'std:cmdoption':
            continue
        if uri.endswith('$'):
            uri = uri[:-1] + name
        options[name] = uri
    return options


def page_texts(root: pathlib.Path) -> dict[str, str]:
    """The HTML of every page, keyed by its path relative to ``root``."""
    return {
        page.relative_to(root).as_posix(): page.read_text(encoding='utf-8')
        for page in root.rglob('*.html')
    }


def plain_text(markup: str) -> str:
    """Page text without tags, entities decoded, whitespace collapsed."""
    return ' '.join(html.unescape(_TAG.sub('', markup)).split())


def documented_names(action: argparse.Action) -> list[str]:
    """The names an argument is described under in the references."""
    if action.option_strings:
        return list(action.option_strings)
    metavar = action.metavar
    if isinstance(metavar, tuple):
        metavar = metavar[0]
    return [str(metavar or action.dest).strip('<>[]() ')]


def arguments(parser: argparse.ArgumentParser) -> Iterator[str]:
    """Every argument a user can give, but help and hidden ones."""
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        if isinstance(
            action, (argparse._HelpAction, argparse._SubParsersAction)
        ):
            continue
        yield from documented_names(action)


def osc_parsers() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """(full command, parser) for each registered OSC command."""
    found = importlib.metadata.entry_points(group=OSC_GROUP)
    if not found:
        raise SystemExit(
            f'no entry points in {OSC_GROUP}: is the package installed?'
        )
    for entry in sorted(found, key=lambda e: e.name):
        command = f'{OSC_APPLICATION} {entry.name.replace("_", " ")}'
        # cliff builds parsers the same way for its sphinx extension.
        instance = entry.load()(None, None)
        yield command, instance.get_parser(command)


def legacy_parsers() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """(full command, parser) for the legacy shell and its subcommands."""
    module_name, _, attr = LEGACY_PARSER.partition(':')
    parser = getattr(importlib.import_module(module_name), attr)()
    if isinstance(parser, tuple):  # (parser, subparsers by name)
        parser = parser[0]
    yield parser.prog, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in sorted(action.choices.items()):
                yield f'{parser.prog} {name}', sub


def legacy_env_vars() -> Iterator[str]:
    """``OS_*`` variables behind the legacy shell's ``--os-*`` options."""
    _, parser = next(legacy_parsers())
    for name in arguments(parser):
        if name.startswith('--os-'):
            yield name[2:].upper().replace('-', '_')


def check(root: pathlib.Path) -> tuple[list[str], int]:
    """Check the HTML under ``root``.

    Return a line for each thing it lacks, and how many things were
    checked.
    """
    inventory_path = root / 'objects.inv'
    if not inventory_path.is_file():
        return [f'{inventory_path} does not exist: build the HTML first'], 0
    inventory = read_inventory(inventory_path)
    pages = page_texts(root)
    text = '\n'.join(plain_text(markup) for markup in pages.values())

    missing = []
    checked = 0
    commands = list(osc_parsers()) + list(legacy_parsers())
    for command, parser in commands:
        checked += 1
        if command not in text:
            missing.append(f'command {command!r} appears on no page')
        # Sphinx joins the words of a program name with hyphens.
        program = '-'.join(command.split())
        for name in arguments(parser):
            checked += 1
            uri = inventory.get(f'{program}.{name}')
            if uri is None:
                missing.append(f'{command}: option {name} is not described')
                continue
            page, _, anchor = uri.partition('#')
            if f'id="{anchor}"' not in pages.get(page, ''):
                missing.append(
                    f'{command}: option {name} has no anchor {anchor!r} '
                    f'in {page}'
                )
    for variable in legacy_env_vars():
        checked += 1
        if variable not in text:
            missing.append(f'environment variable {variable} is on no page')
    return missing, checked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'html_dir',
        nargs='?',
        default='doc/build/html',
        type=pathlib.Path,
        help='the output directory of sphinx-build -b html',
    )
    args = parser.parse_args(argv)
    missing, checked = check(args.html_dir)
    for line in missing:
        print(f'missing: {line}', file=sys.stderr)
    if missing or not checked:
        print(
            f'{len(missing)} of {checked} commands, options and '
            f'variables are not documented in {args.html_dir}',
            file=sys.stderr,
        )
        return 1
    print(
        f'All {checked} commands, options and variables are documented '
        f'in {args.html_dir}'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
