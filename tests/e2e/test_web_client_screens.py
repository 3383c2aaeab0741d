# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The screens of issue 4 in the browser: the personal calendar feed and
the statistics graphs"""
import re
import urllib.error
import urllib.request

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
    tab = sao.tab
    expect(tab.locator('.tab-domain, table.tree').first).to_be_visible()
    expect(sao.rows(tab)).to_have_count(0)
    sao.tool('new_').click()
    sao.settle()
    expect(sao.field(tab, 'user')).to_have_value('Paula Myyjä')
    sao.tool('save').click()
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
