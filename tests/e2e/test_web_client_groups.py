# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Journey 7: a calling campaign on the contact-group management screen

It moves members and logs events on its own copy of the demo database
(the server fixture is per file): the other journeys see the demo data
only, whatever the order the files run in."""
import datetime
import re

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

FAIR = 'Fair visitors'
CONTACTED = 'Contacted'
MANAGEMENT = 'prm.contact_group.management'


def group_id(rpc, name):
    return rpc('prm').id_of('prm.contact_group', [('name', '=', name)])


def management_rows(rpc, include, exclude):
    "The rows the server gives the user for the filters"
    user = rpc('prm')
    context = dict(user.context,
        include_groups=include, exclude_groups=exclude, include_mode='all')
    return user._post(f'model.{MANAGEMENT}.search_read', [
            [], 0, None, None, ['name', 'phone_url', 'email_url'], context])


def members(rpc, group):
    return sorted(p['name'] for p in rpc('prm').search_read(
            'party.party', [('prm_contact_groups', '=', group)], ['name']))


def test_fair_visitors_campaign(login, rpc, screenshot):
    "7. Include the fair visitors, exclude those contacted: the screen "
    "lists them with links that dial; a bulk move and Log contact change "
    "the groups and log the calls"
    fair, contacted = group_id(rpc, FAIR), group_id(rpc, CONTACTED)
    expected = management_rows(rpc, [fair], [contacted])
    # The demo's fair example: companies and a contact person, not the
    # member of "Do not contact" nor the contacted ones
    assert len(expected) == 3, expected
    assert 'Jussi Hyvönen' in members(rpc, fair)
    assert 'Jussi Hyvönen' not in [r['name'] for r in expected]

    sao = login('prm').client
    tab = sao.open_menu('Partner Relationship', 'Contact-Group Management')
    screen = sao.main_list(tab)
    expect(sao.rows(screen).first).to_be_visible()
    sao.add_to_many2many(tab, 'include_groups', FAIR)
    sao.add_to_many2many(tab, 'exclude_groups', CONTACTED)
    # sao searches again when the filter form is submitted (Search button
    # or Enter), not on each change of the context form
    sao.search_button(tab).click()
    expect(sao.rows(screen)).to_have_count(len(expected))
    assert sao.column(screen, 'Party') == [r['name'] for r in expected]
    assert sao.domain_counts(tab) == {'All': len(expected)}
    # M4: the Call column links dial the first phone of each party
    calls = sao.link_targets(screen, 'Call')
    assert calls == [r['phone_url'] for r in expected]
    assert all(c.startswith('tel:+358') for c in calls), calls
    assert sao.link_targets(screen, 'Write') == [
        r['email_url'] for r in expected]
    screenshot(sao.page, 'contact-group-management')

    # M2: the two companies are called and move to "Contacted"
    companies = [r['name'] for r in expected if r['name'].endswith(' Oy')]
    assert len(companies) == 2, expected
    for name in companies:
        sao.select_row(screen, 'Party', name)
    sao.launch_action(tab, 'Move between Contact Groups')
    wizard = sao.modal
    expect(sao.field(wizard, 'from_group')).to_have_value(FAIR)
    sao.fill_many2one(wizard, 'to_group', CONTACTED)
    sao.dialog_button(wizard, 'Move').click()
    expect(sao.modals).to_have_count(0)
    sao.settle()
    fair_members = members(rpc, fair)
    contacted_members = members(rpc, contacted)
    for name in companies:
        assert name not in fair_members
        assert name in contacted_members
    expect(sao.rows(screen)).to_have_count(1)
    person = sao.column(screen, 'Party')[0]
    assert person == 'Mikko Virtanen'

    # M5: the call with the contact person is logged in one step, with a
    # follow-up, and moves the person to "Contacted". The call lands on the
    # person's company with the person as contact (E1, F5): the company
    # card shows it; the type is a phone call unless chosen otherwise.
    company = 'Turun Teollisuus Oy'
    today = datetime.date.today()
    follow_up = today + datetime.timedelta(days=7)
    title = 'Called after the fair: wants a demo'
    logged_domain = [
        ('party.name', '=', company), ('contact.name', '=', person)]
    before = rpc('prm').search_count('prm.event', logged_domain)
    on_person = rpc('prm').search_count(
        'prm.event', [('party.name', '=', person)])
    sao.select_row(screen, 'Party', person)
    sao.launch_action(tab, 'Log Contact')
    wizard = sao.modal
    expect(sao.field(wizard, 'party')).to_have_value(company)
    expect(sao.field(wizard, 'contact')).to_have_value(person)
    sao.settle()
    sao.field(wizard, 'title').fill(title)
    sao.field(wizard, 'outcome').fill('Demo booked')
    sao.field(wizard, 'follow_up_date').fill(follow_up.strftime('%m/%d/%Y'))
    expect(sao.field(wizard, 'current_group')).to_have_value(FAIR)
    sao.fill_many2one(wizard, 'target_group', CONTACTED)
    sao.dialog_button(wizard, 'Log').click()
    # The last page says what was done
    done = sao.modal
    expect(sao.field(done, 'summary')).to_have_value(
        re.compile(re.escape(company)))
    # The page has just been drawn: a click while sao still sets it up is
    # lost on a busy machine, so wait for the server and click until the
    # dialog goes (at most three times)
    sao.settle()
    for attempt in range(3):
        try:
            sao.dialog_button(done, 'OK').click(timeout=5_000)
        except PlaywrightTimeoutError:
            pass  # the dialog went while the click waited
        try:
            expect(sao.modals).to_have_count(0, timeout=5_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    sao.settle()
    events = rpc('prm').search_read('prm.event', logged_domain,
        ['title', 'state', 'follow_up_date', 'notes', 'date', 'type.name'],
        order=[('id', 'ASC')])
    assert len(events) == before + 2, events
    logged, follow = events[-2:]
    assert (logged['title'], logged['state']) == (title, 'closed')
    assert logged['type.']['name'] == 'Phone Call', logged
    assert 'Demo booked' in logged['notes']
    assert follow['state'] == 'open'
    assert follow['follow_up_date'] == {
        '__class__': 'date', 'year': follow_up.year,
        'month': follow_up.month, 'day': follow_up.day}
    # Nothing more is filed under the person as a partner
    assert rpc('prm').search_count(
        'prm.event', [('party.name', '=', person)]) == on_person
    assert person not in members(rpc, fair)
    assert person in members(rpc, contacted)
    # Nobody is left to call after the fair
    expect(sao.rows(screen)).to_have_count(0)
    assert management_rows(rpc, [fair], [contacted]) == []
