# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Screens in the browser: the personal calendar feed, the
statistics graphs and the mails to review"""
import re
import urllib.error
import urllib.request
import uuid
from email.message import EmailMessage
from email.utils import make_msgid

from playwright.sync_api import expect

STATISTICS = [
    'Events per Type', 'Events per Month', 'Events per Responsible',
    'Open and Closed Events']


def fetch(url):
    "(status, content type, text) of a GET, as a calendar program does it"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return (response.status, response.headers['Content-Type'],
                response.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, e.headers['Content-Type'], ''


def test_calendar_feed_subscribe_and_revoke(login, rpc):
    "A user gets their secret calendar address, a calendar program reads "
    "their open follow-ups there, and after Revoke the address is dead"
    user = rpc('prm')
    follow_ups = user.search_read('prm.event', [
            ('responsible', '=', user.user_id),
            ('state', '=', 'open'),
            ('follow_up_date', '!=', None),
            ], ['number', 'title'])
    assert follow_ups

    sao = login('prm').client
    sao.menu_item('Partner Relationship').click()
    sao.menu_item('My Calendar Feed').click()
    # The user's feed, created at the first opening
    tab = sao.tab
    expect(sao.field(tab, 'user')).to_have_value('Paula Myyjä')
    url_field = sao.field(tab, 'url')
    expect(url_field).to_have_value(re.compile(
            r'^http://127\.0\.0\.1:\d+/[^/]+/prm/calendar/[\w-]+\.ics$'))
    url = url_field.input_value()

    status, content_type, ics = fetch(url)
    assert status == 200
    assert content_type.startswith('text/calendar')
    assert ics.startswith('BEGIN:VCALENDAR')
    assert ics.count('BEGIN:VEVENT') == len(follow_ups)
    unfolded = ics.replace('\r\n ', '')
    for event in follow_ups:
        assert f"SUMMARY:[{event['number']}] " in unfolded, event

    # Revoke asks first, then the old address answers 404
    tab.locator('button[name=revoke]').click()
    sao.dialog_button(sao.modal, 'OK').click()
    sao.settle()
    expect(url_field).to_have_value('')
    assert fetch(url)[0] == 404


def test_statistics_graphs_open(login, rpc):
    "Each statistics entry opens a graph of the events the user can see"
    total = rpc('prm').search_count('prm.event', [])
    sao = login('prm').client
    sao.menu_item('Partner Relationship').click()
    sao.menu_item('Statistics').click()
    for name in STATISTICS:
        sao.menu_item(name).click()
        tab = sao.tab
        expect(sao.tab_titles.filter(has_text=name)).to_have_count(1)
        # A chart with at least one bar, line or slice
        expect(tab.locator('svg').first).to_be_visible()
        expect(tab.locator(
                'svg :is(.bb-bar, .bb-line, .bb-arc, path.bb-shape)'
                ).first).to_be_attached()
    # The list behind the last graph counts every event the user can see
    sao.tool('switch_').click()
    sao.settle()
    expect(sao.rows(sao.tab).first).to_be_visible()
    counts = [int(c) for c in sao.column(sao.tab, 'Events')]
    assert sum(counts) == total, (counts, total)


def test_mail_to_review_becomes_event(login, rpc):
    "A mail from an unknown sender waits on Mails to Review; the sales "
    "person chooses its partner there and it becomes a closed Email event "
    "with the mail attached"
    admin = rpc('admin')
    inbox, = admin('inbound.email.inbox', 'create', [{
                'name': "PRM",
                'rules': [('create', [{
                                'action': 'prm.event|prm_from_inbound_email',
                                }])],
                }])
    admin('inbound.email.inbox', 'new_identifier', [inbox])
    identifier, = [i['identifier'] for i in admin.read(
            'inbound.email.inbox', [inbox], ['identifier'])]
    url = admin.url.replace('/rpc/', f'/inbound_email/inbox/{identifier}')
    subject = f"Tarjouspyyntö {uuid.uuid4().hex[:6]}: 40 laakeria"
    message = EmailMessage()
    message['From'] = 'Anna Uusi <anna.uusi@newco.example>'
    message['To'] = 'prm@demo-oy.example'
    message['Subject'] = subject
    message['Message-ID'] = make_msgid(domain='newco.example')
    message.set_content("Hei,\n\nvoitteko lähettää tarjouksen?\n\nAnna")
    request = urllib.request.Request(
        url, data=message.as_bytes(),
        headers={'Content-Type': 'message/rfc822'})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 204

    prm = rpc('prm')
    assert prm.search_count('prm.event', [('title', '=', subject)]) == 0
    sao = login('prm').client
    tab = sao.open_menu('Partner Relationship', 'Mails to Review')
    row = sao.row(tab, 'Subject', subject)
    expect(row).to_have_count(1)
    row.locator('td[data-title="Subject: "]').dblclick()
    expect(sao.field(tab, 'prm_sender')).to_have_value(
        'anna.uusi@newco.example')
    tab.locator('button[name=prm_create_event]').click()
    wizard = sao.modal
    expect(sao.field(wizard, 'title')).to_have_value(subject)
    sao.settle()
    sao.fill_many2one(wizard, 'party', 'Pirkan Puu Oy')
    sao.dialog_button(wizard, 'Create').click()
    expect(sao.modals).to_have_count(0)
    sao.settle()

    event, = prm.search_read('prm.event', [('title', '=', subject)],
        ['party.name', 'state', 'type.name', 'responsible', 'notes'])
    assert event['party.']['name'] == 'Pirkan Puu Oy'
    assert (event['state'], event['type.']['name']) == ('closed', 'Email')
    assert event['responsible'] == prm.user_id
    assert 'voitteko lähettää tarjouksen' in event['notes']
    attachments = prm.search_read('ir.attachment', [
            ('resource', '=', f"prm.event,{event['id']}")], ['name'])
    # The raw mail, named after its subject (":" is not for file names)
    assert [a['name'] for a in attachments] == [
        subject.replace(':', ' ') + '.eml'], attachments
    assert prm.search_count('inbound.email', [
            ('prm_mail', '=', True), ('result', '=', None)]) == 0
