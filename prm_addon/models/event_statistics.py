# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal
from sql.aggregate import Count, Min
from sql.conditionals import Case
from sql.functions import DateTrunc

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

from .event_access import SearchCheckMixin


class EventStatistics(SearchCheckMixin, ModelSQL, ModelView):
    "Events counted per month, type, responsible and status"
    __name__ = 'prm.event.statistics'
    __string__ = "Event Statistics"

    month = fields.Date("Month")
    type = fields.Many2One('prm.event.type', "Type")
    responsible = fields.Many2One('res.user', "Responsible")
    state = fields.Selection([
            ('open', "Open"),
            ('closed', "Closed"),
            ], "Status", sort=False)
    # The status in the user's language, for the graph's legend
    status = fields.Char("Status")
    count = fields.Integer("Events")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'DESC'), ('type', 'ASC'), ('responsible', 'ASC'),
            ('state', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Event = pool.get('prm.event')
        event = Event.__table__()
        # A table query reads the table without the record rules of the
        # events: count only the events the user may see (F11), as the
        # search of the events themselves selects them. Without access
        # check (root, scheduled tasks) the query holds every event.
        visible = Event.search([], order=[], query=True)
        # The month is computed in a sub-query so that the grouping uses
        # the column, not an expression with its own parameters.
        events = event.select(
            event.id, event.type, event.responsible, event.state,
            event.create_date,
            cls.month.sql_cast(DateTrunc('month', event.date)).as_('month'),
            where=event.id.in_(visible))
        status = [(events.state == k, cls.status.sql_cast(Literal(v)))
            for k, v in cls.fields_get(['state'])['state']['selection']]
        return events.select(
            Min(events.id).as_('id'),
            Literal(0).as_('create_uid'),
            Min(events.create_date).as_('create_date'),
            cls.write_uid.sql_cast(Literal(None)).as_('write_uid'),
            cls.write_date.sql_cast(Literal(None)).as_('write_date'),
            events.month.as_('month'),
            events.type.as_('type'),
            events.responsible.as_('responsible'),
            events.state.as_('state'),
            # A Function field would read the rows again, without the
            # rules of the events: other rows, other ids
            Case(*status, else_=events.state).as_('status'),
            Count(events.id).as_('count'),
            group_by=[
                events.month, events.type, events.responsible,
                events.state])
