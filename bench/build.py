# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The benchmark databases: activated once, copied, filled with bulk SQL

A template database gets the module activated by trytond-admin and the
own company with its PRM users; each size is a copy of it (CREATE
DATABASE ... TEMPLATE on PostgreSQL, a file copy on SQLite) filled by a
few INSERT ... SELECT statements over a series of numbers. The rows are
spread by arithmetic on the row number, so every build gives the same
data.

Per size: `events`; parties = events / 5, every second one a contact
person of the company before it ("Contact Person of"); 50 contact groups
of about the same size; memberships = events / 2; party 0 (a company)
has 2,000 events (the busy card).
"""
import datetime as dt
import os
import shutil
import subprocess
import sys

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction

SIZES = {
    'xs': 1000,
    's': 10_000,
    'm': 100_000,
    'l': 1_000_000,
    }
N_GROUPS = 50
BUSY_EVENTS = 2000
TODAY = dt.date(2026, 11, 29)
PREFIX = 'perf_'
# marketing_email, an extra of prm_addon, for the Send Mailing wizard
MODULES = ['prm_addon', 'marketing_email']


def counts(size):
    events = SIZES[size]
    return {
        'events': events,
        'parties': events // 5,
        'memberships': events // 2,
        'busy': min(BUSY_EVENTS, events // 5),
        }


class Dialect:
    "The few SQL spellings that differ between the backends"

    def __init__(self, name):
        self.name = name

    def series(self, n):
        "A FROM item of the integers 0 … n - 1 as column i"
        if self.name == 'postgresql':
            return f'generate_series(0, {n - 1}) AS s(i)'
        return (f'(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL '
            f'SELECT i + 1 FROM s WHERE i < {n - 1}) SELECT i FROM s) AS s')

    def date(self, days):
        "TODAY plus the integer expression days"
        if self.name == 'postgresql':
            return f"(DATE '{TODAY}' + ({days}))"
        return f"date('{TODAY}', ({days}) || ' days')"

    def text(self, expression):
        if self.name == 'postgresql':
            return f'CAST({expression} AS VARCHAR)'
        return f'CAST({expression} AS TEXT)'

    def pad(self, expression, width):
        if self.name == 'postgresql':
            return f"lpad(CAST({expression} AS VARCHAR), {width}, '0')"
        return (f"substr('{'0' * width}' || ({expression}), "
            f"-{width}, {width})")


def trytond_admin(conf, database, *args):
    "Run trytond-admin of this virtualenv on database"
    admin = os.path.join(os.path.dirname(sys.executable), 'trytond-admin')
    passfile = os.path.join(os.path.dirname(conf), 'admin.pass')
    with open(passfile, 'w') as f:
        f.write('admin\n')
    env = {**os.environ, 'TRYTONPASSFILE': passfile}
    env.pop('TRYTOND_DATABASE_URI', None)
    env.pop('TRYTOND_DATABASE__URI', None)
    subprocess.run([admin, '-c', conf, '-d', database, *args],
        check=True, env=env, stdout=subprocess.DEVNULL)


def pg_admin(uri, *statements):
    "Run statements outside of a transaction on the server's postgres db"
    import psycopg
    with psycopg.connect(uri.rstrip('/') + '/postgres',
            autocommit=True) as conn:
        result = []
        for statement in statements:
            cur = conn.execute(statement)
            if cur.description:
                result.extend(cur.fetchall())
        return result


def pg_databases(uri):
    return {r[0] for r in pg_admin(uri,
            "SELECT datname FROM pg_database "
            f"WHERE datname LIKE '{PREFIX}%'")}


def create_template(env):
    "Activate prm_addon into the template database, with the own company"
    name = PREFIX + 'template'
    if env.backend == 'postgresql':
        exists = name in pg_databases(env.uri)
    else:
        exists = os.path.exists(env.sqlite_file(name))
    if not exists and env.backend == 'postgresql':
        pg_admin(env.uri, f'CREATE DATABASE {name}')
        import psycopg
        with psycopg.connect(env.uri.rstrip('/') + '/' + name,
                autocommit=True) as conn:
            # The trigram indexes use it when the server offers it
            conn.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    elif not exists:
        open(env.sqlite_file(name), 'w').close()
    if not exists:
        try:
            trytond_admin(env.conf, name, '--all', '-u', *MODULES,
                '--activate-dependencies', '--email', 'admin@example.com')
        except BaseException:
            drop(env, name)
            raise
    init_pool(name)
    with Transaction().start(name, 0) as transaction:
        if not Pool().get('res.user').search([('login', '=', 'bench')]):
            setup_company_and_users()
            transaction.commit()
    return name


_POOLS = set()


def init_pool(name):
    "Load the pool of the database once per process"
    if name not in _POOLS:
        Pool(name).init()
        _POOLS.add(name)


def setup_company_and_users():
    "The own company, the bench user and nine colleagues, one group"
    pool = Pool()
    Group = pool.get('res.group')
    User = pool.get('res.user')
    sys.path.insert(0, os.path.dirname(__file__))
    from common import create_company_and_user
    company, user = create_company_and_user()
    Group.create([{'name': "Management"}])
    User.create([{
                'login': f'colleague{i}', 'name': f"Colleague {i}",
                'groups': [('add', [g.id for g in user.groups])],
                'companies': [('add', [company.id])],
                'company': company.id,
                } for i in range(9)])


def drop(env, name):
    from trytond import backend
    backend.Database(name).close()
    if env.backend == 'postgresql':
        pg_admin(env.uri, f'DROP DATABASE IF EXISTS {name}')
    else:
        for suffix in ['', '-wal', '-shm']:
            if os.path.exists(env.sqlite_file(name) + suffix):
                os.remove(env.sqlite_file(name) + suffix)


def copy_template(env, template, name):
    if env.backend == 'postgresql':
        pg_admin(env.uri, f'CREATE DATABASE {name} TEMPLATE {template}')
    else:
        # A live SQLite database is its file and its write-ahead log
        for suffix in ['', '-wal']:
            if os.path.exists(env.sqlite_file(template) + suffix):
                shutil.copyfile(env.sqlite_file(template) + suffix,
                    env.sqlite_file(name) + suffix)


def build(env, size, rebuild=False):
    "Return the name of the database of size, building it when missing"
    name = PREFIX + size
    exists = (name in pg_databases(env.uri)
        if env.backend == 'postgresql'
        else os.path.exists(env.sqlite_file(name)))
    if exists and not rebuild:
        return name
    drop(env, name)
    template = create_template(env)
    backend.Database(template).close()
    copy_template(env, template, name)
    init_pool(name)
    try:
        with Transaction().start(name, 0) as transaction:
            populate(size, Dialect(env.backend))
            transaction.commit()
        analyze(env, name)
    except BaseException:
        drop(env, name)
        raise
    return name


def analyze(env, name):
    """Give the planner its statistics and, on PostgreSQL, the visibility
    map of a vacuumed table (index-only scans): the steady state of a
    server with autovacuum, which a bulk load has not reached yet"""
    if env.backend == 'postgresql':
        import psycopg
        with psycopg.connect(env.uri.rstrip('/') + '/' + name,
                autocommit=True) as conn:
            conn.execute('VACUUM ANALYZE')
    else:
        with Transaction().start(name, 0) as transaction:
            cursor = transaction.connection.cursor()
            cursor.execute('ANALYZE')
            transaction.commit()


def ids(fs_id):
    "The id of a record of prm_addon's XML files"
    return Pool().get('ir.model.data').get_id('prm_addon', fs_id)


def populate(size, dialect):
    "Fill the database of the transaction with the rows of size"
    pool = Pool()
    Party = pool.get('party.party')
    User = pool.get('res.user')
    Group = pool.get('res.group')
    Company = pool.get('company.company')
    n = counts(size)
    cursor = Transaction().connection.cursor()
    cursor.execute(f'SELECT MAX(id) FROM {Party._table}')
    base = cursor.fetchone()[0] + 1
    users = [u.id for u in User.search(
            [('login', '!=', 'admin')], order=[('id', 'ASC')])]
    values = {
        'base': base,
        'company': Company.search([])[0].id,
        'bench': User.search([('login', '=', 'bench')])[0].id,
        'users': users,
        'management': Group.search([('name', '=', "Management")])[0].id,
        'contact_of': ids('relation_type_contact_of'),
        'do_not_contact': ids('contact_group_do_not_contact'),
        'types': [ids(t) for t in [
                'event_type_phone_call', 'event_type_email',
                'event_type_meeting', 'event_type_document',
                'event_type_visit']],
        **n,
        }
    for statement in statements(values, dialect):
        cursor.execute(statement)
    database = Transaction().database
    if hasattr(database, 'setnextid'):
        for table in [Party._table]:
            cursor.execute(f'SELECT MAX(id) FROM {table}')
            database.setnextid(
                Transaction().connection, table, cursor.fetchone()[0] + 1)


def statements(v, d):
    "The INSERT … SELECT statements of the rows"
    P, M, base = v['parties'], v['memberships'], v['base']
    yield from party_statements(v, d)
    # 50 groups, then memberships: party j % P in groups spread so that
    # each (group, party) pair is unique; 1 % in "Do not contact".
    yield ("INSERT INTO prm_contact_group (name, active, do_not_contact, "
        "create_uid, create_date) SELECT 'Group ' || "
        f"{d.pad('i + 1', 2)}, TRUE, FALSE, 0, CURRENT_TIMESTAMP "
        f"FROM {d.series(N_GROUPS)}")
    yield ('INSERT INTO "prm_contact_group-party_party" '
        '(party, "group", create_uid, create_date) '
        f"SELECT {base} + (i % {P}), g.id, 0, CURRENT_TIMESTAMP "
        f"FROM {d.series(M)} JOIN prm_contact_group g "
        "ON g.name = 'Group ' || "
        + d.pad(f'(((i % {P}) * 7 + (i / {P}) * 13) % {N_GROUPS}) + 1', 2))
    yield ('INSERT INTO "prm_contact_group-party_party" '
        '(party, "group", create_uid, create_date) '
        f"SELECT {base} + i, {v['do_not_contact']}, 0, CURRENT_TIMESTAMP "
        f"FROM {d.series(P)} WHERE i % 100 = 99")
    yield from event_statements(v, d)


def party_statements(v, d):
    P, base = v['parties'], v['base']
    # Even rows are companies, odd rows their contact persons
    yield ('INSERT INTO party_party (id, name, code, active, create_uid, '
        f"create_date) SELECT {base} + i, CASE WHEN i % 2 = 0 "
        f"THEN 'Company ' ELSE 'Person ' END || {d.pad('i', 7)}, "
        f"'B' || {d.pad('i', 7)}, TRUE, 0, CURRENT_TIMESTAMP "
        f"FROM {d.series(P)}")
    yield ('INSERT INTO party_relation (from_, "to", type, create_uid, '
        f"create_date) SELECT {base} + i, {base} + i - 1, "
        f"{v['contact_of']}, 0, CURRENT_TIMESTAMP FROM {d.series(P)} "
        "WHERE i % 2 = 1")
    number = d.pad('(i * 7919) % 1000000', 6)
    yield ('INSERT INTO party_contact_mechanism (party, type, value, '
        'value_compact, active, sequence, create_uid, create_date) '
        f"SELECT {base} + i, 'phone', '+358 40 ' || {number}, "
        f"'+35840' || {number}, TRUE, 10, 0, CURRENT_TIMESTAMP "
        f"FROM {d.series(P)} WHERE i % 5 <> 4")
    yield ('INSERT INTO party_contact_mechanism (party, type, value, '
        'value_compact, active, sequence, create_uid, create_date) '
        f"SELECT {base} + i, 'email', 'party' || {d.text('i')} "
        "|| '@example.com', 'party' || " + d.text('i')
        + " || '@example.com', TRUE, 20, 0, CURRENT_TIMESTAMP "
        f"FROM {d.series(P)} WHERE i % 2 = 0")


def event_statements(v, d):
    P, E, base = v['parties'], v['events'], v['base']
    companies = P // 2
    # Event i: of the busy company 0 for the first ones, else of a company
    # spread by i; every third with the company's contact person; every
    # second open; three in five with a follow-up date within ±60 days;
    # one in twenty the bench user's, the others of nine colleagues or of
    # nobody; one in ten visible only to the Management group.
    party = (f"{base} + 2 * (CASE WHEN i < {v['busy']} THEN 0 "
        f"ELSE (i * 37) % {companies} END)")
    users = v['users']
    others = ' '.join(f'WHEN {k} THEN {u}' for k, u in enumerate(users[1:]))
    types = ' '.join(f'WHEN {k} THEN {t}' for k, t in enumerate(v['types']))
    yield ('INSERT INTO prm_event (number, title, state, date, company, '
        'party, contact, type, follow_up_date, responsible, visible_group, '
        'notes, do_not_contact_confirmed, create_uid, create_date) '
        f"SELECT 'B-' || {d.pad('i', 7)}, "
        "CASE i % 4 WHEN 0 THEN 'Call about offer ' WHEN 1 THEN "
        "'Meeting on delivery ' WHEN 2 THEN 'Email on invoice ' "
        f"ELSE 'Visit for project ' END || {d.text('i')}, "
        "CASE WHEN i % 2 = 0 THEN 'open' ELSE 'closed' END, "
        f"{d.date('-((i * 7) % 700)')}, {v['company']}, {party}, "
        f"CASE WHEN i % 3 = 0 THEN {party} + 1 ELSE NULL END, "
        f"CASE i % 5 {types} END, "
        f"CASE WHEN i % 5 < 3 THEN {d.date('(i * 13) % 121 - 60')} "
        "ELSE NULL END, "
        f"CASE WHEN i % 20 = 0 THEN {v['bench']} ELSE "
        f"CASE (i / 20) % 12 {others} ELSE NULL END END, "
        f"CASE WHEN i % 10 = 7 THEN {v['management']} ELSE NULL END, "
        "CASE WHEN i % 4 = 0 THEN 'Discussed the terms, the prices and "
        "the delivery dates; they call back after their board meeting.' "
        "ELSE NULL END, FALSE, 0, CURRENT_TIMESTAMP "
        f"FROM {d.series(E)}")
