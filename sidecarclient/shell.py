"""The legacy ``sidecar`` command line.

It keeps the options and subcommands of the original tool so that
scripts written against it keep working. This module only parses: the
library, keystoneauth and prettytable are imported by
:mod:`sidecarclient.shell_commands`, and only when a subcommand that talks
to the service runs, so that ``sidecar --version`` and ``sidecar help``
start quickly.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

PROG = 'sidecar'

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

EPILOG = f"""\
See "{PROG} help COMMAND" for help on a specific command.

Exit status:
  0    success
  1    the Sidecar service or Keystone refused the request, failed, or
       could not be reached
  2    usage error: a missing or unknown option, or a value the client
       rejects itself before sending anything (an invalid event name,
       status, time, limit, timeout or auth version, for example)
  130  interrupted
"""

# The options shared by every subcommand: (option, environment variables
# read in order, help, what applies when neither is set).
_GLOBAL_OPTIONS: tuple[tuple[str, tuple[str, ...], str, str | None], ...] = (
    ('--os-auth-token', ('OS_AUTH_TOKEN',),
     'An existing Keystone token. With --os-endpoint it is sent as is '
     'and Keystone is not called.', None),
    ('--os-user-id', ('OS_USER_ID',), 'Keystone user ID.', None),
    ('--os-username', ('OS_USERNAME', 'OS_USER_NAME'),
     'Keystone user name.', None),
    ('--os-password', ('OS_PASSWORD', 'OS_USER_PASSWORD'),
     "The Keystone user's password.", None),
    ('--os-tenant-name', ('OS_TENANT_NAME',),
     'Project (tenant) name; same as --os-project-name.', None),
    ('--os-tenant-id', ('OS_TENANT_ID',),
     'Project (tenant) ID; same as --os-project-id.', None),
    ('--os-project-name', ('OS_PROJECT_NAME',), 'Project name.', None),
    ('--os-project-id', ('OS_PROJECT_ID',), 'Project ID.', None),
    ('--os-auth-url', ('OS_AUTH_URL',), 'Keystone URL.', None),
    ('--os-region-name', ('OS_REGION_NAME',),
     'Region of the Sidecar endpoint in the service catalog.', None),
    ('--os-auth-version', ('OS_AUTH_VERSION', 'OS_IDENTITY_API_VERSION'),
     'Identity API version, 2 or 3.', 'discovered from --os-auth-url'),
    ('--os-timeout', ('OS_TIMEOUT',),
     'Seconds to wait for each response.', '300'),
    ('--os-insecure', ('OS_INSECURE',),
     'true to skip the verification of HTTPS certificates.', 'false'),
    ('--os-cacert', ('OS_CACERT',),
     'CA bundle file to verify HTTPS certificates with.', None),
    ('--os-user-domain-id', ('OS_USER_DOMAIN_ID',),
     "The user's domain ID (Identity v3).", None),
    ('--os-user-domain-name', ('OS_USER_DOMAIN_NAME',),
     "The user's domain name (Identity v3).", None),
    ('--os-project-domain-id', ('OS_PROJECT_DOMAIN_ID',),
     "The project's domain ID (Identity v3).", None),
    ('--os-project-domain-name', ('OS_PROJECT_DOMAIN_NAME',),
     "The project's domain name (Identity v3).", None),
    ('--os-endpoint', ('OS_ENDPOINT',),
     'Sidecar URL such as http://controller:9090/v2, instead of the one '
     'in the service catalog.', None),
    ('--os-endpoint-type', ('OS_ENDPOINT_TYPE', 'OS_INTERFACE'),
     'Catalog interface: public, internal or admin (or publicURL, '
     'internalURL, adminURL).', 'public'),
)

# The original tool spelt this option wrongly; scripts may still use it.
_MISSPELT_OPTIONS = {'--os-enpoint-type': '--os-endpoint-type'}

_TIME_HELP = 'as YYYY-MM-DD HH:MM:SS or ISO 8601 (2016-09-02T14:32:17)'


def env(*names: str) -> str | None:
    """Return the first of these environment variables that is not empty."""
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


class _HelpFormatter(argparse.HelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32)

    def _split_lines(self, text: str, width: int) -> list[str]:
        # Never break inside option names and times such as
        # --os-project-name or YYYY-MM-DD.
        return textwrap.wrap(
            ' '.join(text.split()), width, break_on_hyphens=False
        )


class _RawHelpFormatter(argparse.RawDescriptionHelpFormatter,
                        _HelpFormatter):
    """Keeps the line breaks of the description and epilog as written."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that remembers its options for completion."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Filled by add_argument, which the base class calls for --help.
        self.completion_words: list[str] = []
        kwargs.setdefault('formatter_class', _HelpFormatter)
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        if action.help != argparse.SUPPRESS:
            self.completion_words.extend(action.option_strings)
        return action


