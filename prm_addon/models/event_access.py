# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The events' record rules on every relation to events (F11)

Tryton applies the record rules of a model to the searches and reads of
that model only: through a relation (party.prm_events.title,
history.event, attachment.resource …) it converts the domain without
access check, so a search could find the partner of an event hidden from
the user, character by character of its title. Every field of every model
that leads to events is guarded here, when the pool is first used:

- Many2One: for the user, a hidden event is no event (NULL) in searches,
  orders and reads;
- One2Many / Many2Many: only the events the user may read are searched
  and read;
- Reference: no search on the field matches a record that refers to a
  hidden event.

A user without read access to events sees none. Root (tasks, cron) sees
all.
"""
import copy

from sql import Cast, Column, Literal, Null
from sql.conditionals import Case, Coalesce
from sql.operators import Concat, NotLike

from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, check_access, without_check_access

EVENT = 'prm.event'


def visible_domain():
    """The domain of the events the user may read, None when the user sees
    them all (root, no rule)"""
    pool = Pool()
    Rule = pool.get('ir.rule')
    ModelAccess = pool.get('ir.model.access')
    if not Transaction().user:
        return None
    # Relations are converted without access check: check as the user.
    with check_access():
        if not ModelAccess.check(EVENT, 'read', raise_exception=False):
            return [('id', '=', None)]
        return Rule.domain_get(EVENT, mode='read') or None


def visible_events(domain, order=()):
    """The SQL query of the ids of the events matching the domain (in no
    order, or in order: None for the order of the lists)"""
    pool = Pool()
    Event = pool.get(EVENT)
    with Transaction().set_user(0), without_check_access():
        return Event.search(
            domain, order=list(order) if order is not None else None,
            query=True)


# Events form no tree: an event is its only child and parent.
TREE_OPERATORS = {
    'child_of': 'in', 'not child_of': 'not in',
    'parent_of': 'in', 'not parent_of': 'not in',
    }


def _flatten_tree(domain):
    name, operator, value = domain[:3]
    if operator in TREE_OPERATORS:
        if not isinstance(value, (list, tuple)):
            value = [value]
        return (name, TREE_OPERATORS[operator], value)
    return domain


def _guard_many2one(field):
    sql_column = field.sql_column

    def guarded(tables, Model):
        column = sql_column(tables, Model)
        domain = visible_domain()
        if domain is None:
            return column
        return Case(
            (column.in_(visible_events(domain)), column), else_=Null)
    convert_domain = field.convert_domain

    def guarded_domain(domain, tables, Model):
        domain = _flatten_tree(domain)
        name, operator, value = domain[:3]
        rule = visible_domain()
        if rule is not None and operator in {'where', 'not where'}:
            # NULL IN (nothing) is false but NULL IN (a hidden event) is
            # unknown: search only among the visible events.
            domain = (name, operator, [value, rule], *domain[3:])
        return convert_domain(domain, tables, Model)
    field.sql_column = guarded
    field.convert_domain = guarded_domain


def _is_negative(operator):
    return ((operator.startswith('!') or operator.startswith('not '))
        and operator != 'not where')


def _guard_x2many(field):
    base = type(field)
    get = field.get

    def convert_domain(domain, tables, Model):
        domain = _flatten_tree(domain)
        rule = visible_domain()
        if rule is None:
            return base.convert_domain(field, domain, tables, Model)
        name, operator, value = domain[:3]
        if _is_negative(operator) and value is not None:
            # Tryton adds "or without any event" unfiltered: a partner with
            # only hidden events would differ from one without.
            if '.' in name:
                name, target_name = name.split('.', 1)
            else:
                target_name = 'rec_name' if isinstance(value, str) else 'id'
            return ['OR',
                (name, 'where', [(target_name, operator, value)]),
                (name, '=', None),
                ]
        if (backend.name == 'sqlite' and field._type == 'one2many'
                and '.' in name and not operator.endswith('where')
                and field.get_target()._fields[field.field]._type
                == 'many2one'):
            return _in_events(field, domain, tables, rule)
        guarded = copy.copy(field)
        guarded.filter = [list(field.filter or []), list(rule)]
        return base.convert_domain(guarded, domain, tables, Model)

    def get_visible(ids, model, name, values=None):
        return only_visible(get(ids, model, name, values=values))
    field.convert_domain = convert_domain
    if not getattr(field, 'applies_event_rules', False):
        field.get = get_visible


def _in_events(field, domain, tables, rule):
    """The records with a visible event matching domain, as Tryton's
    One2Many converts it for a small table: the events searched once, where
    SQLite runs Tryton's EXISTS once per record (parties through the
    events' title: 335 ms at 100,000 events instead of 70)"""
    Target = field.get_target()
    target = Target.__table__()
    table, _ = tables[None]
    name, operator, value = domain[:3]
    target_domain = [
        (name.split('.', 1)[1], operator, value, *domain[3:]),
        list(field.filter or []), list(rule)]
    with Transaction().set_user(0), without_check_access():
        query = Target.search(target_domain, order=[], query=True)
    return table.id.in_(target.select(
            Column(target, field.field), where=target.id.in_(query)))


