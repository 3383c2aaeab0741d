# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The event report (printable, HTML and PDF) and the Report button (B5)
that mails it to the user's own address"""
import smtplib
from email.utils import make_msgid

from trytond import config
from trytond.i18n import gettext
from trytond.model import ModelView
from trytond.model.fields.selection import TranslatedSelection
from trytond.modules.company.company import CompanyReport
from trytond.pool import Pool, PoolMeta
from trytond.report import get_email
from trytond.sendmail import get_smtp_server, send_message
from trytond.tools import slugify
from trytond.tools.email_ import format_address, set_from_header
from trytond.transaction import Transaction
from trytond.url import host

from ..exceptions import EventReportError


def pdf_available():
    "Whether Tryton converts HTML reports to PDF (weasyprint imports)"
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        # OSError: weasyprint is installed but pango is missing
        return False
    return True


class EventReport(CompanyReport):
    "The event as a memo (HTML, or PDF with weasyprint)"
    __name__ = 'prm.event'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Date = pool.get('ir.date')
        context = super().get_context(records, header, data)
        # The company's day, not the server's (UTC)
        context['today'] = Date.today()
        return context


class Event(metaclass=PoolMeta):
    __name__ = 'prm.event'

    # The status in the user's language, for the report
    state_string = TranslatedSelection('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'send_report': {},
                })

    @classmethod
    @ModelView.button
    def send_report(cls, events):
        """B5: mail the report of the events to the user's own address

        The ir.email log rows are written first and the mail is sent last,
        synchronously: when the mail server refuses, times out or rejects,
        the UserError rolls the whole transaction back, so neither a log
        row nor anything else is left, and the event is never written."""
        pool = Pool()
        User = pool.get('res.user')
        Email = pool.get('ir.email')
        Attachment = pool.get('ir.attachment')
        user = User(Transaction().user)
        if not events:
            return
        if len(events) > 1:
            # A failure after the first mail would roll back its log while
            # the mail is out: one event, one mail, one log per click
            raise EventReportError(gettext(
                    'prm_addon.msg_event_report_one', count=len(events)))
        if not user.email:
            raise EventReportError(gettext(
                    'prm_addon.msg_event_report_no_email',
                    user=user.rec_name,
                    event=events[0].rec_name))
        messages = []
        for event in events:
            msg, body, files = event._get_report_email(user)
            email = Email.from_message(msg, body=body, resource=event)
            email.save()
            Attachment.save([
                    Attachment(resource=email, name=name, data=data)
                    for name, data in files])
            messages.append((event, msg))
        cls._send_report_messages(messages)

    def _get_report_email(self, user):
        """Return the message with the report of the event for the user,
        its HTML body and its attached files [(name, data)]"""
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        Configuration = pool.get('ir.configuration')
        Lang = pool.get('ir.lang')
        ModelData = pool.get('ir.model.data')
        Report = pool.get('prm.event', type='report')
        language = user.language
        if not language:
            language, = Lang.search([
                    ('code', '=', Configuration.get_language()),
                    ], limit=1)
        report = ActionReport(ModelData.get_id('prm_addon', 'report_event'))
        msg, _ = get_email(report, self, [language])
        body = msg.get_body(('html',)).get_content()
        files = []
        if pdf_available():
            pdf_report = ActionReport(
                ModelData.get_id('prm_addon', 'report_event_pdf'))
            with Transaction().set_context(language=language.code):
                ext, content, _, title = Report.execute([self.id], {
                        'action_id': pdf_report.id,
                        'language': language,
                        })
            if ext == 'pdf':
                files.append((f'{slugify(title)}.pdf', bytes(content)))
        for name, data in files:
            msg.add_attachment(
                data, maintype='application', subtype='pdf',
                filename=('utf-8', '', name))
        set_from_header(msg, config.get('email', 'from'), user.email)
        msg['To'] = format_address(user.email, user.name)
        msg['Subject'] = (
            f'[{self.number}] {self.title}' if self.number else self.title)
        # Logged before it is sent: the log needs the same Message-ID
        msg['Message-ID'] = make_msgid(domain=host())
        return msg, body, files

    @classmethod
    def _send_report_messages(cls, messages):
        "Send the messages now, on one connection; UserError on failure"
        if not messages:
            return
        server = None
        event = messages[0][0]
        try:
            server = get_smtp_server(strict=True)
            for event, msg in messages:
                server = send_message(msg, server=server, strict=True)
            server.quit()
        except (OSError, smtplib.SMTPException) as exception:
            if server is not None:
                server.close()
            raise EventReportError(gettext(
                    'prm_addon.msg_event_report_send_failed',
                    event=event.rec_name,
                    server=cls._smtp_server_name(),
                    error=str(exception) or exception.__class__.__name__,
                    )) from exception

    @staticmethod
    def _smtp_server_name():
        "host:port of the mail server, without the credentials of the URI"
        uri = config.parse_uri(config.get('email', 'uri'))
        try:
            port = uri.port
        except ValueError:
            port = None
        return f'{uri.hostname}:{port}' if port else (uri.hostname or '')
