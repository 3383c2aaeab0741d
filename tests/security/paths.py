# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The paths to events, generated from the models the server has

A path is a field of a stored model that leads to prm.event: a Many2One,
One2Many or Many2Many whose relation is prm.event, or a Reference whose
selection offers prm.event (the resource of attachments and notes, the
document of …). For each path the attacks are search domains written
with the values of an event (its id, title, notes, number): the answers
about a hidden event must be those about an event that does not exist.
"""
from dataclasses import dataclass

EVENT = 'prm.event'


@dataclass(frozen=True)
class Path:
    model: str
    field: str
    kind: str   # many2one, one2many, many2many, reference

    def __str__(self):
        return f'{self.model}.{self.field}'

    def ref(self, event_id):
        "How the field designates the event in a domain"
        if self.kind == 'reference':
            return f'{EVENT},{event_id}'
        return event_id

    def dotted(self, name, operator, value):
        clause = (f'{self.field}.{name}', operator, value)
        if self.kind == 'reference':
            clause += (EVENT,)
        return clause

    def domains(self, event):
        """The attacks with the values of event (a dict with id, title,
        prefix, notes, number): name -> domain"""
        f, ref = self.field, self.ref(event['id'])
        where = [('title', '=', event['title'])]
        domains = {
            'dotted =': [self.dotted('title', '=', event['title'])],
            'dotted ilike prefix': [
                self.dotted('title', 'ilike', event['prefix'] + '%')],
            'dotted notes ilike': [
                self.dotted('notes', 'ilike', '%' + event['notes'] + '%')],
            'dotted number': [self.dotted('number', '=', event['number'])],
            'dotted rec_name': [
                self.dotted('rec_name', 'ilike', event['prefix'] + '%')],
            'dotted id': [self.dotted('id', '=', event['id'])],
            'in': [(f, 'in', [ref])],
            'not in': [(f, 'not in', [ref])],
            '!=': [(f, '!=', ref)],
            }
        if self.kind == 'reference':
            domains.update({
                    '=': [(f, '=', ref)],
                    'like': [(f, 'like', ref + '%')],
                    })
        else:
            domains.update({
                    'where': [(f, 'where', where)],
                    'not where': [(f, 'not where', where)],
                    'where notes': [(f, 'where', [
                                ('notes', 'ilike', event['prefix'] + '%')])],
                    'child_of': [(f, 'child_of', [event['id']])],
                    'not parent_of': [(f, 'not parent_of', event['id'])],
                    'or': ['OR', (f, 'in', [event['id']]),
                        (f, 'where', where)],
                    })
        if self.kind == 'many2one':
            domains['='] = [(f, '=', event['id'])]

        return domains

    def orders(self):
        "Orders that sort by the content of the events"
        if self.kind == 'many2one':
            return [[(f'{self.field}.title', 'ASC')],
                [(f'{self.field}.notes', 'DESC')],
                [(self.field, 'ASC')]]
        return []


def generate(admin):
    """The paths to events of the server, asked as admin (Client)"""
    paths = set()
    for field in admin.ok('ir.model.field', 'search_read', [
                ('relation', '=', EVENT),
                ('ttype', 'in', ['many2one', 'one2many', 'many2many']),
                ], 0, None, None, ['model', 'name', 'ttype']):
        paths.add(Path(field['model'], field['name'], field['ttype']))
    references = admin.ok('ir.model.field', 'search_read', [
            ('ttype', '=', 'reference'),
            ], 0, None, None, ['model', 'name'])
    by_model = {}
    for field in references:
        by_model.setdefault(field['model'], []).append(field['name'])
    for model, names in sorted(by_model.items()):
        answer = admin.call(model, 'fields_get', names)
        if answer.kind != 'result':
            continue
        for name, definition in answer.value.items():
            selection = definition.get('selection')
            if isinstance(selection, str):
                # Given by a method of the model, as the client asks it
                answer = admin.call(model, selection)
                selection = answer.value if answer.kind == 'result' else None
            if isinstance(selection, list) and EVENT in {
                    s[0] for s in selection if s}:
                paths.add(Path(model, name, 'reference'))
    # Only what a client can search: stored models
    return sorted(
        (p for p in paths
            if admin.call(p.model, 'search_count', []).kind == 'result'),
        key=str)
