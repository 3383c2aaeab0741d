# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Journey 10: a Finnish sales person's whole day in Finnish

The demo user prm, with her language set to Finnish, walks the day:
login and her follow-ups, a partner card, a new event, closing it, its
report by mail, a calling campaign on the contact-group management screen
and the statistics. After each step, no English word may show on the page.

An English word is a word of the English user interface (the msgids of
the web client's catalogue, of this module and of the Tryton modules it
uses) that is not also a word of the Finnish interface, nor a proper name
of the demo data (ALLOWED)."""
import json
import os
import re
import time
import uuid

import polib
from playwright.sync_api import expect

import prm_addon
from trytond import modules as tryton_modules

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
LOCALE = os.path.join(os.path.dirname(prm_addon.__file__), 'locale')
TRYTON_MODULES = [
    'party', 'company', 'party_relationship', 'sale', 'purchase',
    'account_invoice', 'product', 'dashboard', 'inbound_email']
# Proper names of the demo data and of the software
ALLOWED = {'Tryton', 'Nordic', 'Tools', 'Demo', 'Oy', 'Ab', 'PRM', 'PDF'}
WORD = re.compile(r'[^\W\d_]{2,}')
# Data, not words of the interface: mail and web addresses
ADDRESS = re.compile(r'\S+@\S+|\w+://\S+')


def _words(text):
    return {w.lower() for w in WORD.findall(text or '')}


def english_words():
    "The words of the English interface that are not Finnish too"
    english, finnish = set(), set()
    tryton = os.path.dirname(tryton_modules.__file__)
    catalogues = [os.path.join(os.path.dirname(tryton), m, 'locale', 'fi.po')
        for m in ['ir', 'res']]
    catalogues += [os.path.join(tryton, m, 'locale', 'fi.po')
        for m in TRYTON_MODULES]
    for path in catalogues:
        for entry in polib.pofile(path):
            english |= _words(entry.msgid)
    for path in [os.path.join(LOCALE, 'fi.po'),
            os.path.join(LOCALE, 'override', 'fi.po')]:
        for entry in polib.pofile(path):
            english |= _words(entry.msgid)
            finnish |= _words(entry.msgstr)
    with open(os.path.join(ROOT, 'sao', 'locale', 'fi.json'),
            encoding='utf-8') as f:
        for msgid, value in json.load(f).items():
            if msgid:
                english |= _words(msgid)
                finnish |= _words(' '.join(value[1:]))
    return english - finnish - {w.lower() for w in ALLOWED}


ENGLISH = english_words()


def assert_finnish(page, step):
    "No English word in the visible text of the page (graphs included)"
    texts = [page.locator('body').inner_text()]
    texts += page.locator('svg text').all_text_contents()
    found = {}
    for text in texts:
        for line in text.splitlines():
            for word in _words(ADDRESS.sub(' ', line)) & ENGLISH:
                found.setdefault(word, line.strip())
    assert not found, f"English on the screen at {step}: " + '; '.join(
        f'{w!r} in {line!r}' for w, line in sorted(found.items()))


def wait_until(page, condition, what, timeout=15):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        page.wait_for_timeout(100)


def test_finnish_day(login, rpc, mailbox, screenshot):
    "10. The sales person's day, every screen in Finnish"
    admin, prm = rpc('admin'), rpc('prm')
    finnish = admin.id_of('ir.lang', [('code', '=', 'fi')])
    user, = admin.read('res.user', [prm.user_id], ['language'])
    admin.write('res.user', [prm.user_id], {'language': finnish})
    try:
        walk_the_day(login('prm').client, prm, mailbox, screenshot)
    finally:
        admin.write('res.user', [prm.user_id], {
                'language': user['language']})


def walk_the_day(sao, prm, mailbox, screenshot):
    page = sao.page
    follow_ups = prm.search_count('prm.event', [
            ('responsible', '=', prm.user_id),
            ('state', '=', 'open'),
            ('follow_up_date', '!=', None),
            ])

    # Login: the follow-ups open by themselves, the menu is Finnish
    tab_title = sao.tab_titles.filter(has_text='Omat avoimet seurannat')
    expect(tab_title).to_have_count(1)
    expect(sao.rows(sao.tab)).to_have_count(follow_ups)
    sao.menu_item('Kumppanuudenhallinta').click()
    expect(sao.menu_item('Kontaktiryhmien hallinnointi')).to_be_visible()
    sao.settle()
    assert_finnish(page, "login and follow-ups")

    # The partner card and its events
    party = 'Kone Laine Oy'
    party_id = prm.id_of('party.party', [('name', '=', party)])
    events_before = prm.search_count('prm.event', [('party', '=', party_id)])
    sao.open(f'model/party.party/{party_id}')
    card = sao.tab
    expect(sao.field(card, 'name')).to_have_value(party)
    # The country in Finnish (after its flag)
    expect(sao.field(card, 'country')).to_have_value(re.compile(r'\bSuomi$'))
    sao.settle()
    assert_finnish(page, "partner card")
    sao.notebook_tab(card, 'Tapahtumat').click()
    events = sao.one2many(card, 'Tapahtumat')
    expect(sao.rows(events)).to_have_count(events_before)
    assert_finnish(page, "partner card, events tab")
    screenshot(page, 'fi-party-events-tab')

    # A new event from the card
    title = f'Soitto {uuid.uuid4().hex[:6]}'
    events.get_by_role('button', name='Uusi').click()
    form = sao.modal
    # Typed before the defaults arrive, the title would be wiped
    expect(sao.field(form, 'responsible')).to_have_value('Paula Myyjä')
    sao.settle()
    sao.field(form, 'title').fill(title)
    assert_finnish(page, "new event")
    form.locator('.modal-footer #save').click()
    expect(sao.row(events, 'Otsikko', title)).to_have_count(1)
    sao.tool('save').click()
    expect(sao.tool('save')).to_be_disabled()
    event, = prm.search_read('prm.event', [('title', '=', title)],
        ['number', 'state'])
    assert event['state'] == 'open'

    # Closing it (confirmed when the client asks)
    sao.open(f"model/prm.event/{event['id']}")
    form = sao.tab
    expect(sao.field(form, 'number')).to_have_value(event['number'])
    expect(sao.selection(form, 'state')).to_have_text('Avoinna')
    sao.settle()
    assert_finnish(page, "event form")
    form.locator('button[name=close]').click()
    wait_until(page, lambda: sao.modals.count() > 0 or (
            sao.selection(form, 'state').inner_text().strip()
            == 'Suljettu'), "the event closed or a confirmation")
    if sao.modals.count():
        assert_finnish(page, "confirmation of closing")
        sao.modal.locator('.modal-footer button.btn-primary').click()
    expect(sao.selection(form, 'state')).to_have_text('Suljettu')
    sao.settle()
    assert_finnish(page, "closed event")

    # Its report, mailed to the user: the dialog asks about the notes
    sent = len(mailbox.messages)
    form.locator('button[name=send_report]').click()
    dialog = sao.modal
    expect(dialog).to_be_visible()
    sao.settle()
    assert_finnish(page, "report dialog")
    sao.dialog_button(dialog, 'Lähetä').click()
    expect(sao.modals).to_have_count(0)
    mailbox.wait_for(lambda m: m['Subject'] == f"[{event['number']}] {title}")
    assert len(mailbox.messages) == sent + 1
    sao.settle()
    assert_finnish(page, "report mailed")

    # A calling campaign: fair visitors not contacted yet
    include, exclude = 'Messuvieraat', 'Yhteydenotto tehty'
    tab = sao.open_menu(
        'Kumppanuudenhallinta', 'Kontaktiryhmien hallinnointi')
    screen = sao.main_list(tab)
    expect(sao.rows(screen).first).to_be_visible()
    for name, text in [('include_groups', include),
            ('exclude_groups', exclude)]:
        tab.locator(f'.form-item input[name="{name}"]').fill(text)
        sao.completion(tab, name).filter(
            has_text=re.compile(r'^\s*%s\s*$' % re.escape(text))).click()
        widget = tab.locator(f'.form-item:has(input[name="{name}"])')
        expect(sao.row(widget, 'Nimi', text)).to_have_count(1)
        sao.settle()
    tab.locator('.filter-box button[type=submit][title=Hae]').last.click()
    # The demo's fair example: three rows
    expect(sao.rows(screen)).to_have_count(3)
    sao.settle()
    assert_finnish(page, "contact-group management")
    screenshot(page, 'fi-contact-group-management')
    # The actions on the selected rows
    sao.rows(screen).first.locator(
        'td.selection-state input[type=checkbox]').check()
    sao.tool('action', tab).click()
    actions = sao.toolbar(tab).locator('ul.dropdown-menu li a')
    expect(actions.filter(has_text='Kirjaa yhteydenotto')).to_be_visible()
    assert_finnish(page, "contact-group actions")
    page.keyboard.press('Escape')

    # The statistics: open and closed events, moves between groups
    sao.menu_item('Tilastot').click()
    sao.menu_item('Avoimet ja suljetut tapahtumat').click()
    expect(page.locator('svg text', has_text='Avoinna').first).to_be_visible()
    expect(page.locator('svg text', has_text='Suljettu').first) \
        .to_be_visible()
    sao.settle()
    assert_finnish(page, "statistics")
    sao.menu_item('Siirrot kontaktiryhmien välillä').click()
    expect(page.locator('svg text', has_text='Messuvieraat').first) \
        .to_be_visible()
    sao.settle()
    assert_finnish(page, "moves between contact groups")
