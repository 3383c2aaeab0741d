# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Ways into events: the Events tab and the Create New Event button of
the partner and of the documents, and the filters of the Events list (the
company; the partners' contact groups, included and excluded as on the
contact-group management screen)"""
from sql import Column, Literal
from sql.operators import Exists

from trytond import backend
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from .contact_group import _ids
from .event_access import only_visible, visible_domain


class EventsOne2Many(fields.One2Many):
    """A One2Many to events that finds their ids in one SQL query

    The events' record rules apply to it as to every relation to events
    (event_access.guard_event_relations)."""
    # Its get applies the events' rules: the guard need not filter again
    applies_event_rules = True

    def get(self, ids, model, name, values=None):
        """The ids of the events, in the order of the lists, found in SQL

        Tryton's One2Many instantiates and reads every event to sort them
        per record: 2,000 events on a partner card took a second. The
        rules apply: they are part of the search query, searched once."""
        Target = self.get_target()
        if Target._fields[self.field]._type == 'reference':
            return only_visible(super().get(ids, model, name, values=values))
        table = Target.__table__()
        cursor = Transaction().connection.cursor()
        domain = [(self.field, 'in', list(ids)), list(self.filter or [])]
        rule = visible_domain()
        if rule is not None:
            domain.append(rule)
        with Transaction().set_user(0), without_check_access():
            query = Target.search(domain, query=True)
        cursor.execute(*query)
        found = [i for i, in cursor]
        if len(ids) == 1:
            # A card: every event found is of its record
            return {ids[0]: tuple(found)}
        owners = {}
        for sub_ids in grouped_slice(found, backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.select(
                    table.id, Column(table, self.field),
                    where=fields.SQL_OPERATORS['in'](table.id, sub_ids)))
            owners.update(cursor)
        result = {i: [] for i in ids}
        for id_ in found:
            result[owners[id_]].append(id_)
        return {i: tuple(e) for i, e in result.items()}


def document_events_field():
    "The Events tab of a document: its events, new ones prefilled (E7)"
    return EventsOne2Many(
        'prm.event', 'document', "Events",
        context={
            'default_party': Eval('party', -1),
            'company': Eval('company', -1),
            },
        depends={'party', 'company'})


class NewEventMixin:
    "The Create New Event button: a new event in its own form, prefilled"
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'prm_new_event': {
                    'icon': 'tryton-add',
                    },
                })

    @classmethod
    @ModelView.button_action('prm_addon.act_event_new')
    def prm_new_event(cls, records):
        if not records:
            return
        # The form shows one record
        record = records[0]
        party, defaults = record._prm_new_event_defaults()
        encoder = PYSONEncoder()
        return {
            # New, Previous and Next of that tab keep the partner
            'pyson_domain': encoder.encode(
                [('party', '=', party.id)] if party else []),
            'pyson_context': encoder.encode({
                    f'default_{k}': v for k, v in defaults.items()}),
            }

    def _prm_new_event_defaults(self):
        "Return the partner of the new event and its default values"
        raise NotImplementedError


class EventContext(ModelView):
    "The filter of the Events list"
    __name__ = 'prm.event.context'
    __string__ = "Events Filter"

    # The context key names the field: Event.default_party reads it, so
    # that New keeps the partner the list is filtered by.
    prm_party = fields.Many2One(
        'party.party', "Company",
        help="Show only the events of this partner; new events get it.")
    prm_include_groups = fields.Many2Many(
        'prm.contact_group', None, None, "Include Groups",
        help="Show the events of the partners in these contact groups.")
    prm_include_mode = fields.Selection([
            ('all', "In All of Them"),
            ('any', "In Any of Them"),
            ], "Include Mode", required=True)
    prm_exclude_groups = fields.Many2Many(
        'prm.contact_group', None, None, "Exclude Groups",
        help="Leave out the events of the partners in these contact groups "
        "(in none of them).")

    @classmethod
    def default_prm_include_groups(cls):
        return _ids(Transaction().context.get('prm_include_groups'))

    @classmethod
    def default_prm_include_mode(cls):
        return Transaction().context.get('prm_include_mode') or 'all'

    @classmethod
    def default_prm_exclude_groups(cls):
        return _ids(Transaction().context.get('prm_exclude_groups'))


def group_filter():
    "The group filter of the Events list in the context, or None"
    context = Transaction().context
    include = _ids(context.get('prm_include_groups'))
    exclude = _ids(context.get('prm_exclude_groups'))
    if not include and not exclude:
        return None
    mode = context.get('prm_include_mode')
    return include, 'any' if mode == 'any' else 'all', exclude


class EventGroupFilterMixin:
    "The contact-group filter of the Events list (G3)"
    __slots__ = ()

    # Like the quantities of products with their locations: the filter
    # comes from the context of the Events list. Unlike the management
    # screen, the members of a do-not-contact group are not left out:
    # their past events are history.
    prm_group_match = fields.Function(
        fields.Boolean(
            "Matches the Group Filter",
            help="The partner of the event is in the contact groups "
            "chosen in the filter of the Events list."),
        'get_prm_group_match', searcher='search_prm_group_match')

    @classmethod
    def _prm_group_parties(cls):
        "The query of the parties matching the group filter, or None"
        pool = Pool()
        Party = pool.get('party.party')
        Member = pool.get('prm.contact_group-party.party')
        filter_ = group_filter()
        if filter_ is None:
            return None
        include, mode, exclude = filter_
        party = Party.__table__()
        where = Literal(True)
        includes = [[g] for g in include] if mode == 'all' else [include]
        for groups in filter(None, includes):
            member = Member.__table__()
            where &= Exists(member.select(Literal(1),
                    where=(member.party == party.id)
                    & member.group.in_(groups)))
        if exclude:
            member = Member.__table__()
            where &= ~Exists(member.select(Literal(1),
                    where=(member.party == party.id)
                    & member.group.in_(exclude)))
        return party.select(party.id, where=where)

    @classmethod
    def get_prm_group_match(cls, events, name):
        query = cls._prm_group_parties()
        if query is None:
            return {e.id: True for e in events}
        # Only the parties of these events, not every matching party
        party, = query.from_
        cursor = Transaction().connection.cursor()
        parties = set()
        for sub_ids in grouped_slice(
                {e.party.id for e in events}, backend.MAX_QUERY_PARAMS):
            sub_query = party.select(
                party.id, where=query.where & party.id.in_(list(sub_ids)))
            cursor.execute(*sub_query)
            parties.update(p for p, in cursor)
        return {e.id: e.party.id in parties for e in events}

    @classmethod
    def search_prm_group_match(cls, name, clause):
        _, operator, value = clause[:3]
        query = cls._prm_group_parties()
        if query is None:
            return []
        if operator in {'in', 'not in'}:
            wanted = True in (value or [])
            if operator == 'not in':
                wanted = not wanted
        else:
            wanted = bool(value)
            if operator == '!=':
                wanted = not wanted
        return [('party', 'in' if wanted else 'not in', query)]
