# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
from collections import defaultdict

from sql import Cast, Literal, Null, Union
from sql.aggregate import Count, Max, Min
from sql.functions import CurrentTimestamp, DateTrunc, Function
from sql.operators import Concat, Equal, Exists, ILike

from trytond import backend
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Exclude, Index, ModelSQL, ModelView, Unique, fields)
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, PYSONEncoder
from trytond.tools import cached_property, grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from ..exceptions import ContactGroupDeleteWarning, ContactGroupError

# SQLite refuses LIKE patterns over 50,000 bytes
SEARCH_TEXT_SIZE = 1000


class Replace(Function):
    __slots__ = ()
    _function = 'REPLACE'


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
        from_group = cls._check_group(from_group)
        to_group = cls._check_group(to_group)
        if from_group == to_group:
            raise ContactGroupError(gettext(
                    'prm_addon.msg_contact_group_move_same',
                    group=from_group.rec_name))
        Party = Pool().get('party.party')
        # Ids, not records: instantiating 10,000 parties costs seconds
        party_ids = list(map(int, parties))
        in_from = cls._party_ids_in(from_group, party_ids)
        outside = [p for p in party_ids if p not in in_from]
        if outside:
            raise ContactGroupError(gettext(
                    'prm_addon.msg_contact_group_move_not_member',
                    party=Party(outside[0]).rec_name,
                    group=from_group.rec_name))
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


class ContactGroupHistory(ModelSQL, ModelView):
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
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('from_group.rec_name', operator, operand, *extra),
            ('group.rec_name', operator, operand, *extra),
            ]


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # The management screen lists by name and searches part of it
        cls._sql_indexes.update({
                Index(t, (t.name, Index.Range()), (t.id, Index.Range())),
                Index(t, (t.name, Index.Similarity())),
                })


class ContactMechanism(metaclass=PoolMeta):
    __name__ = 'party.contact_mechanism'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # The management screen searches part of a phone or an email
        cls._sql_indexes.update({
                Index(t, (t.value, Index.Similarity())),
                Index(t, (Replace(t.value, ' ', ''), Index.Similarity())),
                })


def _ids(values):
    "The ids of a Many2Many value of the context: ids or records as dicts"
    result = []
    for value in values or []:
        if isinstance(value, dict):
            value = value.get('id')
        try:
            value = int(value)
        except (TypeError, ValueError):
            continue
        if value >= 0:
            result.append(value)
    return sorted(set(result))


class ManagementMixin:
    "The SQL filter of the contact-group management screen"
    __slots__ = ()

    @classmethod
    def filter_query(cls, include_groups, include_mode, exclude_groups,
            search_text, columns=None):
        """Return the query of the active parties that match the filters

        Include: members of all (or any) of include_groups; Exclude:
        members of none of exclude_groups, nor of a do-not-contact group
        that is not included; search_text on name, phone and email. The
        parties of our own companies are never targets."""
        pool = Pool()
        Company = pool.get('company.company')
        Party = pool.get('party.party')
        Member = pool.get('prm.contact_group-party.party')
        ContactGroup = pool.get('prm.contact_group')
        party = Party.__table__()
        include_groups = _ids(include_groups)
        exclude_groups = _ids(exclude_groups)

        company = Company.__table__()
        where = ((party.active == Literal(True))
            & ~party.id.in_(company.select(company.party)))
        # One EXISTS per included group ("all") or for all of them
        # ("any"): the planner probes the (group, party) unique index
        # instead of reading every membership of the groups.
        if include_mode == 'any':
            includes = [include_groups] if include_groups else []
        else:
            includes = [[g] for g in include_groups]
        for included in includes:
            member = Member.__table__()
            where &= Exists(member.select(Literal(1),
                    where=(member.party == party.id)
                    & member.group.in_(included)))
        # The groups left out are known before the parties are searched:
        # the planner probes the (group, party) index for each of them (an
        # IN of several groups reads every membership of each party).
        excluded = sorted(set(exclude_groups) | (
                set(ContactGroup.do_not_contact_ids()) - set(include_groups)))
        excludes = ([[g] for g in excluded] if len(excluded) <= 8
            else [excluded] if excluded else [])
        for left_out in excludes:
            member = Member.__table__()
            where &= ~Exists(member.select(Literal(1),
                    where=(member.party == party.id)
                    & member.group.in_(left_out)))
        if search_text and search_text.strip():
            if (len(search_text) > SEARCH_TEXT_SIZE
                    or not search_text.isprintable()):
                raise ContactGroupError(gettext(
                        'prm_addon.msg_search_text_too_long',
                        size=SEARCH_TEXT_SIZE))
            where &= party.id.in_(cls._text_matches(search_text))
        if columns is None:
            columns = [party.id]
        else:
            columns = columns(party)
        return party.select(*columns, where=where)

    @classmethod
    def _text_matches(cls, search_text):
        """The query of the parties whose name, phone or email has
        search_text: each part through its trigram index"""
        pool = Pool()
        Party = pool.get('party.party')
        ContactMechanism = pool.get('party.contact_mechanism')
        pattern = '%' + search_text.strip() + '%'
        # Phone numbers match whatever spaces the user types
        compact = '%' + ''.join(search_text.split()) + '%'
        mechanism = ContactMechanism.__table__()
        named = Party.__table__()
        return Union(
            named.select(named.id, where=ILike(named.name, pattern)),
            mechanism.select(mechanism.party,
                where=(mechanism.active == Literal(True))
                & mechanism.type.in_(['phone', 'mobile', 'email'])
                & (ILike(mechanism.value, pattern)
                    | ILike(Replace(mechanism.value, ' ', ''), compact))))

    @classmethod
    def filter_count(cls, include_groups, include_mode, exclude_groups,
            search_text):
        query = cls.filter_query(
            include_groups, include_mode, exclude_groups, search_text,
            columns=lambda party: [Count(party.id)])
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return cursor.fetchone()[0]


