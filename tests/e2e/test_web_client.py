# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""User journeys through the web client, in a real browser

Each test compares what the client shows with what the server answers
over JSON-RPC for the same user, so the tests do not depend on each other.
The tests that create events come last: the screenshots taken on the way
(PRM_SCREENSHOTS=1) then show the demo data only."""
import datetime
import re
import uuid

from playwright.sync_api import expect

CONTACT_OF = 'Contact Person of'


def party_id(rpc, name):
    return rpc('prm').id_of('party.party', [('name', '=', name)])


def sale_of(rpc, party_name):
    return rpc('prm').id_of('sale.sale', [('party.name', '=', party_name)])


def event_titles(rpc, user, domain):
    return sorted(e['title'] for e in rpc(user).search_read(
            'prm.event', domain, ['title']))


def contact_persons(rpc, party):
    return sorted(p['name'] for p in rpc('prm').search_read('party.party', [
                ('relations', 'where', [
                        ('to', '=', party),
                        ('type.name', '=', CONTACT_OF),
                        ]),
                ], ['name']))


def us_date(text):
    return datetime.datetime.strptime(text, '%m/%d/%Y').date()


def assert_follow_up_order(dates):
    "Follow-up dates ascending, the events without one last"
    dated = [us_date(d) for d in dates if d]
    assert dated == sorted(dated), dates
    assert all(not d for d in dates[len(dated):]), dates


def rpc_date(value):
    return datetime.date(value['year'], value['month'], value['day'])


def test_sale_party_card_lists_all_events(login, rpc):
    "1. At login the user's open follow-ups are open; a sale's party link "
    "opens the party card, whose Events tab lists all the events of the "
    "partner, those linked to documents too"
    party = 'Kone Laine Oy'
    sale = sale_of(rpc, party)
    expected = event_titles(rpc, 'prm', [('party.name', '=', party)])
    on_documents = event_titles(rpc, 'prm', [
            ('party.name', '=', party), ('document', '!=', None)])
    assert on_documents and len(on_documents) < len(expected)

    follow_ups = rpc('prm').search_read('prm.event', [
            ('responsible', '=', rpc('prm').user_id),
            ('state', '=', 'open'),
            ('follow_up_date', '!=', None),
            ], ['title', 'follow_up_date'],
        order=[('follow_up_date', 'ASC'), ('id', 'ASC')])
    today = datetime.date.today()
    overdue = [rpc_date(e['follow_up_date']) < today for e in follow_ups]
    # The demo has overdue follow-ups and others for the user
    assert any(overdue) and not all(overdue), follow_ups

    sao = login('prm').client
    # S1: "My Open Follow-ups" opened by itself at login, soonest first,
    # the overdue rows (before today, not today) in red
    title = sao.tab_titles.filter(has_text='My Open Follow-ups')
    expect(title).to_have_count(1)
    title.locator('a').first.click()
    tab = sao.tab
    expect(sao.rows(tab)).to_have_count(len(follow_ups))
    assert sao.column(tab, 'Title') == [e['title'] for e in follow_ups]
    rows = sao.rows(tab)
    red = ['danger' in (rows.nth(i).get_attribute('class') or '').split()
        for i in range(len(follow_ups))]
    assert red == overdue, (red, follow_ups)

    sao.open(f'model/sale.sale/{sale}')
    tab = sao.tab
    expect(sao.field(tab, 'party')).to_have_value(party)
    # The sale's own Events tab: only the events of this sale
    sao.notebook_tab(tab, 'Events').click()
    sale_events = sao.one2many(tab, 'Events')
    expect(sao.rows(sale_events)).to_have_count(len(event_titles(
                rpc, 'prm', [('document', '=', f'sale.sale,{sale}')])))

    sao.field_button(tab, 'party', 'Open the record').click()
    card = sao.modal
    expect(sao.field(card, 'name')).to_have_value(party)
    sao.notebook_tab(card, 'Events').click()
    events = sao.one2many(card, 'Events')
    expect(sao.rows(events)).to_have_count(len(expected))
    shown = sao.column(events, 'Title')
    assert sorted(shown) == expected
    assert set(on_documents) <= set(shown)


def test_previous_next_stay_on_party_events(login, rpc, screenshot):
    "4. Previous/Next on an event opened from the party's Events link "
    "walk the events of that party only"
    party = 'Kone Laine Oy'
    party_ = party_id(rpc, party)
    expected = sorted(e['number'] for e in rpc('prm').search_read(
            'prm.event', [('party', '=', party_)], ['number']))
    open_count = rpc('prm').search_count('prm.event', [
            ('party', '=', party_), ('state', '=', 'open')])
    assert len(expected) >= 3

    sao = login('prm').client
    sao.open(f'model/party.party/{party_}')
    expect(sao.field(sao.tab, 'name')).to_have_value(party)
    link = sao.tab.locator(
        'button.form-link[name="prm_addon.act_event_relate"]')
    expect(link.locator('.badge')).to_have_text(
        [str(open_count), str(len(expected))])
    tabs = sao.tab_titles.count()
    link.click()
    expect(sao.tab_titles).to_have_count(tabs + 1)
    events = sao.tab
    expect(sao.domain_tab(events, 'All')).to_be_visible()
    assert sao.domain_counts(events) == {
        'Open': open_count, 'All': len(expected)}
    sao.domain_tab(events, 'All').click()
    expect(sao.rows(events)).to_have_count(len(expected))

    sao.rows(events).first.locator('td[data-title="Title: "]').dblclick()
    form = sao.tab
    number = sao.field(form, 'number')
    expect(number).to_have_value(re.compile(r'^E-\d{5}$'))
    seen = []
    for position in range(1, len(expected) + 1):
        expect(sao.counter()).to_have_text(f'{position}/{len(expected)}')
        expect(sao.field(form, 'party')).to_have_value(party)
        seen.append(number.input_value())
        if position == 1:
            screenshot(sao.page, 'event-form')
        if position < len(expected):
            # A click while the form still loads found the record
            # modified (its Type selection still empty) and asked to save
            sao.settle()
            sao.tool('next').click()
            expect(number).not_to_have_value(seen[-1])
    expect(sao.tool('next')).to_be_disabled()
    assert sorted(seen) == expected
    # and back
    for position in range(len(expected) - 1, 0, -1):
        sao.settle()
        sao.tool('previous').click()
        expect(sao.counter()).to_have_text(f'{position}/{len(expected)}')
        expect(number).to_have_value(seen[position - 1])
        expect(sao.field(form, 'party')).to_have_value(party)
    expect(sao.tool('previous')).to_be_disabled()


def test_restricted_event_only_for_its_group(login, rpc, screenshot):
    "5. The event visible only to PRM Administration is hidden from prm"
    restricted = event_titles(rpc, 'prmadmin', [
            ('visible_group', '!=', None)])
    assert restricted
    secret = restricted[0]
    savon = party_id(rpc, 'Savon Sähkö Oy')
    assert rpc('prmadmin').search_count('prm.event', [
            ('party', '=', savon), ('title', '=', secret)]) == 1

    for user, visible in [('prm', False), ('prmadmin', True)]:
        session = login(user)
        sao = session.client
        # Partner Relationship > Events
        events = sao.open_menu('Partner Relationship', 'Events')
        expect(sao.domain_tab(events, 'Closed')).to_be_visible()
        expected = {
            name: rpc(user).search_count('prm.event', domain)
            for name, domain in [
                ('Open', [('state', '=', 'open')]),
                ('Closed', [('state', '=', 'closed')]),
                ('All', []),
                ]}
        assert sao.domain_counts(events) == expected, user
        if user == 'prm':
            # All events but the restricted ones
            assert expected['All'] == rpc('prmadmin').search_count(
                'prm.event', []) - len(restricted)
            screenshot(sao.page, 'events-list')
        sao.domain_tab(events, 'All').click()
        # The web client shows the first 20 rows (its display size); the
        # restricted event's follow-up puts it among them
        expect(sao.rows(events)).to_have_count(min(expected['All'], 20))
        assert (secret in sao.column(events, 'Title')) == visible, user

        # The Events tab of the partner
        sao.open(f'model/party.party/{savon}')
        expect(sao.field(sao.tab, 'name')).to_have_value('Savon Sähkö Oy')
        sao.notebook_tab(sao.tab, 'Events').click()
        party_events = sao.one2many(sao.tab, 'Events')
        expect(sao.rows(party_events)).to_have_count(rpc(user).search_count(
                'prm.event', [('party', '=', savon)]))
        assert (secret in sao.column(party_events, 'Title')) == visible, user
        session.close()


def test_url_button_opens_new_window(login, rpc):
    "6. The button of the Comments (Hyperlink) field opens the address "
    "in a new window"
    event, = rpc('prm').search_read('prm.event', [
            ('url', 'like', 'https://%'), ('state', '=', 'open')],
        ['url', 'title'], order=[('id', 'ASC')])[:1]
    url = event['url']
    session = login('prm')
    # Served by the test: the browser never reaches the internet
    session.routes[url] = '<title>E2E link target</title><p>stub</p>'
    sao = session.client
    sao.open(f'model/prm.event/{event["id"]}')
    form = sao.tab
    expect(sao.field(form, 'title')).to_have_value(event['title'])
    field = sao.field(form, 'url')
    expect(field).to_have_value(url)
    button = form.locator('.form-url:has([name=url]) a.btn')
    expect(button).to_be_visible()
    expect(button).to_have_attribute('target', '_blank')
    # A new window without opener (rel=noopener): a page of the context
    with session.context.expect_page() as popup_info:
        button.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url.rstrip('/') == url.rstrip('/')
    assert popup.title() == 'E2E link target'
    # The client stays where it was
    expect(sao.field(form, 'url')).to_have_value(url)
    popup.close()


def test_finnish_user_sees_finnish_terms(login, rpc):
    "9. A user whose language is Finnish gets the SPEC's Finnish terms"
    admin = rpc('admin')
    prm = rpc('prm')
    finnish = admin.id_of('ir.lang', [('code', '=', 'fi')])
    user, = admin.read('res.user', [prm.user_id], ['language'])
    open_event = prm.search('prm.event', [('state', '=', 'open')])[0]
    closed_event = prm.search('prm.event', [('state', '=', 'closed')])[0]
    admin.write('res.user', [prm.user_id], {'language': finnish})
    try:
        sao = login('prm').client
        sao.menu_item('Kumppanuudenhallinta').click()
        expect(sao.menu_item('Tapahtumat')).to_be_visible()
        # The tabs of the login actions are open (login waits for them)
        tabs = sao.tab_titles.count()

        sao.open(f'model/prm.event/{open_event}')
        form = sao.tab
        expect(sao.field(form, 'number')).to_have_value(
            re.compile(r'^E-\d{5}$'))
        labels = sao.labels(form)
        for label in ['Seurantanumero', 'Otsikko', 'Tila',
                'Päivämäärä jatkotoimenpiteille', 'Vastuuhenkilö']:
            assert f'{label}:' in labels, labels
        expect(sao.selection(form, 'state')).to_have_text('Avoinna')

        sao.open(f'model/prm.event/{closed_event}')
        expect(sao.tab_titles).to_have_count(tabs + 2)
        expect(sao.selection(sao.tab, 'state')).to_have_text('Suljettu')
    finally:
        admin.write('res.user', [prm.user_id], {
                'language': user['language']})


def test_create_event_from_party(login, rpc, screenshot):
    "2. An event made on the party's Events tab: party prefilled, contact "
    "among the party's persons, tracking number on save, Close button"
    party = 'Kone Laine Oy'
    party_ = party_id(rpc, party)
    persons = contact_persons(rpc, party_)
    assert len(persons) >= 2
    title = f'E2E call {uuid.uuid4().hex[:8]}'
    follow_up = datetime.date.today() + datetime.timedelta(days=10)

    sao = login('prm').client
    sao.open(f'model/party.party/{party_}')
    tab = sao.tab
    expect(sao.field(tab, 'name')).to_have_value(party)
    sao.notebook_tab(tab, 'Events').click()
    events = sao.one2many(tab, 'Events')
    before = rpc('prm').search_count('prm.event', [('party', '=', party_)])
    expect(sao.rows(events)).to_have_count(before)
    assert_follow_up_order(sao.column(events, 'Follow-up'))
    screenshot(sao.page, 'party-events-tab')

    events.get_by_role('button', name='New').click()
    form = sao.modal
    # Typed before the defaults arrive, the title would be wiped
    expect(sao.field(form, 'responsible')).to_have_value('Paula Myyjä')
    sao.settle()
    sao.field(form, 'title').fill(title)
    # The search window lists only the persons of this party
    sao.field_button(form, 'contact', 'Search a record').click()
    search = sao.modal
    expect(search.locator('.modal-title')).to_contain_text('Contact Person')
    expect(sao.rows(search)).to_have_count(len(persons))
    assert sorted(sao.column(search, 'Name')) == persons
    search.locator('.modal-footer button', has_text='Cancel').click()
    expect(sao.modals).to_have_count(1)
    # and so does the completion, though other persons match the text
    contact = sao.field(form, 'contact')
    contact.fill('a')
    matching = [p for p in persons if 'a' in p.lower()]
    assert rpc('prm').search_count('party.party', [
            ('name', 'ilike', '%a%'),
            ('relations', 'where', [('type.name', '=', CONTACT_OF)]),
            ]) > len(matching)
    completion = sao.completion(form, 'contact')
    expect(completion).to_have_count(len(matching))
    assert sorted(completion.all_inner_texts()) == matching
    person = matching[-1]
    completion.filter(has_text=person).click()
    expect(contact).to_have_value(person)
    date = sao.field(form, 'follow_up_date')
    date.fill(follow_up.strftime('%m/%d/%Y'))
    date.press('Tab')
    form.locator('.modal-footer #save').click()
    expect(sao.row(events, 'Title', title)).to_have_count(1)

    # Saving the party saves the new event
    sao.tool('save').click()
    expect(sao.tool('save')).to_be_disabled()
    # The tab then reloads its rows in the server's order: the count is
    # already right before, so wait for the reload
    sao.settle()
    expect(sao.rows(events)).to_have_count(before + 1)
    assert_follow_up_order(sao.column(events, 'Follow-up'))

    sao.row(events, 'Title', title).locator('td[data-title="Title: "]') \
        .dblclick()
    form = sao.modal
    expect(sao.field(form, 'title')).to_have_value(title)
    expect(sao.field(form, 'number')).to_have_value(
        re.compile(r'^E-\d{5}$'))
    number = sao.field(form, 'number').input_value()
    expect(sao.selection(form, 'state')).to_have_text('Open')
    expect(sao.field(form, 'contact')).to_have_value(person)

    form.locator('button[name=close]').click()
    # Mark as Closed asks first
    sao.dialog_button(sao.modal, 'OK').click()
    expect(sao.selection(form, 'state')).to_have_text('Closed')
    expect(sao.field(form, 'number')).to_have_value(number)
    form.locator('.modal-footer #save').click()
    expect(sao.row(events, 'Title', title).locator(
            'td[data-title="Status: "]')).to_have_text('Closed')

    event, = rpc('prm').search_read('prm.event', [('number', '=', number)],
        ['party', 'contact.name', 'state', 'title', 'follow_up_date'])
    assert event['party'] == party_
    assert event['contact.']['name'] == person
    assert event['state'] == 'closed'
    assert event['title'] == title

    sao.tool('reload').click()
    sao.settle()
    expect(sao.rows(events)).to_have_count(before + 1)
    dates = sao.column(events, 'Follow-up')
    assert_follow_up_order(dates)
    assert follow_up.strftime('%m/%d/%Y') in dates


def test_create_event_from_sale_and_open_order(login, rpc):
    "3. An event made on a sale's Events tab has the party and the sale; "
    "its Order Details button opens the sale"
    party = 'Turun Teollisuus Oy'
    sale = sale_of(rpc, party)
    sale_values, = rpc('prm').read('sale.sale', [sale],
        ['number', 'description'])
    title = f'E2E sale follow-up {uuid.uuid4().hex[:8]}'

    before = rpc('prm').search_count(
        'prm.event', [('document', '=', f'sale.sale,{sale}')])
    sao = login('prm').client
    tab, events = sao.events_tab(f'model/sale.sale/{sale}', party, before)

    events.get_by_role('button', name='New').click()
    form = sao.modal
    expect(sao.field(form, 'party')).to_have_value(party)
    sao.settle()
    sao.field(form, 'title').fill(title)
    form.locator('.modal-footer #save').click()
    expect(sao.modals).to_have_count(0)
    sao.tool('save').click()
    expect(sao.tool('save')).to_be_disabled()
    # The sale reloads after the save, its Events tab too
    sao.settle()
    expect(sao.rows(events)).to_have_count(before + 1)

    event, = rpc('prm').search_read('prm.event', [('title', '=', title)],
        ['party', 'document', 'number', 'state'])
    assert event['party'] == party_id(rpc, party)
    assert event['document'] == f'sale.sale,{sale}'
    assert re.fullmatch(r'E-\d{5}', event['number'])
    assert event['state'] == 'open'

    sao.row(events, 'Title', title).locator('td[data-title="Title: "]') \
        .dblclick()
    form = sao.modal
    expect(sao.field(form, 'number')).to_have_value(event['number'])
    tabs = sao.tab_titles.count()
    order_details = form.locator('button[name=open_document]')
    expect(order_details).to_have_text(re.compile('Order Details', re.I))
    order_details.click()
    expect(sao.tab_titles).to_have_count(tabs + 1)
    # The new tab shows the sale of the event, and only it
    expect(sao.field(sao.tab, 'party')).to_have_value(party)
    expect(sao.field(sao.tab, 'number')).to_have_value(
        sale_values['number'] or '')
    expect(sao.field(sao.tab, 'description')).to_have_value(
        sale_values['description'])
    expect(sao.counter()).to_have_text('1/1')
    expect(sao.page).to_have_url(re.compile(
            r'#prm_demo/model/sale\.sale/%d(;|$)' % sale))
