# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Events of customer complaints (sale_complaint)"
from trytond.pool import PoolMeta

from .event_document import DocumentMixin


class Complaint(DocumentMixin, metaclass=PoolMeta):
    __name__ = 'sale.complaint'
    _prm_party_field = 'customer'
    _prm_document_action = 'sale_complaint.act_complaint_form'
    _prm_kind_message = 'prm_addon.msg_document_kind_sale_complaint'
