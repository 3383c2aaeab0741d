# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the filters of the contact-group management screen cost.

Fills a database with partners, their phones and their memberships of
contact groups (raw SQL, for speed), then times, as a PRM user, the
management screen's searches (a page of 100 rows and the total count)
against the same kind of search on the plain party list (the baseline),
in the same run:

- Include "Fair visitors", Exclude "Contacted" (M3, the fair example);
- Include two groups, "in all of them" (GROUP BY ... HAVING);
- Include three groups, "in any of them";
- no filter (the do-not-contact exclusion only);
- a text search on name, phone and email.

Run: DB_NAME=:memory: TRYTOND_DATABASE_URI=sqlite:// \
        .venv/bin/python bench/bench_contact_group_filter.py [--parties 100000]
(or with a postgresql:// URI and DB_NAME of an existing empty database).
"""
import argparse
import random

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from common import create_company_and_user, timeit

GROUPS = [
    "Fair visitors", "Contacted", "Candidates", "Visited", "Customers",
    "Mailing list", "Newsletter", "Partners", "Prospects", "Lost"]


def populate(n_parties):
    pool = Pool()
    Party = pool.get('party.party')
    ModelData = pool.get('ir.model.data')
    ContactGroup = pool.get('prm.contact_group')
    Member = pool.get('prm.contact_group-party.party')
    ContactMechanism = pool.get('party.contact_mechanism')

    company, user = create_company_and_user()
    groups = {g.name: g.id for g in ContactGroup.create(
            [{'name': n} for n in GROUPS])}
    do_not_contact = ModelData.get_id(
        'prm_addon', 'contact_group_do_not_contact')

    cursor = Transaction().connection.cursor()
    party = Party.__table__()
    start = max(p.id for p in Party.search([])) + 1
    rows = [[start + i, f"Partner {i:06d}", f'B{i:06d}', True, 0]
        for i in range(n_parties)]
    for i in range(0, len(rows), 1000):
        cursor.execute(*party.insert(
                [party.id, party.name, party.code, party.active,
                    party.create_uid],
                rows[i:i + 1000]))
    ids = [r[0] for r in rows]
    # Let the sequence of ids follow the inserted rows (PostgreSQL)
    if hasattr(Transaction().database, 'setnextid'):
        Transaction().database.setnextid(
            Transaction().connection, Party._table, start + n_parties)

    random.seed(42)
    mechanism = ContactMechanism.__table__()
    rows = []
    for i, id_ in enumerate(ids):
        if random.random() < 0.8:
            number = f'+358401{i:06d}'
            rows.append([id_, 'phone', number, number, True, 10, 0])
        if random.random() < 0.5:
            email = f'partner{i}@example.com'
            rows.append([id_, 'email', email, email, True, 20, 0])
    for i in range(0, len(rows), 1000):
        cursor.execute(*mechanism.insert(
                [mechanism.party, mechanism.type, mechanism.value,
                    mechanism.value_compact, mechanism.active,
                    mechanism.sequence, mechanism.create_uid],
                rows[i:i + 1000]))

    member = Member.__table__()
    rows = []
    weights = [0.3, 0.1, 0.2, 0.1, 0.1, 0.3, 0.2, 0.05, 0.2, 0.05]
    for id_ in ids:
        for name, weight in zip(GROUPS, weights):
            if random.random() < weight:
                rows.append([groups[name], id_, 0])
        if random.random() < 0.02:
            rows.append([do_not_contact, id_, 0])
    for i in range(0, len(rows), 1000):
        cursor.execute(*member.insert(
                [member.group, member.party, member.create_uid],
                rows[i:i + 1000]))
    return user.id, company.id, groups, len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--parties', type=int, default=100000)
    parser.add_argument('--repeat', type=int, default=5)
    args = parser.parse_args()

    activate_module(['prm_addon'])
    with Transaction().start(DB_NAME, 0) as transaction:
        user_id, company_id, groups, n_members = populate(args.parties)
        transaction.commit()
        # As a live database would be: planner statistics up to date
        if transaction.database.name != ':memory:':
            cursor = transaction.connection.cursor()
            cursor.execute('ANALYZE')
            transaction.commit()

    filters = {
        "Fair visitors, not Contacted": {
            'include_groups': [groups["Fair visitors"]],
            'exclude_groups': [groups["Contacted"]]},
        "In all of Candidates, Mailing list": {
            'include_groups': [groups["Candidates"], groups["Mailing list"]],
            'include_mode': 'all'},
        "In any of Candidates, Visited, Prospects": {
            'include_groups': [groups["Candidates"], groups["Visited"],
                groups["Prospects"]],
            'include_mode': 'any'},
        "No filter (do-not-contact left out)": {},
        "Text search '401012'": {'search_text': '401012'},
        }
    print(f"{args.parties} partners, {n_members} memberships, "
        f"median of {args.repeat} runs")
    context = {'company': company_id, '_check_access': True}
    with Transaction().start(DB_NAME, user_id, context=context):
        pool = Pool()
        Party = pool.get('party.party')

        def baseline_page():
            Party.search([], limit=100)

        def baseline_count():
            Party.search_count([])
        baseline_page()
        page0 = timeit(baseline_page, args.repeat)
        count0 = timeit(baseline_count, args.repeat)
    print(f"{'baseline: Party.search([]) page of 100':48} "
        f"{page0:8.4f} s")
    print(f"{'baseline: Party.search_count([])':48} {count0:8.4f} s")
    print(f"{'filter':42} {'rows':>7} {'page (s)':>9} {'ratio':>6}"
        f" {'count (s)':>9} {'ratio':>6}")
    for name, filter_context in filters.items():
        with Transaction().start(
                DB_NAME, user_id, context={**context, **filter_context}):
            Management = Pool().get('prm.contact_group.management')

            def page():
                rows = Management.search([], limit=100)
                Management.read(
                    [r.id for r in rows],
                    ['party', 'company', 'phone', 'phone_url', 'email',
                        'contact_groups'])

            def count():
                return Management.search_count([])
            page()
            n = count()
            page_time = timeit(page, args.repeat)
            count_time = timeit(count, args.repeat)
        print(f"{name:42} {n:7d} {page_time:9.4f} {page_time / page0:6.2f}"
            f" {count_time:9.4f} {count_time / count0:6.2f}")


if __name__ == '__main__':
    main()
