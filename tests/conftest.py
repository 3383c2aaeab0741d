# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Run the scenario_*.rst doctests as pytest items.

Tryton loads its scenarios through unittest's load_tests, which pytest
ignores without a word: without this hook a green run would not have run a
single scenario.
"""
import doctest
import re

import pytest

# "trytond.model.exceptions.AccessError: ..." as the traceback ends
EXCEPTION_PATH = re.compile(
    r'^(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_]\w*(?:Error|Warning|Exception)\b)')


def pytest_collect_file(parent, file_path):
    if file_path.suffix == '.rst' and file_path.name.startswith('scenario_'):
        return ScenarioFile.from_parent(parent, path=file_path)


class ScenarioFile(pytest.File):

    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.stem)


def message_checker():
    """Tryton's doctest checker, comparing the messages of the expected
    errors too: Tryton's own scenarios ignore them
    (IGNORE_EXCEPTION_DETAIL), but what a user reads matters here. The
    module path of the exception class is left out, ELLIPSIS applies."""
    from trytond.tests.test_tryton import OutputChecker

    class MessageChecker(OutputChecker):
        def check_output(self, want, got, optionflags):
            if EXCEPTION_PATH.match(got):
                # "message - description": Tryton adds a space after an
                # empty description, which a scenario's line cannot keep
                got = EXCEPTION_PATH.sub('', got).rstrip(' \n') + '\n'
            return super().check_output(want, got, optionflags)
    return MessageChecker()


class ScenarioItem(pytest.Item):

    def runtest(self):
        from trytond import backend
        from trytond.tests.test_tryton import (
            STRIP_DECIMAL, doctest_setup, doctest_teardown)
        optionflags = doctest.REPORT_ONLY_FIRST_FAILURE | doctest.ELLIPSIS
        if backend.name == 'sqlite':
            optionflags |= STRIP_DECIMAL
        suite = doctest.DocFileSuite(
            str(self.path), module_relative=False,
            setUp=doctest_setup, tearDown=doctest_teardown,
            checker=message_checker(), optionflags=optionflags,
            encoding='utf-8')
        result = suite.run(__import__('unittest').TestResult())
        problems = result.failures + result.errors
        if problems:
            raise ScenarioFailure('\n'.join(text for _, text in problems))
        if not result.testsRun:
            raise ScenarioFailure(f"{self.path.name} ran no example")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"scenario: {self.name}"


class ScenarioFailure(Exception):
    pass
