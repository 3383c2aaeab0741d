# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Journey 8: the Report button of an event mails the event report to the
user through Tryton's task queue and the SMTP server the trytond under test
is configured with; the user is notified"""
import html
import re

from playwright.sync_api import expect


def test_report_button_mails_event_to_user(login, rpc, mailbox):
    "8. Report on an event: the user chooses whether the internal notes go "
    "with it (not by default); the report arrives in the user's own "
    "mailbox, the mail is logged on the event and the user is notified"
    prm = rpc('prm')
    user, = prm.read('res.user', [prm.user_id], ['email', 'name'])
    assert user['email'], "the demo user 'prm' needs an email address"
    event = prm.search_read('prm.event', [
            ('party.name', '=', 'Kone Laine Oy'),
            ('state', '=', 'open'),
            ], ['number', 'title', 'party.name'], order=[('number', 'ASC')])[0]
    resource = f"prm.event,{event['id']}"
    logged = prm.search_count('ir.email', [('resource', '=', resource)])
    subject = f"[{event['number']}] {event['title']}"

    sao = login('prm').client
    sao.open(f"model/prm.event/{event['id']}")
    form = sao.tab
    expect(sao.field(form, 'number')).to_have_value(event['number'])
    button = form.locator('button[name=send_report]')
    expect(button).to_have_text(re.compile(r'^\s*Report\s*$'))
    notified = prm.search_count('res.notification', [])
    button.click()
    dialog = sao.modal
    expect(dialog).to_be_visible()
    # A click while the wizard still draws its page is lost
    sao.settle()
    expect(sao.field(dialog, 'internal_notes')).not_to_be_checked()
    sao.dialog_button(dialog, 'Send').click()
    expect(sao.modals).to_have_count(0)

    message = mailbox.wait_for(lambda m: m['Subject'] == subject)
    assert message['To'].addresses[0].addr_spec == user['email']
    assert message['To'].addresses[0].display_name == user['name']
    assert message['From'] == 'prm@localhost'
    body = message.get_body(('html',)).get_content()
    for text in [event['number'], event['title'], event['party.']['name']]:
        assert html.escape(text, quote=False) in body, text
    text = message.get_body(('plain',)).get_content()
    assert event['title'] in text
    assert 'Internal Notes' not in text

    # The client stays on the event, which is unchanged, and the mail is
    # in the event's email log
    expect(sao.field(form, 'number')).to_have_value(event['number'])
    expect(sao.tool('save')).to_be_disabled()
    assert prm.search_count(
        'ir.email', [('resource', '=', resource)]) == logged + 1
    log, = prm.search_read('ir.email', [
            ('resource', '=', resource),
            ('message_id', '=', message['Message-ID']),
            ], ['subject', 'recipients'])
    assert log['subject'] == subject
    notification = prm.search_read(
        'res.notification', [], ['label', 'description', 'records'],
        order=[('id', 'DESC')])[0]
    assert prm.search_count('res.notification', []) == notified + 1
    assert notification['label'] == 'Report sent'
    assert notification['description'] == (
        f'The report of event "{event["number"]} {event["title"]}" '
        f'was sent to {user["email"]}.')
    assert notification['records'] == f'[{event["id"]}]'
