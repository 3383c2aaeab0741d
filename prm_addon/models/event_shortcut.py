# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Ways into events: the Create New Event button of the partner and of
the documents, and the Company filter of the Events list"""
from trytond.model import ModelView, fields
from trytond.pyson import PYSONEncoder


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
