# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import os
import re

import polib

import prm_addon
from trytond.i18n import gettext
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.party.tests import (
    PartyCheckEraseMixin, PartyCheckReplaceMixin)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from .tools import MODULES

FI_PO = os.path.join(os.path.dirname(prm_addon.__file__), 'locale', 'fi.po')
PLACEHOLDER = re.compile(r'%\(\w+\)s')


def module_strings():
    """The (msgctxt, msgid) of every string of the module, those of its
    views and reports included: they enter ir.translation only with "Set
    Translations" (what --export-translations runs)"""
    pool = Pool()
    Translation = pool.get('ir.translation')
    TranslationSet = pool.get('ir.translation.set', type='wizard')
    session_id, _, _ = TranslationSet.create()
    TranslationSet(session_id).transition_set_()
    source = polib.pofile(
        Translation.translation_export('en', 'prm_addon').decode())
    return [(e.msgctxt, e.msgid) for e in source]


def finnish_strings():
    return {(e.msgctxt, e.msgid) for e in polib.pofile(FI_PO)}


def load_finnish():
    "Make Finnish a language of the database and load fi.po"
    pool = Pool()
    Lang = pool.get('ir.lang')
    Translation = pool.get('ir.translation')
    finnish, = Lang.search([('code', '=', 'fi')])
    finnish.translatable = True
    finnish.save()
    Translation.translation_import('fi', 'prm_addon', FI_PO)


class PrmAddonTestCase(
        PartyCheckEraseMixin, PartyCheckReplaceMixin, CompanyTestMixin,
        ModuleTestCase):
    "Test the PRM module"
    module = 'prm_addon'
    extras = MODULES[1:]

    def test_finnish_entries_translated(self):
        "Every entry of fi.po is translated, not fuzzy, same placeholders"
        for entry in polib.pofile(FI_PO):
            # A plural message (ngettext) has one msgstr per plural form
            msgstrs = (list(entry.msgstr_plural.values())
                if entry.msgid_plural else [entry.msgstr])
            with self.subTest(msgctxt=entry.msgctxt, msgid=entry.msgid):
                self.assertNotIn('fuzzy', entry.flags)
                for msgstr in msgstrs:
                    self.assertTrue(msgstr.strip())
                    self.assertEqual(
                        sorted(PLACEHOLDER.findall(entry.msgid)),
                        sorted(PLACEHOLDER.findall(msgstr)))

    @with_transaction()
    def test_finnish_translation_complete(self):
        "Every string of the module has an entry in fi.po"
        finnish = finnish_strings()
        self.assertEqual(
            [s for s in module_strings() if s not in finnish], [])

    @with_transaction()
    def test_finnish_terms(self):
        "Users with Finnish get SPEC's terms and translated messages"
        pool = Pool()
        Event = pool.get('prm.event')
        load_finnish()

        with Transaction().set_context(language='fi'):
            fields = Event.fields_get(
                ['number', 'follow_up_date', 'state', 'responsible'])
            self.assertEqual(fields['number']['string'], "Seurantanumero")
            self.assertEqual(
                fields['follow_up_date']['string'],
                "Päivämäärä jatkotoimenpiteille")
            self.assertEqual(fields['responsible']['string'], "Vastuuhenkilö")
            self.assertEqual(
                dict(fields['state']['selection']),
                {'open': "Avoinna", 'closed': "Suljettu"})
            self.assertEqual(
                gettext('prm_addon.msg_event_delete_closed', event="E-1"),
                'Jotta voit poistaa tapahtuman "E-1", '
                'avaa se ensin uudelleen.')

    @with_transaction()
    def test_wizard_actions_run_registered_wizards(self):
        "Every wizard action of the module names a registered wizard"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        ActionWizard = pool.get('ir.action.wizard')
        data = ModelData.search([
                ('module', '=', self.module),
                ('model', '=', 'ir.action.wizard'),
                ])
        self.assertTrue(data)
        for record in data:
            action = ActionWizard(record.db_id)
            with self.subTest(action=record.fs_id):
                self.assertIsNotNone(
                    pool.get(action.wiz_name, type='wizard'))

    @with_transaction()
    def test_finnish_event_report(self):
        "The event report has its labels and status in Finnish"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Party = pool.get('party.party')
        Event = pool.get('prm.event')
        EventReport = pool.get('prm.event', type='report')

        # The report's strings are read from its template
        finnish = finnish_strings()
        strings = [s for s in module_strings()
            if s[0].startswith('report:prm.event:')]
        self.assertIn(('report:prm.event:', 'Tracking Number'), strings)
        self.assertEqual(
            [s for s in strings if s not in finnish], [])

        load_finnish()
        company = create_company()
        with set_company(company):
            party = Party(name="Kone Laine Oy")
            party.save()
            event, = Event.create([{'party': party.id, 'title': "Call"}])
            report_id = ModelData.get_id('prm_addon', 'report_event')
            with Transaction().set_context(language='fi'):
                ext, content, _, _ = EventReport.execute(
                    [event.id], {'action_id': report_id})
        self.assertEqual(ext, 'html')
        for text in ["Seurantanumero", "Päivämäärä jatkotoimenpiteille",
                "Avoinna", "Kone Laine Oy", event.number]:
            self.assertIn(text, content)
        self.assertNotIn("Tracking Number", content)


del ModuleTestCase
