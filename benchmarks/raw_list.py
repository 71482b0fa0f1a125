"""The floor of an event list: one token request and the GETs, nothing else.

Reads the same ``OS_*`` variables as the command lines (Identity v3,
password, project scope), asks Keystone for a token, takes the public
``sidecar`` endpoint of ``OS_REGION_NAME`` from the catalog that came
with it, and follows the marker until an empty page, as the clients do.
Prints one id per line.
"""

from __future__ import annotations

import os
import sys

import requests

MAX_PAGES = 10_000


def token_and_endpoint(session: requests.Session) -> tuple[str, str]:
    env = os.environ
    body = {
        'auth': {
            'identity': {
                'methods': ['password'],
                'password': {
                    'user': {
                        'name': env['OS_USERNAME'],
                        'password': env['OS_PASSWORD'],
                        'domain': {'name': env['OS_USER_DOMAIN_NAME']},
                    }
                },
            },
            'scope': {
                'project': {
                    'name': env['OS_PROJECT_NAME'],
                    'domain': {'name': env['OS_PROJECT_DOMAIN_NAME']},
                }
            },
        }
    }
    url = env['OS_AUTH_URL'].rstrip('/') + '/auth/tokens'
    resp = session.post(url, json=body, timeout=30)
    resp.raise_for_status()
    region = env.get('OS_REGION_NAME')
    for service in resp.json()['token']['catalog']:
        if service['type'] != 'sidecar':
            continue
        for endpoint in service['endpoints']:
            if endpoint['interface'] == 'public' and (
                region is None or endpoint['region_id'] == region
            ):
                return resp.headers['X-Subject-Token'], endpoint['url']
    sys.exit('no public sidecar endpoint in the catalog')


def main() -> None:
    session = requests.Session()
    token, endpoint = token_and_endpoint(session)
    session.headers.update(
        {'X-Auth-Token': token, 'Accept': 'application/json'}
    )
    url = endpoint.rstrip('/') + '/evacuates/events'
    params: dict[str, str] = {}
    for _page in range(MAX_PAGES):
        resp = session.get(url, params=params, timeout=30)
        resp.raise_for_status()
        events = resp.json()['events']
        if not events:
            break
        sys.stdout.write(''.join(event['id'] + '\n' for event in events))
        params['marker'] = events[-1]['id']


if __name__ == '__main__':
    main()
