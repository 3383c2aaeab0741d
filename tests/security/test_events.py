# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A hidden event is, for a user outside its group, an event that does not
exist: by id, by its tracking number, in copies, buttons and reports"""
import pytest

from .conftest import SECRET, UNKNOWN

EVENT = 'prm.event'


def _calls(event_id, number):
    "name -> (path, args) of the calls naming one event"
    ids = [event_id]
    return {
        'read': ('model.prm.event.read', [ids, ['title', 'notes']]),
        'export': ('model.prm.event.export_data', [ids, ['title', 'notes']]),
        'write': ('model.prm.event.write', [ids, {'title': 'Changed'}]),
        'delete': ('model.prm.event.delete', [ids]),
        'copy': ('model.prm.event.copy', [ids, {'visible_group': None}]),
        'close': ('model.prm.event.close', [ids]),
        'reopen': ('model.prm.event.reopen', [ids]),
        'open_document': ('model.prm.event.open_document', [ids]),
        'report': ('report.prm.event.execute', [ids, {}]),
        'search id': ('model.prm.event.search', [
                [('id', '=', event_id)], 0, None, None]),
        'search number': ('model.prm.event.search_count', [
                [('number', '=', number)]]),
        'create with number': ('model.prm.event.create', [[{
                        'title': 'Mine', 'number': number,
                        'party': None}]]),
        }


@pytest.mark.parametrize('login', ['outsider', 'nobody'])
def test_hidden_is_nonexistent(users, ids, login):
    client = users[login]
    admin = users['admin']
    count = admin.ok(EVENT, 'search_count', [])
    hidden = _calls(ids['hidden'], ids['hidden_number'])
    unknown = _calls(UNKNOWN['id'], UNKNOWN['number'])
    values = (ids['hidden'], UNKNOWN['id'], ids['hidden_number'],
        UNKNOWN['number'])
    for name, (path, args) in hidden.items():
        found = client.call_path(path, *args)
        path, args = unknown[name]
        nothing = client.call_path(path, *args)
        assert found.clean and nothing.clean, (name, found, nothing)
        assert found.normalized(*values) == nothing.normalized(*values), (
            name, found, nothing)
        assert SECRET['prefix'] not in repr(found.value), (name, found)
    # Nothing was copied, changed nor deleted
    assert admin.ok(EVENT, 'search_count', []) == count
    event, = admin.ok(EVENT, 'read', [ids['hidden']], ['title', 'state'])
    assert (event['title'], event['state']) == (SECRET['title'], 'open')


def test_member_sees_hidden(users, ids):
    "The control: a member of the group reads the event and its report"
    member = users['member']
    event, = member.ok(EVENT, 'read', [ids['hidden']], ['title'])
    assert event['title'] == SECRET['title']
    answer = member.call_path('report.prm.event.execute', [ids['hidden']], {})
    assert answer.kind == 'result', answer
