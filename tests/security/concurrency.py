# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Concurrency figures of RELIABILITY.md: N clients creating events over
JSON-RPC at once, and a server restart in the middle of a run

    TRYTOND_DATABASE_URI=sqlite:// DB_NAME=:memory: \\
        DB_CACHE=var/test-cache/sqlite \\
        .venv/bin/python -m tests.security.concurrency
    TRYTOND_DATABASE_URI=postgresql://postgres@127.0.0.1:5432/ \\
        DB_NAME=test_prm_security DB_CACHE=var/test-cache/postgresql \\
        .venv/bin/python -m tests.security.concurrency

Prints one Markdown table row per run. Not part of the test suite.
"""
import collections
import sys
import threading
import time

from ..e2e.rpc import RPC
from .attack import Client
from .conftest import PASSWORDS, serve

EVENT = 'prm.event'
PER_CLIENT = 10


def _creator(server, ids, prefix, count, results, stop=None):
    "Create events one by one; record (kind, id or error) of each"
    client = Client(RPC(server.url, server.database, 'member',
            PASSWORDS['member']))
    for i in range(count):
        if stop is not None and stop.is_set():
            break
        try:
            answer = client.call(EVENT, 'create', [{
                        'title': f'{prefix} {i}',
                        'party': ids['parties'][0],
                        'company': ids['company'],
                        }])
        except OSError as e:
            # The connection broke: the server went away mid-request
            results.append(('in flight', type(e).__name__))
            time.sleep(0.2)
            continue
        if answer.kind == 'result':
            results.append(('created', answer.value[0]))
        else:
            results.append(('error', str(answer.value)[:80]))


def _check(admin, prefix, results):
    "created, errors, duplicate numbers, lost, half-written"
    found = admin.ok(EVENT, 'search_read', [('title', 'like', prefix + ' %')],
        0, None, None, ['number', 'title'])
    numbers = collections.Counter(e['number'] for e in found)
    acknowledged = {v for k, v in results if k == 'created'}
    return {
        'created': len(acknowledged),
        'errors': collections.Counter(
            v for k, v in results if k == 'error'),
        # Refused while the server was down, or cut while being answered
        'connection errors': collections.Counter(
            v for k, v in results if k == 'in flight'),
        'stored': len(found),
        'duplicate numbers': sum(n - 1 for n in numbers.values() if n > 1),
        'without number': numbers.get(None, 0),
        'lost': len(acknowledged - {e['id'] for e in found}),
        }


def run_clients(server, ids, admin, clients):
    prefix = f'Concurrent {clients}'
    results = []
    threads = [threading.Thread(target=_creator, args=(
                server, ids, f'{prefix}', PER_CLIENT, results))
        for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures = _check(admin, prefix, results)
    figures['seconds'] = round(time.monotonic() - started, 1)
    return figures


def run_restart(server, ids, clients=4):
    "Clients create events while the server is stopped and started again"
    prefix = 'Restart'
    results, stop = [], threading.Event()
    threads = [threading.Thread(target=_creator, args=(
                server, ids, prefix, 10_000, results, stop))
        for _ in range(clients)]
    for thread in threads:
        thread.start()
    while sum(1 for k, _ in results if k == 'created') < 20:
        time.sleep(0.05)
    server.stop_process()
    server.start()
    count = len(results)
    while len(results) < count + 20:
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    admin = Client(RPC(server.url, server.database, 'admin',
            PASSWORDS['admin']))
    return _check(admin, prefix, results)


def main():
    with serve() as (server, ids):
        admin = Client(RPC(server.url, server.database, 'admin',
                PASSWORDS['admin']))
        print('| clients | events asked | created | errors | stored '
            '| duplicate numbers | lost | seconds |')
        for clients in [1, 4, 8]:
            f = run_clients(server, ids, admin, clients)
            print(f"| {clients} | {clients * PER_CLIENT} | {f['created']} "
                f"| {dict(f['errors']) or 0} | {f['stored']} "
                f"| {f['duplicate numbers']} | {f['lost']} "
                f"| {f['seconds']} |")
        f = run_restart(server, ids)
        print(f"restart: {f}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
