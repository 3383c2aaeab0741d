# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta

from .event import EventsOne2Many


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    # E5: every event of the partner, whatever document it is linked to
    prm_events = EventsOne2Many('prm.event', 'party', "Events")


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('prm.event', 'party'),
            ('prm.event', 'contact'),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Event = pool.get('prm.event')
        # The log of contacts stays, without the free texts that may hold
        # personal data.
        return super().to_erase(party_id) + [
            (Event, ['OR',
                    ('party', '=', party_id),
                    ('contact', '=', party_id),
                    ], True,
                ['url', 'notes'],
                [None, None]),
            ]
