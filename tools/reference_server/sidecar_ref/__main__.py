"""Run the reference Sidecar server under waitress.

    PYTHONPATH=tools/reference_server python -m sidecar_ref \\
        --port 9090 --db /tmp/sidecar.db --noauth
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from typing import NoReturn

LOG = logging.getLogger('sidecar_ref')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog='python -m sidecar_ref',
        description='Serve the Sidecar v2 API for tests.',
    )
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=9090)
    parser.add_argument(
        '--db', required=True, help='SQLite file of the events'
    )
    auth = parser.add_mutually_exclusive_group(required=True)
    auth.add_argument(
        '--noauth',
        action='store_true',
        help='serve without Keystone: every caller may do everything',
    )
    auth.add_argument(
        '--auth-config',
        metavar='FILE',
        help='oslo.config file with a [keystone_authtoken] section',
    )
    parser.add_argument(
        '--threads', type=int, default=8, help='waitress worker threads'
    )
    parser.add_argument(
        '--log-file', help='log here instead of to standard error'
    )
    parser.add_argument('--debug', action='store_true')
    args = parser.parse_args(argv)
    if args.auth_config and not os.path.isfile(args.auth_config):
        parser.error(f'no such file: {args.auth_config}')
    return args


def _stop(signum: int, frame: object) -> NoReturn:
    LOG.info('Stopping on signal %d', signum)
    sys.exit(0)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        filename=args.log_file,
        level=logging.DEBUG if args.debug else logging.INFO,
        format='%(asctime)s %(process)d %(levelname)s %(name)s %(message)s',
    )

    # Imported after logging is set up, so that their warnings land in
    # the log.
    import waitress

    from sidecar_ref import wsgi

    app = wsgi.build_app(args.db, args.auth_config)
    signal.signal(signal.SIGTERM, _stop)
    LOG.info(
        'Sidecar reference server on http://%s:%d/ (%s), events in %s',
        args.host,
        args.port,
        'no auth' if args.noauth else 'Keystone auth',
        args.db,
    )
    waitress.serve(
        app,
        host=args.host,
        port=args.port,
        threads=args.threads,
        ident='sidecar-ref',
    )


if __name__ == '__main__':
    main()
