# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The workflow traps a sales person met in the browser, one journey each

Each journey asks the server (JSON-RPC) what to expect, so it does not
depend on the journeys run before it. To keep the file quick, the
journeys share two browser sessions of the sales person on a laptop
screen (1366×768), one in English and one in Finnish; each journey opens
its own tabs."""
import contextlib
import datetime
import re
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import Session

# A laptop screen: the lists must fit it
LAPTOP = {'width': 1366, 'height': 768}


def party_id(rpc, name):
    return rpc('prm').id_of('party.party', [('name', '=', name)])


@contextlib.contextmanager
def finnish(rpc, login_name='prm'):
    "The user's language is Finnish inside the block"
    admin, user = rpc('admin'), rpc(login_name)
    language, = admin.read('res.user', [user.user_id], ['language'])
    admin.write('res.user', [user.user_id], {
            'language': admin.id_of('ir.lang', [('code', '=', 'fi')])})
    try:
        yield
    finally:
        admin.write('res.user', [user.user_id], {
                'language': language['language']})


@pytest.fixture(scope='module')
def _sessions(browser, server, rpc):
    opened, pages = {}, []

    def get(language):
        if language not in opened:
            # The client keeps the language it logged in with
            with (finnish(rpc) if language == 'fi'
                    else contextlib.nullcontext()):
                session = Session(browser, server, 'prm', pages)
            session.page.set_viewport_size(LAPTOP)
            opened[language] = session
        return opened[language].client
    get.pages = pages
    get.sessions = opened
    yield get
    for session in opened.values():
        session.close()


@pytest.fixture
def prm(request, _sessions):
    """prm(language) -> the sao Client of the sales person's session in
    'en' or 'fi' at 1366×768, kept for the whole file"""
    request.node.e2e_pages = _sessions.pages
    seen = sum(len(s.errors) for s in _sessions.sessions.values())
    yield _sessions
    errors = [e for s in _sessions.sessions.values() for e in s.errors]
    if len(errors) > seen:
        pytest.fail('uncaught JavaScript errors:\n'
            + '\n'.join(errors[seen:]), pytrace=False)


def truncated_headers(scope):
    """The texts of the column headers of the first list in scope that do
    not fit their column, or whose column is not on the screen"""
    table = scope.locator('table.tree').first
    expect(table).to_be_visible()
    return table.evaluate('''table => {
        // The list scrolls inside its box: a column beyond it is cut
        let box = table.parentElement;
        while (box && box.scrollWidth <= box.clientWidth) {
            box = box.parentElement;
        }
        const width = Math.min(document.documentElement.clientWidth,
            box ? box.getBoundingClientRect().left + box.clientWidth
                : Infinity);
        const cut = [];
        for (const th of table.querySelectorAll('thead th')) {
            const text = th.innerText.trim();
            if (!text || th.offsetParent === null) continue;
            const box = th.getBoundingClientRect();
            const label = th.querySelector('label') || th;
            if (label.scrollWidth > label.clientWidth + 1
                    || box.right > width + 1 || box.width < 8) {
                cut.push(text);
            }
        }
        return cut;
    }''')


def truncated_cells(scope, column):
    "The texts of the column's cells that do not fit"
    cells = scope.locator('table.tree').first.locator(
        f'tbody td[data-title="{column}: "]')
    return cells.evaluate_all('''cells => cells.filter(td => {
        const inner = td.querySelector('.cell') || td;
        return inner.scrollWidth > inner.clientWidth + 1;
    }).map(td => td.innerText.trim())''')


def headers(scope):
    "The column headers shown by the first list in scope"
    ths = scope.locator('table.tree').first.locator('thead th:visible')
    return [t.strip() for t in ths.all_inner_texts() if t.strip()]


def test_create_new_event_button(prm, rpc):
    "The Create New Event button of a sale opens a new event in its own "
    "tab, with the partner and the sale; Save stores it at once; the "
    "Events tab stays the list"
    party = 'Turun Teollisuus Oy'
    sale = rpc('prm').id_of('sale.sale', [('party.name', '=', party)])
    title = f'E2E new event {uuid.uuid4().hex[:8]}'

    before = rpc('prm').search_count(
        'prm.event', [('document', '=', f'sale.sale,{sale}')])
    sao = prm('en')
    tab, events = sao.events_tab(f'model/sale.sale/{sale}', party, before)
    tabs = sao.tab_titles.count()
    button = tab.locator('button[name=prm_new_event]')
    expect(button).to_have_text(re.compile(r'^\s*Create New Event\s*$'))
    button.click()
    expect(sao.tab_titles).to_have_count(tabs + 1)
    form = sao.tab
    expect(sao.field(form, 'party')).to_have_value(party)
    sao.settle()
    document = form.locator('.form-item:has([name=document]) input').last
    expect(document).not_to_have_value('')
    sao.field(form, 'title').fill(title)
    sao.tool('save', form).click()
    # Stored by Save alone: the tracking number is there
    expect(sao.field(form, 'number')).to_have_value(re.compile(r'^E-\d{5}$'))
    event, = rpc('prm').search_read('prm.event', [('title', '=', title)],
        ['party', 'document', 'number', 'state'])
    assert event['party'] == party_id(rpc, party)
    assert event['document'] == f'sale.sale,{sale}'
    assert event['state'] == 'open'
    # New in that tab keeps the partner
    sao.tool('new_', form).click()
    # The new record first: the saved one has the same partner
    expect(sao.field(form, 'number')).to_have_value('')
    sao.settle()
    expect(sao.field(form, 'party')).to_have_value(party)

    # The party card has the button too; its tab lists the new event
    sao.open(f'model/party.party/{party_id(rpc, party)}')
    card = sao.tab
    expect(sao.field(card, 'name')).to_have_value(party)
    sao.notebook_tab(card, 'Events').click()
    card_events = sao.one2many(card, 'Events')
    expect(sao.row(card_events, 'Title', title)).to_have_count(1)
    tabs = sao.tab_titles.count()
    card.locator('button[name=prm_new_event]').click()
    expect(sao.tab_titles).to_have_count(tabs + 1)
    expect(sao.field(sao.tab, 'party')).to_have_value(party)
    expect(sao.field(sao.tab, 'number')).to_have_value('')


def test_close_button_says_what_it_does_and_asks(prm, rpc):
    "The workflow button reads Mark as Closed (Merkitse suljetuksi) and "
    "asks before closing; Cancel leaves the event open"
    event = rpc('prm').search_read('prm.event', [
            ('state', '=', 'open'), ('visible_group', '=', None)],
        ['title'], order=[('id', 'ASC')])[0]

    def state():
        return rpc('prm').read('prm.event', [event['id']], ['state'])[0][
            'state']

    sao = prm('en')
    sao.open(f'model/prm.event/{event["id"]}')
    form = sao.tab
    expect(sao.field(form, 'title')).to_have_value(event['title'])
    close = form.locator('button[name=close]')
    expect(close).to_have_text(re.compile(r'^\s*Mark as Closed\s*$'))
    close.click()
    dialog = sao.modal
    expect(dialog).to_contain_text('Mark this event as closed?')
    sao.dialog_button(dialog, 'Cancel').click()
    expect(sao.modals).to_have_count(0)
    expect(sao.selection(form, 'state')).to_have_text('Open')
    assert state() == 'open'

    close.click()
    sao.dialog_button(sao.modal, 'OK').click()
    expect(sao.selection(form, 'state')).to_have_text('Closed')
    assert state() == 'closed'
    reopen = form.locator('button[name=reopen]')
    expect(reopen).to_have_text(re.compile(r'^\s*Reopen\s*$'))
    reopen.click()
    expect(sao.selection(form, 'state')).to_have_text('Open')
    assert state() == 'open'

    sao = prm('fi')
    sao.open(f'model/prm.event/{event["id"]}')
    form = sao.tab
    close = form.locator('button[name=close]')
    expect(close).to_have_text(re.compile(r'^\s*Merkitse suljetuksi\s*$'))
    close.click()
    expect(sao.modal).to_contain_text('Merkitäänkö tapahtuma suljetuksi?')
    # Cancel is the first button of the dialog
    sao.modal.locator('.modal-footer button').first.click()
    expect(sao.modals).to_have_count(0)
    expect(sao.selection(form, 'state')).to_have_text('Avoinna')
    assert state() == 'open'


def test_tracking_number_column_shown(prm, rpc):
    "The Events list and My Open Follow-ups show the tracking number"
    user = rpc('prm')
    open_numbers = sorted(e['number'] for e in user.search_read(
            'prm.event', [('state', '=', 'open')], ['number']))
    sao = prm('en')
    sao.open_menu('Partner Relationship', 'My Open Follow-ups')
    follow_ups = sao.tab
    expect(sao.rows(follow_ups).first).to_be_visible()
    assert 'Number' in headers(follow_ups)
    numbers = sao.column(follow_ups, 'Number')
    assert numbers and all(re.fullmatch(r'E-\d{5}', n) for n in numbers)

    sao.open_menu('Partner Relationship', 'Events')
    events = sao.tab
    expect(sao.rows(events)).to_have_count(len(open_numbers))
    assert 'Number' in headers(events)
    assert sorted(sao.column(events, 'Number')) == open_numbers


def test_technical_fields_only_for_administrators(prm, login, rpc):
    "Own Company and Do-Not-Contact Confirmed are not on a sales person's "
    "event form; a PRM administrator sees them"
    event = rpc('prm').search('prm.event', [('visible_group', '=', None)])[0]
    for sao, shown in [
            (prm('en'), False), (login('prmadmin').client, True)]:
        sao.open(f'model/prm.event/{event}')
        form = sao.tab
        expect(sao.field(form, 'number')).to_have_value(
            re.compile(r'^E-\d{5}$'))
        expect(sao.field(form, 'url')).to_be_visible()
        for label in ['Own Company:', 'Do-Not-Contact Confirmed:']:
            locator = form.locator('label.form-label').filter(
                has_text=label)
            if shown:
                expect(locator).to_be_visible()
            else:
                expect(locator).to_be_hidden()


LIST_WORDS = {
    'en': {'menu': 'Partner Relationship', 'events': 'Events',
        'follow_ups': 'My Open Follow-ups', 'tab': 'Events',
        'columns': ['Status', 'Type', 'Responsible'], 'type': 'Type',
        'due': 'Due'},
    'fi': {'menu': 'Kumppanuudenhallinta', 'events': 'Tapahtumat',
        'follow_ups': 'Omat avoimet seurannat', 'tab': 'Tapahtumat',
        'columns': ['Tila', 'Tyyppi', 'Vastuuhenkilö'], 'type': 'Tyyppi',
        'due': 'Erääntyminen'},
    }


def test_lists_fit_a_laptop_screen(prm, rpc, screenshot):
    "At 1366×768, in English and in Finnish, no header of the event lists "
    "is cut, the Type and Due of the follow-ups are readable and the Events "
    "tabs of the partner and of the sale show Status, Type and Responsible"
    party = 'Kone Laine Oy'
    party_ = party_id(rpc, party)
    sale = rpc('prm').id_of('sale.sale', [('party.name', '=', party)])
    for language, words in LIST_WORDS.items():
        sao = prm(language)
        sao.open_menu(words['menu'], words['follow_ups'])
        follow_ups = sao.tab
        expect(sao.rows(follow_ups).first).to_be_visible()
        assert truncated_headers(follow_ups) == [], language
        for column in [words['type'], words['due']]:
            assert truncated_cells(follow_ups, column) == [], language
        screenshot(sao.page, f'follow-ups-{language}')

        sao.open_menu(words['menu'], words['events'])
        events = sao.tab
        expect(sao.rows(events).first).to_be_visible()
        assert truncated_headers(events) == [], language

        for path, field in [
                (f'model/party.party/{party_}', 'name'),
                (f'model/sale.sale/{sale}', 'party')]:
            sao.open(path)
            card = sao.tab
            expect(sao.field(card, field)).to_have_value(party)
            sao.notebook_tab(card, words['tab']).click()
            tab_events = sao.one2many(card, words['tab'])
            expect(sao.rows(tab_events).first).to_be_visible()
            shown = headers(tab_events)
            for column in words['columns']:
                assert column in shown, (path, shown)
            assert truncated_headers(tab_events) == [], (path, language)
        screenshot(sao.page, f'sale-events-tab-{language}')


def test_events_list_filtered_by_partner_keeps_it(prm, rpc):
    "On the Events list filtered by a partner (Company filter), Previous "
    "and Next stay with that partner's events and New gets the partner"
    party = 'Kone Laine Oy'
    party_ = party_id(rpc, party)
    numbers = sorted(e['number'] for e in rpc('prm').search_read(
            'prm.event', [('party', '=', party_), ('state', '=', 'open')],
            ['number']))
    assert len(numbers) >= 2

    sao = prm('en')
    sao.open_menu('Partner Relationship', 'Events')
    events = sao.tab
    expect(sao.rows(events).first).to_be_visible()
    sao.settle()
    sao.fill_many2one(events, 'prm_party', party)
    sao.search_button(events).click()
    expect(sao.rows(events)).to_have_count(len(numbers))
    assert sorted(sao.column(events, 'Number')) == numbers

    sao.rows(events).first.locator('td[data-title="Title: "]').dblclick()
    number = sao.field(events, 'number')
    expect(number).to_have_value(re.compile(r'^E-\d{5}$'))
    seen = [number.input_value()]
    for position in range(2, len(numbers) + 1):
        # A click before the form's selections have loaded would find the
        # record changed and ask to save it
        sao.settle()
        sao.tool('next').click()
        expect(sao.counter()).to_have_text(f'{position}/{len(numbers)}')
        expect(number).not_to_have_value(seen[-1])
        expect(sao.field(events, 'party')).to_have_value(party)
        seen.append(number.input_value())
    assert sorted(seen) == numbers
    expect(sao.tool('next')).to_be_disabled()
    sao.settle()
    sao.tool('new_').click()
    # The new record first: the last one has the same partner
    expect(number).to_have_value('')
    sao.settle()
    expect(sao.field(events, 'party')).to_have_value(party)


def test_overdue_follow_ups_say_how_late(prm, rpc):
    "The follow-ups say '3 days overdue' (Finnish '3 päivää myöhässä') in "
    "a Due column, and the calendar shows it on the overdue events, in red"
    user = rpc('prm')
    today = datetime.date.today()
    follow_ups = user.search_read('prm.event', [
            ('responsible', '=', user.user_id),
            ('state', '=', 'open'),
            ('follow_up_date', '!=', None),
            ], ['title', 'follow_up_date'],
        order=[('follow_up_date', 'ASC'), ('id', 'ASC')])

    def late(event):
        value = event['follow_up_date']
        return (today - datetime.date(
                value['year'], value['month'], value['day'])).days

    def due(event, language):
        days = late(event)
        if language == 'fi':
            if days > 0:
                return f'{days} päivä{"ä" if days != 1 else ""} myöhässä'
            return 'Erääntyy tänään' if not days else f'{-days} päivän päästä'
        s = 's' if abs(days) != 1 else ''
        if days > 0:
            return f'{days} day{s} overdue'
        return 'Due today' if not days else f'Due in {-days} day{s}'

    overdue = [e for e in follow_ups if late(e) > 0]
    assert overdue and len(overdue) < len(follow_ups), follow_ups
    for language, menu, column in [
            ('en', 'Partner Relationship', 'Due'),
            ('fi', 'Kumppanuudenhallinta', 'Erääntyminen')]:
        sao = prm(language)
        sao.open_menu(menu, LIST_WORDS[language]['follow_ups'])
        tab = sao.tab
        expect(sao.rows(tab)).to_have_count(len(follow_ups))
        assert sao.column(tab, column) == [
            due(e, language) for e in follow_ups]
        cells = sao.rows(tab).locator(f'td[data-title="{column}: "]')
        for i, event in enumerate(follow_ups):
            classes = (cells.nth(i).get_attribute('class') or '').split()
            assert ('danger' in classes) == (late(event) > 0), (
                event, classes)

    # The calendar: the latest overdue follow-up in red, with the words
    sao = prm('en')
    sao.open_menu('Partner Relationship', 'Follow-up Calendar')
    calendar = sao.tab
    latest = overdue[-1]
    if late(latest) >= today.day:
        # In the previous month
        calendar.locator('.fc-prev-button, button[title*="Previous"]') \
            .first.click()
    item = calendar.locator('.fc-event').filter(has_text=latest['title'])
    expect(item.first).to_be_visible()
    expect(item.first).to_contain_text(due(latest, 'en'))
    color = item.first.evaluate('e => getComputedStyle(e).backgroundColor')
    assert color == 'rgb(201, 48, 44)', color


def test_calendar_feed_opens_with_an_address(prm, rpc):
    "My Calendar Feed opens the user's own feed with its address, created "
    "at the first opening; the second opening shows the same address"
    user = rpc('prm')
    # No feed yet (the rules show one's own feed only)
    feeds = user.search('prm.calendar.feed', [])
    if feeds:
        user('prm.calendar.feed', 'delete', feeds)
    sao = prm('en')
    addresses = []
    titles = sao.tab_titles.filter(has_text='My Calendar Feed')
    for _ in range(2):
        opened = titles.count()
        sao.open_menu('Partner Relationship', 'My Calendar Feed')
        # The wizard opens a tab each time
        expect(titles).to_have_count(opened + 1)
        form = sao.tab
        expect(sao.field(form, 'user')).to_have_value('Paula Myyjä')
        url = sao.field(form, 'url')
        expect(url).to_have_value(re.compile(
                r'^http://127\.0\.0\.1:\d+/[^/]+/prm/calendar/[\w-]+\.ics$'))
        addresses.append(url.input_value())
    assert addresses[0] == addresses[1]
    assert user.search_count('prm.calendar.feed', []) == 1


def test_management_screen_says_when_it_searches(prm, rpc):
    "The filter form of the management screen says that the list changes "
    "on Search; its group lists show no member count, which the client "
    "would not refresh after a move"
    sao = prm('en')
    sao.open_menu('Partner Relationship', 'Contact-Group Management')
    tab = sao.tab
    # The list may be empty: journey 7 has called every fair visitor
    expect(sao.main_list(tab).first).to_be_visible()
    hint = tab.locator('.filter-box label', has_text='search button')
    expect(hint).to_be_visible()
    expect(hint).to_contain_text('not when a filter changes')
    include = tab.locator('.form-item:has(input[name="include_groups"])')
    expect(include.locator('table.tree thead')).to_be_visible()
    assert headers(include) == ['Name', 'Do Not Contact'] or (
        'Members Count' not in headers(include)), headers(include)
