# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Past events through contact groups: the Events list filtered by the
contact groups of the partners, included and excluded as on the
contact-group management screen"""
from sql import Literal
from sql.operators import Exists

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .contact_group import _ids


def group_filter():
    "The group filter of the Events list in the context, or None"
    context = Transaction().context
    include = _ids(context.get('prm_include_groups'))
    exclude = _ids(context.get('prm_exclude_groups'))
    if not include and not exclude:
        return None
    mode = context.get('prm_include_mode')
    return include, 'any' if mode == 'any' else 'all', exclude


class EventContext(metaclass=PoolMeta):
    __name__ = 'prm.event.context'

    prm_include_groups = fields.Many2Many(
        'prm.contact_group', None, None, "Include Groups",
        help="Show the events of the partners in these contact groups.")
    prm_include_mode = fields.Selection([
            ('all', "In All of Them"),
            ('any', "In Any of Them"),
            ], "Include Mode", required=True)
    prm_exclude_groups = fields.Many2Many(
        'prm.contact_group', None, None, "Exclude Groups",
        help="Leave out the events of the partners in these contact groups "
        "(in none of them).")

    @classmethod
    def default_prm_include_groups(cls):
        return _ids(Transaction().context.get('prm_include_groups'))

    @classmethod
    def default_prm_include_mode(cls):
        return Transaction().context.get('prm_include_mode') or 'all'

    @classmethod
    def default_prm_exclude_groups(cls):
        return _ids(Transaction().context.get('prm_exclude_groups'))


class Event(metaclass=PoolMeta):
    __name__ = 'prm.event'

    # Like the quantities of products with their locations: the filter
    # comes from the context of the Events list. Unlike the management
    # screen, the members of a do-not-contact group are not left out:
    # their past events are history.
    prm_group_match = fields.Function(
        fields.Boolean(
            "Matches the Group Filter",
            help="The partner of the event is in the contact groups "
            "chosen in the filter of the Events list."),
        'get_prm_group_match', searcher='search_prm_group_match')

    @classmethod
    def _prm_group_parties(cls):
        "The query of the parties matching the group filter, or None"
        pool = Pool()
        Party = pool.get('party.party')
        Member = pool.get('prm.contact_group-party.party')
        filter_ = group_filter()
        if filter_ is None:
            return None
        include, mode, exclude = filter_
        party = Party.__table__()
        where = Literal(True)
        includes = [[g] for g in include] if mode == 'all' else [include]
        for groups in filter(None, includes):
            member = Member.__table__()
            where &= Exists(member.select(Literal(1),
                    where=(member.party == party.id)
                    & member.group.in_(groups)))
        if exclude:
            member = Member.__table__()
            where &= ~Exists(member.select(Literal(1),
                    where=(member.party == party.id)
                    & member.group.in_(exclude)))
        return party.select(party.id, where=where)

    @classmethod
    def get_prm_group_match(cls, events, name):
        query = cls._prm_group_parties()
        if query is None:
            return {e.id: True for e in events}
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        parties = {p for p, in cursor}
        return {e.id: e.party.id in parties for e in events}

    @classmethod
    def search_prm_group_match(cls, name, clause):
        _, operator, value = clause[:3]
        query = cls._prm_group_parties()
        if query is None:
            return []
        if operator in {'in', 'not in'}:
            wanted = True in (value or [])
            if operator == 'not in':
                wanted = not wanted
        else:
            wanted = bool(value)
            if operator == '!=':
                wanted = not wanted
        return [('party', 'in' if wanted else 'not in', query)]
