# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"What several models of PRM share"
from trytond import backend
from trytond.tools import grouped_slice
from trytond.transaction import Transaction


def search_any(clause, names):
    """The domain of a record's name searched in several fields: any of
    them matches, none for a negative operator (Tryton's search_rec_name)"""
    _, operator, operand, *extra = clause
    if operator.startswith('!') or operator.startswith('not '):
        bool_op = 'AND'
    else:
        bool_op = 'OR'
    return [bool_op, *((name, operator, operand, *extra) for name in names)]


def found_ids(Model, ids):
    """The ids among ids that Model's search finds, as the caller set the
    access check and the active test: in SQL, by slices, no record
    instantiated (thousands of records cost seconds)"""
    cursor = Transaction().connection.cursor()
    found = set()
    for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
        cursor.execute(*Model.search(
                [('id', 'in', list(sub_ids))], order=[], query=True))
        found.update(i for i, in cursor)
    return found


def read_ordered(Model, domain, order, fields_names):
    """The rows of the records found, as dicts, in the order of the search:
    instantiating thousands of records costs seconds (the search and the
    read apply the rules)"""
    cursor = Transaction().connection.cursor()
    cursor.execute(*Model.search(domain, order=order, query=True))
    ids = [i for i, in cursor]
    rows = {r['id']: r for r in Model.read(ids, fields_names)}
    return [rows[i] for i in ids]
