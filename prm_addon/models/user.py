# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import logging

from sql import Null

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from .event_report import send_now

logger = logging.getLogger(__name__)

FOLLOW_UP_ACTION = 'prm_addon.act_event_follow_up'


class User(metaclass=PoolMeta):
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

    @classmethod
    def prm_send_reminder(cls, users, date):
        """The queued task: mail each user their follow-up reminder of date

        At most one mail per user and day, whatever the number of cron
        processes, workers or retries: the day is claimed on the user and
        committed before the mail server is contacted (so a silent server
        holds no lock), and given back when the mail fails, so that the
        next run retries."""
        pool = Pool()
        Event = pool.get('prm.event')
        transaction = Transaction()
        for user in users:
            events = Event._reminder_events(user, date)
            if not events:
                continue
            msg = Event._reminder_message(user, events, date)
            previous = user.prm_reminder_date
            if not cls._prm_claim_reminder(user, previous, date):
                # Another task sent it in the meantime
                continue
            transaction.commit()
            error = send_now([msg])
            if error is not None:
                logger.error(
                    "follow-up reminder to %s failed: %s", user.email, error)
                cls._prm_claim_reminder(user, date, previous)
                transaction.commit()

    @classmethod
    def _prm_claim_reminder(cls, user, old, new):
        """Set the reminder date of the user from old to new, unless another
        transaction changed it first (compare-and-set, which the ORM's write
        does not offer); return whether it was set"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        column = table.prm_reminder_date
        if new is not None and (old is None or old < new):
            # Claiming a day: whatever was before it
            where = (column == Null) | (column < new)
        else:
            where = (column == old) if old is not None else (column == Null)
        cursor.execute(*table.update(
                [column], [new], where=(table.id == user.id) & where))
        return cursor.rowcount == 1

    @classmethod
    def _prm_user_ids(cls, user_ids):
        "Return the ids among user_ids that are in the PRM group"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        UserGroup = pool.get('res.user-res.group')
        user_ids = [i for i in user_ids if i is not None]
        if not user_ids:
            return set()
        try:
            group_id = ModelData.get_id('prm_addon', 'group_prm')
        except KeyError:
            # The group is being created by the module's activation
            return set()
        # Members of a child group (PRM Administration) are PRM users too
        user_group = UserGroup.user_group_all_table()
        cursor = Transaction().connection.cursor()
        cursor.execute(*user_group.select(
                user_group.user,
                where=(user_group.group == group_id)
                & user_group.user.in_(user_ids)))
        return {u for u, in cursor}

    @classmethod
    def _prm_follow_up_action_id(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Action = pool.get('ir.action')
        try:
            act_window_id = ModelData.get_id(*FOLLOW_UP_ACTION.split('.'))
        except KeyError:
            # While the module is activated, the users (admin) join the
            # group before the action exists: its XML gives it to them.
            return None
        return Action.get_action_id(act_window_id)

    @classmethod
    @without_check_access
    def prm_add_follow_up_action(cls, user_ids):
        "S1: run the user's open follow-ups at login"
        pool = Pool()
        UserAction = pool.get('res.user-ir.action')
        action_id = cls._prm_follow_up_action_id()
        if action_id is None or not user_ids:
            return
        size = cls.actions.size
        to_create = []
        for user in cls.browse(sorted(user_ids)):
            actions = {a.id for a in user.actions}
            # A full list of login actions is the user's choice: keep it
            if action_id in actions or len(actions) >= size:
                continue
            to_create.append({'user': user.id, 'action': action_id})
        if to_create:
            UserAction.create(to_create)

    @classmethod
    @without_check_access
    def prm_remove_follow_up_action(cls, user_ids):
        "A user who leaves PRM no longer runs a list they cannot read"
        pool = Pool()
        UserAction = pool.get('res.user-ir.action')
        action_id = cls._prm_follow_up_action_id()
        if action_id is None or not user_ids:
            return
        UserAction.delete(UserAction.search([
                    ('user', 'in', list(user_ids)),
                    ('action', '=', action_id),
                    ]))


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
