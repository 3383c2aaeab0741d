# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from email.message import EmailMessage
from email.utils import formataddr

from trytond import config
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('prm.event|send_reminders', "Send Follow-up Reminders"))


class Event(metaclass=PoolMeta):
    __name__ = 'prm.event'

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