def only_visible(result):
    "The x2many values of result without the events hidden from the user"
    rule = visible_domain()
    if rule is None:
        return result
    Event = Pool().get(EVENT)
    targets = sorted({t for v in result.values() for t in (v or ())})
    cursor = Transaction().connection.cursor()
    visible = set()
    # Ids, not records: instantiating thousands of events costs seconds
    for sub_ids in grouped_slice(targets, backend.MAX_QUERY_PARAMS):
        with Transaction().set_user(0), without_check_access():
            query = Event.search(
                [('id', 'in', list(sub_ids)), rule], order=[], query=True)
        cursor.execute(*query)
        visible.update(i for i, in cursor)
    return {k: tuple(t for t in (v or ()) if t in visible)
        for k, v in result.items()}


def _guard_reference(field):
    convert_domain = field.convert_domain

    def guarded(domain, tables, Model):
        expression = convert_domain(domain, tables, Model)
        rule = visible_domain()
        if rule is None or isinstance(expression, (list, tuple)):
            return expression
        event = Pool().get(EVENT).__table__()
        refs = event.select(
            Concat(Literal(EVENT + ','), Cast(event.id, 'VARCHAR')),
            where=event.id.in_(visible_events(rule)))
        column = field.sql_column(tables, Model)
        return expression & (
            NotLike(Coalesce(column, ''), EVENT + ',%')
            | column.in_(refs))
    field.convert_domain = guarded


def _leads_to_events(field):
    if field._type == 'reference':
        selection = field.selection
        return (isinstance(selection, str) or callable(selection)
            or EVENT in {s[0] for s in selection})
    if field._type in {'many2one', 'one2many', 'many2many'}:
        return field.get_target().__name__ == EVENT
    return False


def guard_event_relations():
    "Guard once every field of the pool that leads to events"
    pool = Pool()
    Event = pool.get(EVENT)
    if Event.__dict__.get('_prm_relations_guarded'):
        return
    guards = {
        'many2one': _guard_many2one,
        'one2many': _guard_x2many,
        'many2many': _guard_x2many,
        'reference': _guard_reference,
        }
    for name, Model in list(pool.iterobject()):
        if name == EVENT:
            # Its document is an order or an invoice, never an event
            continue
        for field in getattr(Model, '_fields', {}).values():
            if (not getattr(field, '_prm_guarded', False)
                    and field._type in guards and _leads_to_events(field)):
                guards[field._type](field)
                field._prm_guarded = True
    Event._prm_relations_guarded = True


# The longest text a search compares: SQLite refuses LIKE patterns over
# 50,000 bytes with an error of the database.
SEARCH_TEXT_SIZE = 1000
SEARCH_ERRORS = (
    AttributeError, KeyError, IndexError, TypeError, ValueError,
    OverflowError, RecursionError, UnicodeError)


def _domain_texts(domain):
    "The texts a domain compares"
    if isinstance(domain, str):
        return
    if (isinstance(domain, (list, tuple)) and domain
            and isinstance(domain[0], str) and len(domain) >= 3
            and domain[0] not in {'AND', 'OR'}):
        value = domain[2]
        if isinstance(value, str):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from (v for v in value if isinstance(v, str))
            yield from _domain_texts(value)
        return
    if isinstance(domain, (list, tuple)):
        for item in domain:
            yield from _domain_texts(item)


class SearchCheckMixin:
    """Answer a malformed search of a client (unknown field or operator,
    text for a number, order through a list of records, a text too long
    for the database) with a clear error instead of a trace"""
    __slots__ = ()

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            query=False):
        transaction = Transaction()
        if not (transaction.user and transaction.check_access):
            return super().search(domain, offset=offset, limit=limit,
                order=order, count=count, query=query)
        cls._check_search_order(order)
        for number in [offset, limit]:
            if number is not None and (isinstance(number, bool)
                    or not isinstance(number, int)
                    or not 0 <= number < 2 ** 63):
                cls._raise_search_invalid()
        for text in _domain_texts(domain):
            if len(text) > SEARCH_TEXT_SIZE or '\x00' in text:
                cls._raise_search_invalid()
        try:
            return super().search(domain, offset=offset, limit=limit,
                order=order, count=count, query=query)
        except SEARCH_ERRORS:
            cls._raise_search_invalid()

    @classmethod
    def _check_search_order(cls, order):
        "Sort only by fields, and never through a list of records"
        for name, *_ in (order or []):
            Model, names = cls, name.split('.')
            for i, fname in enumerate(names):
                field = Model._fields.get(fname)
                last = i == len(names) - 1
                if field is None or field._type in {
                            'one2many', 'many2many'} or (
                        not last and field._type not in {
                            'many2one', 'reference'}):
                    cls._raise_search_invalid()
                if not last:
                    if field._type == 'reference':
                        break
                    Model = field.get_target()

    @classmethod
    def _raise_search_invalid(cls):
        raise UserError(gettext(
                'prm_addon.msg_search_invalid', **cls.__names__()))
