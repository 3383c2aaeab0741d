# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import polib

from trytond.pool import Pool, PoolMeta
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


class Translation(metaclass=PoolMeta):
    __name__ = 'ir.translation'

    @classmethod
    def translation_import(cls, lang, module, po_path):
        if module == 'prm_addon':
            po_path = cls._prm_activated_overrides(po_path)
        return super().translation_import(lang, module, po_path)

    @classmethod
    def _prm_activated_overrides(cls, po_path):
        """The PO files with only the overrides of activated modules

        locale/override/fi.po also translates the screens of the optional
        modules (sale, stock…), and Tryton fails on an override of a module
        that is not activated."""
        pool = Pool()
        Module = pool.get('ir.module')
        if isinstance(po_path, str):
            po_path = [po_path]
        activated = {m.name for m in Module.search([
                    ('state', '=', 'activated'),
                    ])}
        contents = []
        for path in po_path:
            pofile = polib.pofile(path)
            for entry in list(pofile):
                # msgctxt is type:name:res_id, res_id module.fs_id
                module = (entry.msgctxt or '').split(':')[-1].split('.')
                if len(module) > 1 and module[0] not in activated:
                    pofile.remove(entry)
            # polib reads a file's path or its content
            contents.append(str(pofile))
        return contents
