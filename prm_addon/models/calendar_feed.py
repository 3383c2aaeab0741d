# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"A secret, revocable iCalendar address of each user's follow-ups"
import datetime as dt
import re
import secrets
import urllib.parse

import icalendar

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
    "A TEXT value without the characters RFC 5545 forbids"
    value = CONTROL.sub('', value or '')
    return icalendar.vText(value.replace('\r\n', '\n').replace('\r', '\n'))


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
        "The iCalendar document of the follow-ups (RFC 5545), as bytes"
        events = self.get_events()
        language = self.user.language.code if self.user.language else None
        with Transaction().set_context(language=language):
            name = gettext(
                'prm_addon.msg_calendar_feed_name', user=self.user.rec_name)
            calendar = icalendar.Calendar()
            calendar.add('version', '2.0')
            calendar.add('prodid', '-//PRM//prm_addon//EN')
            calendar.add('calscale', 'GREGORIAN')
            calendar.add('method', 'PUBLISH')
            calendar.add('x-wr-calname', ics_text(name))
            calendar.add(
                'refresh-interval', dt.timedelta(hours=1),
                parameters={'VALUE': 'DURATION'})
            calendar.add(
                'x-published-ttl', icalendar.vDuration(dt.timedelta(hours=1)))
            for event in events:
                calendar.add_component(self._vevent(event))
        return calendar.to_ical()

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
        stamp = (event.write_date or event.create_date).replace(
            tzinfo=dt.timezone.utc)
        day = event.follow_up_date
        vevent = icalendar.Event()
        vevent.add(
            'uid', f'prm-event-{event.id}-'
            f'{Transaction().database.name}@{host()}')
        vevent.add('dtstamp', stamp)
        vevent.add('last-modified', stamp)
        vevent.add('dtstart', day)
        if day < dt.date.max:
            # Without DTEND a DATE event lasts its day too (RFC 5545)
            vevent.add('dtend', day + dt.timedelta(days=1))
        vevent.add('summary', ics_text(summary))
        vevent.add('description', ics_text('\n'.join(description)))
        vevent.add('transp', 'TRANSPARENT')
        vevent.add('url', event.__href__)
        return vevent


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
