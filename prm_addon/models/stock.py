# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Events of customer and supplier shipments and returns (stock)"
from trytond.pool import PoolMeta

from .event_document import DocumentMixin


class ShipmentIn(DocumentMixin, metaclass=PoolMeta):
    __name__ = 'stock.shipment.in'
    _prm_party_field = 'supplier'
    _prm_document_action = 'stock.act_shipment_in_form'
    _prm_kind_message = 'prm_addon.msg_document_kind_stock_shipment_in'


class ShipmentInReturn(DocumentMixin, metaclass=PoolMeta):
    __name__ = 'stock.shipment.in.return'
    _prm_party_field = 'supplier'
    _prm_document_action = 'stock.act_shipment_in_return_form'
    _prm_kind_message = 'prm_addon.msg_document_kind_stock_shipment_in_return'


class ShipmentOut(DocumentMixin, metaclass=PoolMeta):
    __name__ = 'stock.shipment.out'
    _prm_party_field = 'customer'
    _prm_document_action = 'stock.act_shipment_out_form'
    _prm_kind_message = 'prm_addon.msg_document_kind_stock_shipment_out'


class ShipmentOutReturn(DocumentMixin, metaclass=PoolMeta):
    __name__ = 'stock.shipment.out.return'
    _prm_party_field = 'customer'
    _prm_document_action = 'stock.act_shipment_out_return_form'
    _prm_kind_message = 'prm_addon.msg_document_kind_stock_shipment_out_return'
