# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta
from trytond.transaction import Transaction

from .event_access import guard_event_relations


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('prm.event|send_reminders', "Send Follow-up Reminders"))


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def domain_get(cls, model_name, mode='read'):
        # The first search or read of a pool guards the relations to
        # events first (event_access)
        guard_event_relations()
        return super().domain_get(model_name, mode=mode)

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        # The calendar feed's rule: the user's own feeds
        if model_name == 'prm.calendar.feed':
            context['user_id'] = Transaction().user
        return context

    @classmethod
    def _get_cache_key(cls, model_names):
        key = super()._get_cache_key(model_names)
        # Without the user in the key, the rule of one user would be served
        # from the cache to another.
        if 'prm.calendar.feed' in model_names:
            key = (*key, Transaction().user)
        return key
