# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Follow-ups (S1, S2): the daily reminder mail of the open follow-ups
and the list of them run at login"""
import logging
from email.message import EmailMessage
from email.utils import formataddr

from sql import Null

from trytond import config
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .event_report import send_now

logger = logging.getLogger(__name__)

FOLLOW_UP_ACTION = 'prm_addon.act_event_follow_up'


class EventFollowUpMixin:
    "The daily reminder of the open follow-ups (S2), on prm.event"
    __slots__ = ()

    @classmethod
    def _reminder_domain(cls, date):
        "Domain of the events a reminder of `date` lists"
        return [
            ('state', '=', 'open'),
            ('follow_up_date', '<=', date),
            ('responsible', '!=', None),
            ('responsible.active', '=', True),
            ('responsible.prm_reminder', '=', True),
            ('responsible.email', '!=', None),
            ('responsible.email', '!=', ''),
            ['OR',
                ('responsible.prm_reminder_date', '=', None),
                ('responsible.prm_reminder_date', '<', date),
                ],
            ]

    @classmethod
    @without_check_access
    def send_reminders(cls, date=None):
        """Queue one reminder mail per responsible user with events due

        The scheduled task only reads and enqueues: trytond-worker (or
        trytond after the commit, without [queue] worker) sends each mail
        in its own task, see res.user.prm_send_reminder."""
        pool = Pool()
        Date = pool.get('ir.date')
        User = pool.get('res.user')
        if date is None:
            date = Date.today()
        events = cls.search(cls._reminder_domain(date), order=[])
        with Transaction().set_context(queue_name='prm_mail'):
            for user in sorted({e.responsible for e in events}, key=int):
                User.__queue__.prm_send_reminder([user], date)

    @classmethod
    def _reminder_events(cls, user, date):
        "The due events of the user that the user may see, in their order"
        events = cls.search(
            cls._reminder_domain(date) + [('responsible', '=', user.id)],
            order=[('follow_up_date', 'ASC'), ('id', 'ASC')])
        # The task runs as root: a mail must not list what its reader may
        # not see (visibility groups, companies, a user who left PRM)
        return cls._visible_to(user, events)

    @classmethod
    def _visible_to(cls, user, events):
        "The events among `events` that the user may read, in their order"
        try:
            visible = {e.id for e in cls.search_as(
                    user, [('id', 'in', [e.id for e in events])], order=[])}
        except AccessError:
            return []
        return [e for e in events if e.id in visible]

    @classmethod
    def _reminder_message(cls, user, events, date):
        "Return the reminder EmailMessage of the user's due events"
        pool = Pool()
        Lang = pool.get('ir.lang')
        language = user.language.code if user.language else None
        with Transaction().set_context(language=language):
            lang = Lang.get(language)
            lines = []
            for event in events:
                if event.follow_up_date < date:
                    message = 'prm_addon.msg_reminder_line_overdue'
                else:
                    message = 'prm_addon.msg_reminder_line'
                lines.append(gettext(
                        message,
                        number=event.number or '',
                        title=event.title,
                        party=event.party.rec_name,
                        date=lang.strftime(event.follow_up_date)))
                lines.append('    ' + event.__href__)
            body = '\n'.join([
                    gettext('prm_addon.msg_reminder_greeting',
                        user=user.name),
                    '',
                    gettext('prm_addon.msg_reminder_intro',
                        count=len(events)),
                    '',
                    *lines,
                    '',
                    gettext('prm_addon.msg_reminder_footer'),
                    ])
            subject = gettext(
                'prm_addon.msg_reminder_subject',
                count=len(events), date=lang.strftime(date))
        msg = EmailMessage()
        msg['From'] = config.get('email', 'from')
        msg['To'] = formataddr((user.name, user.email))
        msg['Subject'] = subject
        msg['Auto-Submitted'] = 'auto-generated'
        msg.set_content(body)
        return msg


class UserFollowUpMixin:
    """On res.user: the reminder mail of each user (S2) and the open
    follow-ups run at login (S1)"""
    __slots__ = ()

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
