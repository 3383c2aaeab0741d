# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta

from .event_shortcut import NewEventMixin, document_events_field


class Invoice(NewEventMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice'

    prm_events = document_events_field()


class Event(metaclass=PoolMeta):
    __name__ = 'prm.event'

    @classmethod
    def _get_documents(cls):
        return super()._get_documents() + ['account.invoice']

    @classmethod
    def _get_document_action(cls, document):
        if document.__name__ == 'account.invoice':
            if document.type == 'in':
                return 'account_invoice.act_invoice_in_form'
            return 'account_invoice.act_invoice_out_form'
        return super()._get_document_action(document)
