# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The production-like deployment on the loopback: two WSGI processes
(gunicorn, as two nodes behind a load balancer), trytond-worker and two
trytond-cron, on one PostgreSQL database, started by scripts/deployment.py
as ./scripts/start.sh --postgresql does. Checked over JSON-RPC."""
import asyncio
import copy
import datetime as dt
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
URI = os.environ.get('TRYTOND_DATABASE_URI', '')
DB_NAME = os.environ.get('DB_NAME', '')
PASSWORD = 'Deploy-Test-2026!'

pytestmark = pytest.mark.skipif(
    not URI.startswith('postgresql'),
    reason="the multi-process deployment runs on PostgreSQL only (SQLite has "
    "no NOTIFY for the caches and the queue, and one writer at a time): "
    "it runs in the PostgreSQL pass of scripts/test.sh")


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_for(condition, timeout=120, interval=0.2, what='condition'):
    "Wait until condition() is true; no timing assumption below timeout"
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


class Mailbox:
    "An aiosmtpd handler that keeps the mails; `gate` holds DATA"

    def __init__(self):
        self.messages = []
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        while not self.gate.is_set():
            self.waiting.set()
            await asyncio.sleep(0.05)
        self.messages.append(email.message_from_bytes(
                envelope.content, policy=email.policy.default))
        return '250 Message accepted for delivery'

    def subjects(self, text):
        return [m['Subject'] for m in self.messages if text in m['Subject']]


def setup_database():
    "The test database with two sales people, each with an event due"
    from proteus import Model

    from tests.tools import activate_prm, create_partner, create_user

    config = activate_prm()
    User = Model.get('res.user')
    admin = User(config.user)
    admin.password = PASSWORD
    admin.save()
    today = dt.date.today()
    for login, name in [('paula', "Paula Myyjä"), ('mikko', "Mikko Myyjä")]:
        user = create_user(login, name, ['prm_addon.group_prm'])
        user.password = PASSWORD
        user.email = f'{login}@example.com'
        user.save()
        Event = Model.get('prm.event')
        event = Event(
            party=create_partner(f"Customer of {name}"),
            title=f"Call back ({login})", responsible=user,
            follow_up_date=today - dt.timedelta(days=1))
        event.save()
    olli = create_user('olli', "Olli Uusi", [])
    olli.password = PASSWORD
    olli.save()


@pytest.fixture(scope='module')
def deployment(tmp_path_factory):
    from aiosmtpd.controller import Controller

    from trytond.tests.test_tryton import drop_db

    drop_db()
    setup_database()
    folder = tmp_path_factory.mktemp('deployment')
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname='127.0.0.1', port=free_port())
    smtp.start()
    conf = folder / 'trytond.conf'
    conf.write_text(f"""\
[database]
uri = {URI}

[queue]
worker = True

[cache]
clean_timeout = 0

