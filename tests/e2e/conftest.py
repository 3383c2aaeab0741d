# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""End-to-end tests: the web client (sao) in a real headless Chromium

    .venv/bin/python -m pytest tests/e2e

A session fixture builds the demo database with scripts/start.sh (cached
in var/test-cache/e2e/, keyed by a hash of what the database is made of),
copies it into a temporary folder and serves it with trytond on a free
port of 127.0.0.1. Each test logs in with its own browser context.
The server sends its mail to an aiosmtpd server on another free port,
whose received mails the `mailbox` fixture holds.

Environment:
  PRM_CHROMIUM=/path       browser binary (default /usr/bin/chromium)
  PRM_E2E_ALLOW_SKIP=1     skip, rather than fail, when there is no browser
  PRM_SCREENSHOTS=1        write the README screenshots to docs/screenshots
  PRM_E2E_SLOWMO=<ms>      slow the browser down, to watch a failure
  PRM_E2E_DB_DIR=<folder>  serve a copy of the prm_demo.sqlite in that
                           folder instead of the cached build (to debug
                           the tests while prm_addon is being changed)

A failing test leaves a screenshot of each of its pages, their console
log and the server log of the test in test-artifacts/.
"""
import datetime
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from ..trytond_server import Server, clean_env
from .rpc import RPC
from .sao import Client

ROOT = Path(__file__).resolve().parents[2]
DATABASE = 'prm_demo'
CACHE_DIR = ROOT / 'var' / 'test-cache' / 'e2e'
ARTIFACTS = ROOT / 'test-artifacts'
SCREENSHOTS = ROOT / 'docs' / 'screenshots'
SAO_ROOT = ROOT / '.sao' / 'package'
CHROMIUM = os.environ.get('PRM_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    ]
USERS = {
    'prm': 'prm-demo-2026',
    'prmadmin': 'prm-admin-2026',
    'admin': 'admin',
    }
# What the cached demo database is made of
CACHE_SOURCES = [
    'prm_addon',
    'scripts/demo.py',
    'scripts/start.sh',
    'scripts/common.sh',
    'constraints.txt',
    # start.sh installs them into the web client it serves
    'sao',
    ]


def _require_browser():
    "Fail (skip with PRM_E2E_ALLOW_SKIP=1) when there is no browser to drive"
    if os.access(CHROMIUM, os.X_OK):
        return
    problem = (f"no Chromium at {CHROMIUM} "
        "(apt-get install chromium, or set PRM_CHROMIUM)")
    if os.environ.get('PRM_E2E_ALLOW_SKIP') == '1':
        pytest.skip(problem)
    pytest.fail(problem, pytrace=False)


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------
RUN_DAY = datetime.date.today()


def _sources_hash():
    h = hashlib.sha256()
    # The demo's dates count from the day it was built (overdue, due
    # today, due later): a database built another day says otherwise. The
    # day the run started, so that a run past midnight keeps one database.
    h.update(RUN_DAY.isoformat().encode() + b'\0')
    for name in CACHE_SOURCES:
        path = ROOT / name
        files = sorted(
            p for p in (path.rglob('*') if path.is_dir() else [path])
            if p.is_file() and '__pycache__' not in p.parts
            and p.suffix not in {'.pyc', '.pyo'})
        for p in files:
            h.update(str(p.relative_to(ROOT)).encode() + b'\0')
            h.update(p.read_bytes() + b'\0')
    return h.hexdigest()[:16]


def _db_files(folder):
    return [p for p in (folder / f'{DATABASE}.sqlite{s}'
            for s in ('', '-wal', '-shm')) if p.exists()]


def _build_demo_database():
    """Return the folder of the cached demo database, building it first
    when the sources changed (scripts/start.sh --no-serve, about 2 min)"""
    if os.environ.get('PRM_E2E_DB_DIR'):
        return Path(os.environ['PRM_E2E_DB_DIR'])
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    key = _sources_hash()
    target = CACHE_DIR / key
    with open(CACHE_DIR / '.lock', 'w') as lock:
        # Another run building the same database: wait for it
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / f'{DATABASE}.sqlite').exists():
            return target
        for old in CACHE_DIR.glob('building-*'):
            # Left by an interrupted run (we hold the lock)
            shutil.rmtree(old, ignore_errors=True)
        build = CACHE_DIR / f'building-{os.getpid()}'
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir()
        log = build / 'start.log'
        started = time.monotonic()
        sys.stderr.write(
            f'\n[e2e] building the demo database into {target} '
            '(scripts/start.sh --no-serve, a few minutes)\n')
        with open(log, 'w') as out:
            result = subprocess.run(
                [str(ROOT / 'scripts' / 'start.sh'), '--no-serve'],
                cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT,
                env={**clean_env(), 'PRM_VAR': str(build)})
        if result.returncode:
            ARTIFACTS.mkdir(exist_ok=True)
            kept = ARTIFACTS / 'e2e-start.log'
            shutil.copy(log, kept)
            shutil.rmtree(build, ignore_errors=True)
            tail = kept.read_text(errors='replace')[-3000:]
            pytest.exit(
                f'scripts/start.sh --no-serve failed ({result.returncode}); '
                f'log {kept.relative_to(ROOT)}:\n{tail}', returncode=3)
        files = _db_files(build / 'db')
        assert files, f'no database built in {build}/db'
        ready = CACHE_DIR / f'{key}.tmp'
        shutil.rmtree(ready, ignore_errors=True)
        ready.mkdir()
        for f in files:
            shutil.move(f, ready / f.name)
        shutil.move(log, ready / 'start.log')
        ready.rename(target)
        shutil.rmtree(build, ignore_errors=True)
        # Keep the databases of the 3 latest sources and days (branches
        # switched back and forth), drop the older ones
        builds = sorted((d for d in CACHE_DIR.iterdir() if d.is_dir()),
            key=lambda d: d.stat().st_mtime, reverse=True)
        for old in builds[3:]:
            shutil.rmtree(old, ignore_errors=True)
        sys.stderr.write('[e2e] demo database built in %.0f s\n'
            % (time.monotonic() - started))
        return target


# Each test file gets its own server on a fresh copy of the demo database:
# a journey that moves members or closes events changes nothing another
# file sees, whatever the order the files run in.
@pytest.fixture(scope='module')
def server(tmp_path_factory):
    _require_browser()
    template = _build_demo_database()
    files = _db_files(template)
    if not files:
        pytest.exit(f'no {DATABASE}.sqlite in {template}', returncode=3)
    folder = tmp_path_factory.mktemp('e2e-server')
    (folder / 'db').mkdir()
    for f in files:
        shutil.copy2(f, folder / 'db' / f.name)
    server = Server(
        folder, DATABASE, ('admin', USERS['admin']), web_root=SAO_ROOT)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope='module')
def mailbox(server):
    "The mails the server under test sent (Mailbox of its SMTP server)"
    return server.mailbox


@pytest.fixture(scope='module')
def rpc(server):
    "rpc(login) -> an RPC client logged in as that demo user"
    clients = {}

    def get(login):
        if login not in clients:
            clients[login] = RPC(server.url, DATABASE, login, USERS[login])
        return clients[login]
    return get


# --------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------
@pytest.fixture(scope='session')
def browser():
    _require_browser()
    with sync_playwright() as p:
        # Playwright starts the browser on a new empty profile
        # (--user-data-dir in a fresh temporary folder, removed at close).
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            slow_mo=float(os.environ.get('PRM_E2E_SLOWMO') or 0))
        # sao's first opening of a big form (sale) takes seconds on 2 cores
        expect.set_options(timeout=15_000)
        yield browser
        browser.close()


class Session:
    "A browser context logged in to the web client as one user"

    def __init__(self, browser, server, login, record):
        self.context = browser.new_context(
            viewport={'width': 1280, 'height': 800}, locale='en-US')
        self.context.set_default_timeout(15_000)
        self.context.set_default_navigation_timeout(30_000)
        self.routes = {}
        # Nothing leaves the machine: requests to other hosts get a stub
        # page when a test registered one (self.routes), an error else.
        local = re.compile(r'^(?!%s/)(?:https?|wss?)://' % re.escape(
                server.url))
        self.context.route(local, self._outside)
        self.console = record
        self.errors = []
        self.context.on('page', self._watch)
        self.page = self.context.new_page()
        self.client = Client(self.page, server.url, DATABASE)
        # sao opens a tab for each of the user's login actions (My Open
        # Follow-ups) once logged in: the client waits for all of them, so
        # that no tab opens late, on a busy machine, behind the test's back.
        user = RPC(server.url, DATABASE, login, USERS[login])
        login_actions, = user.read('res.user', [user.user_id], ['actions'])
        self.client.login(
            login, USERS[login], login_tabs=len(login_actions['actions']))

    def _watch(self, page):
        name = f'page-{len(self.console)}'
        self.console.append((page, name, []))
        lines = self.console[-1][2]

        def stamp():
            return datetime.datetime.now().strftime('%H:%M:%S.%f')[:-3]
        page.on('console', lambda m: lines.append(
                f'{stamp()} {m.type}: {m.text}'))

        def error(e):
            lines.append(f'{stamp()} pageerror: {e}')
            self.errors.append(f'{name}: {e}')
        page.on('pageerror', error)
        page.on('requestfailed', lambda r: lines.append(
                f'{stamp()} requestfailed: {r.method} {r.url} '
                f'{r.failure}'))

    def _outside(self, route):
        url = route.request.url
        for prefix, body in self.routes.items():
            if url.startswith(prefix):
                return route.fulfill(
                    status=200, content_type='text/html; charset=utf-8',
                    body=body)
        return route.abort('blockedbyclient')

    def close(self):
        self.context.close()


@pytest.fixture
def login(request, browser, server):
    "login(user) -> a Session: a new browser context logged in as user"
    sessions = []
    pages = request.node.e2e_pages = []

    def open_session(user):
        session = Session(browser, server, user, pages)
        sessions.append(session)
        return session
    yield open_session
    errors = [e for session in sessions for e in session.errors]
    for session in sessions:
        try:
            session.close()
        except Exception:
            pass
    if errors:
        # An exception the client did not catch is a bug, even when the
        # journey went through.
        pytest.fail('uncaught JavaScript errors:\n' + '\n'.join(errors),
            pytrace=False)


@pytest.fixture(autouse=True)
def _server_log_mark(request):
    "Where the server log stood when the test started"
    if 'server' in request.fixturenames:
        server = request.getfixturevalue('server')
        request.node.e2e_server = (server, server.log_size())
    yield


@pytest.fixture(scope='session')
def screenshot():
    """screenshot(page, name): write docs/screenshots/<name>.png when
    PRM_SCREENSHOTS=1"""
    enabled = os.environ.get('PRM_SCREENSHOTS') == '1'

    def take(page, name):
        if not enabled:
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # The whole width for the tab: the menu folded while shooting
        menu = page.locator('#menu')
        toggle = page.locator('nav .navbar-brand').first
        folded = menu.is_visible()
        if folded:
            toggle.click()
            expect(menu).to_be_hidden()
        # No focus ring, hover effect nor blinking caret in the picture
        page.evaluate('() => document.activeElement?.blur()')
        page.mouse.move(1279, 799)
        page.screenshot(path=str(SCREENSHOTS / f'{name}.png'),
            animations='disabled', caret='hide')
        if folded:
            toggle.click()
            expect(menu).to_be_visible()
    return take


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    base = re.sub(r'[^A-Za-z0-9_.-]+', '_', item.nodeid.split('::', 1)[-1])
    base = f'e2e-{base}-{report.when}'
    saved = []
    for page, name, lines in getattr(item, 'e2e_pages', []):
        if not page.is_closed():
            path = ARTIFACTS / f'{base}-{name}.png'
            try:
                page.screenshot(path=str(path), full_page=True, timeout=10_000)
                saved.append(path)
            except Exception as e:
                lines.append(f'(no screenshot: {e})')
            try:
                path = ARTIFACTS / f'{base}-{name}.html'
                path.write_text(page.content())
                saved.append(path)
            except Exception:
                pass
            lines.insert(0, f'url: {page.url}')
        path = ARTIFACTS / f'{base}-{name}-console.log'
        path.write_text('\n'.join(lines) + '\n')
        saved.append(path)
    server = getattr(item, 'e2e_server', None)
    if server:
        server, start = server
        with open(server.log, 'rb') as f:
            f.seek(start)
            text = f.read()
        path = ARTIFACTS / f'{base}-trytond.log'
        path.write_bytes(text)
        saved.append(path)
    if saved:
        report.sections.append(('e2e artifacts', '\n'.join(
                    str(p.relative_to(ROOT)) for p in saved)))
