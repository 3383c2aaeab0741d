# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A small JSON-RPC client for the trytond under test

The browser tests compare what the web client shows with what the server
answers for the same user, and prepare data (a user's language) as admin.
"""
import base64
import json
import urllib.error
import urllib.request


class RPCError(Exception):
    """An error answer: status is the HTTP status, error the JSON-RPC
    error (for Tryton's own errors [kind, args], e.g. ['UserError',
    [message, description, domain]])"""

    def __init__(self, message, status=200, error=None):
        super().__init__(message)
        self.status = status
        self.error = error


class RPC:

    def __init__(self, base_url, database, login, password):
        self.url = f'{base_url}/{database}/rpc/'
        self.login = login
        self._id = 0
        result = self._post('common.db.login', [
                login, {'password': password}, 'en'], auth=None)
        user_id, session = result[0], result[1]
        token = base64.b64encode(
            f'{login}:{user_id}:{session}'.encode()).decode()
        self.user_id = user_id
        self._auth = f'Session {token}'
        self.context = self._post('model.res.user.get_preferences', [
                True, {}])

    def _post(self, method, params, auth=True):
        self._id += 1
        data = json.dumps({
                'id': self._id, 'method': method, 'params': params,
                }).encode()
        request = urllib.request.Request(
            self.url, data=data,
            headers={'Content-Type': 'application/json'})
        if auth:
            request.add_header('Authorization', self._auth)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as e:
            raise RPCError(
                f'{method}: HTTP {e.code} {e.read()[:500]!r}', status=e.code)
        if answer.get('error'):
            raise RPCError(
                f'{method}: {answer["error"]}', error=answer['error'])
        return answer['result']

    def __call__(self, model, method, *args):
        "Call model.<model>.<method>(*args) with the user's context"
        return self._post(
            f'model.{model}.{method}', [*args, self.context])

    # Shortcuts -------------------------------------------------------------
    def search(self, model, domain, order=None):
        return self(model, 'search', domain, 0, None, order)

    def search_count(self, model, domain):
        return self(model, 'search_count', domain)

    def search_read(self, model, domain, fields, order=None):
        return self(model, 'search_read', domain, 0, None, order, fields)

    def read(self, model, ids, fields):
        return self(model, 'read', ids, fields)

    def write(self, model, ids, values):
        return self(model, 'write', ids, values)

    def id_of(self, model, domain):
        "The id of the one record matching domain"
        ids = self.search(model, domain)
        assert len(ids) == 1, f'{model} {domain}: {ids}'
        return ids[0]
