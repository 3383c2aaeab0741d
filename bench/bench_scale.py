# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The PRM paths at three sizes, through the ORM and in hand-written SQL

Builds (once, then reuses) the databases perf_s (10,000 events), perf_m
(100,000) and perf_l (1,000,000 events, 200,000 parties, 500,000
memberships) with bulk SQL, then times each path of bench/paths.py as a
PRM user the way the web client calls it, next to hand-written SQL for
the same answer, in the same run: median of --repeat runs, each in its
own transaction. Prints size, ORM ms, SQL ms, their ratio, the growth
from the previous size, and on PostgreSQL the verdict of the query plan
of the path's slowest SELECT. Results are kept in var/bench/ so that the
growth shows when the sizes are run one at a time.

  .venv/bin/python bench/bench_scale.py --sizes s,m,l
  .venv/bin/python bench/bench_scale.py --backend sqlite --sizes s,m
  .venv/bin/python bench/bench_scale.py --drop   # drop all perf_* dbs
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VAR = os.path.join(os.path.dirname(HERE), 'var', 'bench')
sys.path.insert(0, HERE)


class Env:
    "Where the databases are, and the trytond configuration to reach them"

    def __init__(self, backend, uri, var=VAR):
        self.backend, self.uri, self.var = backend, uri, var
        os.makedirs(var, exist_ok=True)
        self.conf = os.path.join(var, f'trytond-{backend}.conf')
        with open(self.conf, 'w') as f:
            if backend == 'postgresql':
                f.write(f'[database]\nuri = {uri}\n')
            else:
                f.write(f'[database]\nuri = sqlite://\npath = {var}\n')
        from trytond import config
        config.update_etc(self.conf)

    def sqlite_file(self, name):
        return os.path.join(self.var, name + '.sqlite')


def timed(func, data, repeat, write, timeout=None):
    "Median ms of func(data) over repeat runs, each in a new transaction"
    from trytond.transaction import Transaction, check_access
    times = []
    result = None
    user = data['user'] if func.__name__ == 'orm' else 0
    for _ in range(repeat):
        with Transaction().start(data['db'], user, context=data['context'],
                readonly=not write, timeout=timeout or 0) as transaction:
            start = time.perf_counter()
            try:
                with check_access():
                    result = func(data)
                if write:
                    # What the commit saves: the log of the wizards
                    transaction._store_log_records()
                times.append((time.perf_counter() - start) * 1000)
            except Exception as exception:
                if 'timeout' not in str(exception).lower():
                    raise
                return None, None
            finally:
                transaction.rollback()
    return statistics.median(times), result


def run_size(env, size, repeat, names, timeout):
    "Time the paths on the database of size; return their figures"
    import build
    import paths

    from trytond.pool import Pool
    from trytond.transaction import Transaction
    db = build.build(env, size)
    build.init_pool(db)
    # The writes of a previous run are rolled back but leave dead rows
    # behind: clean them as autovacuum would between two runs
    build.analyze(env, db)
    with Transaction().start(db, 0):
        data = paths.bench_data()
        activated = {m.name for m in Pool().get('ir.module').search(
                [('state', '=', 'activated')])}
        User = Pool().get('res.user')
        with Transaction().set_user(data['user']):
            context = User.get_preferences(context_only=True)
    data.update(db=db, backend=env.backend, context=context)
    results = {}
    for path in paths.PATHS:
        if names and not any(n in path.name for n in names):
            continue
        missing = set(getattr(path, 'modules', [])) - activated
        if missing:
            print(f"{size}   {path.name}: skipped, {', '.join(missing)} "
                "not activated in a database built before (--update "
                "activates it)", flush=True)
            continue
        write = path.kind == 'write'
        # Warm the caches of the server, as a running one has them
        timed(path.sql, data, 1, write)
        timed(path.orm, data, 1, write, timeout)
        orm, n = timed(path.orm, data, repeat, write, timeout)
        sql, _ = timed(path.sql, data, repeat, write)
        plan = explain(path, data) if env.backend == 'postgresql' else ''
        results[path.name] = {'orm': orm, 'sql': sql, 'rows': n,
            'plan': plan}
        print(line(size, path.name, results[path.name], None), flush=True)
    return results


