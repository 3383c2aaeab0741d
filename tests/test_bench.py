# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The benchmark still runs: bench/bench_scale.py's data and paths

Fills the test database with the smallest size (1,000 events) by the
benchmark's own SQL, then runs each timed path once as the benchmark
does, and checks that the ORM and the hand-written SQL give the same
number of rows. No timing is asserted."""
import os
import sys
import unittest

from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, activate_module, with_transaction)
from trytond.transaction import Transaction, check_access

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'bench'))
import build  # noqa: E402
import paths  # noqa: E402


class BenchTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        # marketing_email for the Send Mailing wizard, as the bench has it
        activate_module(['prm_addon', 'marketing_email'])

    @with_transaction()
    def test_paths(self):
        "Each path gives through the ORM the rows of its SQL"
        transaction = Transaction()
        build.setup_company_and_users()
        build.populate('xs', build.Dialect(backend_name()))
        data = paths.bench_data()
        User = Pool().get('res.user')
        with transaction.set_user(data['user']):
            context = User.get_preferences(context_only=True)
        data.update(db=DB_NAME, backend=backend_name(), context=context)
        self.assertEqual(len(data['members'][data['groups'][0]]), 10)
        for path in paths.PATHS:
            with self.subTest(path=path.name):
                with transaction.set_user(data['user']), \
                        transaction.set_context(context), check_access():
                    orm = path.orm(data)
                if path.kind == 'write' and not getattr(
                        path, 'sql_after_orm', False):
                    # The SQL of the same change would find it done
                    expected = {
                        'move': len(data['members'][data['groups'][0]]),
                        'create': len(data['companies']),
                        }
                    self.assertEqual(orm, next(
                            v for k, v in expected.items()
                            if k in path.name))
                    continue
                self.assertEqual(orm, path.sql(data))


def backend_name():
    from trytond import backend
    return backend.name
