# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The contact-group management screen (M3): the partners and contact
persons filtered by groups and text, and the saved filters (segments)"""
from collections import defaultdict

from sql import Cast, Literal, Union
from sql.aggregate import Count
from sql.functions import CurrentTimestamp
from sql.operators import Concat, Exists

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.tools import escape_wildcard, grouped_slice
from trytond.transaction import Transaction

from ..exceptions import ContactGroupError
from .common import found_ids, read_ordered
from .contact_group import _ids
from .event_access import SEARCH_TEXT_SIZE, SearchCheckMixin
from .party import ReplaceText


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
        ilike = fields.SQL_OPERATORS['ilike']
        # "%" and "_" typed by the user are searched as such
        pattern = '%' + escape_wildcard(search_text.strip()) + '%'
        # Phone numbers match whatever spaces the user types
        compact = '%' + escape_wildcard(''.join(search_text.split())) + '%'
        mechanism = ContactMechanism.__table__()
        named = Party.__table__()
        return Union(
            named.select(named.id, where=ilike(named.name, pattern)),
            mechanism.select(mechanism.party,
                where=(mechanism.active == Literal(True))
                & mechanism.type.in_(['phone', 'mobile', 'email'])
                & (ilike(mechanism.value, pattern)
                    | ilike(ReplaceText(mechanism.value, ' ', ''), compact))))

    @classmethod
    def filter_count(cls, include_groups, include_mode, exclude_groups,
            search_text):
        query = cls.filter_query(
            include_groups, include_mode, exclude_groups, search_text,
            columns=lambda party: [Count(party.id)])
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return cursor.fetchone()[0]


class Management(SearchCheckMixin, ManagementMixin, ModelSQL, ModelView):
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
            if found_ids(cls, ids) >= set(ids):
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
        Member = pool.get('prm.contact_group-party.party')
        Party = pool.get('party.party')
        ids = [r.id for r in rows]
        result = {n: dict.fromkeys(ids) for n in names}
        # Rows read as dicts in the order searched: instantiating the
        # mechanisms, relations and memberships of a page costs more than
        # the queries (their rules apply to the search and the read)
        if {'phone', 'phone_url', 'email', 'email_url'} & set(names):
            mechanisms = read_ordered(ContactMechanism, [
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
            for party_id, companies in Party.prm_companies(ids).items():
                result['company'][party_id] = (
                    companies[0].id if companies else None)
        if 'contact_groups' in names:
            groups = defaultdict(list)
            for member in read_ordered(Member, [
                        ('party', 'in', ids),
                        ], [('group.name', 'ASC'), ('id', 'ASC')],
                    ['party', 'group.rec_name']):
                groups[member['party']].append(
                    member['group.']['rec_name'])
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


class SegmentGroupMixin:
    "A group in the filter of a segment"
    __slots__ = ()
    segment = fields.Many2One(
        'prm.contact_group.segment', "Segment", required=True,
        ondelete='CASCADE')
    group = fields.Many2One(
        'prm.contact_group', "Group", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('segment')


class SegmentInclude(SegmentGroupMixin, ModelSQL):
    __name__ = 'prm.contact_group.segment-include'
    __string__ = "Segment Included Group"


class SegmentExclude(SegmentGroupMixin, ModelSQL):
    __name__ = 'prm.contact_group.segment-exclude'
    __string__ = "Segment Excluded Group"
