# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Incoming mail becomes a closed Email event on the sender's partner"
import email
import email.errors
import email.message
import email.policy
import json
import logging
import re
from email.utils import getaddresses, parsedate_to_datetime

import html2text

from trytond.i18n import gettext
from trytond.model import Index, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import escape_wildcard
from trytond.tools.timezone import get_tzinfo
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..exceptions import EventError
from .party import contact_person_domain

logger = logging.getLogger(__name__)

ACTION = 'prm.event|prm_from_inbound_email'

# "Fwd:", "Fw:" and Outlook's Finnish "VS:" (välitetty)
FORWARD_SUBJECT = re.compile(r'^\s*(?:(?:fwd?|vs)\s*:\s*)+', re.IGNORECASE)
# The first header line of a forwarded block: Gmail, Thunderbird and
# Outlook in English, Finnish and Swedish
FORWARD_FROM = re.compile(
    r'^[>\s]*(?:\*\s*)?(?:from|lähettäjä|från)\s*:\s*\**(.+)$',
    re.IGNORECASE | re.MULTILINE)
ADDRESS = re.compile(r'[\w.!#$%&\'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+')
# What a malformed mail makes its parsing raise: the mail is left for review
MAIL_ERRORS = (
    ValueError, LookupError, TypeError, UnicodeError,
    email.errors.MessageError)


def html_to_text(html):
    "The text of an HTML body: paragraphs, no markup, lines unwrapped"
    converter = html2text.HTML2Text()
    converter.ignore_emphasis = True
    converter.ignore_images = True
    converter.body_width = 0
    return converter.handle(html).strip()


def _part_text(part):
    "The text of a part; an unknown or wrong charset never loses the mail"
    try:
        return part.get_content()
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True) or b''
        return payload.decode('utf-8', 'replace')


def message_text(message):
    "The text of the mail: its text part, else its HTML part as text"
    body = message.get_body(preferencelist=('plain',))
    if body is not None:
        return _part_text(body).strip()
    body = message.get_body(preferencelist=('html',))
    if body is not None:
        return html_to_text(_part_text(body))
    return ''


def forwarded_sender(message, text):
    """The address of the original sender of a forwarded mail, or None

    A mail forwarded as an attachment carries the original as a
    message/rfc822 part; an inline forward quotes its headers in the body,
    the first "From:" line of which names the original sender."""
    for part in message.walk():
        if part.get_content_type() == 'message/rfc822':
            payload = part.get_payload()
            if payload:
                original = payload[0]
                addresses = getaddresses([original.get('From', '')])
                if addresses and '@' in addresses[0][1]:
                    return addresses[0][1]
    for match in FORWARD_FROM.finditer(text or ''):
        address = ADDRESS.search(match.group(1))
        if address:
            return address.group(0)
    return None


class Inbox(metaclass=PoolMeta):
    __name__ = 'inbound.email.inbox'

    def process(self, email_):
        """A mail posted to the inbox's address is stored and its rules run
        in Tryton's task queue: the provider's request returns at once and
        the processing (parsing, partner search, event) never holds it.
        A mail already stored (the Process button, the queued task) is
        processed now."""
        pool = Pool()
        Email = pool.get('inbound.email')
        if email_.id is None or email_.id < 0:
            email_.save()
            Email.__queue__.process([email_])
            return
        super().process(email_)


class Rule(metaclass=PoolMeta):
    __name__ = 'inbound.email.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.action.selection.append((ACTION, "Log Partner Relationship Event"))


