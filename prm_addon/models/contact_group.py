# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
from collections import defaultdict

from sql import Literal, Null
from sql.aggregate import Count, Min
from sql.conditionals import Coalesce
from sql.functions import DateTrunc, Function
from sql.operators import Concat, Equal, Exists, ILike

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Exclude, Index, ModelSQL, ModelView, Unique, fields)
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, PYSONEncoder
from trytond.tools import grouped_slice
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
                ('party', 'in', [p.id for p in parties]),
                ], order=[])

    @classmethod
    def add(cls, group, parties, event=None):
        "Add the parties to the group; members already in stay as they are"
        group = cls._check_group(group)
        existing = {m.party.id for m in cls._members([group], parties)}
        seen = set()
        to_create = []
        for party in parties:
            if party.id in existing or party.id in seen:
                continue
            seen.add(party.id)
            to_create.append({'group': group.id, 'party': party.id})
        with Transaction().set_context(prm_event=event.id if event else None):
            cls.create(to_create)
        return len(to_create)

    @classmethod
    def remove(cls, group, parties, event=None):
        "Remove the parties from the group"
        group = cls._check_group(group)
        members = cls._members([group], parties)
        with Transaction().set_context(prm_event=event.id if event else None):
            cls.delete(members)
        return len(members)

    @classmethod
    def move(cls, from_group, to_group, parties, event=None):
        "Move the parties from one group to another (M2, M5)"
        pool = Pool()
        History = pool.get('prm.contact_group.history')
        from_group = cls._check_group(from_group)
        to_group = cls._check_group(to_group)
        if from_group == to_group:
            raise ContactGroupError(gettext(
                    'prm_addon.msg_contact_group_move_same',
                    group=from_group.rec_name))
        members = cls._members([from_group], parties)
        in_from = {m.party.id for m in members}
        outside = [p for p in parties if p.id not in in_from]
        if outside:
            raise ContactGroupError(gettext(
                    'prm_addon.msg_contact_group_move_not_member',
                    party=outside[0].rec_name,
                    group=from_group.rec_name))
        already = {m.party.id for m in cls._members([to_group], parties)}
        with Transaction().set_context(_prm_contact_group_move=True):
            cls.delete(members)
            cls.create([{'group': to_group.id, 'party': p}
                    for p in sorted(in_from - already)])
        History.record([{
                    'party': p,
                    'group': to_group.id,
                    'from_group': from_group.id,
                    'action': 'move',
                    'event': event.id if event else None,
                    } for p in sorted(in_from)])
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
    def default_date(cls):
        return datetime.datetime.now()


