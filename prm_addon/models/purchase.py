# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta

from .event_document import DocumentMixin


class Purchase(DocumentMixin, metaclass=PoolMeta):
    __name__ = 'purchase.purchase'
    _prm_document_action = 'purchase.act_purchase_form'
