# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Journey 12: past events through contact groups, and a mailing to the
"Mailing list" group from the management screen (marketing_email)"""
import re

from playwright.sync_api import expect

MAILING = 'Mailing list'
FAIR = 'Fair visitors'
MANAGEMENT = 'prm.contact_group.management'


def group_id(rpc, name):
    return rpc('prm').id_of('prm.contact_group', [('name', '=', name)])


def event_counts(rpc, include, exclude):
    "{tab: count} of the Events list as the server gives them"
    user = rpc('prm')
    context = dict(user.context, prm_include_groups=include,
        prm_exclude_groups=exclude, prm_include_mode='all')
    filter_ = [('prm_group_match', '=', True)]
    counts = {}
    for tab, domain in [
            ('Open', [('state', '=', 'open')]),
            ('Closed', [('state', '=', 'closed')]),
            ('All', [])]:
        counts[tab] = user._post('model.prm.event.search_count', [
                domain + filter_, context])
    return counts


def test_events_by_group_and_mailing(login, rpc, mailbox):
    "11. The Events list filtered by contact groups; Send Mailing on the "
    "management screen creates the list and its message, Send queues it, "
    "the scheduled task mails it and logs an Email event per partner"
    mailing, fair = group_id(rpc, MAILING), group_id(rpc, FAIR)
    everything = event_counts(rpc, [], [])
    expected = event_counts(rpc, [mailing], [fair])
    assert 0 < expected['All'] < everything['All'], (expected, everything)

    sao = login('prm').client
    tab = sao.open_menu('Partner Relationship', 'Events')
    expect(sao.rows(sao.main_list(tab)).first).to_be_visible()
    assert sao.domain_counts(tab) == everything
    # The groups are chosen in lists of names (no list of records above
    # the events)
    sao.field(tab, 'prm_include_groups').select_option(label=MAILING)
    sao.field(tab, 'prm_exclude_groups').select_option(label=FAIR)
    sao.settle()
    sao.search_button(tab).click()
    sao.settle()
    expect(sao.domain_tab(tab, 'All').locator('.badge')).to_have_text(
        str(expected['All']))
    assert sao.domain_counts(tab) == expected
    expect(sao.rows(sao.main_list(tab))).to_have_count(expected['Open'])

    # The management screen: the members of "Mailing list"
    tab = sao.open_menu('Partner Relationship', 'Contact-Group Management')
    screen = sao.main_list(tab)
    expect(sao.rows(screen).first).to_be_visible()
    sao.add_to_many2many(tab, 'include_groups', MAILING)
    sao.search_button(tab).click()
    sao.settle()
    user = rpc('prm')
    rows = user._post(f'model.{MANAGEMENT}.search_read', [
            [], 0, None, None, ['name', 'email'],
            dict(user.context, include_groups=[mailing],
                exclude_groups=[], include_mode='all')])
    expect(sao.rows(screen)).to_have_count(len(rows))
    chosen = [r for r in rows if r['email']][:2]
    assert len(chosen) == 2, rows
    for row in chosen:
        sao.select_row(screen, 'Party', row['name'])
    sao.launch_action(tab, 'Send Mailing')
    wizard = sao.modal
    title = 'Spring news (journey 12)'
    # The defaults come first (the content), then what the user types: a
    # value typed while sao still sets the form up is lost on a busy
    # machine
    expect(sao.field(wizard, 'content')).to_have_value(
        re.compile(r'get_email_unsubscribe_url'))
    sao.settle()
    for name, value in [('list_name', 'Spring news'), ('title', title)]:
        sao.field(wizard, name).fill(value)
        sao.field(wizard, name).press('Tab')
        sao.settle()
    expect(sao.field(wizard, 'list_name')).to_have_value('Spring news')
    expect(sao.field(wizard, 'title')).to_have_value(title)
    sao.dialog_button(wizard, 'Create Message').click()
    expect(sao.modals).to_have_count(0)
    sao.settle()

    # The message opens in its own tab, as a draft of the new list
    form = sao.tab
    expect(sao.field(form, 'title')).to_have_value(title)
    message, = user.search_read('marketing.email.message', [
            ('title', '=', title)], ['state', 'list_', 'list_.name'])
    assert message['state'] == 'draft'
    emails = user.search_read('marketing.email', [
            ('list_', '=', message['list_']),
            ], ['email', 'prm_party.name'])
    assert sorted(e['prm_party.']['name'] for e in emails) == sorted(
        r['name'] for r in chosen)
    form.locator('button[name=send]').click()
    sao.settle()
    expect(sao.selection(form, 'state')).to_have_text('Sending')
    # Nothing is mailed in the user's request
    assert not [m for m in mailbox.messages if m['Subject'] == title]
    assert user.read('marketing.email.message', [message['id']],
        ['state'])[0]['state'] == 'sending'

    # marketing_email's scheduled task sends it
    admin = rpc('admin')
    cron = admin.id_of('ir.cron', [
            ('method', '=', 'marketing.email.message|process')])
    admin('ir.cron', 'run_once', [cron])
    for row in chosen:
        mail = mailbox.wait_for(lambda m: m['Subject'] == title
            and m['To'].addresses[0].addr_spec == row['email'].lower())
        assert '/prm/unsubscribe?token=' in mail['List-Unsubscribe']
    logged = user.search_read('prm.event', [('title', '=', title)],
        ['party.name', 'contact.name', 'state', 'type.name'])
    assert len(logged) == 2, logged
    assert {e['state'] for e in logged} == {'closed'}
    assert {e['type.']['name'] for e in logged} == {'Email'}
