# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import logging
from collections import defaultdict
from email.message import EmailMessage
from email.utils import formataddr

from trytond import config
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.sendmail import get_smtp_server, send_message
from trytond.transaction import Transaction, without_check_access

logger = logging.getLogger(__name__)


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
        """Mail each responsible user the list of their open events due

        One mail per user and day: the day is recorded on the user with
        the mail. The dates are written before any mail is sent, so that a
        database error cannot leave mails sent and unrecorded; the date of
        a user whose mail fails is put back, so that the next run retries
        them. The others keep theirs.
        """
        pool = Pool()
        Date = pool.get('ir.date')
        User = pool.get('res.user')
        if date is None:
            date = Date.today()
        events = cls.search(
            cls._reminder_domain(date),
            order=[('follow_up_date', 'ASC'), ('id', 'ASC')])
        if not events:
            return
        by_user = defaultdict(list)
        for event in events:
            by_user[event.responsible].append(event)
        # The task runs as root: a mail must not list what its reader may
        # not see (visibility groups, companies, a user who left PRM)
        for user in list(by_user):
            by_user[user] = cls._visible_to(user, by_user[user])
            if not by_user[user]:
                del by_user[user]
        users = sorted(by_user, key=lambda u: u.id)
        if not users:
            return

        server = get_smtp_server(strict=False)
        if server is None:
            # trytond logged why; nothing is recorded, the next run retries
            logger.error("follow-up reminders not sent: no SMTP server")
            return

        previous = {u: u.prm_reminder_date for u in users}
        User.write(users, {'prm_reminder_date': date})
        failed = []
        for i, user in enumerate(users):
            msg = cls._reminder_message(user, by_user[user], date)
            try:
                server = send_message(msg, server=server, strict=True)
            except Exception:
                logger.error(
                    "follow-up reminder to %s failed", user.email,
                    exc_info=True)
                failed.append(user)
                _close(server)
                try:
                    server = get_smtp_server(strict=False)
                except Exception:
                    # e.g. STARTTLS or login refused: the mails sent so far
                    # keep their date, the others are retried next run
                    logger.error("SMTP reconnection failed", exc_info=True)
                    server = None
                if server is None:
                    failed.extend(users[i + 1:])
                    break
        _close(server)
        to_restore = defaultdict(list)
        for user in failed:
            to_restore[previous[user]].append(user)
        for previous_date, restore in to_restore.items():
            User.write(restore, {'prm_reminder_date': previous_date})

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


def _close(server):
    if server is None:
        return
    try:
        server.quit()
    except Exception:
        server.close()
