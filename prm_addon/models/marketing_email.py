# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Mailing a contact group through Tryton's marketing_email

The management screen fills a mailing list of marketing_email with the
email addresses of the partners chosen (one address per partner, linked to
it) and opens a new message of that list; marketing_email sends it from
its scheduled task, never in the user's request. PRM adds:

- the members of a do-not-contact group are never mailed: left out when
  the list is filled, and left out again when the message is sent;
- each mail sent is logged as a closed Email event on the partner (on the
  company of a contact person, with the person as contact);
- an unsubscribe (the link of the mail, or the List-Unsubscribe header,
  to the page of routes.py) puts the partner into "Do not contact", with
  its history line.
"""
import html
from collections import defaultdict
from urllib.parse import quote

from sql import Literal
from sql.functions import Lower

import trytond.config as config
from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, PYSONEncoder
from trytond.sendmail import SMTPDataManager
from trytond.tools import grouped_slice
from trytond.tools.email_ import normalize_email
from trytond.transaction import Transaction, without_check_access
from trytond.url import http_base
from trytond.wizard import Button, StateAction, StateView, Wizard

from ..exceptions import MailingError
from .common import read_ordered
from .contact_group import SelectedRowsMixin, _ids

MAX = backend.MAX_QUERY_PARAMS


def do_not_contact_parties(party_ids):
    "The ids among party_ids of the members of a do-not-contact group"
    pool = Pool()
    Member = pool.get('prm.contact_group-party.party')
    return {m.party.id for m in Member.do_not_contact(party_ids)}


class DataManager(SMTPDataManager):
    "Send each mail with header lines of up to 998 characters (RFC 5322)"

    def put(self, from_addr, to_addrs, msg):
        # The List-Unsubscribe address is longer than 78 characters and has
        # no space: folded at 78, Python encodes it (RFC 2047), and mail
        # programs no longer find the address there (RFC 2369)
        msg.policy = msg.policy.clone(max_line_length=998)
        super().put(from_addr, to_addrs, msg)


def address_parties(addresses):
    "The ids of the parties of each address (email contact mechanisms)"
    pool = Pool()
    ContactMechanism = pool.get('party.contact_mechanism')
    mechanism = ContactMechanism.__table__()
    cursor = Transaction().connection.cursor()
    result = defaultdict(set)
    for sub in grouped_slice(sorted({a.lower() for a in addresses}), MAX):
        cursor.execute(*mechanism.select(
                Lower(mechanism.value), mechanism.party,
                where=(mechanism.type == 'email')
                & (mechanism.active == Literal(True))
                & Lower(mechanism.value).in_(list(sub))))
        for address, party in cursor:
            result[address].add(party)
    return result


def first_addresses(party_ids):
    "The first email address of each party, as the management screen shows"
    pool = Pool()
    ContactMechanism = pool.get('party.contact_mechanism')
    result = {}
    for sub_ids in grouped_slice(sorted(set(party_ids)), MAX):
        for mechanism in read_ordered(ContactMechanism, [
                    ('party', 'in', list(sub_ids)),
                    ('type', '=', 'email'),
                    ], [('party', 'ASC'), ('sequence', 'ASC'), ('id', 'ASC')],
                ['party', 'value']):
            if mechanism['value']:
                result.setdefault(mechanism['party'], mechanism['value'])
    return result


class Email(metaclass=PoolMeta):
    __name__ = 'marketing.email'

    prm_party = fields.Many2One(
        'party.party', "Partner", ondelete='CASCADE',
        help="The partner whose address this is; "
        "the mails sent are logged on it.")

    @classmethod
    def get_web_user(cls, records, names):
        # A sales person may see the list without seeing the web users
        with without_check_access():
            result = super().get_web_user(records, names)
        if 'party' in names:
            for record in records:
                if record.prm_party:
                    result['party'][record.id] = record.prm_party.id
        return result

    def get_email_unsubscribe_url(self, url=None):
        if url is None and not config.get(
                'marketing', 'email_unsubscribe_url'):
            # PRM's own page, on the server, when none is configured
            url = http_base().rstrip('/') + quote(
                '/%s/prm/unsubscribe' % Transaction().database.name)
        return super().get_email_unsubscribe_url(url=url)

    def prm_parties(self, parties_of_address=None):
        "The ids of the parties of the address"
        parties = set()
        if self.prm_party:
            parties.add(self.prm_party.id)
        if parties_of_address is None:
            parties_of_address = address_parties([self.email])
        parties |= parties_of_address.get(self.email.lower(), set())
        return parties

    @classmethod
    def unsubscribe(cls, tokens):
        pool = Pool()
        Member = pool.get('prm.contact_group-party.party')
        ModelData = pool.get('ir.model.data')
        ContactGroup = pool.get('prm.contact_group')
        records = cls.search([
                ('email_token', 'in', tokens),
                ])
        result = super().unsubscribe(tokens)
        parties = set()
        for record in records:
            if record.prm_party:
                parties.add(record.prm_party.id)
            elif record.party:
                parties.add(record.party.id)
        if parties:
            group = ContactGroup(ModelData.get_id(
                    'prm_addon', 'contact_group_do_not_contact'))
            with without_check_access():
                Member.add(group, parties)
        return result


class Message(metaclass=PoolMeta):
    __name__ = 'marketing.email.message'

    @classmethod
    def _prm_contactable(cls, emails):
        "The emails whose address is of no do-not-contact party"
        emails = list(emails)
        of_address = address_parties([e.email for e in emails])
        parties = {e: e.prm_parties(of_address) for e in emails}
        excluded = do_not_contact_parties(
            set().union(*parties.values()) if parties else [])
        return [e for e in emails if not (parties[e] & excluded)]

    @classmethod
    def process(cls, messages=None, emails=None, smtpd_datamanager=None):
        if not smtpd_datamanager:
            smtpd_datamanager = DataManager()
        if emails:
            # Send Test: to one address of the list
            refused = set(emails) - set(cls._prm_contactable(emails))
            if refused:
                raise MailingError(gettext(
                        'prm_addon.msg_mailing_test_do_not_contact',
                        email=refused.pop().email))
            return super().process(
                messages, emails, smtpd_datamanager=smtpd_datamanager)
        if messages is None:
            messages = cls.search([
                    ('state', '=', 'sending'),
                    ])
        for message in messages:
            recipients = cls._prm_contactable(message.list_.emails)
            if recipients:
                super().process(
                    [message], recipients,
                    smtpd_datamanager=smtpd_datamanager)
                message._prm_log_events(recipients)
        cls.sent(messages)

    def _prm_log_events(self, emails):
        "Log one closed Email event per partner mailed"
        pool = Pool()
        Event = pool.get('prm.event')
        ModelData = pool.get('ir.model.data')
        Party = pool.get('party.party')
        Date = pool.get('ir.date')
        emails = [e for e in emails if e.prm_party or e.party]
        if not emails:
            return []
        company = Event._prm_company(self.create_uid)
        if company is None:
            return []
        type_ = ModelData.get_id('prm_addon', 'event_type_email')
        parties = {e.id: (e.prm_party or e.party) for e in emails}
        # A contact person's mail is logged on their (first) company
        with without_check_access():
            companies = {p: c[0] for p, c in Party.prm_companies(
                    parties.values()).items() if c}
        responsible = self.create_uid
        if responsible and not responsible.active:
            responsible = None
        with Transaction().set_context(company=company.id):
            today = Date.today()
        vlist = []
        for email in emails:
            party = parties[email.id]
            target = companies.get(party.id)
            vlist.append({
                    'title': self.title,
                    'party': (target or party).id,
                    'contact': party.id if target else None,
                    'company': company.id,
                    'responsible': responsible.id if responsible else None,
                    'date': today,
                    'type': type_,
                    'notes': gettext(
                        'prm_addon.msg_mailing_event_notes',
                        list=self.list_.rec_name,
                        email=email.email),
                    })
        with without_check_access(), Transaction().set_user(0):
            events = Event.create(vlist)
            Event.close(events)
        return events


class MailingStart(ModelView):
    __name__ = 'prm.contact_group.mailing.start'
    __string__ = "Send Mailing"

    segment = fields.Many2One(
        'prm.contact_group.segment', "Segment",
        help="Mail the partners of this segment instead of the rows "
        "selected.")
    list_ = fields.Many2One(
        'marketing.email.list', "Mailing List",
        help="The list to add the partners to; leave empty to create one.")
    list_name = fields.Char(
        "New Mailing List",
        states={
            'required': ~Eval('list_'),
            'invisible': Bool(Eval('list_')),
            })
    language = fields.Many2One(
        'ir.lang', "Language",
        domain=[('translatable', '=', True)],
        states={
            'required': ~Eval('list_'),
            'invisible': Bool(Eval('list_')),
            })
    title = fields.Char("Subject", required=True)
    content = fields.Text(
        "Content", required=True,
        help="The HTML of the mail; ${email.party.rec_name} is the "
        "partner's name.")

    @classmethod
    def default_language(cls):
        return Pool().get('marketing.email.list').default_language()

    @classmethod
    def default_content(cls):
        greeting = html.escape(gettext('prm_addon.msg_mailing_greeting'))
        unsubscribe = html.escape(
            gettext('prm_addon.msg_mailing_unsubscribe_link'))
        return (
            '<html>\n<body>\n'
            f'<p>{greeting} ${{email.party.rec_name if email.party '
            'else email.email},</p>\n'
            '<p></p>\n'
            '<p><a href="${email.get_email_unsubscribe_url()}">'
            f'{unsubscribe}</a></p>\n'
            '</body>\n</html>\n')


class Mailing(SelectedRowsMixin, Wizard):
    "Fill a mailing list with the partners chosen and open its message"
    __name__ = 'prm.contact_group.mailing'
    start = StateView(
        'prm.contact_group.mailing.start',
        'prm_addon.contact_group_mailing_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create Message", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateAction('prm_addon.act_mailing_message')

    def default_start(self, fields):
        defaults = {}
        if self.model and self.model.__name__ == 'prm.contact_group.segment':
            ids = Transaction().context.get('active_ids') or []
            if len(ids) == 1:
                defaults['segment'] = int(ids[0])
        return defaults

    def _parties(self):
        "The ids of the parties to mail: the segment's or the rows'"
        pool = Pool()
        Segment = pool.get('prm.contact_group.segment')
        if self.start.segment:
            segments = Segment.search([('id', '=', self.start.segment.id)])
            if not segments:
                raise MailingError(
                    gettext('prm_addon.msg_mailing_no_party'))
            segment, = segments
            query = Segment.filter_query(**segment.filter_context())
            cursor = Transaction().connection.cursor()
            cursor.execute(*query)
            return [p for p, in cursor]
        if self.model and self.model.__name__ in {
                'party.party', 'prm.contact_group.management'}:
            return _ids(Transaction().context.get('active_ids'))
        return []

    def do_create_(self, action):
        pool = Pool()
        EmailList = pool.get('marketing.email.list')
        Email = pool.get('marketing.email')
        Message = pool.get('marketing.email.message')
        parties = self._parties()
        if not parties:
            raise MailingError(gettext('prm_addon.msg_mailing_no_party'))
        excluded = do_not_contact_parties(parties)
        addresses = first_addresses(
            [p for p in parties if p not in excluded])
        if not addresses:
            raise MailingError(gettext('prm_addon.msg_mailing_no_email'))
        list_ = self.start.list_
        if not list_:
            list_ = EmailList(
                name=self.start.list_name, language=self.start.language)
            list_.save()
        # An address already on the list stays as it is: one who
        # unsubscribed is not subscribed again.
        with Transaction().set_context(active_test=False):
            known = {e.email for e in Email.search([
                        ('list_', '=', list_.id),
                        ])}
        new, seen = [], set(known)
        for party, address in sorted(addresses.items()):
            # as marketing.email stores it
            key = normalize_email(address).lower()
            if key in seen:
                continue
            seen.add(key)
            new.append(Email(list_=list_, email=address, prm_party=party))
        # By hundreds: Tryton's browse of the records created checks each
        # against the whole list of ids, which grows with its square
        for sub in grouped_slice(new, 100):
            Email.save(list(sub))
        message = Message(
            list_=list_, title=self.start.title,
            content=self.start.content)
        message.save()
        action['res_id'] = [message.id]
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', '=', message.id)])
        return action, {}


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('marketing.email', 'prm_party'),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def transition_erase(self):
        pool = Pool()
        Email = pool.get('marketing.email')
        # The addresses of an erased party leave the mailing lists
        with Transaction().set_context(active_test=False):
            Email.delete(Email.search([
                        ('prm_party', '=', self.ask.party.id),
                        ]))
        return super().transition_erase()
