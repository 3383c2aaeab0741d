# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Calling the server as an attacker, and judging its answers"""
import re
from dataclasses import dataclass

from ..e2e.rpc import RPCError

# The kinds of error a user may see: Tryton's own errors, with a message
CLEAN_KINDS = {'UserError', 'UserWarning'}


@dataclass(frozen=True)
class Answer:
    "What the server answered: a result, a Tryton error, or anything else"
    kind: str          # 'result', 'UserError', 'UserWarning', 'raw', 'http'
    value: object      # the result, the message, the raw error or status

    @property
    def clean(self):
        "A result or an error meant for the user (not a trace, not 5xx)"
        return self.kind == 'result' or self.kind in CLEAN_KINDS

    def normalized(self, *values):
        """The answer with the given values (ids, numbers) blanked out, to
        compare the answers about two different records"""
        text = repr(self.value)
        for value in values:
            text = re.sub(r'(?<![\w-])%s(?![\w-])' % re.escape(str(value)),
                '<value>', text)
        return self.kind, text


class Client:
    "A logged-in user whose calls return an Answer instead of raising"

    def __init__(self, rpc):
        self.rpc = rpc
        self.login = rpc.login

    def call(self, model, method, *args):
        try:
            return Answer('result', self.rpc(model, method, *args))
        except RPCError as e:
            return _answer_of_error(e)

    def call_path(self, path, *args):
        "Call any method, e.g. report.prm.event.execute"
        try:
            return Answer('result', self.rpc._post(
                    path, [*args, self.rpc.context]))
        except RPCError as e:
            return _answer_of_error(e)

    def search(self, model, domain, order=None):
        return self.call(model, 'search', domain, 0, None, order)

    def ok(self, model, method, *args):
        "The result of a call that must succeed"
        answer = self.call(model, method, *args)
        assert answer.kind == 'result', (
            f'{self.login}: {model}.{method}{args!r}: {answer}')
        return answer.value


def _answer_of_error(error):
    if error.status != 200:
        return Answer('http', error.status)
    data = error.error
    if (isinstance(data, list) and len(data) == 2
            and data[0] in CLEAN_KINDS and isinstance(data[1], list)):
        if data[0] == 'UserError':
            message = data[1][0]
        else:
            message = data[1][1]
        if isinstance(message, str) and message:
            return Answer(data[0], message)
    return Answer('raw', data)