class Email(metaclass=PoolMeta):
    __name__ = 'inbound.email'

    prm_sender = fields.Function(
        fields.Char("Sender"), 'get_prm_header')
    prm_subject = fields.Function(
        fields.Char("Subject"), 'get_prm_header')
    prm_date = fields.Function(
        fields.Date("Date"), 'get_prm_header')
    prm_text = fields.Function(
        fields.Text("Text"), 'get_prm_header')

    prm_mail = fields.Function(
        fields.Boolean(
            "Partner Relationship Mail",
            help="Received by a rule that logs partner relationship events."),
        'get_prm_mail', searcher='search_prm_mail')
    # Sales people cannot read `result` (a Reference to every model) nor
    # `rule`: Tryton drops a button that depends on a field the user
    # cannot read, so the button depends on these instead.
    prm_handled = fields.Function(
        fields.Boolean("Handled"), 'get_prm_handled')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'prm_create_event': {
                    'invisible': Eval('prm_handled') | ~Eval('prm_mail'),
                    'depends': ['prm_handled', 'prm_mail'],
                    },
                })

    def get_prm_mail(self, name):
        return bool(self.rule and self.rule.action == ACTION)

    def get_prm_handled(self, name):
        return bool(self.result)

    def get_rec_name(self, name):
        # A mail is known by its subject, not by "(12)"
        return self.prm_subject or super().get_rec_name(name)

    @classmethod
    def search_prm_mail(cls, name, clause):
        pool = Pool()
        Rule = pool.get('inbound.email.rule')
        # The rules, like the inboxes and their secret addresses, are for
        # the administrators: PRM users search through this field.
        with without_check_access():
            rules = Rule.search([('action', '=', ACTION)], order=[])
        _, operator, value = clause[:3]
        in_ = (operator == '=') == bool(value)
        return [('rule', 'in' if in_ else 'not in', [r.id for r in rules])]

    def prm_message(self):
        "The mail as an email.message.EmailMessage, or None"
        raw = self.prm_raw()
        if raw is None:
            return None
        return email.message_from_bytes(raw, policy=email.policy.default)

    def prm_raw(self):
        "The raw mail (RFC 5322 bytes), when the provider sends it"
        data = self.data
        if data is None:
            return None
        if isinstance(data, str):
            data = data.encode()
        if self.data_type == 'raw':
            return bytes(data)
        try:
            payload = json.loads(data)
        except ValueError:
            return None
        raw = None
        if self.data_type == 'mailchimp':
            raw = payload.get('raw_msg')
        elif self.data_type == 'mailpace':
            raw = payload.get('raw')
        elif self.data_type == 'sendgrid':
            raw = payload.get('email')
        if isinstance(raw, str):
            raw = raw.encode('utf-8', 'surrogateescape')
        return raw

    def prm_values(self):
        """The sender, subject, date, text and Message-ID of the mail

        Parsed from the raw mail when there is one: inbound_email's own
        as_dict does not decode quoted-printable or base64 bodies."""
        message = self.prm_message()
        if message is not None:
            senders = getaddresses([message.get('From', '')])
            recipients = [a for _, a in getaddresses(
                    message.get_all('To', []) + message.get_all('Cc', []))]
            date = None
            if message.get('Date'):
                try:
                    # Aware when the mail gives its offset: the day is taken
                    # in the company's timezone when the event is created
                    date = parsedate_to_datetime(str(message['Date']))
                except (TypeError, ValueError):
                    date = None
            text = message_text(message)
            return {
                'from': senders[0][1] if senders else '',
                'to': recipients,
                'subject': str(message.get('Subject', '') or ''),
                'date': date,
                'text': text,
                'message_id': str(message.get('Message-ID', '') or '').strip(),
                'forwarded_from': forwarded_sender(message, text),
                }
        value = self.as_dict()
        text = value.get('text')
        if not text and value.get('html'):
            text = html_to_text(value['html'])
        headers = value.get('headers', {})
        return {
            'from': value.get('from', ''),
            'to': value.get('to', []) + value.get('cc', []),
            'subject': value.get('subject', ''),
            'date': None,
            'text': (text or '').strip(),
            'message_id': (headers.get('Message-ID') or '').strip(),
            'forwarded_from': forwarded_sender(
                email.message.EmailMessage(), text),
            }

    @classmethod
    def get_prm_header(cls, emails, names):
        result = {n: {} for n in names}
        keys = {
            'prm_sender': 'from',
            'prm_subject': 'subject',
            'prm_date': 'date',
            'prm_text': 'text',
            }
        for email_ in emails:
            try:
                values = email_.prm_values()
            except MAIL_ERRORS:
                values = {}
            for name in names:
                result[name][email_.id] = values.get(keys[name])
        return result

    @classmethod
    @ModelView.button_action('prm_addon.wizard_inbound_email_create_event')
    def prm_create_event(cls, emails):
        pass


