# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The timed paths: what the web client calls, and the SQL of the answer

Each path has an `orm` function, called as the PRM user with the record
rules and access checks (the calls, fields and page sizes of the web
client: `search` with the action's limit, `read` of the list view's
fields, `search_count` when the page is full; wizards through
Wizard.execute), and a `sql` function giving the same answer with
hand-written SQL. Paths that write run in a transaction rolled back.
"""
from trytond.pool import Pool
from trytond.transaction import Transaction

CLIENT_LIMIT = 1000  # what the web client loads when an action has none
DISPLAY_SIZE = 20  # the rows of a One2Many the web client reads at once


def xml_id(name):
    module, fs_id = name.split('.')
    return Pool().get('ir.model.data').get_id(module, fs_id)


def view_fields(Model, view):
    "The fields the web client reads for the rows of a list view"
    fields = Model.fields_view_get(xml_id(view), 'tree')['fields']
    names = []
    for name, description in fields.items():
        names.append(name)
        if description['type'] in {'many2one', 'one2one', 'reference'}:
            names.append(name + '.rec_name')
    return names + ['rec_name', '_timestamp', '_write', '_delete']


def action_limit(action):
    ActWindow = Pool().get('ir.action.act_window')
    window, = ActWindow.search([('action', '=', xml_id(action))])
    return window.limit or CLIENT_LIMIT


def list_page(Model, domain, limit, view, order=None):
    "A list screen: a page of ids, their rows, the count if the page is full"
    records = Model.search(domain, 0, limit, order)
    rows = Model.read([r.id for r in records], view_fields(Model, view))
    if len(records) == limit:
        Model.search_count(domain, 0, limit * 100)
    return len(rows)


def rows(query):
    cursor = Transaction().connection.cursor()
    cursor.execute(query)
    return cursor.fetchall()


def ilike(data):
    "SQLite's LIKE ignores the case of ASCII letters"
    return 'ILIKE' if data['backend'] == 'postgresql' else 'LIKE'


def visible(alias, data):
    "The events' record rules in SQL: companies and visible group"
    groups = ', '.join(map(str, data['groups_user'])) or 'NULL'
    return (f"{alias}.company = {data['company']} AND "
        f"({alias}.visible_group IS NULL "
        f"OR {alias}.visible_group IN ({groups}))")


EVENT_COLUMNS = ("e.id, e.number, e.follow_up_date, e.date, e.title, "
    "e.state, e.document, p.name, c.name, t.name, u.name")
EVENT_JOINS = ("LEFT JOIN party_party p ON p.id = e.party "
    "LEFT JOIN party_party c ON c.id = e.contact "
    "LEFT JOIN prm_event_type t ON t.id = e.type "
    "LEFT JOIN res_user u ON u.id = e.responsible ")


class PartyCard:
    name = "party card: Events tab (2,000 events)"
    kind = 'read'

    def orm(self, data):
        Party = Pool().get('party.party')
        Event = Pool().get('prm.event')
        fields = ['rec_name', 'prm_events'] + [
            'prm_events.' + f for f in view_fields(
                Event, 'prm_addon.event_view_list')
            if not f.startswith('_')]
        with Transaction().set_context(related_read_limit=DISPLAY_SIZE):
            party, = Party.read([data['busy_party']], fields)
        return len(party['prm_events'])

    def sql(self, data):
        ids = rows(f"SELECT e.id FROM prm_event e "
            f"WHERE e.party = {data['busy_party']} AND {visible('e', data)} "
            "ORDER BY e.follow_up_date NULLS LAST, e.date DESC, e.id DESC")
        first = ', '.join(str(i) for i, in ids[:DISPLAY_SIZE]) or 'NULL'
        rows(f"SELECT {EVENT_COLUMNS} FROM prm_event e {EVENT_JOINS}"
            f"WHERE e.id IN ({first})")
        return len(ids)


class FollowUps:
    name = "My Open Follow-ups, first page"
    kind = 'read'
    action = 'prm_addon.act_event_follow_up'

    def domain(self, data):
        return [('responsible', '=', data['user']), ('state', '=', 'open'),
            ('follow_up_date', '!=', None)]

    def orm(self, data):
        return list_page(Pool().get('prm.event'), self.domain(data),
            data['limits'][self.action], 'prm_addon.event_view_list',
            order=[('follow_up_date', 'ASC'), ('id', 'ASC')])

    def sql(self, data):
        where = (f"e.responsible = {data['user']} AND e.state = 'open' "
            f"AND e.follow_up_date IS NOT NULL AND {visible('e', data)}")
        return page_sql(where, "e.follow_up_date, e.id",
            data['limits'][self.action])


def page_sql(where, order, limit):
    found = rows(f"SELECT {EVENT_COLUMNS} FROM prm_event e {EVENT_JOINS}"
        f"WHERE {where} ORDER BY {order} LIMIT {limit}")
    if len(found) == limit:
        rows(f"SELECT COUNT(*) FROM (SELECT 1 FROM prm_event e "
            f"WHERE {where} LIMIT {limit * 100}) AS c")
    return len(found)


class EventsOpen(FollowUps):
    name = "Events list, Open tab, first page + count"
    action = 'prm_addon.act_event_form'

    def domain(self, data):
        return [('state', '=', 'open')]

    def orm(self, data):
        return list_page(Pool().get('prm.event'), self.domain(data),
            data['limits'][self.action], 'prm_addon.event_view_list')

    def sql(self, data):
        return page_sql(f"e.state = 'open' AND {visible('e', data)}",
            "e.follow_up_date NULLS LAST, e.date DESC, e.id DESC",
            data['limits'][self.action])


class ManagementGroups:
    name = "management: all of 2 groups, exclude 1"
    kind = 'read'
    action = 'prm_addon.act_contact_group_management'

    def context(self, data):
        g = data['groups']
        return {'include_groups': [g[0], g[13]], 'include_mode': 'all',
            'exclude_groups': [g[26]], 'search_text': None}

    def orm(self, data):
        Management = Pool().get('prm.contact_group.management')
        with Transaction().set_context(self.context(data)):
            return list_page(Management, [], data['limits'][self.action],
                'prm_addon.contact_group_management_view_list')

    def where(self, data):
        g = data['groups']
        return (f"{common_where(data)} "
            f"AND EXISTS (SELECT 1 FROM {MEMBER} m WHERE m.party = p.id "
            f"AND m.\"group\" = {g[0]}) "
            f"AND EXISTS (SELECT 1 FROM {MEMBER} m WHERE m.party = p.id "
            f"AND m.\"group\" = {g[13]}) "
            f"AND NOT EXISTS (SELECT 1 FROM {MEMBER} m WHERE m.party = p.id "
            f"AND m.\"group\" = {g[26]}) "
            f"AND NOT EXISTS (SELECT 1 FROM {MEMBER} m WHERE m.party = p.id "
            f"AND m.\"group\" = {data['do_not_contact']})")

    def sql(self, data):
        limit = data['limits'][self.action]
        where = self.where(data)
        found = rows(f"SELECT p.id FROM party_party p WHERE {where} "
            f"ORDER BY p.name, p.id LIMIT {limit}")
        management_rows_sql([i for i, in found])
        if len(found) == limit:
            rows(f"SELECT COUNT(*) FROM (SELECT 1 FROM party_party p "
                f"WHERE {where} LIMIT {limit * 100}) AS c")
        return len(found)


MEMBER = '"prm_contact_group-party_party"'


def common_where(data):
    return "p.active AND p.id NOT IN (SELECT party FROM company_company)"


def management_rows_sql(ids):
    "Phone, email, company and groups of the rows, as the list shows them"
    ids = ', '.join(map(str, ids)) or 'NULL'
    rows(f"SELECT party, type, value, value_compact "
        f"FROM party_contact_mechanism WHERE party IN ({ids}) "
        "AND type IN ('phone', 'mobile', 'email') ORDER BY party, sequence")
    rows(f"SELECT r.from_, r.\"to\", c.name FROM party_relation r "
        f"JOIN party_party c ON c.id = r.\"to\" WHERE r.from_ IN ({ids})")
    rows(f"SELECT m.party, g.name FROM {MEMBER} m JOIN prm_contact_group g "
        f"ON g.id = m.\"group\" WHERE m.party IN ({ids}) ORDER BY g.name")


class ManagementPhone(ManagementGroups):
    name = "management: phone fragment"
    text = '123 45'

    def context(self, data):
        return {'include_groups': [], 'include_mode': 'all',
            'exclude_groups': [], 'search_text': self.text}

    def where(self, data):
        pattern = '%' + self.text + '%'
        compact = '%' + self.text.replace(' ', '') + '%'
        return (f"{common_where(data)} "
            f"AND NOT EXISTS (SELECT 1 FROM {MEMBER} m WHERE m.party = p.id "
            f"AND m.\"group\" = {data['do_not_contact']}) "
            f"AND p.id IN (SELECT n.id FROM party_party n "
            f"WHERE n.name {ilike(data)} '{pattern}' UNION SELECT c.party "
            "FROM party_contact_mechanism c WHERE c.active "
            "AND c.type IN ('phone', 'mobile', 'email') AND "
            f"(c.value {ilike(data)} '{pattern}' "
            f"OR REPLACE(c.value, ' ', '') {ilike(data)} '{compact}'))")


class PartiesByTitle:
    name = "parties found through their events' title"
    kind = 'read'
    action = 'party.act_party_form'
    text = 'offer 12345'

    def orm(self, data):
        Party = Pool().get('party.party')
        return list_page(Party, [
                ('prm_events.title', 'ilike', f'%{self.text}%')],
            data['limits'][self.action], 'party.party_view_tree')

    def sql(self, data):
        limit = data['limits'][self.action]
        found = rows("SELECT p.id, p.code, p.name FROM party_party p "
            "WHERE p.active AND p.id IN (SELECT e.party FROM prm_event e "
            f"WHERE e.title {ilike(data)} '%{self.text}%' "
            f"AND {visible('e', data)}) "
            f"ORDER BY p.name, p.id LIMIT {limit}")
        return len(found)


class MoveMembers:
    name = "move the members of a group to another"
    kind = 'write'

    def orm(self, data):
        from_, to = data['groups'][0], data['groups'][1]
        parties = data['members'][from_]
        with Transaction().set_context(
                active_model='prm.contact_group.management',
                active_ids=parties, active_id=parties[0],
                include_groups=[from_]):
            run_wizard('prm.contact_group.move_member',
                {'from_group': from_, 'to_group': to}, 'move')
        return len(parties)

    def sql(self, data):
        from_, to = data['groups'][0], data['groups'][1]
        parties = data['members'][from_]
        ids = ', '.join(map(str, parties))
        rows(f"DELETE FROM {MEMBER} WHERE \"group\" = {from_} "
            f"AND party IN ({ids}) RETURNING party")
        rows(f"INSERT INTO {MEMBER} (\"group\", party, create_uid, "
            f"create_date) SELECT {to}, p.id, {data['user']}, "
            f"CURRENT_TIMESTAMP FROM party_party p WHERE p.id IN ({ids}) "
            f"AND NOT EXISTS (SELECT 1 FROM {MEMBER} m "
            f"WHERE m.\"group\" = {to} AND m.party = p.id) RETURNING id")
        rows("INSERT INTO prm_contact_group_history (date, \"user\", party, "
            "action, \"group\", group_name, from_group, from_group_name, "
            f"create_uid, create_date) SELECT CURRENT_TIMESTAMP, "
            f"{data['user']}, p.id, 'move', {to}, t.name, {from_}, f.name, "
            f"0, CURRENT_TIMESTAMP FROM party_party p, prm_contact_group t, "
            f"prm_contact_group f WHERE p.id IN ({ids}) AND t.id = {to} "
            f"AND f.id = {from_} RETURNING id")
        return len(parties)


def run_wizard(name, start, button):
    Wizard = Pool().get(name, type='wizard')
    session_id, _, _ = Wizard.create()
    return Wizard.execute(session_id, {'start': start}, button)


class CreateEvents:
    name = "create 1,000 events with contact persons, one call"
    kind = 'write'
    n = 1000

    def values(self, data):
        companies = data['companies'][:self.n]
        return [{'party': c, 'contact': c + 1, 'title': f"Call {i}",
                'type': data['phone_call'], 'company': data['company']}
            for i, c in enumerate(companies)]

    def orm(self, data):
        Event = Pool().get('prm.event')
        return len(Event.create(self.values(data)))

    def sql(self, data):
        values = ', '.join(
            f"({v['party']}, {v['contact']}, '{v['title']}')"
            for v in self.values(data))
        # VALUES names its columns column1, column2… on both backends
        found = rows("INSERT INTO prm_event (number, title, state, date, "
            "company, party, contact, type, responsible, "
            "do_not_contact_confirmed, create_uid, create_date) "
            "SELECT 'X-' || CAST(v.column1 AS VARCHAR), v.column3, 'open', "
            f"CURRENT_DATE, {data['company']}, v.column1, v.column2, "
            f"{data['phone_call']}, {data['user']}, FALSE, {data['user']}, "
            f"CURRENT_TIMESTAMP FROM (VALUES {values}) AS v "
            "WHERE EXISTS (SELECT 1 FROM party_relation r "
            "WHERE r.from_ = v.column2 AND r.\"to\" = v.column1) "
            "RETURNING id")
        return len(found)


class SendMailing:
    name = "send a mailing to the members of a group"
    kind = 'write'
    # Its SQL fills a list of its own: after the ORM it gives the same count
    sql_after_orm = True
    modules = ['marketing_email']

    def start(self, data):
        # The empty fields are sent by the web client too
        return {'segment': None, 'list_': None, 'list_name': "Bench news",
            'language': data['lang_en'], 'title': "News of the bench",
            'content': '<html><body><p>Hello</p></body></html>'}

    def orm(self, data):
        pool = Pool()
        Message = pool.get('marketing.email.message')
        Email = pool.get('marketing.email')
        parties = data['members'][data['groups'][0]]
        with Transaction().set_context(
                active_model='prm.contact_group.management',
                active_ids=parties, active_id=parties[0]):
            result = run_wizard(
                'prm.contact_group.mailing', self.start(data), 'create_')
        (action, _), = result['actions']
        message, = Message.browse(action['res_id'])
        return Email.search_count([('list_', '=', message.list_.id)])

    def sql(self, data):
        start = self.start(data)
        ids = ', '.join(map(str, data['members'][data['groups'][0]]))
        token = ("md5(CAST(random() AS VARCHAR)) "
            "|| md5(CAST(random() AS VARCHAR))"
            if data['backend'] == 'postgresql'
            else "lower(hex(randomblob(32)))")  # 64 hex digits as Tryton's
        (list_,), = rows("INSERT INTO marketing_email_list (name, language, "
            f"active, create_uid, create_date) VALUES "
            f"('{start['list_name']}', {start['language']}, TRUE, "
            f"{data['user']}, CURRENT_TIMESTAMP) RETURNING id")
        # The first address of each party by sequence, as the screen shows
        # it; the bench's parties share no address (the list's unique key)
        found = rows("INSERT INTO marketing_email (email, list_, "
            "email_token, prm_party, active, create_uid, create_date) "
            f"SELECT LOWER(c.value), {list_}, {token}, c.party, TRUE, "
            f"{data['user']}, CURRENT_TIMESTAMP FROM (SELECT party, value, "
            "ROW_NUMBER() OVER (PARTITION BY party ORDER BY sequence, id) "
            "AS n FROM party_contact_mechanism WHERE type = 'email' "
            f"AND active AND value <> '' AND party IN ({ids})) AS c "
            f"WHERE c.n = 1 AND NOT EXISTS (SELECT 1 FROM {MEMBER} m "
            "WHERE m.party = c.party AND m.\"group\" IN (SELECT id "
            "FROM prm_contact_group WHERE do_not_contact)) RETURNING id")
        rows("INSERT INTO marketing_email_message (list_, title, content, "
            f"state, create_uid, create_date) VALUES ({list_}, "
            f"'{start['title']}', '{start['content']}', 'draft', "
            f"{data['user']}, CURRENT_TIMESTAMP) RETURNING id")
        return len(found)


PATHS = [PartyCard(), FollowUps(), EventsOpen(), ManagementGroups(),
    ManagementPhone(), PartiesByTitle(), MoveMembers(), CreateEvents(),
    SendMailing()]


def bench_data():
    "The ids the paths use, read as root from the built database"
    pool = Pool()
    User = pool.get('res.user')
    Company = pool.get('company.company')
    Group = pool.get('prm.contact_group')
    Party = pool.get('party.party')
    Lang = pool.get('ir.lang')
    user, = User.search([('login', '=', 'bench')])
    groups = [g.id for g in Group.search(
            [('name', 'like', 'Group %')], order=[('name', 'ASC')])]
    members = rows(f"SELECT party FROM {MEMBER} WHERE \"group\" = "
        f"{groups[0]} ORDER BY party")
    busy = rows("SELECT party, COUNT(*) FROM prm_event GROUP BY party "
        "ORDER BY COUNT(*) DESC LIMIT 1")[0][0]
    companies = rows(f"SELECT id FROM party_party WHERE name LIKE "
        f"'Company %' AND id <> {busy} ORDER BY id LIMIT 1000")
    return {
        'user': user.id,
        'company': Company.search([])[0].id,
        'groups_user': [g.id for g in user.groups],
        'groups': groups,
        'members': {groups[0]: [p for p, in members]},
        'busy_party': busy,
        'companies': [c for c, in companies],
        'do_not_contact': xml_id('prm_addon.contact_group_do_not_contact'),
        'phone_call': xml_id('prm_addon.event_type_phone_call'),
        'lang_en': Lang.search([('code', '=', 'en')])[0].id,
        'n_parties': Party.search_count([]),
        # The web client reads the action once, when it opens the screen
        'limits': {p.action: action_limit(p.action)
            for p in PATHS if hasattr(p, 'action')},
        }
