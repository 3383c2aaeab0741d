# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
import re
from collections import defaultdict
from urllib.parse import urlsplit

from sql import Column, Null

from trytond import backend
from trytond.i18n import gettext, ngettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelStorage, ModelView, Unique,
    Workflow, fields)
from trytond.model.exceptions import AccessError
from trytond.model.fields.selection import TranslatedSelection
from trytond.pool import Pool
from trytond.pyson import Date, Eval, Get, Id, If, In, PYSONEncoder
from trytond.tools import grouped_slice
from trytond.transaction import (
    Transaction, check_access, inactive_records, without_check_access)

from ..exceptions import DoNotContactWarning, EventValidationError
from .common import found_ids, search_any
from .event_access import SearchCheckMixin
from .event_report import EventReportMixin
from .event_shortcut import EventGroupFilterMixin
from .follow_up import EventFollowUpMixin
from .party import contact_person_domain

# Addresses a click may open (F10); javascript:, data:, file: and the like
# could run code or read local files in the user's browser.
URL_SCHEMES = {'http', 'https', 'mailto', 'tel'}
# What may follow tel: and mailto: (RFC 3966, RFC 6068, simplified)
URL_PATHS = {
    'tel': re.compile(r'\+?[0-9][0-9 ()./-]*'),
    'mailto': re.compile(r'[^\s:@/]+@[^\s:@/]+(,[^\s:@/]+@[^\s:@/]+)*'),
    }
# Fields Tryton fills: a client neither sets nor changes them, but may send
# their default when it creates an event.
COMPUTED_FIELDS = {
    'number': None,
    'state': 'open',
    'do_not_contact_confirmed': False,
    }


class ContactMany2One(fields.Many2One):
    """The contact person of an event

    Event.check_contact checks the contact persons of all the events in
    one query; the generic check of the domain would OR one sub-query per
    partner. Its domain is left out while the events are validated."""

    def _get_domain(self):
        if Transaction().context.get('_prm_contact_checked'):
            return []
        return super()._get_domain()

    domain = property(_get_domain, fields.Many2One._set_domain)


def document_party(document):
    "The partner of a document (event_document.DocumentMixin) or None"
    get_party = getattr(document, 'get_prm_party', None)
    return get_party() if get_party else None


def _valid_text(value):
    if not isinstance(value, str) or '\x00' in value:
        return False
    try:
        value.encode('utf-8')
    except UnicodeEncodeError:
        return False
    return True


def _valid_value(field, value):
    """Whether a value sent by a client fits the field: True, False, or
    (Model, id) of the record it must designate"""
    type_ = field._type
    if type_ in {'char', 'text'}:
        return _valid_text(value)
    if type_ == 'date':
        if isinstance(value, str) and _valid_text(value):
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                return False
            return True
        return isinstance(value, datetime.date)
    if type_ == 'boolean':
        return isinstance(value, bool)
    if type_ == 'many2one':
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return field.get_target(), value
    if type_ == 'reference':
        if value == '':
            return True
        if not isinstance(value, str) or value.count(',') != 1:
            return False
        model, id_ = value.split(',')
        Event = Pool().get('prm.event')
        if model not in Event._get_documents():
            return False
        if id_ in {'', '-1'}:
            # The client's "a model but no record yet"
            return True
        if not id_.isdigit():
            return False
        return Pool().get(model), int(id_)
    if type_ == 'selection':
        return value in {k for k, _ in field.selection}
    return True