class _VersionAction(argparse.Action):
    """Print the package version; looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str,
                 **kwargs: Any) -> None:
        super().__init__(
            option_strings, dest, nargs=0, default=argparse.SUPPRESS,
            **kwargs,
        )

    def __call__(self, parser: argparse.ArgumentParser,
                 namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        import sidecarclient

        print(sidecarclient.version_string())
        parser.exit()


def _add_global_options(parser: _Parser) -> None:
    parser.add_argument(
        '--version', action=_VersionAction,
        help="Show the program's version number and exit.",
    )
    parser.add_argument(
        '--debug', action='store_true',
        help='Print the HTTP traffic and a traceback on failure to '
        'standard error. Passwords and tokens are never shown.',
    )
    for option, names, text, otherwise in _GLOBAL_OPTIONS:
        text += ' Defaults to ' + ' or '.join(f'env[{n}]' for n in names)
        if otherwise:
            text += f', else {otherwise}'
        parser.add_argument(option, default=env(*names), help=text + '.')
    for misspelt, option in _MISSPELT_OPTIONS.items():
        parser.add_argument(
            misspelt, dest=option[2:].replace('-', '_'),
            help=argparse.SUPPRESS,
        )


def _add_list_command(add: Callable[..., _Parser]) -> None:
    parser = add(
        'evacuates-events-list',
        'List and filter evacuation events, newest first.',
    )
    parser.add_argument('--id', metavar='<event-id>',
                        help='Only the event with this ID.')
    parser.add_argument('--name', metavar='<name>',
                        help='Only the event with this name (any case).')
    parser.add_argument('--node-uuid', metavar='<node-uuid>',
                        help='Only the events of this failed host.')
    parser.add_argument('--event-status', metavar='<status>',
                        help='Only events with this status: created, '
                        'running or completed.')
    parser.add_argument('--event-create-time', metavar='<time>',
                        help=f'Only events created at this time, '
                        f'{_TIME_HELP}.')
    parser.add_argument('--min-event-create-time', metavar='<time>',
                        help='Only events created at or after this time.')
    parser.add_argument('--max-event-create-time', metavar='<time>',
                        help='Only events created at or before this time.')
    parser.add_argument('--marker', metavar='<event-id>',
                        help='ID of the last event already seen: the list '
                        'starts after it.')
    parser.add_argument('--limit', metavar='<count>',
                        help='Show at most this many events (default: '
                        'all of them).')


def _add_create_command(add: Callable[..., _Parser]) -> None:
    parser = add('evacuates-event-create', 'Create a new evacuation event.')
    parser.add_argument('--name', metavar='<name>', required=True,
                        help='Unique name of the event: 3 to 100 letters, '
                        'digits, underscores, hyphens or spaces, starting '
                        'and ending with a letter or digit.')
    parser.add_argument('--node-uuid', metavar='<node-uuid>', required=True,
                        help='The failed host.')
    parser.add_argument('--vm-uuid-list', metavar='<vm-uuid,...>',
                        help='Comma-separated IDs of the instances being '
                        'evacuated.')


def _add_detail_command(add: Callable[..., _Parser]) -> None:
    parser = add('evacuates-event-detail', 'Show the details of an event.')
    parser.add_argument('--id', metavar='<event-id>', required=True,
                        help='ID of the event.')


def _add_edit_command(add: Callable[..., _Parser]) -> None:
    parser = add(
        'evacuates-event-edit',
        'Change an event and show it as it is afterwards. Options not '
        'given are left as they are.',
    )
    parser.add_argument('--id', metavar='<event-id>', required=True,
                        help='ID of the event to change.')
    parser.add_argument('--name', metavar='<name>', help='New name.')
    parser.add_argument('--node-uuid', metavar='<node-uuid>',
                        help='New failed host.')
    parser.add_argument('--event-status', metavar='<status>',
                        help='New status: running or completed. Completing '
                        'an event records its completion time.')
    parser.add_argument('--vm-uuid-list', metavar='<vm-uuid,...>',
                        help='New comma-separated list of instance IDs; '
                        'an empty string clears the list.')


def _add_delete_command(add: Callable[..., _Parser]) -> None:
    parser = add(
        'evacuates-event-delete',
        'Delete an event. Only a completed event can be deleted.',
    )
    parser.add_argument('--id', metavar='<event-id>', required=True,
                        help='ID of the event to delete.')


def _add_help_command(add: Callable[..., _Parser]) -> None:
    parser = add('help', 'Show help for the program or for a <subcommand>.')
    parser.add_argument('subcommand', metavar='<subcommand>', nargs='?',
                        help='Show help for this subcommand.')


def build_parser() -> tuple[argparse.ArgumentParser,
                            dict[str, argparse.ArgumentParser]]:
    """Return the parser and the parser of each subcommand by name.

    Option defaults are read from the environment now, so build the
    parser after the environment is set.
    """
    parser = _Parser(
        prog=PROG,
        description='Command-line interface to the Sidecar service, '
        'which records\nthe evacuation of failed compute hosts.',
        epilog=EPILOG,
        formatter_class=_RawHelpFormatter,
    )
    _add_global_options(parser)
    subparsers = parser.add_subparsers(
        title='subcommands', metavar='<subcommand>', dest='command',
    )
    commands: dict[str, argparse.ArgumentParser] = {}

    def add(name: str, description: str) -> _Parser:
        summary = description.split('. ')[0].rstrip('.')
        command = subparsers.add_parser(
            name, help=summary, description=description,
        )
        commands[name] = command
        return command

    add('all-versions', 'List the API versions the Sidecar server offers.')
    _add_create_command(add)
    _add_delete_command(add)
    _add_detail_command(add)
    _add_edit_command(add)
    _add_list_command(add)
    add('bash-completion',
        'Print every subcommand and option, for shell completion.')
    _add_help_command(add)
    return parser, commands


def completion_words(parser: argparse.ArgumentParser,
                     commands: dict[str, argparse.ArgumentParser]) -> str:
    """Every subcommand, then every option, on one line."""
    options: set[str] = set(getattr(parser, 'completion_words', ()))
    for command in commands.values():
        options.update(getattr(command, 'completion_words', ()))
    return ' '.join(sorted(commands) + sorted(options))


def _help(parser: argparse.ArgumentParser,
          commands: dict[str, argparse.ArgumentParser],
          name: str | None) -> int:
    if name is None:
        parser.print_help()
    elif name in commands:
        commands[name].print_help()
    else:
        commands['help'].error(
            f"'{name}' is not a {PROG} subcommand; see '{PROG} help'"
        )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sidecar`` command line and return its exit status."""
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        print(f'{PROG}: interrupted', file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away, as in "sidecar ... | head": stop quietly,
        # and keep Python from failing again on flushing stdout at exit.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_FAILED


def _run(argv: list[str]) -> int:
    parser, commands = build_parser()
    if not argv:
        parser.print_help()
        return EXIT_OK
    args = parser.parse_args(argv)

    if args.command is None:
        parser.error(f"a subcommand is required; see '{PROG} help'")
    if args.command == 'help':
        return _help(parser, commands, args.subcommand)
    if args.command == 'bash-completion':
        print(completion_words(parser, commands))
        return EXIT_OK

    # Imported here: it loads the library, keystoneauth and prettytable,
    # which only the commands below need.
    from sidecarclient import shell_commands

    try:
        shell_commands.run(args)
    except shell_commands.UsageError as exc:
        # One line: the value was understood, only not accepted, so the
        # usage summary would not help.
        faulty = parser if exc.global_options else commands[args.command]
        faulty.exit(EXIT_USAGE, f'{faulty.prog}: error: {exc}\n')
    except shell_commands.CommandFailed as exc:
        if args.debug:
            import traceback

            traceback.print_exception(exc)
        print(f'ERROR: {exc}', file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


if __name__ == '__main__':
    sys.exit(main())