[email]
uri = smtp://127.0.0.1:{smtp.port}?timeout=300
from = prm@example.com
""")
    ports = [free_port(), free_port()]
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_') and k not in {'DB_NAME', 'DB_CACHE'}}
    process = subprocess.Popen([
            sys.executable, str(ROOT / 'scripts' / 'deployment.py'),
            '-c', str(conf), '-d', DB_NAME,
            '--bind', f'127.0.0.1:{ports[0]}',
            '--bind', f'127.0.0.1:{ports[1]}',
            '--processes', '1', '--threads', '2', '--crons', '2',
            '--log-dir', str(folder / 'log')],
        stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    deployment = Deployment(process, ports, mailbox, conf, env, folder)
    try:
        line = process.stdout.readline()
        assert line.strip() == 'ready', deployment.logs()
        yield deployment
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        smtp.stop()
        # Everything it started is gone: the database can be dropped
        drop_db()
    for port in ports:
        with pytest.raises(OSError):
            socket.create_connection(('127.0.0.1', port), timeout=1).close()


class Deployment:

    def __init__(self, process, ports, mailbox, conf, env, folder):
        self.process = process
        self.urls = [f'http://127.0.0.1:{p}' for p in ports]
        self.mailbox = mailbox
        self.conf = conf
        self.env = env
        self.folder = folder

    def logs(self):
        return '\n'.join(
            f'--- {p.name}\n{p.read_text()[-3000:]}'
            for p in sorted((self.folder / 'log').glob('*.log')))

    def rpc(self, node, login):
        from tests.e2e.rpc import RPC
        return RPC(self.urls[node], DB_NAME, login, PASSWORD)

    def on(self, rpc, node):
        "The same session, sent to another node"
        other = copy.copy(rpc)
        other.url = f'{self.urls[node]}/{DB_NAME}/rpc/'
        return other

    def sql(self, query, *args):
        import psycopg
        with psycopg.connect(URI.rstrip('/') + '/' + DB_NAME) as conn:
            return conn.execute(query, args).fetchall()

    def queue_idle(self):
        return not self.sql(
            'SELECT id FROM ir_queue WHERE finished_at IS NULL')


def test_session_and_records_across_nodes(deployment):
    "A session opened on one process works on the other; so do records"
    paula_a = deployment.rpc(0, 'paula')
    paula_b = deployment.on(paula_a, 1)
    user, = paula_b.read('res.user', [paula_a.user_id], ['login'])
    assert user['login'] == 'paula'
    party, = paula_a.search('party.party', [
            ('name', '=', "Customer of Paula Myyjä")])
    event_id, = paula_a('prm.event', 'create', [{
                'party': party, 'title': "Created on node A"}])
    event, = paula_b.read('prm.event', [event_id], ['title', 'number'])
    assert event['title'] == "Created on node A"
    assert event['number'].startswith('E-')


def test_new_records_and_caches_across_nodes(deployment):
    "What an administrator adds on one process shows on the other at once"
    admin_a = deployment.rpc(0, 'admin')
    admin_b = deployment.rpc(1, 'admin')
    paula_b = deployment.rpc(1, 'paula')
    olli_b = deployment.rpc(1, 'olli')
    # Warm node B's caches: types, groups, and Olli's (lack of) access
    paula_b.search('prm.event.type', [])
    admin_b.search('prm.contact_group', [])
    from tests.e2e.rpc import RPCError
    with pytest.raises(RPCError):
        olli_b.search('prm.event', [])

    type_id, = admin_a('prm.event.type', 'create', [{'name': "Webinar"}])
    group_id, = admin_a('prm.contact_group', 'create', [{
                'name': "Webinar guests"}])
    prm_group = admin_a.id_of('res.group', [
            ('name', '=', "Partner Relationship")])
    admin_a.write('res.user', [olli_b.user_id], {
            'groups': [('add', [prm_group])]})

    assert paula_b.search('prm.event.type', [('name', '=', "Webinar")]) == [
        type_id]
    party, = paula_b.search('party.party', [
            ('name', '=', "Customer of Paula Myyjä")])
    paula_b('prm.event', 'create', [{
                'party': party, 'title': "Webinar invitation",
                'type': type_id}])
    assert admin_b.search('prm.contact_group', [
            ('name', '=', "Webinar guests")]) == [group_id]
    # Group membership and access rights are cached per process: node B
    # learns of the change through PostgreSQL's NOTIFY ([cache]
    # clean_timeout = 0)
    olli_b.search('prm.event', [])


def test_reminders_once_per_user_and_day(deployment):
    "Two cron processes ran at start; two more now: one mail per user"
    mailbox = deployment.mailbox
    wait_for(lambda: len(mailbox.subjects('Follow-ups due')) >= 2,
        what="the reminder mails")
    crons = [subprocess.Popen([
                str(BIN / 'trytond-cron'), '-c', str(deployment.conf),
                '-d', DB_NAME, '--once'], env=deployment.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(2)]
    for cron in crons:
        assert cron.wait(120) == 0
    wait_for(deployment.queue_idle, what="the queue to be empty")
    recipients = sorted(str(m['To']) for m in mailbox.messages
        if 'Follow-ups due' in m['Subject'])
    assert recipients == [
        'Mikko Myyjä <mikko@example.com>', 'Paula Myyjä <paula@example.com>']
    today = deployment.sql(
        "SELECT login, prm_reminder_date FROM res_user "
        "WHERE login IN ('paula', 'mikko') ORDER BY login")
    assert [d for _, d in today] == [dt.date.today()] * 2


def test_report_returns_before_the_mail_server_answers(deployment):
    "A Report click returns at once; the notification comes with the mail"
    mailbox = deployment.mailbox
    paula = deployment.rpc(0, 'paula')
    event_id, = paula.search(
        'prm.event', [('title', '=', "Call back (paula)")])
    notifications = paula.search_count('res.notification', [])
    mailbox.gate.clear()
    mailbox.waiting.clear()
    context = {**paula.context, 'active_model': 'prm.event',
        'active_id': event_id, 'active_ids': [event_id]}
    wizard = 'wizard.prm.event.send_report'
    session, _, _ = paula._post(f'{wizard}.create', [context])
    paula._post(f'{wizard}.execute', [session, {}, 'start', context])
    started = time.monotonic()
    paula._post(f'{wizard}.execute', [
            session, {'start': {'internal_notes': False}}, 'send', context])
    # The click is back while the mail server still holds the mail: it did
    # not wait for it (up to the 300 s time-out of [email] uri). The bound
    # is the one second, with room for a busy machine (about 0.1 s
    # on an idle one).
    assert time.monotonic() - started < 5
    assert not mailbox.subjects("Call back (paula)")
    paula._post(f'{wizard}.delete', [session, context])

    # The worker is talking to the silent server: no news yet, and the
    # database is not held (a write on the other node goes through)
    assert mailbox.waiting.wait(120), deployment.logs()
    assert paula.search_count('res.notification', []) == notifications
    deployment.on(paula, 1).write(
        'prm.event', [event_id], {'title': "Call back (paula)"})

    mailbox.gate.set()
    wait_for(lambda: paula.search_count(
            'res.notification', []) > notifications,
        what="the notification")
    notification = paula.search_read(
        'res.notification', [], ['label', 'description'],
        order=[('id', 'DESC')])[0]
    assert notification['label'] == 'Report sent'
    assert 'paula@example.com' in notification['description']
    subject = mailbox.messages[-1]['Subject']
    assert subject.endswith("Call back (paula)")
    assert paula.search_count('ir.email', [
            ('resource', '=', f'prm.event,{event_id}')]) == 1