class Event(metaclass=PoolMeta):
    __name__ = 'prm.event'

    email_message_id = fields.Char(
        "Email Message-ID", readonly=True,
        help="The Message-ID of the mail the event was logged from.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.email_message_id, Index.Equality()),
                where=t.email_message_id != None))  # noqa: E711

    @classmethod
    def copy(cls, events, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('email_message_id', None)
        return super().copy(events, default=default)

    @classmethod
    def prm_from_inbound_email(cls, email_, rule):
        """The action of an inbound mail rule: log the mail as an event

        Returns the event, or None when the partner is not known for sure
        or the mail cannot be read: the mail then stays on the "Mails to
        Review" list, never lost. The mail is read and the event computed
        first; the writes come last with nothing caught around them: when
        one fails, the whole processing is rolled back, no event left
        behind."""
        try:
            found = cls._prm_from_inbound_email(email_, rule)
        except MAIL_ERRORS:
            logger.warning(
                "inbound mail %s left for review", email_.id, exc_info=True)
            return None
        if found is None or isinstance(found, cls):
            return found
        event, attachment = found
        return cls._prm_save_email_event(event, attachment)

    @classmethod
    def _prm_from_inbound_email(cls, email_, rule):
        """The event already logged from the mail, None, or the new event
        and its attachment, not saved: reads only"""
        values = email_.prm_values()
        existing = cls._prm_existing_event(values)
        if existing:
            return existing
        sender = values['from']
        responsible = None
        user = cls._prm_user(sender)
        if user:
            # A user forwarded the mail, or sent it to the partner with the
            # PRM address in copy: the partner is the original sender or
            # the recipients, the user is in charge.
            responsible = user
            if values['forwarded_from']:
                addresses = [values['forwarded_from']]
            else:
                addresses = [a for a in values['to']
                    if not cls._prm_user(a)]
        else:
            addresses = [sender]
            for address in values['to']:
                responsible = cls._prm_user(address)
                if responsible:
                    break
        target = cls._prm_party_for(addresses)
        if not target:
            return None
        party, contact = target
        company = cls._prm_company(responsible)
        if not company:
            return None
        return cls._prm_event_from_email(
            email_, values, party, contact, responsible, company)

    @classmethod
    def _prm_existing_event(cls, values):
        "The event already logged from the same mail"
        if not values.get('message_id'):
            return None
        with without_check_access():
            events = cls.search([
                    ('email_message_id', '=', values['message_id']),
                    ], limit=1, order=[('id', 'ASC')])
        return events[0] if events else None

    @classmethod
    def _prm_user(cls, address):
        "The active user with this email address"
        pool = Pool()
        User = pool.get('res.user')
        if not address:
            return None
        with without_check_access():
            users = User.search([
                    ('email', 'ilike', escape_wildcard(address)),
                    ], order=[('id', 'ASC')])
        return users[0] if len(users) == 1 else None

    @classmethod
    def _prm_party_for(cls, addresses):
        """The (party, contact person) the addresses belong to, or None

        A contact person's address gives the event on their company with
        the person as contact; an address of a partner (a company, or a
        person without company) gives the event on that partner. Anything
        ambiguous is left for a person to decide."""
        pool = Pool()
        Mechanism = pool.get('party.contact_mechanism')
        Party = pool.get('party.party')
        targets = set()
        for address in addresses:
            if not address:
                continue
            with without_check_access():
                mechanisms = Mechanism.search([
                        ('type', '=', 'email'),
                        ('value', 'ilike', escape_wildcard(address.strip())),
                        ('party.active', '=', True),
                        ], order=[])
                parties = {m.party for m in mechanisms}
                companies_of = Party.prm_companies(parties)
            for party in parties:
                companies = {
                    c for c in companies_of[party.id] if c.active}
                if len(companies) == 1:
                    company, = companies
                    targets.add((company, party))
                elif not companies:
                    targets.add((party, None))
                else:
                    # One person, several companies: which one is it about?
                    return None
        if len(targets) != 1:
            return None
        return targets.pop()

    @classmethod
    def prm_create_from_email(
            cls, email_, values, party, contact, responsible, company,
            title=None):
        "Create the closed Email event of the mail with the mail attached"
        event, attachment = cls._prm_event_from_email(
            email_, values, party, contact, responsible, company,
            title=title)
        return cls._prm_save_email_event(event, attachment)

    @classmethod
    def _prm_event_from_email(
            cls, email_, values, party, contact, responsible, company,
            title=None):
        """The Email event of the mail and the values of its attachment
        (None without the raw mail), not saved"""
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Date = pool.get('ir.date')
        subject = FORWARD_SUBJECT.sub('', values.get('subject') or '').strip()
        title = title or subject or gettext('prm_addon.msg_email_no_subject')
        type_ = ModelData.get_id('prm_addon', 'event_type_email')
        date = values.get('date')
        if date is None:
            with Transaction().set_context(company=company.id):
                date = Date.today()
        elif date.tzinfo is not None:
            date = date.astimezone(
                get_tzinfo(company.timezone or 'UTC')).date()
        else:
            date = date.date()
        event = cls(
            title=title,
            party=party,
            contact=contact,
            company=company,
            responsible=responsible,
            date=date,
            type=type_,
            notes=values.get('text') or None,
            email_message_id=values.get('message_id') or None,
            )
        raw = email_.prm_raw()
        attachment = None
        if raw:
            name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', ' ', subject).strip()
            attachment = {
                'name': (name[:100] or 'email') + '.eml',
                'type': 'data',
                'data': raw,
                }
        return event, attachment

    @classmethod
    def _prm_save_email_event(cls, event, attachment):
        "Save the event, attach the mail and close the event"
        Attachment = Pool().get('ir.attachment')
        event.save()
        if attachment:
            Attachment.create([{**attachment, 'resource': str(event)}])
        with without_check_access():
            cls.close([event])
        return event


class CreateEventStart(ModelView):
    __name__ = 'prm.inbound_email.create_event.start'
    __string__ = "Create Event from Mail"

    sender = fields.Char("Sender", readonly=True)
    title = fields.Char("Title", required=True)
    party = fields.Many2One(
        'party.party', "Company", required=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    contact = fields.Many2One(
        'party.party', "Contact Person",
        domain=contact_person_domain(Eval('party', -1)),
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    company = fields.Many2One('company.company', "Own Company", readonly=True)

    @fields.depends('party', 'contact')
    def on_change_party(self):
        self.contact = None


class CreateEvent(Wizard):
    "Create the event of a mail whose partner was not found"
    __name__ = 'prm.inbound_email.create_event'
    start = StateView(
        'prm.inbound_email.create_event.start',
        'prm_addon.inbound_email_create_event_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateTransition()

    def _check_not_handled(self):
        # The button hides itself once the mail is handled; a direct call
        # must not log it twice either
        if self.record.result:
            raise EventError(gettext(
                    'prm_addon.msg_inbound_email_handled',
                    mail=self.record.rec_name,
                    result=self.record.result.rec_name))

    def default_start(self, fields):
        self._check_not_handled()
        values = self.record.prm_values()
        return {
            'sender': values['forwarded_from'] or values['from'],
            'title': FORWARD_SUBJECT.sub('', values['subject']).strip(),
            'company': Transaction().context.get('company'),
            }

    def transition_create_(self):
        pool = Pool()
        Event = pool.get('prm.event')
        User = pool.get('res.user')
        Email = pool.get('inbound.email')
        self._check_not_handled()
        email_ = self.record
        values = email_.prm_values()
        event = Event._prm_existing_event(values)
        if not event:
            event = Event.prm_create_from_email(
                email_, values, self.start.party, self.start.contact,
                User(Transaction().user), self.start.company,
                title=self.start.title)
        with without_check_access():
            Email.write([Email(email_.id)], {'result': str(event)})
        return 'end'
