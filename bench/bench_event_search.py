# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the group-visibility rule costs on event searches.

Fills a database with partners and events (raw SQL, for speed), then times
as a PRM user, with the record rules, against the same searches as root,
without them (the baseline), in the same run:

- the Events list: open events, ordered by follow-up date (F7);
- "my open follow-ups" of one user;
- partners found through their events ('prm_events.title'), where
  prm_addon adds the rules Tryton leaves out (PLATFORM.md's leak);
- the statistics graphs (one row per month, type, responsible and status),
  which count only the events the user may see.

Run: DB_NAME=:memory: TRYTOND_DATABASE_URI=sqlite:// \
        .venv/bin/python bench/bench_event_search.py [--events 50000]
(or with a postgresql:// URI and DB_NAME of an existing empty database).
"""
import argparse
import datetime as dt
import random

from sql import Literal

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from common import create_company_and_user, timeit


def populate(n_events, n_parties):
    pool = Pool()
    Party = pool.get('party.party')
    Group = pool.get('res.group')
    Event = pool.get('prm.event')

    company, user = create_company_and_user()
    management, = Group.create([{'name': "Management"}])
    parties = Party.create([{'name': f"Partner {i}"}
            for i in range(n_parties)])

    random.seed(42)
    today = dt.date.today()
    table = Event.__table__()
    cursor = Transaction().connection.cursor()
    rows = []
    for i in range(n_events):
        follow_up = (today + dt.timedelta(days=random.randint(-60, 60))
            if random.random() < 0.6 else None)
        rows.append([
                f'B-{i:07d}', f"Event {i}",
                'open' if random.random() < 0.5 else 'closed',
                today - dt.timedelta(days=random.randint(0, 700)),
                company.id, random.choice(parties).id, follow_up,
                user.id if random.random() < 0.2 else 0,
                management.id if random.random() < 0.1 else None,
                0])
    columns = [table.number, table.title, table.state, table.date,
        table.company, table.party, table.follow_up_date, table.responsible,
        table.visible_group, table.create_uid]
    for start in range(0, len(rows), 1000):
        cursor.execute(*table.insert(columns, rows[start:start + 1000]))
    cursor.execute(*table.update([table.responsible], [Literal(None)],
            where=table.responsible == 0))
    return user.id, company.id


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--events', type=int, default=50000)
    parser.add_argument('--parties', type=int, default=5000)
    parser.add_argument('--repeat', type=int, default=7)
    args = parser.parse_args()

    activate_module(['prm_addon'])
    with Transaction().start(DB_NAME, 0) as transaction:
        user_id, company_id = populate(args.events, args.parties)
        transaction.commit()

    searches = {
        "Events list, open, by follow-up (page of 100)": lambda Event, Party: (
            Event.search([('state', '=', 'open')], limit=100)),
        "Events list count": lambda Event, Party: (
            Event.search_count([('state', '=', 'open')])),
        "My open follow-ups": lambda Event, Party: Event.search([
                ('state', '=', 'open'), ('responsible', '=', user_id),
                ('follow_up_date', '!=', None)]),
        "Partners through their events": lambda Event, Party: Party.search([
                ('prm_events.title', 'in', [
                        f"Event {i}" for i in range(0, 5000, 7)])]),
        "Statistics: all rows with their counts": lambda Event, Party: (
            Pool().get('prm.event.statistics').search_read(
                [], fields_names=['count'])),
        }
    print(f"{args.events} events, {args.parties} partners, "
        f"median of {args.repeat} runs")
    print(f"{'search':50} {'root (s)':>9} {'user (s)':>9} {'ratio':>6}")
    for name, search in searches.items():
        timings = []
        for user, context in [
                (0, {}),
                (user_id, {'company': company_id, '_check_access': True})]:
            with Transaction().start(DB_NAME, user, context=context):
                pool = Pool()
                Event, Party = pool.get('prm.event'), pool.get('party.party')
                search(Event, Party)  # warm the caches
                timings.append(timeit(
                        lambda: search(Event, Party), args.repeat))
        root, user = timings
        print(f"{name:50} {root:9.4f} {user:9.4f} {user / root:6.2f}")


if __name__ == '__main__':
    main()
