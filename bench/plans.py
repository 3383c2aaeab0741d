# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Record the statements of a call on PostgreSQL and judge the plan"
import contextlib
import time


@contextlib.contextmanager
def recording(connection):
    "Record (seconds, query, params) of each statement run on connection"
    statements = []
    factory = connection.cursor_factory

    class Recording(factory):
        def execute(self, query, params=None, *args, **kwargs):
            start = time.perf_counter()
            try:
                return super().execute(query, params, *args, **kwargs)
            finally:
                statements.append(
                    (time.perf_counter() - start, query, params))

    connection.cursor_factory = Recording
    try:
        yield statements
    finally:
        connection.cursor_factory = factory


def nodes(plan):
    yield plan
    for child in plan.get('Plans', []):
        yield from nodes(child)


def verdict(connection, statements):
    "One line: statements, SQL time, and the plan of the slowest SELECT"
    total = sum(s[0] for s in statements) * 1000
    selects = [s for s in statements
        if str(s[1]).lstrip().upper().startswith(('SELECT', 'WITH'))]
    head = f"{len(statements)} statements, {total:.0f} ms in SQL"
    if not selects:
        return head
    seconds, query, params = max(selects, key=lambda s: s[0])
    cursor = connection.cursor()
    cursor.execute('EXPLAIN (ANALYZE, FORMAT JSON) ' + str(query), params)
    plan = cursor.fetchone()[0][0]
    findings = []
    for node in nodes(plan['Plan']):
        kind = node['Node Type']
        relation = node.get('Relation Name', '')
        scanned = node.get('Actual Rows', 0) + node.get(
            'Rows Removed by Filter', 0)
        if kind == 'Seq Scan' and scanned > 5000:
            findings.append(f"seq scan {relation} ({scanned} rows)")
        elif kind in {'Index Scan', 'Index Only Scan', 'Bitmap Index Scan'}:
            findings.append(f"{kind.lower()} {node.get('Index Name', '')}")
        elif kind == 'Sort':
            findings.append(f"sort {node.get('Sort Method', '')} "
                f"{node.get('Sort Space Type', '')}".strip())
    findings = list(dict.fromkeys(findings))
    return (f"{head}; slowest SELECT {seconds * 1000:.0f} ms "
        f"({plan['Execution Time']:.0f} ms in EXPLAIN ANALYZE): "
        + ', '.join(findings[:6]))
