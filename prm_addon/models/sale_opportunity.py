# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Events of leads and opportunities (sale_opportunity)"
from trytond.pool import Pool, PoolMeta

from .event_document import DocumentMixin


class Opportunity(DocumentMixin, metaclass=PoolMeta):
    __name__ = 'sale.opportunity'
    # A lead may have no partner yet: its events take any partner
    _prm_document_action = 'sale_opportunity.act_opportunity_form'
    _prm_kind_message = 'prm_addon.msg_document_kind_sale_opportunity'


class Sale(metaclass=PoolMeta):
    "The opportunity of a sale is one of its neighbours"
    __name__ = 'sale.sale'

    def _get_prm_neighbours(self):
        Opportunity = Pool().get('sale.opportunity')
        neighbours = super()._get_prm_neighbours()
        if isinstance(self.origin, Opportunity) and self.origin.id >= 0:
            neighbours.append(self.origin)
        return neighbours

    @classmethod
    def _prm_neighbours_domain(cls, documents):
        clauses = super()._prm_neighbours_domain(documents)
        if documents.get('sale.opportunity'):
            clauses.append(('origin', 'in', [
                        f'sale.opportunity,{i}'
                        for i in documents['sale.opportunity']]))
        return clauses
