# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"A secret, revocable iCalendar address of each user's follow-ups"
import datetime as dt
import re
import secrets
import urllib.parse

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction
from trytond.url import host, http_base
from trytond.wizard import StateAction, Wizard

ROUTE = '/%(database)s/prm/calendar/%(token)s.ics'
# RFC 5545 3.3.11: no control characters but HTAB in a TEXT value
CONTROL = re.compile('[\x00-\x08\x0b-\x1f\x7f]')


def ics_text(value):
    "Escape a TEXT value (RFC 5545 3.3.11)"
    value = CONTROL.sub('', value or '')
    value = value.replace('\r\n', '\n').replace('\r', '\n')
    return (value.replace('\\', '\\\\').replace(';', '\\;')
        .replace(',', '\\,').replace('\n', '\\n'))


def ics_fold(line):
    """Fold a content line into lines of at most 75 octets (RFC 5545 3.1)

    A UTF-8 character is never split; continuation lines start with a
    space."""
    parts, current, size, limit = [], [], 0, 75
    for char in line:
        length = len(char.encode('utf-8'))
        if size + length > limit:
            parts.append(''.join(current))
            current, size, limit = [], 0, 74
        current.append(char)
        size += length
    parts.append(''.join(current))
    return '\r\n '.join(parts)


def ics_date(value):
    "A date as an iCalendar DATE, with 4 digits for the year"
    return value.isoformat().replace('-', '')


def ics_utc(value):
    "A naive UTC datetime of Tryton as an iCalendar UTC DATE-TIME"
    return value.strftime('%Y%m%dT%H%M%SZ')


class CalendarFeed(ModelSQL, ModelView):
    __name__ = 'prm.calendar.feed'
    __string__ = "Calendar Feed"

    user = fields.Many2One(
        'res.user', "User", required=True, readonly=True, ondelete='CASCADE')
    token = fields.Char("Token", readonly=True, strip=False)
    url = fields.Function(
        fields.Char(
            "Calendar Address",
            help="Subscribe to this address in your calendar program. "
            "Anyone who knows it can read your follow-ups: keep it secret, "
            "or revoke it."),
        'get_url')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('user_unique', Unique(t, t.user),
                'prm_addon.msg_calendar_feed_user_unique'),
            ('token_unique', Unique(t, t.token),
                'prm_addon.msg_calendar_feed_token_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.token, Index.Equality())))
        cls._buttons.update({
                'new_address': {
                    'icon': 'tryton-refresh',
                    },
                'revoke': {
                    'icon': 'tryton-cancel',
                    'invisible': ~Bool(Eval('token')),
                    'depends': ['token'],
                    },
                })

    def get_rec_name(self, name):
        return self.user.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('user.rec_name', *clause[1:])]

    @classmethod
    def default_user(cls):
        return Transaction().user or None

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('token'):
            values['token'] = cls.new_token()
        return values

    @classmethod
    def copy(cls, feeds, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('token', None)
        return super().copy(feeds, default=default)

    def get_url(self, name):
        if not self.token:
            return None
        path = urllib.parse.quote(ROUTE % {
                'database': Transaction().database.name,
                'token': self.token,
                })
        return http_base().rstrip('/') + path

    @classmethod
    @ModelView.button
    def new_address(cls, feeds):
        "Give a new address: the previous one stops working"
        for feed in feeds:
            feed.token = cls.new_token()
        cls.save(feeds)

    @classmethod
    @ModelView.button
    def revoke(cls, feeds):
        "The address stops working"
        cls.write(feeds, {'token': None})

    def get_events(self):
        """The open events with a follow-up date of the user

        Searched as the user, so that the record rules of the events (F11,
        companies) apply as in the client."""
        Event = Pool().get('prm.event')
        return Event.search_as(self.user, [
                ('responsible', '=', self.user.id),
                ('state', '=', 'open'),
                ('follow_up_date', '!=', None),
                ], order=[('follow_up_date', 'ASC'), ('id', 'ASC')])

    def get_ics(self):
        "The iCalendar document of the follow-ups (RFC 5545)"
        events = self.get_events()
        language = self.user.language.code if self.user.language else None
        with Transaction().set_context(language=language):
            name = gettext(
                'prm_addon.msg_calendar_feed_name', user=self.user.rec_name)
            lines = [
                'BEGIN:VCALENDAR',
                'VERSION:2.0',
                'PRODID:-//PRM//prm_addon//EN',
                'CALSCALE:GREGORIAN',
                'METHOD:PUBLISH',
                'X-WR-CALNAME:' + ics_text(name),
                'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
                'X-PUBLISHED-TTL:PT1H',
                ]
            for event in events:
                lines.extend(self._vevent(event))
            lines.append('END:VCALENDAR')
        return ''.join(ics_fold(line) + '\r\n' for line in lines)

    def _vevent(self, event):
        # An all-day event: Google Calendar and Outlook do not show the
        # VTODOs of a subscribed calendar, Thunderbird shows both.
        summary = f'[{event.number}] {event.title}' if event.number \
            else event.title
        description = [gettext(
                'prm_addon.msg_calendar_feed_party',
                party=event.party.rec_name)]
        if event.contact:
            description.append(gettext(
                    'prm_addon.msg_calendar_feed_contact',
                    contact=event.contact.rec_name))
        if event.notes:
            description.extend(['', event.notes])
        stamp = event.write_date or event.create_date
        day = event.follow_up_date
        lines = [
            'BEGIN:VEVENT',
            f'UID:prm-event-{event.id}-'
            f'{Transaction().database.name}@{host()}',
            'DTSTAMP:' + ics_utc(stamp),
            'LAST-MODIFIED:' + ics_utc(stamp),
            'DTSTART;VALUE=DATE:' + ics_date(day),
            ]
        if day < dt.date.max:
            # Without DTEND a DATE event lasts its day too (RFC 5545)
            lines.append(
                'DTEND;VALUE=DATE:' + ics_date(day + dt.timedelta(days=1)))
        lines += [
            'SUMMARY:' + ics_text(summary),
            'DESCRIPTION:' + ics_text('\n'.join(description)),
            'TRANSP:TRANSPARENT',
            ]
        try:
            lines.append('URL:' + event.__href__)
        except Exception:
            pass
        lines.append('END:VEVENT')
        return lines


class OpenFeed(Wizard):
    "Open the user's own feed, created at the first opening"
    __name__ = 'prm.calendar.feed.open'
    start_state = 'open_'
    open_ = StateAction('prm_addon.act_calendar_feed_form')

    def do_open_(self, action):
        pool = Pool()
        Feed = pool.get('prm.calendar.feed')
        # The record rule shows the user's own feed only
        feed = next(iter(Feed.search([], limit=1)), None)
        if not feed:
            feed = Feed()
            feed.save()
        action['res_id'] = [feed.id]
        action['views'] = sorted(
            action['views'], key=lambda v: v[1] != 'form')
        return action, {}
