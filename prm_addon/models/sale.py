# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta

from .event_document import DocumentMixin, NeighbourEventsMixin


class Sale(DocumentMixin, NeighbourEventsMixin, metaclass=PoolMeta):
    __name__ = 'sale.sale'
    _prm_document_action = 'sale.act_sale_form'

    def _get_prm_neighbours(self):
        # The shipments, returns and invoices of the sale (sale_opportunity
        # adds its opportunity)
        return (super()._get_prm_neighbours() + list(self.shipments)
            + list(self.shipment_returns) + list(self.invoices))

    @classmethod
    def _prm_neighbours_domain(cls, documents):
        clauses = super()._prm_neighbours_domain(documents)
        for model, name in [
                ('stock.shipment.out', 'shipments'),
                ('stock.shipment.out.return', 'shipment_returns'),
                ('account.invoice', 'invoices'),
                ]:
            if documents.get(model):
                clauses.append((name, 'in', documents[model]))
        return clauses
