# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The strings a PRM sales person meets on the screens, and their Finnish

The set is computed from the database, not listed by hand: the menus the
sales person sees, their actions (names, list tabs), the views of those
actions and of the models their fields link to (field labels, selections,
view strings, buttons, model names). Each string is an ir.translation
source row; it has Finnish when the row of the language "fi" with the same
key has a value.
"""
import glob
import os
import re
from collections import defaultdict

from lxml import etree

import trytond
from trytond.modules import create_graph
from trytond.pool import Pool
from trytond.transaction import Transaction

# The modules of the screens a sales person uses; of the other modules
# (account, stock, ...) only the menus the sales person sees are checked.
MODULES = {
    'ir', 'res', 'party', 'company', 'party_relationship', 'sale',
    'purchase', 'account_invoice', 'product', 'dashboard', 'inbound_email',
    'marketing_email', 'marketing', 'web_user', 'web_shortener', 'prm_addon',
    }
# The groups of the demo sales person (scripts/demo.py)
SALES_GROUPS = [
    ('prm_addon', 'group_prm'),
    ('sale', 'group_sale'),
    ('purchase', 'group_purchase'),
    ('account', 'group_account'),
    ]
# Screens not reached through a menu: the user's preferences, and the
# attachments and notes of the toolbar
OTHER_MODELS = ['res.user', 'ir.attachment', 'ir.note']
VIEW_TYPES = ['tree', 'form', 'graph', 'calendar']
# Every record of the model
ALL = 'all records'


def load_translations(lang='fi'):
    """Load the PO files of the activated modules for lang, in the order
    trytond loads them (dependencies first, overrides after each module's
    own file), as an update with lang translatable does"""
    pool = Pool()
    Lang = pool.get('ir.lang')
    Module = pool.get('ir.module')
    Translation = pool.get('ir.translation')
    language, = Lang.search([('code', '=', lang)])
    language.translatable = True
    language.save()
    activated = {m.name for m in Module.search(
                [('state', '=', 'activated')])}
    for node in create_graph(activated):
        localedir = os.path.join(node.info['directory'], 'locale')
        files = (glob.glob(os.path.join(localedir, f'{lang}.po'))
            + glob.glob(os.path.join(localedir, 'override', f'{lang}.po')))
        if files:
            Translation.translation_import(lang, node.name, files)


def _view_strings(arch):
    """Every attribute value of the view arch, the xml ids of its links
    (buttons that open related records, with counters) and the fields
    shown as a drop-down list of records"""
    strings, links, drop_downs = set(), set(), set()
    for element in etree.fromstring(arch).iter():
        strings.update(v for v in element.attrib.values() if v)
        if element.text and element.text.strip():
            strings.add(element.text.strip())
        if element.tag == 'link':
            links.add(element.get('name'))
        elif element.get('widget') == 'selection':
            drop_downs.add(element.get('name'))
    return strings, links, drop_downs


def _add_window(keys, window):
    "The name of an act_window and of its tabs (with counters)"
    keys['model', 'ir.action,name'].add(window.action.id)
    keys['model', 'ir.action.act_window.domain,name'].update(
        d.id for d in window.act_window_domains)


def _menus_and_actions(user):
    "The menus the user sees, and the act_windows and wizards they open"
    pool = Pool()
    Menu = pool.get('ir.ui.menu')
    with Transaction().set_user(user.id), \
            Transaction().set_context(_check_access=True):
        menus = Menu.search([])
        menus = [m for m in menus]
    actions = [m.action for m in menus if m.action]
    return menus, actions


def messages():
    """The xml ids of the ir.message a sales person may meet: those that
    trytond's model layer raises (validation, access, import), not those
    of the administration (dict schemas), and all messages of the other
    modules of MODULES"""
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    root = os.path.dirname(trytond.__file__)
    sources = glob.glob(os.path.join(root, 'model', '**', '*.py'),
        recursive=True)
    sources += [os.path.join(root, 'ir', n) for n in ['model.py', 'rule.py']]
    patterns = []
    for path in sources:
        with open(path, encoding='utf-8') as f:
            for name in re.findall(r"'ir\.(msg_[^']*)'", f.read()):
                # 'ir.msg_%s_rule_error', f'ir.msg_{mode}_error'
                patterns.append(re.compile(re.sub(
                            r'%s|\\{\w+\\}', r'\\w+', re.escape(name))))
    ids = []
    for data in ModelData.search([
                ('model', '=', 'ir.message'),
                ('module', 'in', list(MODULES - {'prm_addon'})),
                ]):
        if data.module == 'ir' and (
                data.fs_id.startswith('msg_dict_schema')
                or not any(p.fullmatch(data.fs_id) for p in patterns)):
            continue
        ids.append(data.db_id)
    return ids


def reached(user):
    """Return {(type, name): set of res_id or src} of the strings the user
    meets, and the models of the screens"""
    pool = Pool()
    ActionKeyword = pool.get('ir.action.keyword')
    ActWindow = pool.get('ir.action.act_window')
    Button = pool.get('ir.model.button')
    ModelData = pool.get('ir.model.data')
    ModelAccess = pool.get('ir.model.access')
    keys = defaultdict(set)

    menus, actions = _menus_and_actions(user)
    keys['model', 'ir.ui.menu,name'].update(m.id for m in menus)
    keys['model', 'ir.message,text'].update(messages())
    views = defaultdict(set)
    for action in actions:
        keys['model', 'ir.action,name'].add(action.action.id)
        if action.__name__ != 'ir.action.act_window':
            continue
        _add_window(keys, action)
        for view in action.act_window_views:
            views[action.res_model].add((view.view.id, view.view.type))
        views[action.res_model].update(
            (None, t) for t in VIEW_TYPES[:2])
    for model in OTHER_MODELS:
        views[model].update((None, t) for t in VIEW_TYPES[:2])
    views['res.user'].add(('preferences', 'form'))

    seen = set()
    todo = list(views)
    # The screens of the menus, then one step through their fields: the
    # forms and lists opened from a link or a tab
    for depth in range(2):
        following = []
        for model in todo:
            if model in seen:
                continue
            seen.add(model)
            try:
                Model = pool.get(model)
            except KeyError:
                continue
            if not ModelAccess.check(model, 'read', raise_exception=False):
                continue
            keys['model', f'{model},string'].add(-1)
            for view_id, view_type in (views.get(model)
                    or {(None, t) for t in VIEW_TYPES[:2]}):
                with Transaction().set_user(user.id):
                    if view_id == 'preferences':
                        result = Model.get_preferences_fields_view()
                    else:
                        try:
                            result = Model.fields_view_get(
                                view_id=view_id, view_type=view_type)
                        except Exception:
                            continue
                strings, links, drop_downs = _view_strings(result['arch'])
                keys['view', model].update(strings)
                for link in links:
                    _add_window(keys, ActWindow(ModelData.get_id(
                                *link.split('.', 1))))
                for name, field in result['fields'].items():
                    if name in drop_downs and field.get('relation'):
                        # Every record is offered: their names
                        Target = pool.get(field['relation'])
                        keys['model', '%s,%s' % (
                                Target.__name__, Target._rec_name)].add(ALL)
                    keys['field', f'{model},{name}'].add(field['string'])
                    selection = field.get('selection')
                    if isinstance(selection, (list, tuple)):
                        keys['selection', f'{model},{name}'].update(
                            v for _, v in selection)
                    if field.get('relation'):
                        following.append(field['relation'])
            buttons = Button.search([('model', '=', model)])
            keys['model', 'ir.model.button,string'].update(
                b.id for b in buttons)
            keys['model', 'ir.model.button,confirm'].update(
                b.id for b in buttons if b.confirm)
            for keyword in ActionKeyword.search([
                        # No model: on every form (e.g. Email Archives)
                        ['OR',
                            ('model', 'in', [model, f'{model},-1']),
                            ('model', '=', None),
                            ],
                        ('keyword', 'in', [
                                'form_action', 'form_print', 'form_relate']),
                        ]):
                keys['model', 'ir.action,name'].add(keyword.action.id)
                for window in ActWindow.search([
                            ('action', '=', keyword.action.id)]):
                    _add_window(keys, window)
        todo = following
    return keys


def set_view_sources():
    """Store the sources of the view and report strings: they enter
    ir.translation only with "Set Translations" (ir.translation.set)"""
    TranslationSet = Pool().get('ir.translation.set', type='wizard')
    session_id, _, _ = TranslationSet.create()
    TranslationSet(session_id).transition_set_()


def translations(user, lang='fi'):
    """Return [(module, msgctxt, msgid, translation or '')] of the strings
    the user meets on the screens of the models of MODULES, and of the
    menus (set_view_sources must have run)"""
    pool = Pool()
    Translation = pool.get('ir.translation')
    ModelData = pool.get('ir.model.data')
    keys = reached(user)

    def ident(translation):
        return (translation.type, translation.name,
            translation.res_id if translation.type == 'model'
            else translation.src)

    # The screens of these models are checked whole, with the strings
    # other modules add to them (e.g. the accounting page of a party)
    own_models = {m.name for m in pool.get('ir.model').search([
                ('module', 'in', list(MODULES)),
                ])}
    sources, values = [], {}
    for translation in Translation.search([
                ('name', 'in', list({n for _, n in keys})),
                ('lang', 'in', ['en', lang]),
                ]):
        key = ident(translation)
        wanted = keys.get(key[:2], ())
        if key[2] not in wanted and ALL not in wanted:
            continue
        if translation.lang == lang:
            if translation.value:
                values[key] = translation.value
        elif (translation.module in MODULES
                or translation.name.split(',')[0] in own_models):
            sources.append(translation)
    fs_ids = {}
    for data in ModelData.search([
                ('module', 'in', list({t.module for t in sources
                            if t.res_id >= 0})),
                ]):
        fs_ids[data.module, data.model, data.db_id] = data.fs_id
        # The names of actions are stored on ir.action (as trytond exports)
        for model in Translation.extra_model_data(data):
            fs_ids[data.module, model, data.db_id] = data.fs_id
    result = set()
    for translation in sources:
        fs_id = ''
        if translation.res_id >= 0:
            fs_id = fs_ids.get((translation.module,
                    translation.name.split(',')[0], translation.res_id), '')
        result.add((translation.module,
                f'{translation.type}:{translation.name}:{fs_id}',
                translation.src, values.get(ident(translation), '')))
    return sorted(result)
