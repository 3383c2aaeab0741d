# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The HTTP routes of PRM: the iCalendar feed of each user's follow-ups"
from trytond.model.exceptions import AccessError
from trytond.protocols.wrappers import (
    HTTPStatus, Response, abort, with_pool, with_transaction)
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
