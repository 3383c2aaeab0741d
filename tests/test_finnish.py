# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A Finnish sales person meets no English: the strings of the screens
they reach (computed from the database, see tests/finnish.py) and the web
client's catalogue all have Finnish."""
import glob
import json
import os
import tarfile
import unittest

import polib

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from .finnish import (
    SALES_GROUPS, load_translations, set_view_sources, translations)
from .tools import DOCUMENT_KIND_MODULES, MODULES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAO_CATALOGUE = os.path.join(ROOT, 'sao', 'locale', 'fi.json')
OVERRIDE_PO = os.path.join(
    ROOT, 'prm_addon', 'locale', 'override', 'fi.po')
# Written the same in Finnish
SAME_IN_FINNISH = {'%', 'IRC', 'Jabber', 'Logo', 'SIP', 'Skype'}


def missing_finnish(rows):
    "The rows of translations() without a real Finnish translation"
    return [(module, msgctxt, msgid)
        for module, msgctxt, msgid, value in rows
        if not value or (value == msgid and msgid not in SAME_IN_FINNISH)]


class FinnishScreensTestCase(unittest.TestCase):
    "Finnish on the screens of a sales person"

    @classmethod
    def setUpClass(cls):
        # The modules of test_module without the document kinds': Tryton
        # ships some of their strings without Finnish, and an override
        # cannot give one to a string that has none (ir.translation)
        activate_module([
                m for m in MODULES if m not in DOCUMENT_KIND_MODULES])

    @with_transaction()
    def test_screens_have_finnish(self):
        "Every string on the screens a sales person reaches has Finnish"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        user, = User.create([{
                    'login': 'myyja',
                    'name': "Myyjä",
                    'groups': [('add', [
                                ModelData.get_id(m, x)
                                for m, x in SALES_GROUPS])],
                    }])
        set_view_sources()
        load_translations('fi')

        rows = translations(user, 'fi')
        modules = {r[0] for r in rows}
        # The set is computed, not listed: it holds the menus, forms and
        # lists of PRM, parties, sales, purchases and invoices
        self.assertGreater(len(rows), 900)
        self.assertLessEqual({'prm_addon', 'party', 'sale', 'purchase',
                'account_invoice', 'ir', 'res', 'company'}, modules)
        for msgctxt, msgid in [
                ('model:ir.ui.menu,name:menu_party', "Parties"),
                ('field:party.party,name:', "Name"),
                ('selection:sale.sale,state:', "Quotation"),
                ('model:sale.sale,string:', "Sale"),
                ('model:ir.ui.menu,name:menu_prm', "Partner Relationship"),
                ]:
            self.assertIn(msgctxt, {r[1] for r in rows if r[2] == msgid})
        # A module's own strings go to its locale/fi.po, those of other
        # modules to prm_addon/locale/override/fi.po with the msgctxt
        # ending in "<module>." (see Tryton's "Override translations").
        self.assertEqual(missing_finnish(rows), [])

    @with_transaction()
    def test_overrides_of_modules_not_activated(self):
        "Finnish loads where the overrides name modules not activated"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Module = pool.get('ir.module')
        Translation = pool.get('ir.translation')
        activated = {m.name for m in Module.search([
                    ('state', '=', 'activated'),
                    ])}
        overridden = {e.msgctxt.split(':')[-1].split('.')[0]
            for e in polib.pofile(OVERRIDE_PO)}
        # A database without the document kinds' modules
        self.assertLessEqual({'project', 'timesheet'}, overridden - activated)

        load_translations('fi')

        menu, = Translation.search([
                ('lang', '=', 'fi'),
                ('name', '=', 'ir.ui.menu,name'),
                ('res_id', '=', ModelData.get_id('party', 'menu_party')),
                ])
        self.assertEqual(
            (menu.value, menu.overriding_module), ("Kumppanit", 'prm_addon'))
        self.assertEqual(Translation.search([
                    ('lang', '=', 'fi'),
                    ('module', 'in', ['project', 'timesheet']),
                    ]), [])


class SaoCatalogueTestCase(unittest.TestCase):
    "The web client's Finnish catalogue, installed by scripts/common.sh"

    def setUp(self):
        with open(SAO_CATALOGUE, encoding='utf-8') as f:
            self.catalogue = json.load(f)

    def test_no_empty_entry(self):
        "Every entry of sao/locale/fi.json is translated"
        for msgid, value in self.catalogue.items():
            if not msgid:
                continue
            with self.subTest(msgid=msgid):
                self.assertTrue(all(value[1:]), value)
                self.assertEqual(
                    [msgid.count(f'%{i}') for i in range(1, 4)],
                    [value[-1].count(f'%{i}') for i in range(1, 4)])

    def test_seed_terms(self):
        "The window buttons use the terms of the Finnish manual (B2-B6)"
        terms = {k: v[1] for k, v in self.catalogue.items() if k}
        self.assertEqual(terms['Cancel'], "Peruuta")
        self.assertEqual(terms['Discard changes'], "Peruuta")
        self.assertEqual(terms['New'], "Uusi")
        self.assertEqual(terms['Previous'], "Edellinen")
        self.assertEqual(terms['Next'], "Seuraava")
        self.assertEqual(terms['Delete'], "Poista")

    def test_every_string_of_the_installed_client(self):
        "Every msgid of the installed sao's messages.pot is in the catalogue"
        packs = glob.glob(os.path.join(ROOT, '.sao', 'tryton-sao-*.tgz'))
        if not packs:
            self.skipTest("the web client is not installed (.sao)")
        with tarfile.open(packs[0]) as tar:
            pot = tar.extractfile('package/locale/messages.pot').read()
        msgids = {e.msgid for e in polib.pofile(pot.decode('utf-8'))}
        self.assertEqual(sorted(msgids - set(self.catalogue)), [])
