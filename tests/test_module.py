# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.party.tests import (
    PartyCheckEraseMixin, PartyCheckReplaceMixin)
from trytond.tests.test_tryton import ModuleTestCase


class PrmAddonTestCase(
        PartyCheckEraseMixin, PartyCheckReplaceMixin, CompanyTestMixin,
        ModuleTestCase):
    "Test the PRM module"
    module = 'prm_addon'
    extras = ['sale', 'purchase', 'account_invoice']


del ModuleTestCase
