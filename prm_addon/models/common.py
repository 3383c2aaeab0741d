# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"What several models of PRM share"


def search_any(clause, names):
    """The domain of a record's name searched in several fields: any of
    them matches, none for a negative operator (Tryton's search_rec_name)"""
    _, operator, operand, *extra = clause
    if operator.startswith('!') or operator.startswith('not '):
        bool_op = 'AND'
    else:
        bool_op = 'OR'
    return [bool_op, *((name, operator, operand, *extra) for name in names)]
