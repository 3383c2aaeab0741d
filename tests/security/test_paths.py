# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every path to events, every operator, as users outside the event's group

The paths are generated from the server's models (paths.generate): a new
relation to events is attacked without a new test.
"""
import json

import pytest

from .conftest import SECRET, UNKNOWN
from .paths import EVENT, generate

ATTACKERS = ['outsider', 'nobody']
# Paths the data of conftest links to hidden events: the member must see
# a difference there, or the attacks prove nothing.
LINKED = {
    'party.party.prm_events', 'sale.sale.prm_events',
    'prm.contact_group.history.event', 'ir.attachment.resource',
    'ir.note.resource',
    }
# Paths the data links to the second hidden event (no search attack uses
# its values): read, export and existence are tried on them
LINKED2 = {'sale.opportunity.prm_events', 'sale.sale.prm_neighbour_events'}


@pytest.fixture(scope='module')
def paths(users):
    return generate(users['admin'])


@pytest.fixture(scope='module')
def hidden(ids):
    "The values of the hidden event an attacker would try"
    return {**SECRET, 'id': ids['hidden'], 'number': ids['hidden_number']}


def _linked(users, path, event_ids):
    "The records of the path's model linked to the events, seen by admin"
    return set(users['admin'].ok(path.model, 'search', [
                (path.field, 'in', [path.ref(i) for i in event_ids]),
                ], 0, None, None))


def test_paths_generated(paths):
    "The generator finds the relations the module and Tryton declare"
    names = {str(p) for p in paths}
    print(f'{len(names)} paths: ' + ', '.join(sorted(names)))
    assert LINKED | LINKED2 <= names, sorted(names)
    assert {'purchase.purchase.prm_events', 'account.invoice.prm_events',
        'ir.email.resource', 'stock.shipment.out.prm_events',
        'production.prm_events', 'project.work.prm_events'} <= names, (
        sorted(names))


def test_search_oracles(users, paths, hidden):
    """A hidden event answers as one that does not exist, whatever the
    operator, for a user outside its group and for one without PRM"""
    leaks, raw, differs = [], [], set()
    attacks = 0
    for path in paths:
        unknown = path.domains(UNKNOWN)
        for name, domain in path.domains(hidden).items():
            # The control (member) on two attacks: enough to prove the data
            control = ['member'] if name in {'dotted =', 'in'} else []
            for login in ATTACKERS + control:
                client = users[login]
                found = client.search(path.model, domain)
                nothing = client.search(path.model, unknown[name])
                attacks += 1
                for answer in (found, nothing):
                    if not answer.clean:
                        raw.append((login, str(path), name, answer))
                if (found.normalized(hidden['id'], UNKNOWN['id'])
                        != nothing.normalized(hidden['id'], UNKNOWN['id'])):
                    if login == 'member':
                        differs.add(str(path))
                    else:
                        leaks.append((login, str(path), name, domain,
                                found, nothing))
    print(f'{len(paths)} paths, {attacks} attacks x 2 searches')
    summary = sorted({(login, path, name) for login, path, name, *_ in leaks})
    assert not leaks, f'{len(leaks)} leaks:\n' + '\n'.join(map(repr, summary))
    assert not raw, '\n'.join(map(repr, raw))
    # The attacks would have found the hidden event if they could
    assert LINKED <= differs, sorted(LINKED - differs)


def test_existence(users, paths, ids):
    """Records linked only to hidden events are not found as linked to an
    event"""
    leaks = []
    for path in paths:
        hidden = _linked(users, path, [ids['hidden'], ids['hidden2']])
        for login in ATTACKERS:
            client = users[login]
            visible = client.search(EVENT, [])
            visible = visible.value if visible.kind == 'result' else []
            only_hidden = hidden - _linked(users, path, visible)
            if path.kind == 'reference':
                domain = [(path.field, 'like', f'{EVENT},%')]
            else:
                domain = [(path.field, '!=', None)]
            answer = client.search(path.model, domain)
            if answer.kind == 'result' and only_hidden & set(answer.value):
                leaks.append((login, str(path), domain, answer.value))
            if path.kind == 'reference':
                continue
            # Like the records without event
            domains = [[(path.field, '=', None)]]
            if path.kind != 'many2one':
                # SQL's NOT IN leaves out the NULLs of a Many2One
                domains.append([(path.field, 'not in', [UNKNOWN['id']])])
            for domain in domains:
                answer = client.search(path.model, domain)
                if (answer.kind == 'result'
                        and only_hidden - set(answer.value)):
                    leaks.append((login, str(path), domain, answer.value))
    assert not leaks, '\n'.join(map(repr, leaks))


def test_order_oracles(users, paths, ids):
    """Sorting by the content of the events does not sort by that of the
    hidden ones"""
    leaks, checked = [], 0
    for path in paths:
        records = sorted(
            _linked(users, path, [ids['hidden'], ids['hidden2']]))
        if len(records) < 2:
            continue
        domain = [('id', 'in', records)]
        for order in path.orders():
            reverse = [(n, 'DESC' if d == 'ASC' else 'ASC') for n, d in order]
            for login in ATTACKERS + ['member']:
                client = users[login]
                up = client.search(path.model, domain, order + [('id', 'ASC')])
                down = client.search(
                    path.model, domain, reverse + [('id', 'ASC')])
                checked += 1
                if login == 'member':
                    assert up != down, (str(path), order)
                elif up != down:
                    leaks.append((login, str(path), order, up, down))
    assert checked
    assert not leaks, '\n'.join(map(repr, leaks))


def _secret_in(answer, path, ids):
    text = json.dumps(answer.value, default=str)
    if any(s in text for s in [SECRET['prefix'], 'zqx', 'Aqx']):
        return True
    if answer.kind == 'result':
        refs = {path.ref(ids['hidden']), path.ref(ids['hidden2'])}
        for row in answer.value:
            values = row.values() if isinstance(row, dict) else row
            for value in values:
                value = value if isinstance(value, list) else [value]
                if refs & {v for v in value if isinstance(v, (int, str))}:
                    return True
    return False


def test_read_and_export(users, paths, ids):
    """Reading or exporting the records linked to hidden events shows
    neither the events nor their content; exports of partners and orders
    work, with the visible events"""
    leaks, tried = [], set()
    for path in paths:
        records = sorted(
            _linked(users, path, [ids['hidden'], ids['hidden2']]))
        if not records:
            continue
        tried.add(str(path))
        names = [path.field]
        if path.kind != 'reference':
            names.append(f'{path.field}.rec_name')
        for login in ATTACKERS:
            client = users[login]
            read = client.call(path.model, 'read', records, names)
            export = client.call(
                path.model, 'export_data', records,
                [f'{path.field}/title', f'{path.field}/notes'], False)
            for answer in (read, export):
                if not answer.clean or _secret_in(answer, path, ids):
                    leaks.append((login, str(path), answer))
    assert not leaks, '\n'.join(map(repr, leaks))
    assert LINKED | LINKED2 <= tried, sorted(LINKED | LINKED2 - tried)
    # The partner with a visible and a hidden event exports the visible one
    party = ids['parties'][0]
    for login, expected in [('outsider', [['Visible call']]),
            ('member', [['Visible call'], [SECRET2_TITLE_ROW]])]:
        rows = users[login].ok('party.party', 'export_data', [party],
            ['prm_events/title'], False)
        assert sorted(r for r in rows if r != ['']) == sorted(expected), (
            login, rows)


SECRET2_TITLE_ROW = 'Aqx takeover'
