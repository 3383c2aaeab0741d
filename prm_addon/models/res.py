# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta

from .follow_up import UserFollowUpMixin


class User(UserFollowUpMixin, metaclass=PoolMeta):
    __name__ = 'res.user'

    prm_reminder = fields.Boolean(
        "Follow-up Reminders",
        help="Receive a daily mail listing your open events whose "
        "follow-up date is today or past.")
    prm_reminder_date = fields.Date(
        "Last Follow-up Reminder", readonly=True,
        help="The day the last follow-up reminder was mailed.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._preferences_fields += ['prm_reminder']

    @classmethod
    def default_prm_reminder(cls):
        return True

    @classmethod
    def copy(cls, users, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('prm_reminder_date', None)
        return super().copy(users, default=default)


class UserGroup(metaclass=PoolMeta):
    __name__ = 'res.user-res.group'

    # The login list is given when a user joins PRM, whatever the form
    # (user, group) or XML that adds them, and only then: a user who
    # removed it from their actions keeps it removed, module updates
    # included.

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        User = pool.get('res.user')
        user_ids = {v.get('user') for v in vlist}
        before = User._prm_user_ids(user_ids)
        records = super().create(vlist)
        User.prm_add_follow_up_action(User._prm_user_ids(user_ids) - before)
        return records

    @classmethod
    def write(cls, *args):
        pool = Pool()
        User = pool.get('res.user')
        actions = iter(args)
        user_ids = set()
        for records, values in zip(actions, actions):
            user_ids.update(r.user.id for r in records)
            if values.get('user') is not None:
                user_ids.add(values['user'])
        before = User._prm_user_ids(user_ids)
        super().write(*args)
        after = User._prm_user_ids(user_ids)
        User.prm_add_follow_up_action(after - before)
        User.prm_remove_follow_up_action(before - after)

    @classmethod
    def delete(cls, records):
        pool = Pool()
        User = pool.get('res.user')
        user_ids = {r.user.id for r in records}
        before = User._prm_user_ids(user_ids)
        super().delete(records)
        User.prm_remove_follow_up_action(
            before - User._prm_user_ids(user_ids))
