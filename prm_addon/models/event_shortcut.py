# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Ways into events: the Events tab and the Create New Event button of
the partner and of the documents, and the Company filter of the Events
list"""
from sql import Column

from trytond import backend
from trytond.model import ModelView, fields
from trytond.pyson import Eval, PYSONEncoder
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

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
        return self.party, {
            'party': self.party.id,
            'document': str(self),
            }


class EventContext(ModelView):
    "The filter of the Events list"
    __name__ = 'prm.event.context'
    __string__ = "Events Filter"

    # The context key names the field: Event.default_party reads it, so
    # that New keeps the partner the list is filtered by.
    prm_party = fields.Many2One(
        'party.party', "Company",
        help="Show only the events of this partner; new events get it.")
