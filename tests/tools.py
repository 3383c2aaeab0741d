# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Proteus helpers shared by the scenarios"
from proteus import Model
from proteus import config as pconfig
from proteus.config import get_config

from trytond.modules.company.tests.tools import create_company
from trytond.tests.test_tryton import activate_module

__all__ = [
    'activate_prm', 'create_partner', 'create_contact_person', 'create_user',
    'ref']


MODULES = [
    'prm_addon', 'sale', 'purchase', 'account_invoice', 'dashboard',
    'inbound_email', 'marketing_email']
# The document kinds (README "Document kinds")
DOCUMENT_KIND_MODULES = [
    'sale_opportunity', 'stock', 'production', 'sale_supply_production',
    'sale_complaint', 'project']
MODULES += DOCUMENT_KIND_MODULES


def activate_prm():
    """Activate PRM with sales, purchases and invoices, with a company

    The activation is the module tests' own (same modules, same order), so
    the test cache keeps one activated database for all the tests: an
    activation costs minutes, the company seconds."""
    activate_module(MODULES)
    config = pconfig.set_trytond()
    create_company(config=config)
    return config


def ref(xml_id, model, config=None):
    "Return the record of `model` with the XML id `module.fs_id`"
    ModelData = Model.get('ir.model.data', config=config)
    config = config or get_config()
    id_ = ModelData.get_id(*xml_id.split('.'), config.context)
    return Model.get(model, config=config)(id_)


def create_partner(name, phone=None, config=None):
    "Create a partner company, with its phone when given"
    Party = Model.get('party.party', config=config)
    party = Party(name=name)
    if phone:
        party.contact_mechanisms.new(type='phone', value=phone)
    party.save()
    return party


def create_contact_person(company, name, config=None):
    "Create a person and record them as a contact person of the company"
    Party = Model.get('party.party', config=config)
    person = Party(name=name)
    person.relations.new(
        to=company, type=ref(
            'prm_addon.relation_type_contact_of', 'party.relation.type',
            config))
    person.save()
    return person


def create_user(login, name, groups, config=None):
    "Create a user of the current company in the groups, by XML id"
    User = Model.get('res.user', config=config)
    config = config or get_config()
    user = User(login=login, name=name)
    for xml_id in groups:
        user.groups.append(ref(xml_id, 'res.group', config))
    company = config.context.get('company')
    if company:
        user.companies.append(Model.get('company.company', config=config)(
                company))
        user.company = user.companies[-1]
    user.save()
    return user
