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
    # The wall-clock time of a busy machine is noisy: of the three
    # slowest, judge the one the server finds slowest
    cursor = connection.cursor()
    explained = []
    for seconds, query, params in sorted(
            selects, key=lambda s: -s[0])[:3]:
        cursor.execute('EXPLAIN (ANALYZE, FORMAT JSON) ' + str(query), params)
        explained.append((cursor.fetchone()[0][0], seconds))
    plan, seconds = max(explained, key=lambda p: p[0]['Execution Time'])
    findings = []
    for node in nodes(plan['Plan']):
        kind = node['Node Type']
        relation = node.get('Relation Name', '')
        scanned = node.get('Actual Rows', 0) + node.get(
            'Rows Removed by Filter', 0)
        if kind == 'Seq Scan' and scanned > 5000:
            findings.append(f"seq scan {relation} ({scanned} rows)")
        elif kind in {'Index Scan', 'Index Only Scan', 'Bitmap Index Scan'}:
            index = node.get('Index Name', '')
            findings.append(f"{kind.lower()} "
                f"{relation or index.split('_idx')[0]}"
                f" ({index[:16]}{'…' if len(index) > 16 else ''})")
        elif kind == 'Sort':
            findings.append(f"sort {node.get('Sort Method', '')} "
                f"{node.get('Sort Space Type', '')}".strip())
    if plan.get('JIT'):
        findings.insert(0, "JIT %.0f ms" % plan['JIT']['Timing']['Total'])
    findings = list(dict.fromkeys(findings))
    return (f"{head}; slowest SELECT {seconds * 1000:.0f} ms "
        f"({plan['Execution Time']:.0f} ms in EXPLAIN ANALYZE): "
        + ', '.join(findings[:6]))
