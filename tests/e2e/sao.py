# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""How the tests find their way in the DOM of sao 8.0, the web client

sao is a jQuery single-page application. What the helpers rely on:
- the open tabs are `#tabcontent > .tab-pane`, the shown one `.active`;
  each tab has its toolbar `nav.toolbar` with buttons of fixed ids
  (`#save`, `#next`, `#previous`, `#new_`, `#reload`, `#relate`) and a
  record counter `.badge` ("2/5");
- a form field is an input, select or textarea named after the field
  (`[name=party]`) inside a `.form-item`, its label a `label.form-label`;
  a model button is `button[name=<button>]` (close, open_document);
- a One2Many is a `.form-one2many` panel titled by
  `label.form-one2many-string`, with its own toolbar (buttons with titles
  New, Open, ...) and a list `table.tree`;
- list cells are `td[data-title="<column>: "]`;
- dialogs (a record's popup form, the search window) are `.modal.in`,
  the last one on top; their footer buttons have ids too (`#save` is
  Add/OK).
Everything is found by waiting, never by sleeping.
"""
import re
import time

from playwright.sync_api import expect


class Client:

    def __init__(self, page, url, database):
        self.page = page
        self.url = url
        self.database = database
        # Requests under way, for settle()
        self._pending = 0
        page.on('request', self._request_started)
        page.on('requestfinished', self._request_ended)
        page.on('requestfailed', self._request_ended)

    # --- Session ------------------------------------------------------------
    def login(self, login, password, login_tabs=0):
        "Log in and wait for the tabs of the user's login actions"
        page = self.page
        page.goto(f'{self.url}/#{self.database}')
        # The dialog learns the database name from the server: Enter
        # before that does nothing.
        expect(page.locator('.modal.in #database:visible')).to_have_value(
            self.database)
        page.locator('#login').fill(login)
        page.locator('#login').press('Enter')
        password_field = page.locator('.modal.in input[type=password]')
        password_field.fill(password)
        password_field.press('Enter')
        # The preferences are loaded when the user menu shows the name
        expect(page.locator('#user-preferences > a')).not_to_be_empty(
            timeout=30_000)
        expect(page.locator('#menu .treeview tbody tr').first).to_be_visible()
        # The user's login actions (My Open Follow-ups) open their tabs
        # now: a tab opened by the test before that would lose the focus
        expect(self.tab_titles).to_have_count(login_tabs, timeout=30_000)
        self.settle(quiet=0.5)

    def open(self, path):
        """Open a URL of the client, e.g. 'model/sale.sale/3'
        (window.location.hash; sao opens it in a new tab)"""
        self.page.evaluate(
            'h => { window.location.hash = h; }',
            f'#{self.database}/{path}')

    def _request_started(self, request):
        self._pending += 1

    def _request_ended(self, request):
        self._pending -= 1

    def settle(self, quiet=0.3, timeout=15):
        """Wait until no request to the server has been pending for `quiet`
        seconds: a new record's defaults and on_change answers redraw the
        form, and would wipe what was typed before they arrive."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            if self._pending > 0:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(f"{self._pending} requests still pending")

    # --- Where things are ---------------------------------------------------
    @property
    def tab(self):
        "The tab shown"
        return self.page.locator('#tabcontent > .tab-pane.active')

    @property
    def tab_titles(self):
        return self.page.locator('#tablist > li')

    @property
    def modals(self):
        "The dialogs open, the last on top"
        return self.page.locator('.modal.in .modal-dialog')

    @property
    def modal(self):
        "The dialog on top"
        return self.modals.last

    def toolbar(self, scope=None):
        return (scope or self.tab).locator('nav.toolbar')

    def tool(self, name, scope=None):
        "A button of the tab's toolbar: save, next, previous, new_, reload"
        return self.toolbar(scope).locator(f'button#{name}')

    def counter(self, scope=None):
        "The record counter of the tab: '2/5'"
        return self.toolbar(scope).locator('.navbar-text .badge').first

    def menu_item(self, text):
        return self.page.locator('#menu .treeview tbody tr').filter(
            has=self.page.get_by_text(text, exact=True))

    def open_menu(self, parent, item):
        """Open a menu entry, unfolding its parent when needed, and return
        its tab once shown with the rows read now"""
        entry = self.menu_item(item)
        if not entry.first.is_visible():
            self.menu_item(parent).click()
        # A tab still coming from before would count as the entry's
        self.settle()
        tabs = self.tab_titles.count()
        entry.first.click()
        # The tab comes once the server has answered: until then the tab
        # shown is the one before, maybe of the same name
        self.settle(quiet=0.5)
        expect(self.page.locator('#tablist > li.active')).to_contain_text(
            item)
        reload = self.tool('reload')
        if self.tab_titles.count() == tabs and reload.count():
            # The client showed the entry's open tab again (My Open
            # Follow-ups, opened at login), with the rows it read then
            reload.click()
            self.settle()
        return self.tab

    # --- Forms --------------------------------------------------------------
    @staticmethod
    def field(scope, name):
        "The input of a field of the form in scope"
        return scope.locator(
            f'.form-item [name="{name}"]:is(input, select, textarea)').first

    @staticmethod
    def labels(scope):
        "The texts of the field labels of the form in scope"
        return [t.strip() for t in
            scope.locator('label.form-label').all_inner_texts()]

    @staticmethod
    def selection(scope, name):
        "The option shown by a selection field"
        return scope.locator(
            f'.form-item select[name="{name}"] option:checked').first

    @staticmethod
    def completion(scope, name):
        "The records a Many2One field's completion proposes"
        return scope.locator(f'.form-item:has([name="{name}"])').locator(
            '.dropdown-completion > li.completion')

    @staticmethod
    def field_button(scope, name, title):
        "A button inside a field's widget (Open the record, Search a record)"
        return scope.locator(f'.form-item:has([name="{name}"])').locator(
            f'button[title="{title}"]').first

    @staticmethod
    def notebook_tab(scope, text):
        return scope.locator('.nav-tabs > li > a[role=tab]').filter(
            has_text=re.compile(r'^\s*%s\s*$' % re.escape(text)))

    @staticmethod
    def one2many(scope, string):
        return scope.locator('.form-one2many').filter(
            has=scope.page.locator(
                'label.form-one2many-string', has_text=string)).first

    def events_tab(self, path, party, count):
        """Open the form at path on its Events tab, once the form shows
        party and the tab its count rows"""
        self.open(path)
        tab = self.tab
        expect(self.field(tab, 'party')).to_have_value(party)
        self.notebook_tab(tab, 'Events').click()
        events = self.one2many(tab, 'Events')
        expect(self.rows(events)).to_have_count(count)
        return tab, events

    # --- Lists --------------------------------------------------------------
    @staticmethod
    def domain_tab(scope, name):
        "A tab of an action's list (Open, Closed, All); its count in .badge"
        return scope.locator('.tab-domain .nav-tabs > li > a').filter(
            has_text=re.compile(r'^\s*%s\b' % re.escape(name)))

    def domain_counts(self, scope=None):
        "{tab name: count} of the tabs of the list"
        tabs = (scope or self.tab).locator('.tab-domain .nav-tabs > li > a')
        expect(tabs.locator('.badge').first).to_have_text(re.compile(r'\d'))
        counts = {}
        for a in tabs.all():
            badge = a.locator('.badge')
            expect(badge).to_have_text(re.compile(r'^\d+$'))
            name = a.inner_text().strip().rsplit(None, 1)[0].strip()
            counts[name] = int(badge.inner_text())
        return counts

    @staticmethod
    def rows(scope):
        "The data rows of the first list in scope"
        return scope.locator('table.tree').first.locator(
            'tbody > tr:has(td.selection-state)')

    @staticmethod
    def column(scope, column):
        "The texts of a column of the first list in scope, top to bottom"
        cells = Client.rows(scope).locator(f'td[data-title="{column}: "]')
        return [t.strip() for t in cells.all_inner_texts()]

    @staticmethod
    def row(scope, column, text):
        return Client.rows(scope).filter(has=scope.page.locator(
                f'td[data-title="{column}: "]', has_text=text))

    @staticmethod
    def select_row(scope, column, text):
        "Tick the selection box of the row whose column shows exactly text"
        row = Client.rows(scope).filter(has=scope.page.locator(
                f'td[data-title="{column}: "]',
                has_text=re.compile(r'^\s*%s\s*$' % re.escape(text))))
        expect(row).to_have_count(1)
        box = row.locator('td.selection-state input[type=checkbox]')
        box.check()
        expect(box).to_be_checked()

    @staticmethod
    def link_targets(scope, column):
        "The addresses the links of a column open, top to bottom"
        links = Client.rows(scope).locator(
            f'td[data-title="{column}: "] a[href]')
        return [links.nth(i).get_attribute('href')
            for i in range(links.count())]

    # --- Lists with a filter form (context model) ---------------------------
    @staticmethod
    def main_list(scope):
        """The list of the tab, not the lists (Many2Many) of its filter
        form, which live inside the filter box"""
        return scope.locator('.content-box:not(.filter-box .content-box)')

    @staticmethod
    def search_button(scope):
        "The Search button of the list's filter box"
        return scope.locator(
            '.filter-box button[type=submit][title=Search]').last

    def add_to_many2many(self, scope, name, text):
        "Add the record named text to a Many2Many through its completion"
        entry = scope.locator(f'.form-item input[name="{name}"]')
        entry.fill(text)
        self.completion(scope, name).filter(
            has_text=re.compile(r'^\s*%s\s*$' % re.escape(text))).click()
        widget = scope.locator(f'.form-item:has(input[name="{name}"])')
        expect(self.row(widget, 'Name', text)).to_have_count(1)
        self.settle()

    def fill_many2one(self, scope, name, text):
        "Choose the record named text in a Many2One through its completion"
        field = self.field(scope, name)
        field.fill(text)
        self.completion(scope, name).filter(
            has_text=re.compile(r'^\s*%s\s*$' % re.escape(text))).click()
        expect(field).to_have_value(text)
        self.settle()

    # --- Actions and dialogs ------------------------------------------------
    def launch_action(self, scope, name):
        "Run an action (wizard) of the toolbar's Launch action menu"
        self.tool('action', scope).click()
        self.toolbar(scope).locator('ul.dropdown-menu li a').filter(
            has_text=re.compile(r'^\s*%s\s*$' % re.escape(name))).click()
        expect(self.modal).to_be_visible()
        self.settle()

    @staticmethod
    def dialog_button(dialog, text):
        return dialog.locator('.modal-footer button').filter(
            has_text=re.compile(r'^\s*%s\s*$' % re.escape(text)))
