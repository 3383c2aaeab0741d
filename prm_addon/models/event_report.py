# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The event report (printable, HTML and PDF) and the Report button (B5)
that mails it to the user's own address through Tryton's task queue"""
import json
import logging
import smtplib
from email.utils import make_msgid

from trytond import config
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.company.company import CompanyReport
from trytond.pool import Pool
from trytond.report import get_email
from trytond.sendmail import get_smtp_server, send_message
from trytond.tools import slugify
from trytond.tools.email_ import format_address, set_from_header
from trytond.transaction import Transaction, without_check_access
from trytond.url import host
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..exceptions import EventReportError

logger = logging.getLogger(__name__)


def pdf_available():
    "Whether Tryton converts HTML reports to PDF (weasyprint imports)"
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        # OSError: weasyprint is installed but pango is missing
        return False
    return True


def smtp_server_name():
    "host:port of the mail server, without the credentials of the URI"
    uri = config.parse_uri(config.get('email', 'uri'))
    try:
        port = uri.port
    except ValueError:
        port = None
    return f'{uri.hostname}:{port}' if port else (uri.hostname or '')


def send_now(messages):
    """Send the messages on one connection to the mail server

    Return None when all are sent, else the reason (str) of the failure.
    Called outside any write of the database transaction: the mail server
    may take up to the time-out of [email] uri."""
    server = None
    try:
        server = get_smtp_server(strict=True)
        for msg in messages:
            server = send_message(msg, server=server, strict=True)
        server.quit()
    except (OSError, smtplib.SMTPException) as exception:
        if server is not None:
            server.close()
        return str(exception) or exception.__class__.__name__
    return None


def user_language(user):
    "The ir.lang of the user, else the database's default language"
    pool = Pool()
    Configuration = pool.get('ir.configuration')
    Lang = pool.get('ir.lang')
    if user.language:
        return user.language
    language, = Lang.search([
            ('code', '=', Configuration.get_language()),
            ], limit=1)
    return language


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
        # Printed from the form: the whole event; mailed by Report: the
        # internal notes only when the user asks for them
        context['internal_notes'] = Transaction().context.get(
            'prm_internal_notes', True)
        return context


class EventReportMixin:
    "The Report button of the event (B5): the report mailed to the user"
    __slots__ = ()

    def get_document_label(self, name):
        "The linked document by its kind and number, never by its id"
        if not self.document:
            return None
        # The kind's name of the Document field, e.g. "Project", not the
        # model's "Work Effort"
        kind = self.document.get_prm_kind_name()
        number = getattr(self.document, 'number', None)
        if number:
            return f'{kind} {number}'
        return gettext(
            'prm_addon.msg_event_report_document_no_number', kind=kind)

    @classmethod
    @ModelView.button_action('prm_addon.wizard_event_send_report')
    def send_report(cls, events):
        "B5: mail the report of the event to the user's own address"
        pass

    @classmethod
    def check_send_report(cls, events):
        "Raise when the Report button cannot mail the events"
        pool = Pool()
        User = pool.get('res.user')
        user = User(Transaction().user)
        if len(events) != 1:
            # One event, one mail, one notification per click
            raise EventReportError(gettext(
                    'prm_addon.msg_event_report_one', count=len(events)))
        if not user.email:
            raise EventReportError(gettext(
                    'prm_addon.msg_event_report_no_email',
                    user=user.rec_name,
                    event=events[0].rec_name))

    @classmethod
    def queue_report(cls, events, internal_notes=False):
        """Put the mail of the report in Tryton's task queue

        The request returns at once; trytond-worker (or, without [queue]
        worker, trytond after the commit) sends it and notifies the user."""
        cls.check_send_report(events)
        with Transaction().set_context(queue_name='prm_mail'):
            cls.__queue__.mail_report(events, internal_notes)

    @classmethod
    def mail_report(cls, events, internal_notes=False):
        """The queued task: send the report to the user who clicked

        The mail is built with reads only, the transaction is committed and
        only then is the mail server contacted: a silent server holds no
        lock. The ir.email log is written only once the mail is out; any
        outcome is told to the user by a notification."""
        pool = Pool()
        User = pool.get('res.user')
        user = User(Transaction().user)
        for event in events:
            language = user_language(user)
            with Transaction().set_context(
                    language=language.code,
                    prm_internal_notes=internal_notes):
                if not user.email:
                    event._notify_report(user, gettext(
                            'prm_addon.msg_event_report_no_email',
                            user=user.rec_name, event=event.rec_name))
                    continue
                msg, body, files = event._get_report_email(user, language)
                Transaction().commit()
                error = send_now([msg])
                if error is None:
                    event._log_report_email(msg, body, files)
                    event._notify_report(user)
                else:
                    logger.warning(
                        "report of %s not sent: %s", event.rec_name, error)
                    event._notify_report(user, gettext(
                            'prm_addon.msg_event_report_send_failed',
                            event=event.rec_name, server=smtp_server_name(),
                            error=error))

    def _log_report_email(self, msg, body, files):
        "Log the sent mail on the event, where the client lists its emails"
        pool = Pool()
        Email = pool.get('ir.email')
        Attachment = pool.get('ir.attachment')
        email = Email.from_message(msg, body=body, resource=self)
        email.save()
        Attachment.save([
                Attachment(resource=email, name=name, data=data)
                for name, data in files])

    def _notify_report(self, user, failure=None):
        "Tell the user, in their language, whether the report went out"
        pool = Pool()
        Notification = pool.get('res.notification')
        if failure is None:
            label = gettext('prm_addon.msg_event_report_sent_label')
            description = gettext(
                'prm_addon.msg_event_report_sent',
                event=self.rec_name, email=user.email)
            icon = 'tryton-email'
        else:
            label = gettext('prm_addon.msg_event_report_not_sent_label')
            description, icon = failure, 'tryton-error'
        notification = Notification(
            user=user, label=label, description=description, icon=icon,
            model=self.__name__, records=json.dumps([self.id]))
        with without_check_access():
            notification.save()

    def _get_report_email(self, user, language):
        """Return the message with the report of the event for the user,
        its HTML body and its attached files [(name, data)]"""
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        ModelData = pool.get('ir.model.data')
        Report = pool.get('prm.event', type='report')
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
        # The log needs the same Message-ID as the mail
        msg['Message-ID'] = make_msgid(domain=host())
        return msg, body, files


class SendReportStart(ModelView):
    __name__ = 'prm.event.send_report.start'
    __string__ = "Send Event Report"

    internal_notes = fields.Boolean(
        "With Internal Notes",
        help="Include the internal notes of the event in the mail. "
        "Leave it unchecked for a memo to forward to the partner.")

    @classmethod
    def default_internal_notes(cls):
        return False


class SendReport(Wizard):
    "Mail the report of an event to the user's own address"
    __name__ = 'prm.event.send_report'
    start = StateView(
        'prm.event.send_report.start',
        'prm_addon.event_send_report_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Send", 'send', 'tryton-email', default=True),
            ])
    send = StateTransition()

    def default_start(self, fields):
        self.model.check_send_report(self.records)
        return {}

    def transition_send(self):
        self.model.queue_report(
            self.records, internal_notes=self.start.internal_notes)
        return 'end'
