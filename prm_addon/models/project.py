# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Events of projects (project): the works of type project, not the tasks"
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .event_document import DocumentMixin


class Work(DocumentMixin, metaclass=PoolMeta):
    __name__ = 'project.work'
    _prm_document_action = 'project.act_project_form'
    _prm_kind_message = 'prm_addon.msg_document_kind_project'

    @classmethod
    def _prm_document_domain(cls):
        return [('type', '=', 'project')]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//page[@name="prm_events"]', 'states', {
                    'invisible': Eval('type') != 'project',
                    }),
            ]
