# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta

from .event_shortcut import NewEventMixin, document_events_field


class Sale(NewEventMixin, metaclass=PoolMeta):
    __name__ = 'sale.sale'

    prm_events = document_events_field()


class Event(metaclass=PoolMeta):
    __name__ = 'prm.event'

    @classmethod
    def _get_documents(cls):
        return super()._get_documents() + ['sale.sale']

    @classmethod
    def _get_document_action(cls, document):
        if document.__name__ == 'sale.sale':
            return 'sale.act_sale_form'
        return super()._get_document_action(document)