class Management(ManagementMixin, ModelSQL, ModelView):
    "The rows of the contact-group management screen: one per party"
    __name__ = 'prm.contact_group.management'
    __string__ = "Contact-Group Management"

    party = fields.Many2One('party.party', "Party", readonly=True)
    name = fields.Char("Name", readonly=True)
    company = fields.Function(
        fields.Many2One('party.party', "Company"), 'get_details')
    phone = fields.Function(fields.Char("Phone"), 'get_details')
    phone_url = fields.Function(
        fields.Char("Call", help="Click to dial the phone number."),
        'get_details')
    email = fields.Function(fields.Char("Email"), 'get_details')
    email_url = fields.Function(
        fields.Char("Write", help="Click to write an email."),
        'get_details')
    contact_groups = fields.Function(
        fields.Char("Groups"), 'get_details')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def log(cls, records, event, target=None, user=None, **extra):
        """Log the rows (records or ids) in one INSERT: Tryton instantiates
        one log per row, saved at the commit (seconds for the 10,000 rows
        of a move)"""
        pool = Pool()
        Log = pool.get('ir.model.log')
        Party = pool.get('party.party')
        if extra or not cls._log:
            return super().log(
                cls.browse(records), event, target=target, user=user,
                **extra)
        transaction = Transaction()
        log = Log.__table__()
        party = Party.__table__()
        cursor = transaction.connection.cursor()
        ids = sorted({int(r) for r in records})
        # A row is a party, of the same id
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*log.insert(
                    [log.resource, log.event, log.target, log.user,
                        log.create_uid, log.create_date],
                    party.select(
                        Concat(cls.__name__ + ',', Cast(party.id, 'VARCHAR')),
                        Literal(event), Literal(target),
                        Literal(transaction.user if user is None else user),
                        Literal(transaction.user), CurrentTimestamp(),
                        where=fields.SQL_OPERATORS['in'](
                            party.id, sub_ids))))

    @classmethod
    def read(cls, ids, fields_names):
        if set(fields_names) == {'id'} and ids:
            # The check of a wizard on the rows selected, 10,000 at times:
            # their ids in SQL, the filter and the rules applied
            ids = list(map(int, ids))
            found = set()
            cursor = Transaction().connection.cursor()
            for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
                cursor.execute(*cls.search(
                        [('id', 'in', list(sub_ids))], order=[], query=True))
                found.update(i for i, in cursor)
            if found >= set(ids):
                return [{'id': i} for i in ids]
        return super().read(ids, fields_names)

    @classmethod
    def table_query(cls):
        context = Transaction().context
        return cls.filter_query(
            context.get('include_groups'),
            context.get('include_mode') or 'all',
            context.get('exclude_groups'),
            context.get('search_text'),
            columns=lambda party: [
                party.id.as_('id'),
                party.id.as_('party'),
                party.name.as_('name'),
                party.create_uid.as_('create_uid'),
                party.create_date.as_('create_date'),
                party.write_uid.as_('write_uid'),
                party.write_date.as_('write_date'),
                ])

    @classmethod
    def get_details(cls, rows, names):
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        RelationAll = pool.get('party.relation.all')
        Member = pool.get('prm.contact_group-party.party')
        ModelData = pool.get('ir.model.data')
        ids = [r.id for r in rows]
        result = {n: dict.fromkeys(ids) for n in names}
        # Rows read as dicts in the order searched: instantiating the
        # mechanisms, relations and memberships of a page costs more than
        # the queries (their rules apply to the search and the read)
        if {'phone', 'phone_url', 'email', 'email_url'} & set(names):
            mechanisms = _read_ordered(ContactMechanism, [
                    ('party', 'in', ids),
                    ('type', 'in', ['phone', 'mobile', 'email']),
                    ], [('party', 'ASC'), ('sequence', 'ASC'),
                    ('id', 'ASC')],
                ['party', 'type', 'value', 'value_compact'])
            for mechanism in mechanisms:
                party, value = mechanism['party'], mechanism['value']
                if mechanism['type'] == 'email':
                    if 'email' in names and not result['email'][party]:
                        result['email'][party] = value
                    if ('email_url' in names
                            and not result['email_url'][party]):
                        result['email_url'][party] = 'mailto:' + value
                    continue
                if 'phone' in names and not result['phone'][party]:
                    result['phone'][party] = value
                if 'phone_url' in names and not result['phone_url'][party]:
                    number = (mechanism['value_compact'] or value
                        or '').replace(' ', '')
                    result['phone_url'][party] = 'tel:' + number
        if 'company' in names:
            contact_of = ModelData.get_id(
                'prm_addon', 'relation_type_contact_of')
            cursor = Transaction().connection.cursor()
            cursor.execute(*RelationAll.search([
                        ('from_', 'in', ids),
                        ('type', '=', contact_of),
                        ], order=[], query=True))
            found = {r for r, in cursor}
            # Their ends from the relations' own query: reading them by id
            # reads every relation (an id of the union is computed)
            relations = RelationAll.table_query()
            cursor.execute(*relations.select(
                    relations.id, relations.from_, relations.to,
                    where=fields.SQL_OPERATORS['in'](relations.from_, ids)
                    & (relations.type == contact_of)))
            for id_, from_, to in sorted(cursor):
                if id_ in found and result['company'][from_] is None:
                    result['company'][from_] = to
        if 'contact_groups' in names:
            groups = defaultdict(list)
            for member in _read_ordered(Member, [
                        ('party', 'in', ids),
                        ], [('group.name', 'ASC'), ('id', 'ASC')],
                    ['party', 'group.rec_name']):
                groups[member['party']].append(
                    member['group.']['rec_name'])
            for id_ in ids:
                result['contact_groups'][id_] = ', '.join(groups[id_])
        return result


