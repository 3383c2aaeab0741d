#!/usr/bin/env python3
# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Run Tryton the way a company runs it, on one machine

    deployment.py -c trytond.conf -d DB [--bind HOST:PORT ...]
        [--processes N] [--threads T] [--crons N] [--workers N]

- one gunicorn per --bind, each with N processes of Tryton's WSGI
  application (trytond.application:app): several binds are several
  "nodes" behind a load balancer;
- trytond-worker, which runs the tasks of Tryton's queue (mail);
- trytond-cron (--crons of them: any number may run, Tryton hands each
  scheduled task to one of them).

The configuration file must set [queue] worker = True for the tasks to go
to the worker. Prints "ready" once every bind answers; Ctrl-C or TERM stops
every process it started (each in its own process group), and so does the
end of any of them.
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument(
        '--bind', action='append', default=[],
        help="HOST:PORT of a gunicorn (repeat for several nodes; "
        "default 127.0.0.1:8000)")
    parser.add_argument(
        '--processes', type=int, default=2,
        help="WSGI processes per bind (default 2)")
    parser.add_argument(
        '--threads', type=int, default=4,
        help="threads per WSGI process: the web client's notification "
        "requests wait on the server (default 4)")
    parser.add_argument(
        '--crons', type=int, default=1, help="trytond-cron processes")
    parser.add_argument(
        '--workers', type=int, default=1,
        help="processes of trytond-worker (default 1)")
    parser.add_argument('--log-dir', help="one log file per process")
    args = parser.parse_args(argv)
    args.bind = args.bind or ['127.0.0.1:8000']
    return args


def commands(args):
    "[(name, argv, extra environment)] of the processes to start"
    tryton = ['-c', args.config, '-d', args.database]
    env = {
        'TRYTOND_CONFIG': args.config,
        # trytond 8.0.12 refuses every login of a server that does not know
        # its database at start
        'TRYTOND_DATABASE_NAMES': args.database,
        }
    result = []
    for i, bind in enumerate(args.bind):
        result.append((f'wsgi{i + 1}', [
                    str(BIN / 'gunicorn'), '--bind', bind,
                    '--workers', str(args.processes),
                    '--worker-class', 'gthread',
                    '--threads', str(args.threads),
                    '--timeout', '300', '--graceful-timeout', '10',
                    '--access-logfile', '-',
                    'trytond.application:app'], env))
    result.append(('worker', [
                str(BIN / 'trytond-worker'), *tryton,
                '-n', str(args.workers), '-t', '10'], {}))
    for i in range(args.crons):
        result.append((f'cron{i + 1}', [
                    str(BIN / 'trytond-cron'), *tryton, '-n', '1'], {}))
    return result


def answers(bind):
    host, port = bind.rsplit(':', 1)
    if host in {'', '0.0.0.0', '::'}:
        host = '127.0.0.1'
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


class Deployment:
    def __init__(self, args):
        self.args = args
        self.processes = {}

    def start(self):
        log_dir = Path(self.args.log_dir) if self.args.log_dir else None
        if log_dir:
            log_dir.mkdir(parents=True, exist_ok=True)
        for name, argv, env in commands(self.args):
            output = (open(log_dir / f'{name}.log', 'ab')
                if log_dir else None)
            self.processes[name] = subprocess.Popen(
                argv, env={**os.environ, **env}, stdin=subprocess.DEVNULL,
                stdout=output, stderr=subprocess.STDOUT if output else None,
                start_new_session=True)
            if output:
                output.close()

    def dead(self):
        "Name of a process that has ended, or None"
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None

    def wait_ready(self, timeout=300):
        deadline = time.monotonic() + timeout
        pending = list(self.args.bind)
        while pending:
            if (name := self.dead()) or time.monotonic() > deadline:
                raise RuntimeError(
                    f"{name} ended" if name else "the servers did not start")
            pending = [b for b in pending if not answers(b)]
            time.sleep(0.2)

    def stop(self):
        "TERM to every process group, KILL to what is left after 15 s"
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                # Also the children a stopped gunicorn or worker left
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def main(argv=None):
    args = parse_args(argv)
    deployment = Deployment(args)

    def terminate(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    try:
        deployment.start()
        deployment.wait_ready()
        print("ready", flush=True)
        while not (name := deployment.dead()):
            time.sleep(0.5)
        print(f"{name} ended: stopping everything", file=sys.stderr)
        return 1
    except RuntimeError as exception:
        print(exception, file=sys.stderr)
        return 1
    finally:
        deployment.stop()


if __name__ == '__main__':
    sys.exit(main())
