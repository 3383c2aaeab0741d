# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, inactive_records


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    # E5: every event of the partner, whatever document it is linked to
    prm_events = fields.One2Many('prm.event', 'party', "Events")
    # G5, G6: the contact groups, edited on the Grouping tab
    prm_contact_groups = fields.Many2Many(
        'prm.contact_group-party.party', 'party', 'group', "Contact Groups")
    prm_contact_group_history = fields.One2Many(
        'prm.contact_group.history', 'party', "Contact Group History",
        readonly=True)

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('prm_contact_group_history', None)
        return super().copy(parties, default=default)


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('prm.event', 'party'),
            ('prm.event', 'contact'),
            ('prm.contact_group-party.party', 'party'),
            ('prm.contact_group.history', 'party'),
            ]

    def transition_replace(self):
        pool = Pool()
        Member = pool.get('prm.contact_group-party.party')
        source, destination = self.ask.source, self.ask.destination
        # The kept party may already be in some groups of the replaced one:
        # carrying those memberships would break the unique constraint.
        kept = {m.group.id for m in Member.search([
                    ('party', '=', destination.id),
                    ])}
        Member.delete(Member.search([
                    ('party', '=', source.id),
                    ('group', 'in', list(kept)),
                    ]))
        return super().transition_replace()


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def transition_erase(self):
        pool = Pool()
        Party = pool.get('party.party')
        Member = pool.get('prm.contact_group-party.party')
        state = super().transition_erase()
        parties = replacing = [self.ask.party]
        with inactive_records():
            while replacing:
                replacing = Party.search([
                        ('replaced_by', 'in', list(map(int, replacing))),
                        ])
                parties += replacing
        # An erased party is no longer in any group (the history keeps
        # that it was, without personal data).
        Member.delete(Member.search([
                    ('party', 'in', [p.id for p in parties]),
                    ]))
        Transaction().counter += 1
        return state

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
