# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"What the benchmarks share: the own company, a PRM user, the timer"
import statistics
import time

from trytond.pool import Pool


def create_company_and_user():
    "Create the own company and a PRM user of it; return both"
    pool = Pool()
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    Currency = pool.get('currency.currency')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')

    currency, = Currency.create([{
                'name': "Euro", 'code': 'EUR', 'symbol': "€"}])
    company, = Company.create([{
                'party': Party.create([{'name': "Own"}])[0].id,
                'currency': currency.id}])
    user, = User.create([{
                'login': 'bench', 'name': "Bench",
                'groups': [('add', [
                                ModelData.get_id('prm_addon', 'group_prm')])],
                'companies': [('add', [company.id])],
                'company': company.id}])
    return company, user


def timeit(func, repeat):
    "The median time of `repeat` calls of func, in seconds"
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
