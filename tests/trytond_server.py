# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A real trytond serving one database on a free port of 127.0.0.1

Shared by the browser tests (tests/e2e) and the adversarial tests
(tests/security). The server sends its mail to an aiosmtpd server on
another free port, whose received mails the Mailbox holds.
"""
import email
import email.policy
import os
import socket
import subprocess
import time
from pathlib import Path

from aiosmtpd.controller import Controller

from .e2e.rpc import RPC, RPCError

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / '.venv' / 'bin'


def clean_env():
    "The environment without the trytond settings of the caller's shell"
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_') and k not in {'DB_NAME', 'DB_CACHE'}}
    env['PYTHONUNBUFFERED'] = '1'
    return env


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps the mails it receives, in order:
    messages is a list of email.message.EmailMessage"""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return '250 Message accepted for delivery'

    def wait_for(self, predicate, timeout=15):
        "The first message for which predicate(message) is true"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in list(self.messages):
                if predicate(message):
                    return message
            time.sleep(0.1)
        raise AssertionError(
            'no such mail within %s s; received: %r' % (timeout, [
                    (m['To'], m['Subject']) for m in self.messages]))


class Server:
    """trytond -d <database> with its own configuration file in folder

    database_uri: the [database] uri (default: SQLite files in folder/db);
    login: (user, password) of a user the server must accept before it is
    called started."""

    def __init__(self, folder, database, login, database_uri=None,
            web_root=None, extra_conf=''):
        self.folder = Path(folder)
        self.database = database
        self.login = login
        self.database_uri = database_uri
        self.web_root = web_root
        self.extra_conf = extra_conf
        self.port = free_port()
        # The mail server the trytond under test sends to
        self.mailbox = Mailbox()
        self.smtp = Controller(
            self.mailbox, hostname='127.0.0.1', port=free_port())
        self._smtp_started = False
        self.url = f'http://127.0.0.1:{self.port}'
        self.log = self.folder / 'trytond.log'
        self.conf = self.folder / 'trytond.conf'
        self.process = None
        self._log_file = None

    def _write_conf(self):
        if self.database_uri:
            database = f'uri = {self.database_uri}\n'
        else:
            database = f"uri = sqlite://\npath = {self.folder / 'db'}\n"
        web = f'root = {self.web_root}\n' if self.web_root else ''
        self.conf.write_text(f"""\
[database]
{database}
[web]
listen = 127.0.0.1:{self.port}
{web}
[email]
from = prm@localhost
uri = smtp://127.0.0.1:{self.smtp.port}?timeout=10
{self.extra_conf}""")

    def start(self):
        if not self._smtp_started:
            self.smtp.start()
            self._smtp_started = True
        self._write_conf()
        self._log_file = open(self.log, 'ab')
        self.process = subprocess.Popen(
            [str(VENV_BIN / 'trytond'), '-c', str(self.conf),
                '-d', self.database],
            cwd=self.folder, stdin=subprocess.DEVNULL,
            stdout=self._log_file, stderr=subprocess.STDOUT,
            env=clean_env(), start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f'trytond exited with {self.process.returncode}:\n'
                    + self.log.read_text(errors='replace')[-3000:])
            try:
                RPC(self.url, self.database, *self.login)
                return
            except (OSError, RPCError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    'trytond did not answer within 60 s:\n'
                    + self.log.read_text(errors='replace')[-3000:])
            time.sleep(0.3)

    def stop_process(self, kill=False):
        "Stop trytond (SIGTERM, or SIGKILL when kill), keep the mail server"
        if self.process and self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self._log_file:
            self._log_file.close()
            self._log_file = None

    def stop(self):
        self.stop_process()
        if self._smtp_started:
            self.smtp.stop()
            self._smtp_started = False

    def log_size(self):
        try:
            return self.log.stat().st_size
        except OSError:
            return 0
