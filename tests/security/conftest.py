# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Adversarial tests: a real trytond attacked over HTTP JSON-RPC

A session fixture activates the module in the test database of the
current pass (DB_NAME on TRYTOND_DATABASE_URI, from trytond's DB_CACHE
when warm), fills it with the data below as root, copies it to a database
of its own (a SQLite file in a temporary folder, or the PostgreSQL
database <DB_NAME>_security) and serves that copy with trytond on a free
port of 127.0.0.1. The tests log in as:

- member:   PRM user in the group "Secret Team" that sees the hidden events
- outsider: PRM user outside that group
- nobody:   a user without any PRM group (sales only)
- admin:    the Tryton administrator, also in "Secret Team", who prepares
            and checks
"""
import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

import pytest

from ..e2e.rpc import RPC
from ..tools import MODULES
from ..trytond_server import Server
from .attack import Client

DATABASE = 'security'
PASSWORDS = {
    'admin': 'admin-Secur1ty-pass',
    'member': 'member-Secur1ty-pass',
    'outsider': 'outsider-Secur1ty-pass',
    'nobody': 'nobody-Secur1ty-pass',
    }
SECRET = {
    'title': 'Zqx merger with Initech',
    'prefix': 'Zqx',
    'notes': 'zqx-notes: the price is 4.2 M',
    }
SECRET2_TITLE = 'Aqx takeover'
UNKNOWN = {
    'title': 'Nqj nothing like this',
    'prefix': 'Nqj',
    'notes': 'nqj-notes',
    'number': 'E-99999',
    'id': 987654321,
    }


def _create_users(pool, company):
    Group = pool.get('res.group')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    secret, = Group.create([{'name': "Secret Team"}])
    prm = ModelData.get_id('prm_addon', 'group_prm')
    sale = ModelData.get_id('sale', 'group_sale')
    groups = {
        'member': [prm, sale, secret.id],
        'outsider': [prm, sale],
        'nobody': [sale],
        }
    users = {}
    for login, group_ids in groups.items():
        users[login], = User.create([{
                    'login': login, 'name': login.title(),
                    'password': PASSWORDS[login],
                    'groups': [('add', group_ids)],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    }])
    admin, = User.search([('login', '=', 'admin')])
    User.write([admin], {
            'password': PASSWORDS['admin'],
            'groups': [('add', [secret.id])],
            'companies': [('add', [company.id])],
            'company': company.id,
            })
    users['admin'] = admin
    return secret, users


def _create_events(pool, company, secret, users):
    Party = pool.get('party.party')
    Sale = pool.get('sale.sale')
    Event = pool.get('prm.event')
    History = pool.get('prm.contact_group.history')
    Attachment = pool.get('ir.attachment')
    Note = pool.get('ir.note')
    visible_party, hidden_party, _ = Party.create([
            {'name': 'Visible Oy'}, {'name': 'Hidden Oy'},
            {'name': 'Empty Oy'}])
    # The visible partner's sale comes from an opportunity that has a
    # hidden event: the sale lists it among its neighbours' events
    Opportunity = pool.get('sale.opportunity')
    opportunity, = Opportunity.create([{
                'party': visible_party.id, 'company': company.id,
                'currency': company.currency.id,
                }])
    sales = Sale.create([{
                'party': p.id, 'company': company.id,
                'currency': company.currency.id,
                'origin': str(opportunity) if p == visible_party else None,
                } for p in [visible_party, hidden_party]])
    base = {'company': company.id, 'responsible': users['member'].id}
    visible, hidden, hidden2 = Event.create([{
                **base, 'title': 'Visible call', 'notes': 'visible notes',
                'party': visible_party.id,
                'document': str(sales[0]),
                }, {
                **base, 'title': SECRET['title'], 'notes': SECRET['notes'],
                'party': hidden_party.id, 'visible_group': secret.id,
                'document': str(sales[1]),
                'follow_up_date': '2026-12-01',
                }, {
                **base, 'title': SECRET2_TITLE, 'notes': SECRET2_TITLE,
                'party': visible_party.id, 'visible_group': secret.id,
                'document': str(opportunity),
                }])
    History.create([{
                'party': p.id, 'action': 'add', 'event': e.id,
                'group_name': "Fair visitors",
                } for p, e in [
                (visible_party, visible), (hidden_party, hidden),
                (visible_party, hidden2)]])
    for event in [visible, hidden]:
        Attachment.create([{
                    'name': f'{event.title}.txt', 'resource': str(event),
                    'data': b'attached'}])
        Note.create([{'resource': str(event), 'message': event.notes}])
    return {'visible': visible, 'hidden': hidden, 'hidden2': hidden2,
        'parties': [visible_party, hidden_party]}


def populate():
    """Create the company, users and events as root; return the ids the
    tests need"""
    from trytond.modules.company.tests.test_module import create_company
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, activate_module
    from trytond.transaction import Transaction
    activate_module(MODULES)
    with Transaction().start(DB_NAME, 0, close=True) as transaction:
        pool = Pool()
        company = create_company()
        with transaction.set_context(company=company.id):
            secret, users = _create_users(pool, company)
            events = _create_events(pool, company, secret, users)
        transaction.commit()
        return {
            'company': company.id,
            'secret_group': secret.id,
            'users': {k: u.id for k, u in users.items()},
            'visible': events['visible'].id,
            'hidden': events['hidden'].id,
            'hidden2': events['hidden2'].id,
            'hidden_number': events['hidden'].number,
            'parties': [p.id for p in events['parties']],
            }


def _copy_database(folder):
    """Copy the test database to the server's; return the database uri for
    the server (None: SQLite files in folder/db) and a cleanup function"""
    from trytond import backend
    from trytond.tests.test_tryton import DB_NAME, drop_db
    uri = os.environ.get('TRYTOND_DATABASE_URI', 'sqlite://')
    if backend.name == 'sqlite':
        (folder / 'db').mkdir()
        database = backend.Database(DB_NAME).connect()
        connection = database.get_connection()
        try:
            with sqlite3.connect(folder / 'db' / f'{DATABASE}.sqlite') as out:
                connection.backup(out)
            out.close()
        finally:
            database.put_connection(connection)
        drop_db()
        return DATABASE, None, lambda: None
    import psycopg
    from psycopg import sql
    name = f'{DB_NAME}_{DATABASE}'
    backend.Database(DB_NAME).close()

    def execute(*queries):
        with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
            for query in queries:
                conn.execute(query)
    drop = sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)').format(
        sql.Identifier(name))
    execute(drop, sql.SQL('CREATE DATABASE {} TEMPLATE {}').format(
            sql.Identifier(name), sql.Identifier(DB_NAME)))
    drop_db()
    return name, uri, lambda: execute(drop)


@contextlib.contextmanager
def serve():
    """(Server, ids): a trytond serving a copy of the populated test
    database, stopped and the copy dropped at exit"""
    ids = populate()
    with tempfile.TemporaryDirectory(prefix='prm-security-') as folder:
        folder = Path(folder)
        name, uri, cleanup = _copy_database(folder)
        server = Server(folder, name, ('admin', PASSWORDS['admin']),
            database_uri=uri)
        try:
            server.start()
            yield server, ids
        finally:
            server.stop()
            cleanup()


@pytest.fixture(scope='session')
def security_server():
    "(Server, ids): the trytond under attack and the ids of the data"
    with serve() as result:
        yield result


@pytest.fixture(scope='session')
def ids(security_server):
    return security_server[1]


@pytest.fixture(scope='session')
def users(security_server):
    "login -> Client logged in over JSON-RPC"
    server, _ = security_server
    return {login: Client(RPC(server.url, server.database, login, password))
        for login, password in PASSWORDS.items()}
