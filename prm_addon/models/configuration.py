# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Id


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'prm.configuration'
    __string__ = "Partner Relationship Configuration"

    event_sequence = fields.Many2One(
        'ir.sequence', "Event Sequence", required=True,
        domain=[
            ('sequence_type', '=', Id('prm_addon', 'sequence_type_event')),
            ],
        help="Gives the tracking number of new events.")

    @classmethod
    def default_event_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('prm_addon', 'sequence_event')
        except KeyError:
            return None
