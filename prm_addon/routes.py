# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The HTTP routes of PRM: the iCalendar feed of each user's follow-ups,
the unsubscribe page of the mailings (marketing_email)"""
import html
import re

from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.protocols.wrappers import (
    HTTPStatus, Response, abort, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app


@app.route('/<database_name>/prm/calendar/<token>.ics', methods={'GET'})
@with_pool
@with_transaction()
def calendar_feed(request, pool, token):
    "The follow-ups of the owner of the token, as an iCalendar file"
    try:
        Feed = pool.get('prm.calendar.feed')
    except KeyError:
        # PRM is not activated in this database
        abort(HTTPStatus.NOT_FOUND)
    feeds = Feed.search([('token', '=', token)], limit=1) if token else []
    if not feeds or not feeds[0].user.active:
        abort(HTTPStatus.NOT_FOUND)
    feed, = feeds
    try:
        ics = feed.get_ics()
    except AccessError:
        # The user lost the access to the events
        abort(HTTPStatus.NOT_FOUND)
    return Response(
        ics, content_type='text/calendar; charset=utf-8',
        headers={
            'Cache-Control': 'private, max-age=300',
            'Content-Disposition': 'inline; filename="prm.ics"',
            })


UNSUBSCRIBE_PAGE = '''<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body style="text-align: center; font-family: sans-serif">
<h1>{title}</h1>
<p>{text}</p>
{form}
</body></html>
'''


@app.route('/<database_name>/prm/unsubscribe', methods={'GET', 'POST'})
@with_pool
@with_transaction(readonly=False)
def unsubscribe(request, pool):
    """marketing_email's unsubscribe link: GET asks (mail scanners follow
    links), POST unsubscribes (the button, or a mail program's one-click
    List-Unsubscribe-Post)"""
    try:
        Email = pool.get('marketing.email')
    except KeyError:
        abort(HTTPStatus.NOT_FOUND)
    token = request.args.get('token') or request.form.get('token')
    # marketing_email's tokens are hexadecimal (token_hex)
    if not re.fullmatch(r'[0-9a-f]{1,100}', token or ''):
        abort(HTTPStatus.NOT_FOUND)
    with Transaction().set_context(active_test=False):
        records = Email.search([('email_token', '=', token)], limit=1)
    if not records:
        abort(HTTPStatus.NOT_FOUND)
    record, = records
    language = record.list_.language.code if record.list_.language else None
    with Transaction().set_context(language=language):
        list_name = record.list_.rec_name
        if request.method == 'POST':
            Email.unsubscribe([token])
            title = gettext('prm_addon.msg_unsubscribe_done_title')
            text = gettext(
                'prm_addon.msg_unsubscribe_done', list=list_name)
            form = ''
        else:
            title = gettext('prm_addon.msg_unsubscribe_title')
            text = gettext(
                'prm_addon.msg_unsubscribe_ask',
                list=list_name, email=record.email)
            form = (
                '<form method="post">'
                '<input type="hidden" name="token" value="%s"/>'
                '<button type="submit" style="font-size: 1.5em">%s'
                '</button></form>' % (
                    html.escape(token),
                    html.escape(gettext(
                            'prm_addon.msg_unsubscribe_button'))))
    return Response(
        UNSUBSCRIBE_PAGE.format(
            title=html.escape(title), text=html.escape(text), form=form),
        content_type='text/html; charset=utf-8',
        headers={'Cache-Control': 'no-store'})