def _read_ordered(Model, domain, order, fields_names):
    "The rows of the records found, as dicts, in the order of the search"
    cursor = Transaction().connection.cursor()
    cursor.execute(*Model.search(domain, order=order, query=True))
    ids = [i for i, in cursor]
    rows = {r['id']: r for r in Model.read(ids, fields_names)}
    return [rows[i] for i in ids]


class ManagementContext(ModelView):
    "The filters of the contact-group management screen (M3)"
    __name__ = 'prm.contact_group.management.context'
    __string__ = "Contact-Group Management Filters"

    include_groups = fields.Many2Many(
        'prm.contact_group', None, None, "Include",
        help="Show the members of these groups.")
    include_mode = fields.Selection([
            ('all', "In All of Them"),
            ('any', "In Any of Them"),
            ], "Include Mode", required=True)
    exclude_groups = fields.Many2Many(
        'prm.contact_group', None, None, "Exclude",
        help="Leave out the members of these groups (in none of them).")
    search_text = fields.Char(
        "Search", size=SEARCH_TEXT_SIZE,
        help="Part of the name, phone number or email.")

    @classmethod
    def default_include_groups(cls):
        return _ids(Transaction().context.get('include_groups'))

    @classmethod
    def default_include_mode(cls):
        return Transaction().context.get('include_mode') or 'all'

    @classmethod
    def default_exclude_groups(cls):
        return _ids(Transaction().context.get('exclude_groups'))

    @classmethod
    def default_search_text(cls):
        return Transaction().context.get('search_text')


class Segment(ManagementMixin, ModelSQL, ModelView):
    "A saved filter of the contact-group management screen"
    __name__ = 'prm.contact_group.segment'
    __string__ = "Segment"

    name = fields.Char("Name", required=True)
    include_groups = fields.Many2Many(
        'prm.contact_group.segment-include', 'segment', 'group', "Include")
    include_mode = fields.Selection([
            ('all', "In All of Them"),
            ('any', "In Any of Them"),
            ], "Include Mode", required=True)
    exclude_groups = fields.Many2Many(
        'prm.contact_group.segment-exclude', 'segment', 'group', "Exclude")
    search_text = fields.Char("Search", size=SEARCH_TEXT_SIZE)
    count = fields.Function(fields.Integer("Parties"), 'get_count')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))
        cls._buttons.update({
                'open_management': {},
                })

    @classmethod
    def default_include_mode(cls):
        return 'all'

    def filter_context(self):
        return {
            'include_groups': [g.id for g in self.include_groups],
            'include_mode': self.include_mode,
            'exclude_groups': [g.id for g in self.exclude_groups],
            'search_text': self.search_text,
            }

    def get_count(self, name):
        return self.filter_count(**self.filter_context())

    @classmethod
    @ModelView.button_action('prm_addon.act_contact_group_management')
    def open_management(cls, segments):
        if len(segments) != 1:
            return
        segment, = segments
        return {
            'name': segment.rec_name,
            'pyson_context': PYSONEncoder().encode(
                segment.filter_context()),
            }