class EventType(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'prm.event.type'
    __string__ = "Event Type"

    name = fields.Char("Name", required=True, translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def check_modification(cls, mode, types, values=None, external=False):
        pool = Pool()
        Event = pool.get('prm.event')
        super().check_modification(
            mode, types, values=values, external=external)
        if mode == 'delete':
            # Runs without access rules: events hidden from this user
            # still use the type.
            events = Event.search([
                    ('type', 'in', [t.id for t in types]),
                    ], limit=1, order=[])
            if events:
                event, = events
                raise AccessError(gettext(
                        'prm_addon.msg_event_type_delete_used',
                        type=event.type.rec_name))


class Event(
        EventReportMixin, EventFollowUpMixin, EventGroupFilterMixin,
        SearchCheckMixin, Workflow, ModelSQL, ModelView):
    """An event: a contact with a partner (E*)

    The Report button and its mail (B5) are in event_report.py, the
    follow-up reminders (S2) in follow_up.py, the contact-group filter of
    the Events list (G3) in event_shortcut.py, the checks of the searches
    of a client in event_access.py; the documents (sale, purchase,
    invoice) and the mail to events add to it in the files named after
    their modules."""
    __name__ = 'prm.event'
    __string__ = "Event"
    _rec_name = 'title'
    _states = {
        'readonly': Eval('state') == 'closed',
        }

    number = fields.Char(
        "Tracking Number", readonly=True,
        help="Given when the event is first saved.")
    title = fields.Char(
        "Title", required=True, states=_states,
        help="Short heading describing what the event is about.")
    state = fields.Selection([
            ('open', "Open"),
            ('closed', "Closed"),
            ], "Status", required=True, readonly=True, sort=False)
    date = fields.Date("Date", required=True, states=_states)
    company = fields.Many2One(
        'company.company', "Own Company", required=True,
        states={
            'readonly': _states['readonly'] | Eval('party', True),
            },
        domain=[
            ('id', If(In('company', Eval('context', {})), '=', '!='),
                Get(Eval('context', {}), 'company', 0)),
            ])
    party = fields.Many2One(
        'party.party', "Company", required=True, ondelete='RESTRICT',
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The partner the event is about.")
    contact = ContactMany2One(
        'party.party', "Contact Person", ondelete='RESTRICT',
        domain=contact_person_domain(Eval('party', -1)),
        states={
            'readonly': _states['readonly'] | ~Eval('party'),
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="One of the contact persons of the company.")
    type = fields.Many2One(
        'prm.event.type', "Type", ondelete='RESTRICT', states=_states)
    follow_up_date = fields.Date(
        "Follow-up Date", states=_states,
        help="When the next contact is due.")
    responsible = fields.Many2One(
        'res.user', "Responsible", states=_states,
        help="The person of one's own company in charge of the event "
        "and of the next contacts.")
    document = fields.Reference(
        "Document", selection='get_documents', states=_states,
        help="The order or invoice the event is about.")
    url = fields.Char(
        "Comments (Hyperlink)", states=_states,
        help="An address with more information: a web page, "
        "a link to a document or an offer.")
    visible_group = fields.Many2One(
        'res.group', "Visible Only to Group", ondelete='RESTRICT',
        states=_states,
        help="When set, only the members of this group can see the event.")
    notes = fields.Text("Internal Notes", states=_states)
    do_not_contact_confirmed = fields.Boolean(
        "Do-Not-Contact Confirmed", readonly=True,
        help="The partner was in a do-not-contact group when the event was "
        "created, and the user confirmed the contact.")
    # The follow-up in words, for the lists and the calendar
    due = fields.Function(fields.Char("Due"), 'get_due')
    due_color = fields.Function(fields.Char("Due Colour"), 'get_due')
    # For the report (B5): the status in the user's language, the document
    # by its kind and number
    state_string = TranslatedSelection('state')
    document_label = fields.Function(
        fields.Char("Document"), 'get_document_label')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.number),
                'prm_addon.msg_event_number_unique'),
            ]
        cls._setup_indexes()
        # F7: lists are ordered by the follow-up date, undated ones last.
        cls._order = [
            ('follow_up_date', 'ASC NULLS LAST'),
            ('date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('open', 'closed'),
            ('closed', 'open'),
            }
        cls._buttons.update({
                'close': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'closed',
                    'depends': ['state'],
                    },
                'open_document': {
                    'invisible': ~Eval('document'),
                    'depends': ['document'],
                    },
                'send_report': {},
                })

    @classmethod
    def _setup_indexes(cls):
        t = cls.__table__()
        # The orders of the lists (F7) with their filters: the party's
        # Events tab, the Open tab, the follow-ups; the title for text
        # searches (trigram where PostgreSQL has pg_trgm).
        order = [
            (t.follow_up_date, Index.Range(order='ASC NULLS LAST')),
            (t.date, Index.Range(order='DESC')),
            (t.id, Index.Range(order='DESC')),
            ]
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range()), *order),
                Index(t, (t.state, Index.Equality()), *order),
                Index(t, (t.contact, Index.Range())),
                Index(t, (t.document, Index.Equality())),
                Index(
                    t,
                    (t.responsible, Index.Range()),
                    (t.follow_up_date, Index.Range()),
                    (t.id, Index.Range()),
                    # The count of the follow-ups from the index alone
                    # (the rules' columns), not from 50,000 rows
                    include=[t.company, t.visible_group],
                    where=t.state == 'open'),
                Index(t, (t.title, Index.Similarity())),
                })
        if backend.name == 'sqlite':
            # SQLite creates no index with a parameter (the state above):
            # the follow-ups read this one instead of all the events
            cls._sql_indexes.add(Index(
                    t,
                    (t.responsible, Index.Range()),
                    (t.state, Index.Range()),
                    (t.follow_up_date, Index.Range()),
                    (t.id, Index.Range())))

    @classmethod
    def __post_setup__(cls):
        pool = Pool()
        # The client proposes only documents of the event's partner (or
        # of no partner); set before the fields' depends are computed.
        party = ['OR',
            ('prm_party', '=', Eval('party', -1)),
            ('prm_party', '=', None),
            ]
        cls.document.domain = {
            m: [party, pool.get(m)._prm_document_domain()]
            for m in cls._get_documents()}
        super().__post_setup__()

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def _prm_company(cls, user):
        """The own company of an event logged without a form (a mail in or
        out) for user: the context's, the user's, or the only one"""
        pool = Pool()
        Company = pool.get('company.company')
        context = Transaction().context
        if context.get('company'):
            return Company(context['company'])
        if user and user.company:
            return user.company
        with without_check_access():
            companies = Company.search([], limit=2)
        return companies[0] if len(companies) == 1 else None

    @classmethod
    def default_responsible(cls):
        return Transaction().user or None

    @classmethod
    def default_party(cls):
        # The Company filter of the Events list (prm.event.context)
        party = Transaction().context.get('prm_party')
        if (isinstance(party, int) and not isinstance(party, bool)
                and 0 <= party < 2 ** 31):
            return party

    @classmethod
    def search_as(cls, user, domain, order=None):
        """Search the events as `user` would in the client: with their
        preferences (companies), record rules and access checks, for the
        tasks and routes that run as root. AccessError when the user may
        not read events at all."""
        pool = Pool()
        User = pool.get('res.user')
        transaction = Transaction()
        with transaction.set_user(user.id):
            context = User.get_preferences(context_only=True)
        with transaction.set_user(user.id), \
                transaction.set_context(context), check_access():
            return cls.search(domain, order=order)

    @classmethod
    def _get_documents(cls):
        """Return the names of the models an event may be linked to: the
        document kinds of the pool (event_document.DocumentMixin)"""
        from .event_document import document_kinds
        return document_kinds()

    @classmethod
    def get_documents(cls):
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        # Tryton hides a Reference field from a user who cannot read one of
        # its models, so offer only the documents the user may read.
        models = [m for m in cls._get_documents()
            if ModelAccess.check(m, 'read', raise_exception=False)]
        return [(None, '')] + [
            (m, pool.get(m).get_prm_kind_name()) for m in models]

    @classmethod
    def _get_document_action(cls, document):
        "Return the XML id of the action that shows the document"
        return document.get_prm_document_action()

    def get_rec_name(self, name):
        if self.number:
            return f'{self.number} {self.title}'
        return self.title

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, ['number', 'title'])

    @fields.depends('party', 'contact', 'document', '_parent_party.id')
    def on_change_party(self):
        # A contact person or document of another partner no longer fits.
        if self.contact and not self._is_contact_person():
            self.contact = None
        if (isinstance(self.document, ModelStorage)
                and self.document.id >= 0
                and document_party(self.document) not in {None, self.party}):
            self.document = None

    def _is_contact_person(self):
        pool = Pool()
        Party = pool.get('party.party')
        if not self.contact or not self.party:
            return False
        return bool(Party.search([
                    ('id', '=', self.contact.id),
                    contact_person_domain(self.party.id),
                    ], limit=1, order=[]))

    @classmethod
    def view_attributes(cls):
        overdue = ((Eval('state') == 'open') & Eval('follow_up_date')
            & (Eval('follow_up_date', Date()) < Date()))
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state') == 'closed', 'muted',
                    If(Eval('follow_up_date')
                        & (Eval('follow_up_date', Date()) < Date()),
                        'danger', ''))),
            ('/tree/field[@name="due"]', 'visual',
                If(overdue, 'danger', '')),
            # Technical fields: for the PRM administrators only
            ('//group[@id="admin"]', 'states', {
                    'invisible': ~Id('prm_addon', 'group_prm_admin').in_(
                        Eval('context', {}).get('groups', [])),
                    }),
            ]

    @classmethod
    def get_due(cls, events, names):
        "'3 days overdue', 'Due today', 'Due in 2 days' and their colour"
        today = Pool().get('ir.date').today()
        result = {n: {} for n in names}
        # A page has a few distinct days: translate each once
        texts = {}
        for event in events:
            days = None
            if event.state == 'open' and event.follow_up_date:
                days = (event.follow_up_date - today).days
            if days in texts:
                text, color = texts[days]
            elif days is None:
                # Closed (muted on the calendar) or without a follow-up
                text, color = None, '#999999'
            elif days < 0:
                text = ngettext('prm_addon.msg_event_due_overdue', -days,
                    days=-days)
                color = '#c9302c'
            elif days == 0:
                text = gettext('prm_addon.msg_event_due_today')
                color = '#ec971f'
            else:
                text = ngettext('prm_addon.msg_event_due_in', days,
                    days=days)
                color = '#267f82'
            texts[days] = text, color
            for name, value in [('due', text), ('due_color', color)]:
                if name in names:
                    result[name][event.id] = value
        return result

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('prm.configuration')
        values = super().preprocess_values(mode, values)
        if values.get('document') == '':
            # What some clients send for no document
            values['document'] = None
        if mode == 'create' and not values.get('number'):
            sequence = Configuration(1).event_sequence
            if sequence:
                cls._lock_sequence(sequence)
                values['number'] = sequence.get()
        return values

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Configuration = pool.get('prm.configuration')
        transaction = Transaction()
        if transaction.user and transaction.check_access:
            for values in vlist:
                for name, default in COMPUTED_FIELDS.items():
                    if values.get(name) not in {None, default}:
                        cls._raise_computed(name)
            cls.check_client_values(*vlist)
        # The numbers of many new events in one query, not two per event
        missing = [i for i, v in enumerate(vlist) if not v.get('number')]
        sequence = Configuration(1).event_sequence if missing else None
        if len(missing) > 1 and sequence:
            cls._lock_sequence(sequence)
            vlist = [v.copy() for v in vlist]
            for i, number in zip(missing, sequence.get_many(len(missing))):
                vlist[i]['number'] = number
        return super().create(vlist)

    @classmethod
    def _lock_sequence(cls, sequence):
        # On SQLite a transaction takes the write lock only at its first
        # write, so two saves could read the same next number. Writing the
        # sequence row first makes the other saves wait for this one.
        if backend.name != 'sqlite':
            return
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        table = Sequence.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        cursor.execute(*table.update(
                [table.number_next_internal], [table.number_next_internal],
                where=table.id == sequence.id))
        # Forget what this transaction may have read before the lock
        transaction.counter += 1

    @classmethod
    def check_visible(cls, ids):
        """Refuse, as the user, the events that do not exist or are hidden
        from them, with one message for both (F11)"""
        transaction = Transaction()
        if not (transaction.user and transaction.check_access):
            return
        ids = {int(i) for i in ids}
        missing = sorted(ids - found_ids(cls, ids))
        if missing:
            raise AccessError(gettext(
                    'prm_addon.msg_event_not_found',
                    ids=', '.join(map(str, missing[:5]))))

    @classmethod
    def read(cls, ids, fields_names):
        transaction = Transaction()
        if not (transaction.user and transaction.check_access):
            return super().read(ids, fields_names)
        names = {n.split('.', 1)[0].split(':', 1)[0] for n in fields_names}
        if names - cls._fields.keys() - {
                '_timestamp', '_write', '_delete', '__name__'}:
            cls._raise_search_invalid()
        # Tryton's read selects the rows with the rules applied and refuses
        # the missing ones when it reads a column: check with our message
        # only then, not with one more query per page (a list's read)
        if not any(n in {'id', '_timestamp'} or (
                    n in cls._fields and not hasattr(cls._fields[n], 'get'))
                for n in names):
            cls.check_visible(ids)
            return super().read(ids, fields_names)
        try:
            return super().read(ids, fields_names)
        except (AccessError, RuntimeError):
            cls.check_visible(ids)
            raise

    @classmethod
    def check_client_values(cls, *vlist):
        """Refuse, before anything is written, a value of the wrong type or
        a link to a record that does not exist (one query per model)"""
        targets = defaultdict(dict)
        for values in vlist:
            for name, value in values.items():
                field = cls._fields.get(name)
                if field is None:
                    raise EventValidationError(gettext(
                            'prm_addon.msg_event_value_invalid',
                            value=str(value)[:50], field=name,
                            model=cls.__names__()['model']))
                if value is None:
                    continue
                target = _valid_value(field, value)
                if target is False:
                    raise EventValidationError(gettext(
                            'prm_addon.msg_event_value_invalid',
                            value=str(value)[:50].encode(
                                'utf-8', 'replace').decode(),
                            **cls.__names__(name)))
                if target is not True:
                    Target, id_ = target
                    targets[Target].setdefault(id_, name)
        with without_check_access(), inactive_records():
            for Target, names in targets.items():
                found = found_ids(Target, list(names))
                for id_ in sorted(names.keys() - found):
                    raise EventValidationError(gettext(
                            'prm_addon.msg_event_target_missing',
                            value=id_, **cls.__names__(names[id_])))

    @classmethod
    def _raise_computed(cls, name):
        raise AccessError(gettext(
                'prm_addon.msg_event_field_computed',
                **cls.__names__(name)))

    @classmethod
    def write(cls, *args):
        transaction = Transaction()
        cls.check_visible(r for records in args[::2] for r in records)
        if transaction.user and transaction.check_access:
            cls.check_client_values(*args[1::2])
        super().write(*args)

    @classmethod
    def delete(cls, events):
        cls.check_visible(events)
        super().delete(events)

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        # The same answer as read, write and delete give, rather than
        # Tryton's refusal naming the visibility rule
        cls.check_visible(records)
        return super().export_data(records, fields_names, header=header)

    @classmethod
    def copy(cls, events, default=None):
        cls.check_visible(events)
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('state', 'open')
        default.setdefault('date', cls.default_date())
        default.setdefault('do_not_contact_confirmed', False)
        return super().copy(events, default=default)

    @classmethod
    def default_do_not_contact_confirmed(cls):
        return False

    @classmethod
    def check_modification(cls, mode, events, values=None, external=False):
        super().check_modification(
            mode, events, values=values, external=external)
        if mode == 'create':
            cls.check_do_not_contact(events)
        elif mode == 'delete':
            for event in events:
                if event.state == 'closed':
                    raise AccessError(gettext(
                            'prm_addon.msg_event_delete_closed',
                            event=event.rec_name))
        elif mode == 'write' and external:
            # B1: only the Close and Reopen buttons change the status (they
            # write without access check), and a closed event stays
            # read-only over RPC too.
            for name in values.keys() & (COMPUTED_FIELDS.keys() - {'state'}):
                cls._raise_computed(name)
            if 'state' in values:
                raise AccessError(gettext(
                        'prm_addon.msg_event_state_by_buttons',
                        event=events[0].rec_name if events else ''))
            for event in events:
                if event.state == 'closed':
                    raise AccessError(gettext(
                            'prm_addon.msg_event_modify_closed',
                            event=event.rec_name))

    @classmethod
    def on_modification(cls, mode, events, field_names=None):
        super().on_modification(mode, events, field_names=field_names)
        if mode == 'create':
            cls.set_do_not_contact_confirmed(events)

    @classmethod
    def _do_not_contact_members(cls, events):
        "The memberships of the events' partners in do-not-contact groups"
        pool = Pool()
        Member = pool.get('prm.contact_group-party.party')
        return Member.do_not_contact(e.party.id for e in events)

    @classmethod
    def check_do_not_contact(cls, events):
        "Ask before an event is created for a do-not-contact partner"
        pool = Pool()
        Warning = pool.get('res.user.warning')
        Party = pool.get('party.party')
        members = cls._do_not_contact_members(events)
        flagged = Party.browse(sorted({m.party.id for m in members}))
        if not flagged:
            return
        # One key per partner (or set of partners): accepting it for one
        # contact does not silence the next one.
        key = Warning.format('prm_do_not_contact', flagged)
        if Warning.check(key):
            groups = sorted({m.group.rec_name for m in members})
            raise DoNotContactWarning(key, gettext(
                    'prm_addon.msg_event_do_not_contact' if len(flagged) == 1
                    else 'prm_addon.msg_event_do_not_contact_plural',
                    parties=', '.join(p.rec_name for p in flagged[:5]),
                    groups=', '.join(groups)))

    @classmethod
    def set_do_not_contact_confirmed(cls, events):
        "Mark the new events of do-not-contact partners, once confirmed"
        flagged_ids = {
            m.party.id for m in cls._do_not_contact_members(events)}
        if not flagged_ids:
            return
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.do_not_contact_confirmed], [True],
                where=table.id.in_(
                    [e.id for e in events if e.party.id in flagged_ids])))
        # Forget the cached values of the events
        Transaction().counter += 1

    @classmethod
    def _validate(cls, events, field_names=None):
        # Explain a wrong contact person or document in the user's terms
        # before the generic domain check of the fields does.
        cls.check_targets(events, field_names)
        cls.check_contact(events, field_names)
        cls.check_document(events, field_names)
        with Transaction().set_context(_prm_contact_checked=True):
            super()._validate(events, field_names=field_names)

    @classmethod
    def _contact_persons(cls, events):
        """The (event id, contact, party) of the events with a contact,
        and the valid (contact, party) pairs among them: a few queries
        for all the events, no record instantiated"""
        pool = Pool()
        Party = pool.get('party.party')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        links = []
        for sub_ids in grouped_slice(
                [e.id for e in events], backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.select(table.id, table.contact, table.party,
                    where=fields.SQL_OPERATORS['in'](table.id, sub_ids)
                    & (table.contact != Null)))
            links.extend(cursor)
        if not links:
            return links, set()
        # What the domain of the field accepts (contact_person_domain)
        return links, Party.prm_contact_pairs(
            {c for _, c, _ in links}, {p for _, _, p in links})

    @classmethod
    def check_targets(cls, events, field_names=None):
        """Refuse a link to a record that does not exist: SQLite keeps no
        foreign key, and such an event would break the lists later"""
        names = [name for name, field in cls._fields.items()
            if field._type == 'many2one'
            and not isinstance(field, fields.Function)
            and not (field_names and name not in field_names)]
        if not names:
            return
        # The stored links, in SQL: instantiating the targets of a thousand
        # events, each checked against all the others, took seconds
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        rows = {}
        for sub_ids in grouped_slice(
                [e.id for e in events], backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.select(
                    table.id, *(Column(table, n) for n in names),
                    where=fields.SQL_OPERATORS['in'](table.id, sub_ids)))
            rows.update((r[0], r[1:]) for r in cursor)
        for i, name in enumerate(names):
            ids = sorted({r[i] for r in rows.values() if r[i] is not None})
            if not ids:
                continue
            Target = cls._fields[name].get_target()
            with without_check_access(), inactive_records():
                found = found_ids(Target, ids)
            for event in events:
                value = rows[event.id][i]
                if value is not None and value not in found:
                    raise EventValidationError(gettext(
                            'prm_addon.msg_event_target_missing',
                            value=value, **cls.__names__(name)))

    @classmethod
    def check_contact(cls, events, field_names=None):
        if field_names and not (field_names & {'party', 'contact'}):
            return
        links, valid = cls._contact_persons(events)
        for event_id, contact, party in links:
            if (contact, party) not in valid:
                event = cls(event_id)
                raise EventValidationError(gettext(
                        'prm_addon.msg_event_contact_not_of_party',
                        contact=event.contact.rec_name,
                        party=event.party.rec_name,
                        event=event.rec_name))

    @classmethod
    def check_document(cls, events, field_names=None):
        if field_names and not (field_names & {'party', 'document'}):
            return
        for event in events:
            document = event.document
            # 'sale.sale,-1' (a model but no record yet) reads as a text
            if not (isinstance(document, ModelStorage) and document.id >= 0):
                continue
            # A document without a partner takes events of any partner
            party = document_party(document)
            if party and party != event.party:
                raise EventValidationError(gettext(
                        'prm_addon.msg_event_document_other_party',
                        document=document.rec_name,
                        document_party=party.rec_name,
                        party=event.party.rec_name,
                        event=event.rec_name))

    @classmethod
    def validate_fields(cls, events, field_names):
        super().validate_fields(events, field_names)
        cls.check_url(events, field_names)

    @classmethod
    def check_url(cls, events, field_names=None):
        if field_names and 'url' not in field_names:
            return
        for event in events:
            if event.url and not cls._valid_url(event.url):
                raise EventValidationError(gettext(
                        'prm_addon.msg_event_url_invalid',
                        url=event.url,
                        event=event.rec_name))

    @staticmethod
    def _valid_url(url):
        url = url.strip()
        if any(c.isspace() or not c.isprintable() for c in url):
            return False
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        scheme = parts.scheme.lower()
        if scheme not in URL_SCHEMES:
            return False
        if scheme in URL_PATHS:
            return bool(URL_PATHS[scheme].fullmatch(parts.path))
        return bool(parts.hostname)

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, events):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, events):
        pass

    @classmethod
    @ModelView.button
    def open_document(cls, events):
        "F9: open the order or invoice of the event in its own form"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Action = pool.get('ir.action')
        if not events:
            return
        # The form shows one event: open its document
        document = events[0].document
        xml_id = cls._get_document_action(document) if document else None
        if not xml_id:
            return
        action_id = Action.get_action_id(ModelData.get_id(*xml_id.split('.')))
        action = Action(action_id).get_action_value()
        action['res_id'] = [document.id]
        action['domains'] = []
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', '=', document.id)])
        action['views'] = sorted(
            action['views'], key=lambda v: v[1] != 'form')
        action['name'] = document.rec_name
        return action
