# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The partner and its contact persons: the Events and Grouping tabs,
the contact-person rule, the merge and the erase of a party"""
from sql.functions import Function

from trytond import backend
from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import PYSON, Id
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, inactive_records

from .event_access import SearchCheckMixin
from .event_shortcut import EventsOne2Many, NewEventMixin

# F5: a contact person is a party "Contact Person of" a company
CONTACT_OF = ('prm_addon', 'relation_type_contact_of')


class ReplaceText(Function):
    "SQL REPLACE(text, from, to)"
    __slots__ = ()
    _function = 'REPLACE'


def contact_person_domain(company):
    """The domain of the contact persons of company (F5)

    company is an id, or a PYSON expression in the domain of a field."""
    if isinstance(company, PYSON):
        contact_of = Id(*CONTACT_OF)
    else:
        contact_of = Pool().get('ir.model.data').get_id(*CONTACT_OF)
    return [
        ('relations', 'where', [
                ('to', '=', company),
                ('type', '=', contact_of),
                ]),
        ]


class Party(SearchCheckMixin, NewEventMixin, metaclass=PoolMeta):
    __name__ = 'party.party'

    # E5: every event of the partner, whatever document it is linked to
    prm_events = EventsOne2Many('prm.event', 'party', "Events")
    # G5, G6: the contact groups, edited on the Grouping tab
    prm_contact_groups = fields.Many2Many(
        'prm.contact_group-party.party', 'party', 'group', "Contact Groups")
    prm_contact_group_history = fields.One2Many(
        'prm.contact_group.history', 'party', "Contact Group History",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # The management screen lists by name and searches part of it
        cls._sql_indexes.update({
                Index(t, (t.name, Index.Range()), (t.id, Index.Range())),
                Index(t, (t.name, Index.Similarity())),
                })

    def _prm_new_event_defaults(self):
        return self, {'party': self.id}

    @classmethod
    def prm_companies(cls, parties):
        """The companies each party is a contact person of (F5):
        {party id: [company, …]} in the order the relations were made"""
        pool = Pool()
        RelationAll = pool.get('party.relation.all')
        ModelData = pool.get('ir.model.data')
        result = {int(p): [] for p in parties}
        contact_of = ModelData.get_id(*CONTACT_OF)
        cursor = Transaction().connection.cursor()
        cursor.execute(*RelationAll.search([
                    ('from_', 'in', list(result)),
                    ('type', '=', contact_of),
                    ], order=[], query=True))
        found = {r for r, in cursor}
        # Their ends from the relations' own query: reading them by id
        # reads every relation (an id of the union is computed)
        relations = RelationAll.table_query()
        rows = []
        for sub_ids in grouped_slice(list(result), backend.MAX_QUERY_PARAMS):
            cursor.execute(*relations.select(
                    relations.id, relations.from_, relations.to,
                    where=fields.SQL_OPERATORS['in'](relations.from_, sub_ids)
                    & (relations.type == contact_of)))
            rows.extend(cursor)
        for id_, from_, to in sorted(rows):
            if id_ in found:
                result[from_].append(to)
        return {p: cls.browse(c) for p, c in result.items()}

    def prm_company_and_contact(self):
        """The partner and the contact person of an event with this party

        A contact person is the contact of the first of its companies; any
        other party is its own partner."""
        companies = self.prm_companies([self])[self.id]
        if companies:
            return companies[0], self
        return self, None

    @classmethod
    def prm_contact_pairs(cls, contact_ids, company_ids):
        """The (contact, company) pairs among the ids where the contact is
        an active contact person of the company: contact_person_domain for
        many at once, in a few queries, no record instantiated"""
        pool = Pool()
        RelationAll = pool.get('party.relation.all')
        ModelData = pool.get('ir.model.data')
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls.search([
                    ('id', 'in', sorted(contact_ids)),
                    ], order=[], query=True))
        contacts = [c for c, in cursor]
        company_ids = sorted(company_ids)
        domain = [
            ('from_', 'in', contacts),
            ('to', 'in', company_ids),
            ('type', '=', ModelData.get_id(*CONTACT_OF)),
            ]
        cursor.execute(*RelationAll.search(domain, order=[], query=True))
        found = {r for r, in cursor}
        # Their ends, from the relations' own query: reading them by id
        # would compute the ids of all the relations
        relations = RelationAll.table_query()
        cursor.execute(*relations.select(
                relations.id, relations.from_, relations.to,
                where=fields.SQL_OPERATORS['in'](relations.from_, contacts)
                & fields.SQL_OPERATORS['in'](relations.to, company_ids)))
        return {(f, t) for r, f, t in cursor if r in found}

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('prm_contact_group_history', None)
        return super().copy(parties, default=default)


class ContactMechanism(metaclass=PoolMeta):
    __name__ = 'party.contact_mechanism'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # The management screen searches part of a phone or an email
        cls._sql_indexes.update({
                Index(t, (t.value, Index.Similarity())),
                Index(t, (ReplaceText(t.value, ' ', ''), Index.Similarity())),
                })


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
