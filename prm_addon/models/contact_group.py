# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Contact groups (G*, M*): the groups, their members, the history of
every change of membership, the moves between groups, and the wizards that
change memberships on the selected rows"""
import datetime

from sql import Literal, Null
from sql.aggregate import Count, Max, Min
from sql.functions import CurrentTimestamp, DateTrunc
from sql.operators import Equal

from trytond import backend
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Exclude, Index, ModelSQL, ModelView, Unique, fields)
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, PYSONEncoder
from trytond.tools import cached_property, grouped_slice
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from ..exceptions import ContactGroupDeleteWarning, ContactGroupError
from .common import search_any
from .event_access import SearchCheckMixin


class ContactGroup(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'prm.contact_group'
    __string__ = "Contact Group"

    name = fields.Char("Name", required=True, translate=True)
    description = fields.Text("Description")
    do_not_contact = fields.Boolean(
        "Do Not Contact",
        help="Its members are left out of the contact-group management "
        "screen unless the group is included, and creating an event for "
        "them asks for confirmation.")
    parties = fields.Many2Many(
        'prm.contact_group-party.party', 'group', 'party', "Members")
    member_count = fields.Function(
        fields.Integer("Members Count"), 'get_member_count')
    # Read by every statement of the management screen
    _do_not_contact_cache = Cache(
        'prm.contact_group.do_not_contact', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('name_exclude', Exclude(t, (t.name, Equal),
                    where=t.active == Literal(True)),
                'prm_addon.msg_contact_group_name_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_do_not_contact(cls):
        return False

    @classmethod
    def do_not_contact_ids(cls):
        "The ids of the do-not-contact groups, active or not"
        ids = cls._do_not_contact_cache.get(None)
        if ids is None:
            group = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*group.select(group.id,
                    where=group.do_not_contact == Literal(True)))
            ids = sorted(g for g, in cursor)
            cls._do_not_contact_cache.set(None, ids)
        return ids

    @classmethod
    def on_modification(cls, mode, groups, field_names=None):
        super().on_modification(mode, groups, field_names=field_names)
        cls._do_not_contact_cache.clear()

    @classmethod
    def get_member_count(cls, groups, name):
        pool = Pool()
        Member = pool.get('prm.contact_group-party.party')
        member = Member.__table__()
        cursor = Transaction().connection.cursor()
        counts = dict.fromkeys(map(int, groups), 0)
        for sub_ids in grouped_slice(list(map(int, groups)), 1000):
            cursor.execute(*member.select(
                    member.group, Count(member.id),
                    where=fields.SQL_OPERATORS['in'](
                        member.group, list(sub_ids)),
                    group_by=[member.group]))
            counts.update(cursor)
        return counts

    @classmethod
    def check_modification(cls, mode, groups, values=None, external=False):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        super().check_modification(
            mode, groups, values=values, external=external)
        if mode == 'delete':
            # Deleting a group removes the memberships, never the parties.
            used = [g for g in groups if g.member_count]
            if used:
                key = Warning.format('prm_contact_group_delete', used)
                if Warning.check(key):
                    raise ContactGroupDeleteWarning(key, gettext(
                            'prm_addon.msg_contact_group_delete_members',
                            groups=', '.join(g.rec_name for g in used),
                            count=sum(g.member_count for g in used)))

    @classmethod
    def copy(cls, groups, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('parties', None)
        return super().copy(groups, default=default)


class ContactGroupParty(ModelSQL, ModelView):
    __name__ = 'prm.contact_group-party.party'
    __string__ = "Contact Group Member"

    group = fields.Many2One(
        'prm.contact_group', "Group", required=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('group')
        t = cls.__table__()
        cls._sql_constraints += [
            ('group_party_unique', Unique(t, t.group, t.party),
                'prm_addon.msg_contact_group_member_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.party, Index.Range())))
        cls._order = [('group', 'ASC'), ('party', 'ASC'), ('id', 'ASC')]

    @classmethod
    def check_modification(cls, mode, members, values=None, external=False):
        super().check_modification(
            mode, members, values=values, external=external)
        if mode == 'write':
            # A membership is added, removed or moved, so that each change
            # is in the history.
            raise AccessError(gettext(
                    'prm_addon.msg_contact_group_member_write'))

    @classmethod
    def on_modification(cls, mode, members, field_names=None):
        pool = Pool()
        History = pool.get('prm.contact_group.history')
        super().on_modification(mode, members, field_names=field_names)
        context = Transaction().context
        if context.get('_prm_contact_group_move'):
            # The move records its own history line
            return
        if mode in {'create', 'delete'}:
            History.record([{
                        'party': m.party.id,
                        'group': m.group.id,
                        'action': 'add' if mode == 'create' else 'remove',
                        'event': context.get('prm_event'),
                        } for m in members])

    @classmethod
    def do_not_contact(cls, party_ids):
        "The memberships of the parties in do-not-contact groups"
        members = []
        with without_check_access():
            for sub_ids in grouped_slice(
                    sorted(set(party_ids)), backend.MAX_QUERY_PARAMS):
                members.extend(cls.search([
                            ('party', 'in', list(sub_ids)),
                            ('group.do_not_contact', '=', True),
                            ], order=[]))
        return members

    @classmethod
    def _members(cls, groups, parties):
        return cls.search([
                ('group', 'in', [g.id for g in groups]),
                ('party', 'in', list(map(int, parties))),
                ], order=[])

    @classmethod
    def _in_sql(cls, mode):
        """Whether mode may run as a few SQL statements

        The access of the user is checked (AccessError); with a record
        rule on memberships, the ORM runs instead, to apply it."""
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        Rule = pool.get('ir.rule')
        ModelAccess.check(cls.__name__, mode)
        return not Rule.domain_get(cls.__name__, mode=mode)

    @classmethod
    def _party_ids_in(cls, group, party_ids):
        "The ids among party_ids of the members of group"
        member = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = set()
        for sub_ids in grouped_slice(party_ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*member.select(member.party,
                    where=(member.group == group.id)
                    & fields.SQL_OPERATORS['in'](member.party, sub_ids)))
            result.update(p for p, in cursor)
        return result

    @classmethod
    def _insert(cls, group, party_ids):
        "Insert the memberships of party_ids in group (none already in)"
        Party = Pool().get('party.party')
        member = cls.__table__()
        party = Party.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(
                sorted(party_ids), backend.MAX_QUERY_PARAMS):
            cursor.execute(*member.insert(
                    [member.group, member.party, member.create_uid,
                        member.create_date],
                    party.select(
                        Literal(group.id), party.id,
                        Literal(Transaction().user), CurrentTimestamp(),
                        where=fields.SQL_OPERATORS['in'](
                            party.id, sub_ids))))

    @classmethod
    def _delete(cls, group, party_ids):
        member = cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(
                sorted(party_ids), backend.MAX_QUERY_PARAMS):
            cursor.execute(*member.delete(
                    where=(member.group == group.id)
                    & fields.SQL_OPERATORS['in'](member.party, sub_ids)))
        # Forget the memberships read before
        Transaction().counter += 1

    @classmethod
    def add(cls, group, parties, event=None):
        "Add the parties to the group; members already in stay as they are"
        History = Pool().get('prm.contact_group.history')
        group = cls._check_group(group)
        party_ids = set(map(int, parties))
        new = party_ids - cls._party_ids_in(group, party_ids)
        if not cls._in_sql('create'):
            with Transaction().set_context(
                    prm_event=event.id if event else None):
                cls.create([{'group': group.id, 'party': p}
                        for p in sorted(new)])
            return len(new)
        cls._insert(group, new)
        History.record_sql('add', group, sorted(new), event=event)
        return len(new)

    @classmethod
    def remove(cls, group, parties, event=None):
        "Remove the parties from the group"
        History = Pool().get('prm.contact_group.history')
        group = cls._check_group(group)
        members = cls._party_ids_in(group, set(map(int, parties)))
        if not cls._in_sql('delete'):
            with Transaction().set_context(
                    prm_event=event.id if event else None):
                cls.delete(cls._members([group], cls.browse(members)))
            return len(members)
        cls._delete(group, members)
        History.record_sql('remove', group, sorted(members), event=event)
        return len(members)

    @classmethod
    def move(cls, from_group, to_group, parties, event=None):
        "Move the parties from one group to another (M2, M5)"
        History = Pool().get('prm.contact_group.history')
        from_group, to_group, in_from = cls.check_move(
            from_group, to_group, parties)
        # Ids, not records: instantiating 10,000 parties costs seconds
        party_ids = list(map(int, parties))
        new = in_from - cls._party_ids_in(to_group, in_from)
        if cls._in_sql('delete') and cls._in_sql('create'):
            cls._delete(from_group, in_from)
            cls._insert(to_group, new)
        else:
            with Transaction().set_context(_prm_contact_group_move=True):
                cls.delete(cls._members([from_group], party_ids))
                cls.create([{'group': to_group.id, 'party': p}
                        for p in sorted(new)])
        History.record_sql(
            'move', to_group, sorted(in_from), from_group=from_group,
            event=event)
        return len(in_from)

    @classmethod
    def check_move(cls, from_group, to_group, parties):
        """Return the groups read again and the ids of the parties, all
        members of from_group; raise when the move cannot be done"""
        Party = Pool().get('party.party')
        from_group = cls._check_group(from_group)
        to_group = cls._check_group(to_group)
        if from_group == to_group:
            raise ContactGroupError(gettext(
                    'prm_addon.msg_contact_group_move_same',
                    group=from_group.rec_name))
        party_ids = list(map(int, parties))
        in_from = cls._party_ids_in(from_group, party_ids)
        outside = [p for p in party_ids if p not in in_from]
        if outside:
            raise ContactGroupError(gettext(
                    'prm_addon.msg_contact_group_move_not_member',
                    party=Party(outside[0]).rec_name,
                    group=from_group.rec_name))
        return from_group, to_group, in_from

    @classmethod
    def _check_group(cls, group):
        "Return the group read again, or fail if it is gone or inactive"
        ContactGroup = Pool().get('prm.contact_group')
        if group is None:
            raise ContactGroupError(gettext(
                    'prm_addon.msg_contact_group_missing'))
        group_id = group if isinstance(group, int) else group.id
        groups = ContactGroup.search([('id', '=', group_id)], limit=1)
        if not groups:
            raise ContactGroupError(gettext(
                    'prm_addon.msg_contact_group_unknown', group=group_id))
        return groups[0]


class ContactGroupHistory(SearchCheckMixin, ModelSQL, ModelView):
    __name__ = 'prm.contact_group.history'
    __string__ = "Contact Group History"

    date = fields.Timestamp("Date", required=True, readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    party = fields.Many2One(
        'party.party', "Party", required=True, readonly=True,
        ondelete='CASCADE')
    action = fields.Selection([
            ('add', "Added"),
            ('remove', "Removed"),
            ('move', "Moved"),
            ], "Action", required=True, readonly=True)
    group = fields.Many2One(
        'prm.contact_group', "Group", readonly=True, ondelete='SET NULL')
    group_name = fields.Char("Group Name", readonly=True)
    from_group = fields.Many2One(
        'prm.contact_group', "From Group", readonly=True, ondelete='SET NULL')
    from_group_name = fields.Char("From Group Name", readonly=True)
    event = fields.Many2One(
        'prm.event', "Event", readonly=True, ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range())),
                Index(t, (t.date, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def record(cls, values):
        "Record the changes of membership, as the current user, now"
        pool = Pool()
        ContactGroup = pool.get('prm.contact_group')
        transaction = Transaction()
        # The memberships of a deleted party go with its history
        deleted = transaction.delete_records.get('party.party', set())
        values = [v for v in values if v['party'] not in deleted]
        if not values:
            return []
        group_ids = {v['group'] for v in values} | {
            v['from_group'] for v in values if v.get('from_group')}
        with transaction.set_context(active_test=False):
            names = {g.id: g.name for g in ContactGroup.browse(group_ids)}
        now = datetime.datetime.now()
        for value in values:
            value.setdefault('user', transaction.user or None)
            value.setdefault('date', now)
            value['group_name'] = names.get(value['group'])
            if value.get('from_group'):
                value['from_group_name'] = names.get(value['from_group'])
        # The history is written by the system for every user who may
        # change memberships.
        with transaction.set_user(0):
            return cls.create(values)

    @classmethod
    def record_sql(cls, action, group, party_ids, from_group=None,
            event=None):
        """Record the same change of membership of many parties, as the
        current user, now, in a few INSERT statements"""
        pool = Pool()
        ContactGroup = pool.get('prm.contact_group')
        Party = pool.get('party.party')
        transaction = Transaction()
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        with transaction.set_context(active_test=False):
            group, = ContactGroup.browse([group.id])
            from_name = from_group.name if from_group else None
        party = Party.__table__()
        values = [
            datetime.datetime.now(), transaction.user or None, action,
            group.id, group.name, from_group.id if from_group else None,
            from_name, event.id if event else None, 0]
        for sub_ids in grouped_slice(party_ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.insert(
                    [table.date, table.user, table.action, table.group,
                        table.group_name, table.from_group,
                        table.from_group_name, table.event,
                        table.create_uid, table.create_date, table.party],
                    party.select(*map(Literal, values), CurrentTimestamp(),
                        party.id,
                        where=fields.SQL_OPERATORS['in'](
                            party.id, sub_ids))))

    @classmethod
    def default_date(cls):
        return datetime.datetime.now()


class ContactGroupMove(ModelSQL, ModelView):
    "Moves between groups per month: the funnel of the sales process"
    __name__ = 'prm.contact_group.move'
    __string__ = "Contact Group Moves"

    month = fields.Date("Month")
    from_group = fields.Many2One('prm.contact_group', "From Group")
    group = fields.Many2One('prm.contact_group', "To Group")
    # The names stored in the history, for the groups deleted since
    from_group_name = fields.Char("From Group Name")
    group_name = fields.Char("To Group Name")
    name = fields.Function(
        fields.Char("Move"), 'get_name', searcher='search_name')
    count = fields.Integer("Parties")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'ASC'), ('from_group', 'ASC'), ('group', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        History = pool.get('prm.contact_group.history')
        history = History.__table__()
        # The month is computed in a sub-query so that the grouping uses
        # the column, not an expression with its own parameters.
        moves = history.select(
            history.id, history.date,
            cls.month.sql_cast(DateTrunc('month', history.date)).as_('month'),
            history.from_group, history.group,
            history.from_group_name, history.group_name,
            where=history.action.in_(['add', 'move'])
            & (history.group != Null))
        return moves.select(
            Min(moves.id).as_('id'),
            Literal(0).as_('create_uid'),
            Min(moves.date).as_('create_date'),
            cls.write_uid.sql_cast(Literal(None)).as_('write_uid'),
            cls.write_date.sql_cast(Literal(None)).as_('write_date'),
            moves.month.as_('month'),
            moves.from_group.as_('from_group'),
            moves.group.as_('group'),
            Max(moves.from_group_name).as_('from_group_name'),
            Max(moves.group_name).as_('group_name'),
            Count(moves.id).as_('count'),
            group_by=[moves.month, moves.from_group, moves.group])

    def get_name(self, name):
        # The groups' names in the user's language; the stored name of a
        # group deleted since
        def group_name(group, stored):
            return group.rec_name if group else (stored or '')
        return '%s → %s' % (
            group_name(self.from_group, self.from_group_name),
            group_name(self.group, self.group_name))

    @classmethod
    def search_name(cls, name, clause):
        return search_any(clause, ['from_group.rec_name', 'group.rec_name'])


def _ids(values):
    "The ids of a Many2Many value of the context: ids or records as dicts"
    result = []
    if not isinstance(values, (list, tuple)):
        return result
    for value in values:
        if isinstance(value, dict):
            value = value.get('id')
        try:
            value = int(value)
        except (TypeError, ValueError):
            continue
        if 0 <= value < 2 ** 31:
            result.append(value)
    return sorted(set(result))


class SelectedRowsMixin:
    "A wizard on the rows selected, thousands of them at times"
    __slots__ = ()

    @cached_property
    def records(self):
        # Tryton's browse checks each record against the whole list of
        # ids: with 10,000 rows, the log of the wizard took seconds. The
        # log needs only their ids.
        ids = Transaction().context.get('active_ids') or []
        if self.model and self.model.__name__ == (
                'prm.contact_group.management'):
            # Its log takes the ids
            return list(map(int, ids))
        return [self.model(i) for i in ids] if self.model else []

    def selected_parties(self):
        """The ids of the parties of the rows the wizard runs on (management
        rows are parties); ids, as instantiating thousands of records costs
        seconds"""
        ids = list(map(int, Transaction().context.get('active_ids') or []))
        if self.model and self.model.__name__ not in {
                'party.party', 'prm.contact_group.management'}:
            ids = []
        if not ids:
            raise ContactGroupError(gettext(
                    'prm_addon.msg_contact_group_no_party'))
        return ids


class MemberWizard(SelectedRowsMixin, Wizard):
    "A wizard that changes memberships: the list shows the change after it"

    def end(self):
        return 'reload'


def _current_group_default():
    "The first included group of the management screen, if any"
    groups = _ids(Transaction().context.get('include_groups'))
    return groups[0] if groups else None


class AddMemberStart(ModelView):
    __name__ = 'prm.contact_group.add_member.start'
    __string__ = "Add to Contact Group"
    group = fields.Many2One(
        'prm.contact_group', "Group", required=True)


class AddMember(MemberWizard):
    "Add the selected parties to a group"
    __name__ = 'prm.contact_group.add_member'
    start = StateView(
        'prm.contact_group.add_member.start',
        'prm_addon.contact_group_add_member_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Add", 'add', 'tryton-ok', default=True),
            ])
    add = StateTransition()

    def transition_add(self):
        Member = Pool().get('prm.contact_group-party.party')
        Member.add(self.start.group, self.selected_parties())
        return 'end'


class RemoveMemberStart(ModelView):
    __name__ = 'prm.contact_group.remove_member.start'
    __string__ = "Remove from Contact Group"
    group = fields.Many2One(
        'prm.contact_group', "Group", required=True)

    @classmethod
    def default_group(cls):
        return _current_group_default()


class RemoveMember(MemberWizard):
    "Remove the selected parties from a group"
    __name__ = 'prm.contact_group.remove_member'
    start = StateView(
        'prm.contact_group.remove_member.start',
        'prm_addon.contact_group_remove_member_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Remove", 'remove', 'tryton-ok', default=True),
            ])
    remove = StateTransition()

    def transition_remove(self):
        Member = Pool().get('prm.contact_group-party.party')
        Member.remove(self.start.group, self.selected_parties())
        return 'end'


class MoveMemberStart(ModelView):
    __name__ = 'prm.contact_group.move_member.start'
    __string__ = "Move between Contact Groups"
    from_group = fields.Many2One(
        'prm.contact_group', "From Group", required=True)
    to_group = fields.Many2One(
        'prm.contact_group', "To Group", required=True,
        domain=[('id', '!=', Eval('from_group', -1))])

    @classmethod
    def default_from_group(cls):
        return _current_group_default()


class MoveMember(MemberWizard):
    "Move the selected parties from one group to another (M2)"
    __name__ = 'prm.contact_group.move_member'
    start = StateView(
        'prm.contact_group.move_member.start',
        'prm_addon.contact_group_move_member_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Move", 'move', 'tryton-ok', default=True),
            ])
    move = StateTransition()

    def transition_move(self):
        Member = Pool().get('prm.contact_group-party.party')
        Member.move(
            self.start.from_group, self.start.to_group,
            self.selected_parties())
        return 'end'


class CreateEventStart(ModelView):
    __name__ = 'prm.contact_group.create_event.start'
    __string__ = "Create Events"
    type = fields.Many2One('prm.event.type', "Type")
    title = fields.Char("Title", required=True)
    follow_up_date = fields.Date("Follow-up Date")
    responsible = fields.Many2One('res.user', "Responsible")
    notes = fields.Text("Internal Notes")

    @classmethod
    def default_responsible(cls):
        return Transaction().user or None


class CreateEvent(SelectedRowsMixin, Wizard):
    "Create one event for each selected party (E9)"
    __name__ = 'prm.contact_group.create_event'
    start = StateView(
        'prm.contact_group.create_event.start',
        'prm_addon.contact_group_create_event_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateAction('prm_addon.act_event_form')

    def do_create_(self, action):
        pool = Pool()
        Event = pool.get('prm.event')
        parties = self.selected_parties()
        events = Event.create([{
                    'party': p,
                    'title': self.start.title,
                    'type': self.start.type.id if self.start.type else None,
                    'follow_up_date': self.start.follow_up_date,
                    'responsible': (self.start.responsible.id
                        if self.start.responsible else None),
                    'notes': self.start.notes,
                    } for p in parties])
        action['domains'] = []
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [e.id for e in events])])
        return action, {}


class LogContactStart(ModelView):
    __name__ = 'prm.contact_group.log_contact.start'
    __string__ = "Log Contact"
    party = fields.Many2One('party.party', "Party", readonly=True)
    contact = fields.Many2One(
        'party.party', "Contact Person", readonly=True,
        help="The contact person of the party the contact was with.")
    type = fields.Many2One('prm.event.type', "Type")
    title = fields.Char("Title", required=True)
    notes = fields.Text("Internal Notes")
    outcome = fields.Char(
        "Outcome", help="What came of the contact, added to the notes.")
    follow_up_date = fields.Date(
        "Follow-up Date",
        help="When set, an open follow-up event is created for this date.")
    follow_up_title = fields.Char(
        "Follow-up Title",
        states={
            'invisible': ~Eval('follow_up_date'),
            })
    party_groups = fields.Many2Many(
        'prm.contact_group', None, None, "Party Groups", readonly=True)
    current_group = fields.Many2One(
        'prm.contact_group', "Current Group",
        domain=[('id', 'in', Eval('party_groups', []))],
        states={
            'required': Bool(Eval('target_group')),
            },
        help="The group the party leaves.")
    target_group = fields.Many2One(
        'prm.contact_group', "Target Group",
        domain=[('id', '!=', Eval('current_group', -1))],
        help="The group the party goes to.")


class LogContactDone(ModelView):
    __name__ = 'prm.contact_group.log_contact.done'
    __string__ = "Contact Logged"
    summary = fields.Text("Summary", readonly=True)


class LogContact(MemberWizard):
    """Log a contact and move the party in one step (M5)

    On a contact person's row, the events are the company's, with the
    person as contact (E1, F5); the memberships stay the row's."""
    __name__ = 'prm.contact_group.log_contact'
    start = StateView(
        'prm.contact_group.log_contact.start',
        'prm_addon.contact_group_log_contact_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Log", 'log', 'tryton-ok', default=True),
            ])
    log = StateTransition()
    done = StateView(
        'prm.contact_group.log_contact.done',
        'prm_addon.contact_group_log_contact_done_view_form', [
            Button("OK", 'end', 'tryton-ok', default=True),
            ])

    def default_start(self, fields):
        pool = Pool()
        Member = pool.get('prm.contact_group-party.party')
        ModelData = pool.get('ir.model.data')
        Party = pool.get('party.party')
        parties = self.selected_parties()
        if len(parties) != 1:
            raise ContactGroupError(gettext(
                    'prm_addon.msg_contact_group_log_one_party'))
        party = Party(parties[0])
        groups = [m.group.id for m in Member.search([
                    ('party', '=', party.id),
                    ], order=[('group.name', 'ASC')])]
        current = None
        for group in _ids(Transaction().context.get('include_groups')):
            if group in groups:
                current = group
                break
        if current is None and len(groups) == 1:
            current = groups[0]
        company, contact = party.prm_company_and_contact()
        return {
            'party': company.id,
            'contact': contact.id if contact else None,
            'type': ModelData.get_id('prm_addon', 'event_type_phone_call'),
            'party_groups': groups,
            'current_group': current,
            }

    def transition_log(self):
        pool = Pool()
        Event = pool.get('prm.event')
        Member = pool.get('prm.contact_group-party.party')
        Party = pool.get('party.party')
        party, = Party.browse(self.selected_parties())
        start = self.start
        # Validate first, so that nothing is written for a bad request
        if start.target_group:
            if not start.current_group:
                raise ContactGroupError(gettext(
                        'prm_addon.msg_contact_group_log_no_current',
                        party=party.rec_name))
            Member.check_move(
                start.current_group, start.target_group, [party])
        notes = '\n\n'.join(filter(None, [
                    start.notes,
                    gettext('prm_addon.msg_log_contact_outcome',
                        outcome=start.outcome) if start.outcome else None]))
        company, contact = party.prm_company_and_contact()
        common = {
            'party': company.id,
            'contact': contact.id if contact else None,
            'type': start.type.id if start.type else None,
            }
        values = [{**common, 'title': start.title, 'notes': notes or None}]
        if start.follow_up_date:
            values.append({**common,
                    'title': start.follow_up_title or start.title,
                    'follow_up_date': start.follow_up_date,
                    })
        events = Event.create(values)
        Event.close(events[:1])
        if start.target_group:
            Member.move(
                start.current_group, start.target_group, [party],
                event=events[0])
        self.done.summary = self._summary(events, party)
        return 'done'

    def _summary(self, events, party):
        "What the log did, in the user's words"
        event, *follow_ups = events
        lines = [gettext('prm_addon.msg_log_contact_done',
                event=event.rec_name, party=event.party.rec_name)]
        if event.contact:
            lines.append(gettext('prm_addon.msg_log_contact_done_contact',
                    contact=event.contact.rec_name))
        for follow_up in follow_ups:
            lines.append(gettext('prm_addon.msg_log_contact_done_follow_up',
                    event=follow_up.rec_name,
                    date=Pool().get('ir.lang').get().strftime(
                        follow_up.follow_up_date)))
        if self.start.target_group:
            lines.append(gettext('prm_addon.msg_log_contact_done_move',
                    party=party.rec_name,
                    from_group=self.start.current_group.rec_name,
                    to_group=self.start.target_group.rec_name))
        return '\n'.join(lines)

    def default_done(self, fields):
        return {'summary': self.done.summary}
