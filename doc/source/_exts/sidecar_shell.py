"""Render the legacy ``sidecar`` shell's argparse parser as reference text.

Usage in a document::

    .. sidecar-shell-reference::
       :parser: sidecarclient.shell:build_parser

``:parser:`` names a callable that takes no argument and returns the
shell's top-level :class:`argparse.ArgumentParser`, alone or as the
first item of a tuple. The directive emits
one section for the global options and one per subcommand, each with its
usage line and a ``program``/``option`` description for every argument,
so the page cannot drift from the code and ``:option:`` references to it
resolve. Arguments whose help is suppressed are left out, as they are
from ``sidecar help``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
from collections.abc import Callable, Iterator
from typing import Any

from docutils import nodes
from docutils import statemachine
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

DEFAULT_PARSER = 'sidecarclient.shell:build_parser'

# Width the usage lines are wrapped to, so that they fit the page.
USAGE_WIDTH = 72

# Characters that start inline markup in reStructuredText. Help strings
# are plain text, so each is escaped to be shown as written.
_MARKUP = '\\*`|_'


def _plain(text: str) -> str:
    """Help text as one line of reStructuredText that reads as written."""
    text = ' '.join(text.split())
    return ''.join('\\' + ch if ch in _MARKUP else ch for ch in text)


def load_parser(spec: str) -> argparse.ArgumentParser:
    """Call ``module:callable`` and return the parser it builds."""
    module_name, _, attr = spec.partition(':')
    factory: Callable[[], Any] = getattr(
        importlib.import_module(module_name), attr
    )
    parser = factory()
    if isinstance(parser, tuple):
        parser = parser[0]
    if not isinstance(parser, argparse.ArgumentParser):
        raise TypeError(
            f'{spec} returned {type(parser).__name__}, '
            f'not an argparse.ArgumentParser'
        )
    return parser


def subcommands(
    parser: argparse.ArgumentParser,
) -> Iterator[tuple[str, str | None, argparse.ArgumentParser]]:
    """Yield (name, summary, parser) for each subcommand, sorted by name.

    An alias shares its parser with the command it names and is not
    listed a second time.
    """
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        summaries = {
            choice.dest: choice.help for choice in action._choices_actions
        }
        seen: set[int] = set()
        for name in sorted(action.choices):
            sub = action.choices[name]
            if id(sub) in seen:
                continue
            seen.add(id(sub))
            yield name, summaries.get(name), sub


def _help(action: argparse.Action, prog: str) -> str | None:
    if not action.help or action.help == argparse.SUPPRESS:
        return None
    text = action.help
    if '%' in text:
        params = dict(vars(action), prog=prog)
        try:
            text = text % params
        except (KeyError, TypeError, ValueError):
            pass
    return text


def _metavar(action: argparse.Action) -> str:
    metavar = action.metavar
    if isinstance(metavar, tuple):
        metavar = metavar[0]
    if metavar:
        return str(metavar)
    if action.option_strings:
        return action.dest.upper()
    return action.dest


@contextlib.contextmanager
def _columns(width: int) -> Iterator[None]:
    # argparse wraps to the terminal's width, which it reads from
    # COLUMNS first: fix it, so the page is the same wherever it is built.
    saved = os.environ.get('COLUMNS')
    os.environ['COLUMNS'] = str(width)
    try:
        yield
    finally:
        if saved is None:
            del os.environ['COLUMNS']
        else:
            os.environ['COLUMNS'] = saved


def _usage(parser: argparse.ArgumentParser) -> list[str]:
    """The usage lines, without argparse's ``usage:`` prefix."""
    with _columns(USAGE_WIDTH):
        lines = parser.format_usage().rstrip().splitlines()
    prefix = 'usage: '
    if lines and lines[0].startswith(prefix):
        # Continuation lines are indented to follow the prefix.
        indent = ' ' * len(prefix)
        lines = [lines[0].removeprefix(prefix)] + [
            line.removeprefix(indent) for line in lines[1:]
        ]
    return lines


def _shown(
    parser: argparse.ArgumentParser, with_help: bool
) -> Iterator[argparse.Action]:
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        if isinstance(action, argparse._SubParsersAction):
            continue
        if not with_help and isinstance(action, argparse._HelpAction):
            continue
        yield action


def parser_lines(
    parser: argparse.ArgumentParser,
    description: str | None = None,
    with_help: bool = True,
) -> Iterator[str]:
    """reStructuredText for one parser: text, usage, then each argument.

    ``with_help`` False leaves ``-h, --help`` out, for subcommands: it is
    the same everywhere and described once, with the global options.
    """
    text = description or parser.description
    if text:
        yield _plain(text)
        yield ''
    yield '.. code-block:: text'
    yield ''
    for line in _usage(parser):
        yield '   ' + line
    yield ''
    yield f'.. program:: {parser.prog}'
    yield ''
    actions = list(_shown(parser, with_help))
    # Options first, then positional arguments, as ``help`` prints them.
    for action in sorted(actions, key=lambda a: not a.option_strings):
        if action.option_strings:
            if action.nargs == 0:
                signature = ', '.join(action.option_strings)
            else:
                metavar = _metavar(action)
                signature = ', '.join(
                    f'{opt} <{metavar.strip("<>")}>'
                    for opt in action.option_strings
                )
        else:
            signature = _metavar(action).strip('<>[]() ')
        yield f'.. option:: {signature}'
        yield ''
        help_text = _help(action, parser.prog)
        if help_text:
            yield '   ' + _plain(help_text)
            yield ''
    if parser.epilog:
        # The epilog is laid out by hand (a table of exit statuses, for
        # one), so it is kept as it is printed.
        yield '::'
        yield ''
        for line in parser.epilog.splitlines():
            yield '   ' + line if line.strip() else ''
        yield ''


class SidecarShellReference(SphinxDirective):
    """Sections describing every argument of the legacy shell."""

    has_content = False
    option_spec = {'parser': directives.unchanged}

    def _section(
        self, title: str, lines: Iterator[str], source: str
    ) -> nodes.section:
        section = nodes.section(
            '',
            nodes.title(text=title),
            ids=[nodes.make_id(title)],
            names=[nodes.fully_normalize_name(title)],
        )
        content = statemachine.StringList()
        for line in lines:
            content.append(line, source)
        self.state.nested_parse(content, 0, section)
        return section

    def run(self) -> list[nodes.Node]:
        spec = self.options.get('parser', DEFAULT_PARSER)
        try:
            parser = load_parser(spec)
        except (ImportError, AttributeError, TypeError) as exc:
            raise self.error(
                f'cannot load the shell parser {spec}: {exc}'
            ) from exc
        self.env.note_dependency(
            importlib.import_module(spec.partition(':')[0]).__file__ or ''
        )
        source = f'<{spec}>'
        result: list[nodes.Node] = [
            self._section(
                f'{parser.prog} (global options)',
                parser_lines(parser),
                source,
            )
        ]
        for name, summary, sub in subcommands(parser):
            result.append(
                self._section(
                    f'{parser.prog} {name}',
                    parser_lines(
                        sub, sub.description or summary, with_help=False
                    ),
                    source,
                )
            )
        return result


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive('sidecar-shell-reference', SidecarShellReference)
    return {
        'version': '1.0',
        'parallel_read_safe': True,
        'parallel_write_safe': True,
    }
