# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Events of production orders (production)

A production's partner is the customer of the sale that caused it: with
sale_supply_production, the origin of a production made for a sale is
the sale line. Without that module (or for a production made for stock)
there is no partner, and its events may be of any partner."""
from trytond.pool import Pool, PoolMeta

from .event_document import DocumentMixin


class Production(DocumentMixin, metaclass=PoolMeta):
    __name__ = 'production'
    _prm_party_field = None
    _prm_document_action = 'production.act_production_list'
    _prm_kind_message = 'prm_addon.msg_document_kind_production'

    def get_prm_party(self):
        SaleLine = Pool().get('sale.line') if self._prm_from_sales() else None
        if SaleLine and isinstance(self.origin, SaleLine) \
                and self.origin.id >= 0:
            return self.origin.sale.party
        return None

    @classmethod
    def _prm_from_sales(cls):
        "Whether productions may be made for sale lines"
        return 'sale.line' in cls._get_origin()

    @classmethod
    def search_prm_party(cls, name, clause):
        _, operator, value, *extra = clause
        nested = clause[0][len(name):]
        if not cls._prm_from_sales():
            # No production has a partner
            if not nested and operator == '=' and value is None:
                return []
            return [('id', '=', None)]
        if not nested and value is None and operator in {'=', '!='}:
            if operator == '=':
                return ['OR',
                    ('origin', '=', None),
                    ('origin', 'not like', 'sale.line,%'),
                    ]
            return [('origin', 'like', 'sale.line,%')]
        return [('origin.sale.party' + nested, operator, value, 'sale.line',
                *extra)]