def explain(path, data):
    "The plan's verdict on the slowest SELECT of one ORM run"
    import plans

    from trytond.transaction import Transaction, check_access
    with Transaction().start(data['db'], data['user'],
            context=data['context']) as transaction:
        with plans.recording(transaction.connection) as statements:
            with check_access():
                try:
                    path.orm(data)
                except Exception:
                    return 'failed'
        verdict = plans.verdict(transaction.connection, statements)
        transaction.rollback()
    return verdict


def line(size, name, r, previous):
    def ms(value):
        return f'{value:9.1f}' if value is not None else '  timeout'
    ratio = (f"{r['orm'] / r['sql']:6.1f}x"
        if r['orm'] is not None and r['sql'] else '      -')
    growth = '      -'
    if previous and previous.get('orm') and r['orm']:
        growth = f"{r['orm'] / previous['orm']:6.1f}x"
    return (f"{size:3} {name:50} {ms(r['orm'])} {ms(r['sql'])} "
        f"{ratio} {growth}")


def report(env, all_results, sizes):
    print(f"\n{env.backend}: size, path, ORM ms, SQL ms, ratio, growth "
        "from the previous size (median)")
    order = [s for s in ['xs', 's', 'm', 'l'] if s in all_results]
    for name in {n: 0 for s in order for n in all_results[s]}:
        previous = None
        for size in order:
            r = all_results[size].get(name)
            if not r:
                continue
            if size in sizes:
                print(line(size, name, r, previous))
                if r.get('plan'):
                    print(f"      plan: {r['plan']}")
            previous = r


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--backend', default='postgresql',
        choices=['postgresql', 'sqlite'])
    parser.add_argument('--uri', default=os.environ.get(
            'PRM_BENCH_URI', 'postgresql://postgres@127.0.0.1:5432/'))
    parser.add_argument('--sizes', default='s,m,l')
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--paths', default='',
        help="only the paths whose name contains one of these, comma sep.")
    parser.add_argument('--timeout', type=int, default=120,
        help="seconds after which a statement of the ORM is cancelled")
    parser.add_argument('--rebuild', action='store_true')
    parser.add_argument('--update', action='store_true',
        help="update the module in the databases first (new indexes)")
    parser.add_argument('--drop', action='store_true',
        help="drop all the benchmark databases and stop")
    parser.add_argument('--var', default=VAR)
    args = parser.parse_args(argv)
    env = Env(args.backend, args.uri, args.var)
    import build
    if args.drop:
        return drop_all(env)
    sizes = [s for s in args.sizes.split(',') if s]
    names = [n for n in args.paths.split(',') if n]
    store = os.path.join(env.var, f'results-{env.backend}.json')
    all_results = {}
    if os.path.exists(store):
        with open(store) as f:
            all_results = json.load(f)
    for size in sizes:
        if args.rebuild:
            build.drop(env, build.PREFIX + size)
        if args.update:
            update(env, size)
        results = run_size(env, size, args.repeat, names, args.timeout)
        all_results.setdefault(size, {}).update(results)
        with open(store, 'w') as f:
            json.dump(all_results, f, indent=1)
    report(env, all_results, sizes)
    return all_results


def update(env, size):
    import build
    name = build.PREFIX + size
    # Activates marketing_email too in a database built before it was in
    # the template
    args = ['-u', *build.MODULES, '--activate-dependencies']
    for db in [build.PREFIX + 'template', name]:
        if env.backend == 'postgresql' and db in build.pg_databases(env.uri):
            build.trytond_admin(env.conf, db, *args)
        elif os.path.exists(env.sqlite_file(db)):
            build.trytond_admin(env.conf, db, *args)


def drop_all(env):
    import build
    if env.backend == 'postgresql':
        for name in sorted(build.pg_databases(env.uri)):
            build.drop(env, name)
    else:
        for name in os.listdir(env.var):
            if name.startswith(build.PREFIX) and '.sqlite' in name:
                os.remove(os.path.join(env.var, name))


if __name__ == '__main__':
    main()