class ContactGroupMove(ModelSQL, ModelView):
    "Moves between groups per month: the funnel of the sales process"
    __name__ = 'prm.contact_group.move'
    __string__ = "Contact Group Moves"

    month = fields.Date("Month")
    from_group = fields.Many2One('prm.contact_group', "From Group")
    group = fields.Many2One('prm.contact_group', "To Group")
    name = fields.Char("Move")
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
            Coalesce(history.from_group_name, '').as_('from_name'),
            Coalesce(history.group_name, '').as_('to_name'),
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
            Concat(Concat(moves.from_name, ' → '), moves.to_name).as_('name'),
            Count(moves.id).as_('count'),
            group_by=[
                moves.month, moves.from_group, moves.group,
                moves.from_name, moves.to_name])


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
        ContactMechanism = pool.get('party.contact_mechanism')
        party = Party.__table__()
        include_groups = _ids(include_groups)
        exclude_groups = _ids(exclude_groups)

        company = Company.__table__()
        where = ((party.active == Literal(True))
            & ~party.id.in_(company.select(company.party)))
        if include_groups:
            member = Member.__table__()
            if include_mode == 'any':
                where &= party.id.in_(member.select(
                        member.party,
                        where=member.group.in_(include_groups)))
            else:
                where &= party.id.in_(member.select(
                        member.party,
                        where=member.group.in_(include_groups),
                        group_by=[member.party],
                        having=Count(member.group, distinct=True)
                        == len(include_groups)))
        member = Member.__table__()
        group = ContactGroup.__table__()
        excluded = (group.do_not_contact == Literal(True))
        if include_groups:
            excluded &= ~group.id.in_(include_groups)
        if exclude_groups:
            excluded |= group.id.in_(exclude_groups)
        where &= ~Exists(member.join(
                group, condition=member.group == group.id).select(
                Literal(1),
                where=(member.party == party.id) & excluded))
        if search_text and search_text.strip():
            if (len(search_text) > SEARCH_TEXT_SIZE
                    or not search_text.isprintable()):
                raise ContactGroupError(gettext(
                        'prm_addon.msg_search_text_too_long',
                        size=SEARCH_TEXT_SIZE))
            pattern = '%' + search_text.strip() + '%'
            # Phone numbers match whatever spaces the user types
            compact = '%' + ''.join(search_text.split()) + '%'
            mechanism = ContactMechanism.__table__()
            where &= (ILike(party.name, pattern)
                | Exists(mechanism.select(
                        Literal(1),
                        where=(mechanism.party == party.id)
                        & (mechanism.active == Literal(True))
                        & mechanism.type.in_(['phone', 'mobile', 'email'])
                        & (ILike(mechanism.value, pattern)
                            | ILike(
                                Replace(mechanism.value, ' ', ''),
                                compact)))))
        if columns is None:
            columns = [party.id]
        else:
            columns = columns(party)
        return party.select(*columns, where=where)

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
        if {'phone', 'phone_url', 'email', 'email_url'} & set(names):
            mechanisms = ContactMechanism.search([
                    ('party', 'in', ids),
                    ('type', 'in', ['phone', 'mobile', 'email']),
                    ], order=[('party', 'ASC'), ('sequence', 'ASC'),
                    ('id', 'ASC')])
            for mechanism in mechanisms:
                party = mechanism.party.id
                if mechanism.type == 'email':
                    if 'email' in names and not result['email'][party]:
                        result['email'][party] = mechanism.value
                    if ('email_url' in names
                            and not result['email_url'][party]):
                        result['email_url'][party] = (
                            'mailto:' + mechanism.value)
                    continue
                if 'phone' in names and not result['phone'][party]:
                    result['phone'][party] = mechanism.value
                if 'phone_url' in names and not result['phone_url'][party]:
                    number = (mechanism.value_compact or mechanism.value
                        or '').replace(' ', '')
                    result['phone_url'][party] = 'tel:' + number
        if 'company' in names:
            contact_of = ModelData.get_id(
                'prm_addon', 'relation_type_contact_of')
            for relation in RelationAll.search([
                        ('from_', 'in', ids),
                        ('type', '=', contact_of),
                        ], order=[('id', 'ASC')]):
                result['company'].setdefault(relation.from_.id, None)
                if result['company'][relation.from_.id] is None:
                    result['company'][relation.from_.id] = relation.to.id
        if 'contact_groups' in names:
            groups = defaultdict(list)
            for member in Member.search([
                        ('party', 'in', ids),
                        ], order=[('group.name', 'ASC')]):
                groups[member.party.id].append(member.group.rec_name)
            for id_ in ids:
                result['contact_groups'][id_] = ', '.join(groups[id_])
        return result


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


def _selected_parties(wizard):
    "The parties of the rows the wizard runs on (management rows are parties)"
    Party = Pool().get('party.party')
    ids = list(map(int, Transaction().context.get('active_ids') or []))
    if wizard.model and wizard.model.__name__ not in {
            'party.party', 'prm.contact_group.management'}:
        ids = []
    parties = Party.browse(ids)
    if not parties:
        raise ContactGroupError(gettext(
                'prm_addon.msg_contact_group_no_party'))
    return parties


def _current_group_default():
    "The first included group of the management screen, if any"
    groups = _ids(Transaction().context.get('include_groups'))
    return groups[0] if groups else None


class AddMemberStart(ModelView):
    __name__ = 'prm.contact_group.add_member.start'
    __string__ = "Add to Contact Group"
    group = fields.Many2One(
        'prm.contact_group', "Group", required=True)


class AddMember(Wizard):
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


class RemoveMember(Wizard):
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


class MoveMember(Wizard):
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


class CreateEvent(Wizard):
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
                    'party': p.id,
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


class LogContact(Wizard):
    "Log a contact and move the party in one step (M5)"
    __name__ = 'prm.contact_group.log_contact'
    start = StateView(
        'prm.contact_group.log_contact.start',
        'prm_addon.contact_group_log_contact_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Log", 'log', 'tryton-ok', default=True),
            ])
    log = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        Member = pool.get('prm.contact_group-party.party')
        parties = _selected_parties(self)
        if len(parties) != 1:
            raise ContactGroupError(gettext(
                    'prm_addon.msg_contact_group_log_one_party'))
        party, = parties
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
        return {
            'party': party.id,
            'party_groups': groups,
            'current_group': current,
            }

    def transition_log(self):
        pool = Pool()
        Event = pool.get('prm.event')
        Member = pool.get('prm.contact_group-party.party')
        party, = _selected_parties(self)
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
        values = [{
                'party': party.id,
                'title': start.title,
                'type': start.type.id if start.type else None,
                'notes': notes or None,
                }]
        if start.follow_up_date:
            values.append({
                    'party': party.id,
                    'title': start.follow_up_title or start.title,
                    'type': start.type.id if start.type else None,
                    'follow_up_date': start.follow_up_date,
                    })
        events = Event.create(values)
        event = events[0]
        Event.close([event])
        if start.target_group:
            Member.move(current, target, [party], event=event)
        return 'end'

    def end(self):
        return 'reload'
