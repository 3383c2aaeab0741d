# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Document kinds: the records an event can be about (E7, F9)

A document kind is a model whose records events are linked to through
the event's Document field: sales, purchases, invoices, opportunities,
shipments, productions, complaints, projects. Each one has an Events tab
on its form with the Create New Event button, and the event's Open the
Document button (F9) opens its form. The rule is the same for all: the
document's partner is the event's partner.

Adding a kind is a class and a view extension:

1. A class extending the model with ``DocumentMixin``, registered in
   ``tryton.cfg`` under ``[register MODULE]`` (MODULE in
   ``extras_depend``), e.g. in ``models/stock.py``::

       class ShipmentOut(DocumentMixin, metaclass=PoolMeta):
           __name__ = 'stock.shipment.out'
           _prm_party_field = 'customer'
           _prm_document_action = 'stock.act_shipment_out_form'

   ``_prm_party_field`` names the Many2One to the partner (``party`` by
   default). A kind whose partner is not one field overrides
   ``get_prm_party`` (the partner, or None when the document has none)
   and ``search_prm_party`` (the same as a domain), like production.
   ``_prm_document_domain`` restricts the records offered (the projects
   among the works); ``get_prm_document_action`` chooses the form by
   record (supplier or customer invoice).

2. The Events tab on its form: an ``ir.ui.view`` extending the form
   (``views/MODULE.xml`` inside ``<data depends="MODULE">``, arch in
   ``view/MODULE_form.xml``, the same page as ``view/sale_form.xml``) and
   the ``prm_new_event`` button's ``ir.model.button`` with its group
   (``security/access.xml``, in a ``<data depends="MODULE">`` block).

``Event._get_documents()`` finds the kinds in the pool: nothing else to
register. A kind's documents without a partner (a production made for
stock, a lead without a party yet) take events of any partner.
"""
from collections import defaultdict

from sql import Null

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .event_access import (
    TREE_OPERATORS, SearchCheckMixin, visible_domain, visible_events)
from .event_shortcut import NewEventMixin, document_events_field


def document_kinds():
    "The names of the models of the pool that are document kinds"
    return sorted(name for name, Model in Pool().iterobject()
        if isinstance(Model, type) and issubclass(Model, DocumentMixin))


class DocumentMixin(SearchCheckMixin, NewEventMixin):
    "A model whose records events can be linked to: a document kind"
    __slots__ = ()
    # The Many2One to the partner of the document
    _prm_party_field = 'party'
    # The XML id of the action that opens the document's form
    _prm_document_action = None
    # The ir.message of the kind's name in the Document field (default:
    # the model's name)
    _prm_kind_message = None

    prm_events = document_events_field()
    prm_party = fields.Function(fields.Many2One(
            'party.party', "Partner of the Events",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'get_prm_party_id', searcher='search_prm_party')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # New events of the tab get the partner shown on the form
        party = cls._prm_party_field or 'prm_party'
        cls.prm_events.context = cls.prm_events.context.copy()
        cls.prm_events.context['default_party'] = Eval(party, -1)
        cls.prm_events.depends = {party, 'company'}

    def get_prm_party(self):
        "Return the partner of the document (that of its events) or None"
        return getattr(self, self._prm_party_field)

    def get_prm_party_id(self, name):
        party = self.get_prm_party()
        return party.id if party else None

    @classmethod
    def search_prm_party(cls, name, clause):
        "Return the domain of the documents of the partner (clause)"
        _, operator, value, *extra = clause
        nested = clause[0][len(name):]
        return [(cls._prm_party_field + nested, operator, value, *extra)]

    @classmethod
    def get_prm_kind_name(cls):
        "Return the name of the kind, in the user's language"
        if cls._prm_kind_message:
            return gettext(cls._prm_kind_message)
        return Pool().get('ir.model').get_name(cls.__name__)

    @classmethod
    def _prm_document_domain(cls):
        "Return the domain of the records that are documents of events"
        return []

    def get_prm_document_action(self):
        "Return the XML id of the action that opens the document's form"
        return self._prm_document_action

    def _prm_new_event_defaults(self):
        party = self.get_prm_party()
        defaults = {'document': str(self)}
        if party:
            defaults['party'] = party.id
        return party, defaults


def _positive(operator):
    "The operator without its negation, and whether it had one"
    if operator == '!=':
        return '=', True
    if operator.startswith('not '):
        return operator[len('not '):], True
    return operator, False


class NeighbourEventsMixin:
    """The events of a document's neighbours: the opportunity, shipments
    and invoices of a sale, shown on its Events tab below its own

    A kind with neighbours defines _get_prm_neighbours (the documents) and
    _prm_neighbours_domain (its records of which documents are
    neighbours); the events are those the user may read (F11)."""
    __slots__ = ()

    prm_neighbour_events = fields.Function(fields.Many2Many(
            'prm.event', None, None, "Events of Related Documents",
            help="The events of the documents related to this one: for a "
            "sale, its opportunity, shipments, returns and invoices."),
        'get_prm_neighbour_events', searcher='search_prm_neighbour_events')

    def _get_prm_neighbours(self):
        "Return the documents related to this one"
        return []

    @classmethod
    def _prm_neighbours_domain(cls, documents):
        """Return the clauses (to OR) of the records of which documents
        ({model name: ids}) are neighbours"""
        return []

    @staticmethod
    def _prm_visible_events(domain, order=()):
        "The SQL query of the events of the domain the user may read"
        rule = visible_domain()
        return visible_events(
            [domain, rule] if rule is not None else domain, order=order)

    def get_prm_neighbour_events(self, name):
        documents = [str(d) for d in self._get_prm_neighbours()]
        if not documents:
            return []
        # Function fields are computed without access check: the user's
        # rules are in the query, ordered as the lists of events
        cursor = Transaction().connection.cursor()
        cursor.execute(*self._prm_visible_events(
                [('document', 'in', documents)], order=None))
        return [i for i, in cursor]

    @classmethod
    def search_prm_neighbour_events(cls, name, clause):
        pool = Pool()
        Event = pool.get('prm.event')
        _, operator, value, *extra = clause
        nested = clause[0][len(name) + 1:]
        negative = False
        if nested:
            domain = [(nested, operator, value, *extra)]
        elif operator in {'where', 'not where'}:
            domain, negative = value, operator == 'not where'
        elif value is None and operator in {'=', '!='}:
            # Without (=) or with (!=) any event
            domain, negative = [], operator == '='
        else:
            if operator in TREE_OPERATORS:
                operator = TREE_OPERATORS[operator]
                if not isinstance(value, (list, tuple)):
                    value = [value]
            operator, negative = _positive(operator)
            values = value if isinstance(value, (list, tuple)) else [value]
            target = ('rec_name' if any(isinstance(v, str) for v in values)
                else 'id')
            domain = [(target, operator, value, *extra)]
        event = Event.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*event.select(event.document,
                where=event.id.in_(cls._prm_visible_events(domain))
                & (event.document != Null),
                group_by=[event.document]))
        documents = defaultdict(list)
        for reference, in cursor:
            model, id_ = reference.split(',')
            if id_.isdigit():
                documents[model].append(int(id_))
        clauses = cls._prm_neighbours_domain(documents) if documents else []
        if clauses:
            query = cls.search(['OR', *clauses], order=[], query=True)
        else:
            query = [-1]
        return [('id', 'not in' if negative else 'in', query)]