class SegmentInclude(ModelSQL):
    __name__ = 'prm.contact_group.segment-include'
    __string__ = "Segment Included Group"
    segment = fields.Many2One(
        'prm.contact_group.segment', "Segment", required=True,
        ondelete='CASCADE')
    group = fields.Many2One(
        'prm.contact_group', "Group", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('segment')


class SegmentExclude(ModelSQL):
    __name__ = 'prm.contact_group.segment-exclude'
    __string__ = "Segment Excluded Group"
    segment = fields.Many2One(
        'prm.contact_group.segment', "Segment", required=True,
        ondelete='CASCADE')
    group = fields.Many2One(
        'prm.contact_group', "Group", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('segment')


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


def _selected_parties(wizard):
    """The ids of the parties of the rows the wizard runs on (management
    rows are parties); ids, as instantiating thousands of records costs
    seconds"""
    ids = list(map(int, Transaction().context.get('active_ids') or []))
    if wizard.model and wizard.model.__name__ not in {
            'party.party', 'prm.contact_group.management'}:
        ids = []
    if not ids:
        raise ContactGroupError(gettext(
                'prm_addon.msg_contact_group_no_party'))
    return ids


def _current_group_default():
    "The first included group of the management screen, if any"
    groups = _ids(Transaction().context.get('include_groups'))
    return groups[0] if groups else None


class AddMemberStart(ModelView):
    __name__ = 'prm.contact_group.add_member.start'
    __string__ = "Add to Contact Group"
    group = fields.Many2One(
        'prm.contact_group', "Group", required=True)


class AddMember(SelectedRowsMixin, Wizard):
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
        Member.add(self.start.group, _selected_parties(self))
        return 'end'

    def end(self):
        return 'reload'


class RemoveMemberStart(ModelView):
    __name__ = 'prm.contact_group.remove_member.start'
    __string__ = "Remove from Contact Group"
    group = fields.Many2One(
        'prm.contact_group', "Group", required=True)

    @classmethod
    def default_group(cls):
        return _current_group_default()


class RemoveMember(SelectedRowsMixin, Wizard):
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
        Member.remove(self.start.group, _selected_parties(self))
        return 'end'

    def end(self):
        return 'reload'


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


class MoveMember(SelectedRowsMixin, Wizard):
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
            _selected_parties(self))
        return 'end'

    def end(self):
        return 'reload'


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
        parties = _selected_parties(self)
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


class LogContact(Wizard):
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
        parties = _selected_parties(self)
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
        company, contact = _company_and_contact(party)
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
        party, = Party.browse(_selected_parties(self))
        start = self.start
        # Validate first, so that nothing is written for a bad request
        if start.target_group:
            if not start.current_group:
                raise ContactGroupError(gettext(
                        'prm_addon.msg_contact_group_log_no_current',
                        party=party.rec_name))
            current = Member._check_group(start.current_group)
            target = Member._check_group(start.target_group)
            if current == target:
                raise ContactGroupError(gettext(
                        'prm_addon.msg_contact_group_move_same',
                        group=current.rec_name))
            if not Member._members([current], [party]):
                raise ContactGroupError(gettext(
                        'prm_addon.msg_contact_group_move_not_member',
                        party=party.rec_name, group=current.rec_name))
        notes = '\n\n'.join(filter(None, [
                    start.notes,
                    gettext('prm_addon.msg_log_contact_outcome',
                        outcome=start.outcome) if start.outcome else None]))
        company, contact = _company_and_contact(party)
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
            Member.move(current, target, [party], event=events[0])
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

    def end(self):
        return 'reload'


def _company_and_contact(party):
    """The company and the contact person the events of party's row are for

    A contact person ("Contact Person of" a company) is the contact of the
    first of its companies; any other party is its own partner."""
    pool = Pool()
    RelationAll = pool.get('party.relation.all')
    ModelData = pool.get('ir.model.data')
    relations = RelationAll.search([
            ('from_', '=', party.id),
            ('type', '=', ModelData.get_id(
                    'prm_addon', 'relation_type_contact_of')),
            ], order=[('id', 'ASC')], limit=1)
    if relations:
        return relations[0].to, party
    return party, None
