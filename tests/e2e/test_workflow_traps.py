# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The workflow traps a sales person met in the browser, one journey each

Each journey asks the server (JSON-RPC) what to expect, so it does not
depend on the journeys run before it."""
import contextlib
import datetime
import re
import uuid

from playwright.sync_api import expect

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


def open_menu(sao, *path):
    for name in path:
        sao.menu_item(name).click()


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


def test_create_new_event_button(login, rpc):
    "The Create New Event button of a sale opens a new event in its own "
    "tab, with the partner and the sale; Save stores it at once; the "
    "Events tab stays the list"
    party = 'Turun Teollisuus Oy'
    sale = rpc('prm').id_of('sale.sale', [('party.name', '=', party)])
    title = f'E2E new event {uuid.uuid4().hex[:8]}'

    sao = login('prm').client
    sao.open(f'model/sale.sale/{sale}')
    tab = sao.tab
    expect(sao.field(tab, 'party')).to_have_value(party)
    sao.notebook_tab(tab, 'Events').click()
    events = sao.one2many(tab, 'Events')
    before = rpc('prm').search_count(
        'prm.event', [('document', '=', f'sale.sale,{sale}')])
    expect(sao.rows(events)).to_have_count(before)
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


def test_close_button_says_what_it_does_and_asks(login, rpc):
    "The workflow button reads Mark as Closed (Merkitse suljetuksi) and "
    "asks before closing; Cancel leaves the event open"
    event = rpc('prm').search_read('prm.event', [
            ('state', '=', 'open'), ('visible_group', '=', None)],
        ['title'], order=[('id', 'ASC')])[0]

    sao = login('prm').client
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
    assert rpc('prm').read('prm.event', [event['id']], ['state'])[0][
        'state'] == 'open'

    close.click()
    sao.dialog_button(sao.modal, 'OK').click()
    expect(sao.selection(form, 'state')).to_have_text('Closed')
    assert rpc('prm').read('prm.event', [event['id']], ['state'])[0][
        'state'] == 'closed'
    reopen = form.locator('button[name=reopen]')
    expect(reopen).to_have_text(re.compile(r'^\s*Reopen\s*$'))
    reopen.click()
    expect(sao.selection(form, 'state')).to_have_text('Open')

    with finnish(rpc):
        sao = login('prm').client
        sao.open(f'model/prm.event/{event["id"]}')
        form = sao.tab
        expect(form.locator('button[name=close]')).to_have_text(
            re.compile(r'^\s*Merkitse suljetuksi\s*$'))
        form.locator('button[name=close]').click()
        expect(sao.modal).to_contain_text('Merkitäänkö tapahtuma suljetuksi?')
        sao.modal.locator('.modal-footer button').first.click()
        expect(sao.modals).to_have_count(0)
        expect(sao.selection(form, 'state')).to_have_text('Avoinna')


def test_tracking_number_column_shown(login, rpc):
    "The Events list and My Open Follow-ups show the tracking number"
    user = rpc('prm')
    open_count = user.search_count('prm.event', [('state', '=', 'open')])
    sao = login('prm').client
    follow_ups = sao.tab
    expect(sao.rows(follow_ups).first).to_be_visible()
    numbers = sao.column(follow_ups, 'Number')
    assert numbers and all(re.fullmatch(r'E-\d{5}', n) for n in numbers)

    open_menu(sao, 'Partner Relationship', 'Events')
    events = sao.tab
    expect(sao.domain_tab(events, 'Open')).to_be_visible()
    expect(sao.rows(events)).to_have_count(open_count)
    assert 'Number' in headers(events)
    numbers = sao.column(events, 'Number')
    assert sorted(numbers) == sorted(e['number'] for e in user.search_read(
            'prm.event', [('state', '=', 'open')], ['number']))


def test_technical_fields_only_for_administrators(login, rpc):
    "Own Company and Do-Not-Contact Confirmed are not on a sales person's "
    "event form; a PRM administrator sees them"
    event = rpc('prm').search('prm.event', [('visible_group', '=', None)])[0]
    for user, shown in [('prm', False), ('prmadmin', True)]:
        session = login(user)
        sao = session.client
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
        session.close()


def test_lists_fit_a_laptop_screen(login, rpc, screenshot):
    "At 1366×768, in English and in Finnish, no header of the event lists "
    "is cut, the Type of the follow-ups is readable and the tabs of the "
    "partner and of the sale show Status, Type and Responsible"
    party = 'Kone Laine Oy'
    party_ = party_id(rpc, party)
    sale = rpc('prm').id_of('sale.sale', [('party.name', '=', party)])
    for language, names in [
            ('en', {'events': ('Partner Relationship', 'Events'),
                    'tab': 'Events', 'status': 'Status', 'type': 'Type',
                    'responsible': 'Responsible'}),
            ('fi', {'events': ('Kumppanuudenhallinta', 'Tapahtumat'),
                    'tab': 'Tapahtumat', 'status': 'Tila', 'type': 'Tyyppi',
                    'responsible': 'Vastuuhenkilö'}),
            ]:
        with (finnish(rpc) if language == 'fi'
                else contextlib.nullcontext()):
            session = login('prm')
            session.page.set_viewport_size(LAPTOP)
            sao = session.client
            # My Open Follow-ups, open at login
            follow_ups = sao.tab
            expect(sao.rows(follow_ups).first).to_be_visible()
            assert truncated_headers(follow_ups) == [], language
            assert truncated_cells(follow_ups, names['type']) == []
            screenshot(sao.page, f'follow-ups-{language}')

            open_menu(sao, *names['events'])
            events = sao.tab
            expect(sao.rows(events).first).to_be_visible()
            assert truncated_headers(events) == [], language

            for path in [f'model/party.party/{party_}',
                    f'model/sale.sale/{sale}']:
                sao.open(path)
                card = sao.tab
                expect(card.locator('.form-item [name=party], '
                        '.form-item [name=name]').first).not_to_have_value('')
                sao.notebook_tab(card, names['tab']).click()
                tab_events = sao.one2many(card, names['tab'])
                expect(sao.rows(tab_events).first).to_be_visible()
                shown = headers(tab_events)
                for column in ['status', 'type', 'responsible']:
                    assert names[column] in shown, (path, shown)
                assert truncated_headers(tab_events) == [], (path, language)
            screenshot(sao.page, f'sale-events-tab-{language}')
            session.close()


def test_events_list_filtered_by_partner_keeps_it(login, rpc):
    "On the Events list filtered by a partner (Company filter), Previous "
    "and Next stay with that partner's events and New gets the partner"
    party = 'Kone Laine Oy'
    party_ = party_id(rpc, party)
    numbers = sorted(e['number'] for e in rpc('prm').search_read(
            'prm.event', [('party', '=', party_), ('state', '=', 'open')],
            ['number']))
    assert len(numbers) >= 2

    sao = login('prm').client
    open_menu(sao, 'Partner Relationship', 'Events')
    events = sao.tab
    expect(sao.rows(events).first).to_be_visible()
    sao.fill_many2one(events, 'prm_party', party)
    sao.search_button(events).click()
    expect(sao.rows(events)).to_have_count(len(numbers))
    assert sorted(sao.column(events, 'Number')) == numbers

    sao.rows(events).first.locator('td[data-title="Title: "]').dblclick()
    number = sao.field(events, 'number')
    expect(number).to_have_value(re.compile(r'^E-\d{5}$'))
    seen = [number.input_value()]
    for position in range(2, len(numbers) + 1):
        sao.tool('next').click()
        expect(sao.counter()).to_have_text(f'{position}/{len(numbers)}')
        expect(number).not_to_have_value(seen[-1])
        expect(sao.field(events, 'party')).to_have_value(party)
        seen.append(number.input_value())
    assert sorted(seen) == numbers
    sao.tool('new_').click()
    sao.settle()
    expect(sao.field(events, 'party')).to_have_value(party)
    expect(number).to_have_value('')


def test_overdue_follow_ups_say_how_late(login, rpc):
    "The follow-ups say '3 days overdue' (Finnish '3 päivää myöhässä') in "
    "a Due column, and the calendar shows it on the overdue events"
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

    overdue = [e for e in follow_ups if late(e) > 0]
    assert overdue and len(overdue) < len(follow_ups), follow_ups

    def expected(event, overdue_text, today_text, due_text):
        days = late(event)
        if days > 0:
            return overdue_text(days)
        if days == 0:
            return today_text
        return due_text(-days)

    english = [expected(e,
            lambda d: f'{d} day{"s" if d != 1 else ""} overdue',
            'Due today',
            lambda d: f'Due in {d} day{"s" if d != 1 else ""}')
        for e in follow_ups]
    sao = login('prm').client
    tab = sao.tab
    expect(sao.rows(tab)).to_have_count(len(follow_ups))
    assert sao.column(tab, 'Due') == english
    cells = sao.rows(tab).locator('td[data-title="Due: "]')
    for i, event in enumerate(follow_ups):
        classes = (cells.nth(i).get_attribute('class') or '').split()
        assert ('text-danger' in classes or 'danger' in classes) == (
            late(event) > 0), (event, classes)

    # The calendar: the overdue follow-ups in red, with the words
    open_menu(sao, 'Partner Relationship', 'Follow-up Calendar')
    calendar = sao.tab
    first = overdue[-1]
    sao.page.evaluate('() => 0')
    items = calendar.locator('.fc-event').filter(has_text=first['title'])
    # The month of the latest overdue follow-up (this month or the last)
    if late(first) >= today.day:
        calendar.locator('button:has(.fc-icon-left-single-arrow), '
            '.fc-prev-button').first.click()
    expect(items.first).to_be_visible()
    expect(items.first).to_contain_text(english[follow_ups.index(first)])
    color = items.first.evaluate('e => getComputedStyle(e).backgroundColor')
    assert color == 'rgb(201, 48, 44)', color

    with finnish(rpc):
        sao = login('prm').client
        tab = sao.tab
        expect(sao.rows(tab)).to_have_count(len(follow_ups))
        finnish_texts = [expected(e,
                lambda d: f'{d} päivä{"ä" if d != 1 else ""} myöhässä',
                'Erääntyy tänään',
                lambda d: f'{d} päivän päästä')
            for e in follow_ups]
        assert sao.column(tab, 'Erääntyminen') == finnish_texts


def test_calendar_feed_opens_with_an_address(login, rpc):
    "My Calendar Feed opens the user's own feed with its address, created "
    "at the first opening; the second opening shows the same address"
    user = rpc('prmadmin')
    # A user without a feed yet (the rules show one's own feed only)
    feeds = user.search('prm.calendar.feed', [])
    if feeds:
        user('prm.calendar.feed', 'delete', feeds)
    addresses = []
    for _ in range(2):
        session = login('prmadmin')
        sao = session.client
        open_menu(sao, 'Partner Relationship', 'My Calendar Feed')
        form = sao.tab
        url = sao.field(form, 'url')
        expect(url).to_have_value(re.compile(
                r'^http://127\.0\.0\.1:\d+/[^/]+/prm/calendar/[\w-]+\.ics$'))
        addresses.append(url.input_value())
        expect(sao.field(form, 'user')).to_have_value(
            user.context.get('name') or re.compile('.+'))
        session.close()
    assert addresses[0] == addresses[1]
    assert user.search_count('prm.calendar.feed', []) == 1


def test_management_screen_says_when_it_searches(login, rpc):
    "The filter form of the management screen says that the list changes "
    "on Search; its group lists show no member count that a move would "
    "leave stale, and the list's own count follows the moves"
    sao = login('prm').client
    open_menu(sao, 'Partner Relationship', 'Contact-Group Management')
    tab = sao.tab
    screen = sao.main_list(tab)
    expect(sao.rows(screen).first).to_be_visible()
    hint = tab.locator('.filter-box label', has_text='search button')
    expect(hint).to_be_visible()
    expect(hint).to_contain_text('not when a filter changes')
    include = tab.locator('.form-item:has(input[name="include_groups"])')
    expect(include.locator('table.tree')).to_be_visible()
    assert 'Members Count' not in headers(include)
    assert 'Name' in headers(include)
