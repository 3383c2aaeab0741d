# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta

from .event_document import DocumentMixin


class Invoice(DocumentMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice'

    def get_prm_document_action(self):
        if self.type == 'in':
            return 'account_invoice.act_invoice_in_form'
        return 'account_invoice.act_invoice_out_form'
