# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Event creation over JSON-RPC against 1, 2, 4 WSGI processes

Starts the production-like deployment (scripts/deployment.py: gunicorn with
N processes of trytond.application:app, trytond-worker, one trytond-cron)
on a PostgreSQL database, then for each number of clients (threads, each
with its own session) creates events for --seconds and measures, at the
same time, how long the Events list (open events by follow-up date, one
page of 80 rows with its columns) takes to read for another user.

Run (PostgreSQL only; the database DB_NAME is dropped and created):
    DB_NAME=deploy_bench DB_CACHE=var/test-cache/postgresql \\
    TRYTOND_DATABASE_URI=postgresql://postgres@127.0.0.1:5432/ \\
    .venv/bin/python bench/bench_rpc_throughput.py [--seconds 10]
"""
import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.rpc import RPC  # noqa: E402

PASSWORD = 'Bench-Throughput-2026'
LIST_FIELDS = [
    'number', 'title', 'party.rec_name', 'contact.rec_name',
    'type.rec_name', 'date', 'follow_up_date', 'responsible.rec_name',
    'state']


def setup(database, n_events):
    "Create the database: PRM, a company, two users, partners, events"
    from trytond.pool import Pool
    from trytond.tests.test_tryton import activate_module, drop_db
    from trytond.transaction import Transaction

    sys.path.insert(0, str(ROOT / 'bench'))
    from common import create_company_and_user

    from tests.tools import MODULES

    drop_db()
    # The modules of the tests: DB_CACHE=var/test-cache/postgresql reuses
    # their activated database
    activate_module(MODULES)
    with Transaction().start(database, 0) as transaction:
        pool = Pool()
        User = pool.get('res.user')
        Party = pool.get('party.party')
        Event = pool.get('prm.event')
        company, user = create_company_and_user()
        reader, = User.create([{
                    'login': 'reader', 'name': "Reader",
                    'groups': [('add', [g.id for g in user.groups])],
                    'companies': [('add', [company.id])],
                    'company': company.id}])
        User.write([user, reader], {'password': PASSWORD})
        parties = Party.create([{'name': f"Partner {i}"} for i in range(50)])
        with transaction.set_context(company=company.id):
            Event.create([{
                        'company': company.id, 'title': f"Event {i}",
                        'party': parties[i % len(parties)].id,
                        'responsible': user.id,
                        } for i in range(n_events)])
        return parties[0].id, company.id


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start(conf, database, processes, threads, log_dir):
    """Start the deployment with `processes` WSGI processes, or with 0 the
    built-in server of trytond (one threaded process, what the plain demo
    runs): the baseline of the same run"""
    port = free_port()
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_') and k != 'DB_NAME'}
    if processes:
        process = subprocess.Popen([
                sys.executable, str(ROOT / 'scripts' / 'deployment.py'),
                '-c', str(conf), '-d', database,
                '--bind', f'127.0.0.1:{port}', '--processes', str(processes),
                '--threads', str(threads), '--crons', '1',
                '--log-dir', str(log_dir)],
            stdout=subprocess.PIPE, text=True, env=env)
        if process.stdout.readline().strip() != 'ready':
            raise RuntimeError(f"the deployment did not start: {log_dir}")
    else:
        env['TRYTOND_WEB__LISTEN'] = f'127.0.0.1:{port}'
        env['TRYTOND_QUEUE__WORKER'] = 'False'
        process = subprocess.Popen([
                str(Path(sys.executable).parent / 'trytond'),
                '-c', str(conf), '-d', database], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), 1).close()
                break
            except OSError:
                time.sleep(0.2)
    return process, f'http://127.0.0.1:{port}'


def run_load(url, database, clients, seconds, party, company):
    "Return (events/s, median and 95th percentile list read in ms)"
    sessions = [RPC(url, database, 'bench', PASSWORD) for _ in range(clients)]
    reader = RPC(url, database, 'reader', PASSWORD)
    stop = threading.Event()
    created = [0] * clients
    latencies = []

    def create(i):
        rpc = sessions[i]
        while not stop.is_set():
            rpc('prm.event', 'create', [{
                        'title': f"Load {i}", 'party': party,
                        'company': company}])
            created[i] += 1

    def read():
        while not stop.is_set():
            started = time.perf_counter()
            reader('prm.event', 'search_read', [('state', '=', 'open')],
                0, 80, [('follow_up_date', 'ASC')], LIST_FIELDS)
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.2)

    threads = [threading.Thread(target=create, args=(i,))
        for i in range(clients)] + [threading.Thread(target=read)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    p95 = (statistics.quantiles(latencies, n=20)[-1]
        if len(latencies) >= 2 else latencies[0])
    return sum(created) / elapsed, statistics.median(latencies), p95


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seconds', type=float, default=10)
    parser.add_argument('--processes', default='0,1,2,4',
        help="0: trytond's built-in server, the baseline")
    parser.add_argument('--clients', default='1,2,4,8')
    parser.add_argument('--threads', type=int, default=4,
        help="threads per WSGI process (start.sh: 4)")
    parser.add_argument('--events', type=int, default=2000,
        help="events in the database before the load")
    args = parser.parse_args()
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    database = os.environ.get('DB_NAME', '')
    if not uri.startswith('postgresql') or not database:
        parser.error("set TRYTOND_DATABASE_URI=postgresql://... and DB_NAME")
    # TERM stops the deployment too (through the finally below)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    party, company = setup(database, args.events)
    folder = Path(tempfile.mkdtemp(prefix='prm-bench-'))
    conf = folder / 'trytond.conf'
    conf.write_text(
        f"[database]\nuri = {uri}\n\n[queue]\nworker = True\n\n"
        "[cache]\nclean_timeout = 0\n\n[session]\nmax_attempt = 1000\n")
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; "
        f"{args.threads} threads per WSGI process; "
        f"{args.seconds:g} s per measure; "
        f"{args.events} events before the load; list page: 80 rows")
    print(f"{'processes':>9} {'clients':>7} {'events/s':>9} "
        f"{'list median ms':>14} {'list p95 ms':>11}")
    for processes in map(int, args.processes.split(',')):
        process, url = start(
            conf, database, processes, args.threads,
            folder / f'log-{processes}')
        try:
            for clients in map(int, args.clients.split(',')):
                rate, median, p95 = run_load(
                    url, database, clients, args.seconds, party, company)
                label = processes or 'built-in'
                print(f"{label:>9} {clients:>7} {rate:>9.1f} "
                    f"{median:>14.0f} {p95:>11.0f}", flush=True)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(60)


if __name__ == '__main__':
    main()
