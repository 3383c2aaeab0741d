# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError


class EventError(UserError):
    pass


class EventValidationError(ValidationError):
    pass


class ContactGroupError(UserError):
    pass


class ContactGroupDeleteWarning(UserWarning):
    pass


class DoNotContactWarning(UserWarning):
    pass


class EventReportError(UserError):
    pass


class MailingError(UserError):
    pass
