#!/usr/bin/env python3
# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Load the PRM demo data into a database where prm_addon, sale, purchase,
account_invoice, dashboard, inbound_email, marketing_email and the modules
of the document kinds (sale_opportunity, production, sale_supply_production,
sale_complaint, project) are activated (scripts/start.sh does both).

    .venv/bin/python scripts/demo.py [-c var/trytond.conf] [-d prm_demo]

Idempotent: does nothing when the company "Demo Oy" already exists.
Dates are relative to today, so the follow-ups stay past/today/future.
"""
import argparse
import datetime
import os
import sys
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

COMPANY_NAME = "Demo Oy"
USERS = {
    # login: (password, name, email, PRM group xml ids)
    'prm': (
        'prm-demo-2026', "Paula Myyjä", 'paula@example.com',
        ['group_prm']),
    'prmadmin': (
        'prm-admin-2026', "Antti Ylläpitäjä", 'antti@example.com',
        ['group_prm', 'group_prm_admin']),
    }
# Groups besides PRM's, so the users can open sales, purchases and invoices
OTHER_GROUPS = [
    ('sale', 'group_sale'),
    ('purchase', 'group_purchase'),
    ('account', 'group_account'),
    ]
# The PRM administrator also opens the other document kinds' forms
ADMIN_GROUPS = [
    ('sale_opportunity', 'group_opportunity'),
    ('stock', 'group_stock'),
    ('production', 'group_production'),
    ('project', 'group_project_admin'),
    ]

# name, street, building, postal code, city, phone, email,
# [(person name, mobile, email), ...]
PARTNERS = [
    ("Kone Laine Oy", "Teollisuuskatu", "12", "00510", "Helsinki",
        "+358 9 123 4567", "info@konelaine.example",
        [("Matti Laine", "+358 40 111 2233", "matti.laine@konelaine.example"),
            ("Liisa Laine", "+358 40 111 4455",
            "liisa.laine@konelaine.example")]),
    ("Nordic Tools Ab", "Hamngatan", "3", "65100", "Vaasa",
        "+358 6 321 0000", "sales@nordictools.example",
        [("Erik Lindholm", "+358 50 222 3344",
            "erik.lindholm@nordictools.example")]),
    ("Savon Sähkö Oy", "Kauppakatu", "25", "70100", "Kuopio",
        "+358 17 555 0101", "asiakaspalvelu@savonsahko.example",
        [("Sanna Räsänen", "+358 44 333 4455",
            "sanna.rasanen@savonsahko.example"),
            ("Jussi Hyvönen", "+358 44 333 6677",
            "jussi.hyvonen@savonsahko.example")]),
    ("Turun Teollisuus Oy", "Linnankatu", "48", "20100", "Turku",
        "+358 2 444 8800", "tilaukset@turunteollisuus.example",
        [("Mikko Virtanen", "+358 45 444 5566",
            "mikko.virtanen@turunteollisuus.example")]),
    ("Lapin Logistiikka Oy", "Valtakatu", "7", "96100", "Rovaniemi",
        "+358 16 777 1200", "info@lapinlogistiikka.example",
        [("Aino Korhonen", "+358 40 555 6677",
            "aino.korhonen@lapinlogistiikka.example"),
            ("Pekka Niemi", "+358 40 555 8899",
            "pekka.niemi@lapinlogistiikka.example")]),
    ("Pirkan Puu Oy", "Hämeenkatu", "19", "33200", "Tampere",
        "+358 3 666 4400", "myynti@pirkanpuu.example",
        [("Hanna Mäkinen", "+358 50 666 7788",
            "hanna.makinen@pirkanpuu.example")]),
    ]


# Contact groups of the demo: name in English and in Finnish (translatable:
# each user sees the name in their language), description, members
# (partners and contact persons, by name). "Fair visitors" not in
# "Contacted" is the fair example of the management screen.
CONTACT_GROUPS = [
    ("Mailing list", "Postituslista",
        "Saa neljännesvuosittaisen uutiskirjeen.", [
            "Kone Laine Oy", "Savon Sähkö Oy", "Turun Teollisuus Oy",
            "Pirkan Puu Oy", "Liisa Laine", "Sanna Räsänen"]),
    ("Fair visitors", "Messuvieraat",
        "Kävivät osastollamme Alihankinta-messuilla.", [
            "Pirkan Puu Oy", "Hanna Mäkinen", "Turun Teollisuus Oy",
            "Mikko Virtanen", "Lapin Logistiikka Oy", "Jussi Hyvönen"]),
    ("Contacted", "Yhteydenotto tehty", "Soitettu messujen jälkeen.", [
            "Pirkan Puu Oy", "Hanna Mäkinen"]),
    ("Candidates", "Ehdokkaat", "Tämän kuun soittolista.", [
            "Lapin Logistiikka Oy", "Aino Korhonen", "Pekka Niemi"]),
    ("Visit", "Vierailu", "Käydään tapaamassa paikan päällä.",
        ["Savon Sähkö Oy"]),
    ]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '-c', '--config', default=os.path.join(ROOT, 'var', 'trytond.conf'),
        help="trytond configuration file (default: %(default)s)")
    parser.add_argument(
        '-d', '--database', default='prm_demo',
        help="database name (default: %(default)s)")
    return parser.parse_args()


def main():
    args = parse_args()
    from proteus import Model, config

    config.set_trytond(args.database, config_file=args.config)

    Party = Model.get('party.party')
    Company = Model.get('company.company')
    if Company.find([('party.name', '=', COMPANY_NAME)]):
        print(f"Demo data already loaded in {args.database}: nothing to do.")
        return 0

    today = datetime.date.today()

    def day(delta):
        return today + datetime.timedelta(days=delta)

    ModelData = Model.get('ir.model.data')

    def ref(module, fs_id):
        return ModelData.get_id(module, fs_id, config.get_config().context)

    # --- Own company, currency, chart of accounts, fiscal year -------------
    from trytond.modules.account.tests.tools import (
        create_chart, create_fiscalyear, create_tax, get_accounts)
    from trytond.modules.account_invoice.tests.tools import (
        create_payment_term, set_fiscalyear_invoice_sequences)
    from trytond.modules.company.tests.tools import create_company

    Country = Model.get('country.country')
    finland = Country.find([('code', '=', 'FI')])
    if finland:
        finland, = finland
    else:
        finland = Country(name="Finland", code='FI', code3='FIN')
        finland.save()
        # A Finnish user reads "Suomi" on the addresses
        with config.get_config().set_context(language='fi'):
            finland_fi = Country(finland.id)
            finland_fi.name = "Suomi"
            finland_fi.save()

    Currency = Model.get('currency.currency')
    CurrencyRate = Model.get('currency.currency.rate')
    eur = Currency.find([('code', '=', 'EUR')])
    if eur:
        eur, = eur
    else:
        eur = Currency(
            name="Euro", symbol='€', code='EUR', rounding=Decimal('0.01'))
        eur.save()
        CurrencyRate(
            date=datetime.date.min, rate=Decimal(1), currency=eur).save()

    Lang = Model.get('ir.lang')
    english, = Lang.find([('code', '=', 'en')])
    # A Finnish company and Finnish partners: their documents and mails
    # are in Finnish; the users choose their own language.
    finnish, = Lang.find([('code', '=', 'fi')])

    def set_address(party, street, building, postal_code, city):
        address = party.addresses[0] if party.addresses \
            else party.addresses.new()
        address.street_name = street
        address.building_number = building
        address.postal_code = postal_code
        address.city = city
        address.country = finland

    company_party = Party(name=COMPANY_NAME, lang=finnish)
    set_address(company_party, "Mannerheimintie", "10", "00100", "Helsinki")
    company_party.contact_mechanisms.new(type='phone', value="+358 9 000 1000")
    company_party.contact_mechanisms.new(
        type='email', value="prm@demo-oy.example")
    company_party.save()
    create_company(party=company_party, currency=eur)
    company, = Company.find([('party.name', '=', COMPANY_NAME)])

    create_chart(company)
    accounts = get_accounts(company)
    fiscalyear = set_fiscalyear_invoice_sequences(
        create_fiscalyear(company, today=(day(-200), day(200))))
    fiscalyear.click('create_period')

    tax = create_tax(Decimal('0.255'), company=company)
    tax.name = tax.description = "ALV 25,5 %"
    tax.save()

    payment_term = create_payment_term()
    payment_term.name = "14 päivää netto"
    line, = payment_term.lines
    delta = line.relativedeltas.new()
    delta.days = 14
    payment_term.save()

    # --- Users ---------------------------------------------------------------
    Group = Model.get('res.group')
    User = Model.get('res.user')
    other_groups = [Group(ref(m, x)) for m, x in OTHER_GROUPS]
    users = {}
    for login, (password, name, email, prm_groups) in USERS.items():
        user = User(login=login, name=name, email=email, password=password)
        for fs_id in prm_groups:
            user.groups.append(Group(ref('prm_addon', fs_id)))
        user.groups.extend(Group(g.id) for g in other_groups)
        if 'group_prm_admin' in prm_groups:
            user.groups.extend(Group(ref(m, x)) for m, x in ADMIN_GROUPS)
        user.companies.append(Company(company.id))
        user.company = company
        user.language = english
        user.save()
        users[login] = user
    prm, prmadmin = users['prm'], users['prmadmin']
    # S1: joining PRM gave them "My Open Follow-ups" among the actions run
    # at login; it lists the open events below that have a follow-up date.
    follow_up = Model.get('ir.action.act_window')(
        ref('prm_addon', 'act_event_follow_up'))
    for user in (prm, prmadmin):
        if follow_up.action not in User(user.id).actions:
            raise SystemExit(
                f"{user.login} misses {follow_up.name} at login")
    prm_admin_group = Group(ref('prm_addon', 'group_prm_admin'))

    # --- Partners and their contact persons ----------------------------------
    RelationType = Model.get('party.relation.type')
    contact_of = RelationType(ref('prm_addon', 'relation_type_contact_of'))
    partners, contacts = [], {}
    for (name, street, building, postal_code, city, phone, email,
            persons) in PARTNERS:
        partner = Party(name=name, lang=finnish)
        set_address(partner, street, building, postal_code, city)
        partner.contact_mechanisms.new(type='phone', value=phone)
        partner.contact_mechanisms.new(type='email', value=email)
        partner.save()
        partners.append(partner)
        contacts[partner.id] = []
        for person_name, mobile, person_email in persons:
            person = Party(name=person_name, lang=finnish)
            set_address(person, street, building, postal_code, city)
            person.contact_mechanisms.new(type='mobile', value=mobile)
            person.contact_mechanisms.new(type='email', value=person_email)
            person.relations.new(to=partner, type=contact_of)
            person.save()
            contacts[partner.id].append(person)
    kone, nordic, savon, turku, lappi, pirkka = partners

    # --- Products ------------------------------------------------------------
    ProductCategory = Model.get('product.category')
    category = ProductCategory(name="Myynti ja osto")
    category.accounting = True
    category.account_expense = accounts['expense']
    category.account_revenue = accounts['revenue']
    category.customer_taxes.append(tax)
    category.supplier_taxes.append(Model.get('account.tax')(tax.id))
    category.save()

    Uom = Model.get('product.uom')
    unit, = Uom.find([('name', '=', 'Unit')])
    hour, = Uom.find([('name', '=', 'Hour')])
    Template = Model.get('product.template')

    def product(name, type_, uom, list_price, cost_price):
        template = Template(
            name=name, type=type_, default_uom=uom, salable=True,
            purchasable=True, list_price=Decimal(list_price),
            account_category=category)
        template.save()
        product, = template.products
        product.cost_price = Decimal(cost_price)
        product.save()
        return product

    service = product("Huoltokäynti", 'service', hour, '85.00', '40.00')
    valve = product("Teollisuusventtiili DN50", 'goods', unit, '249.00',
        '150.00')

    # --- Sales, purchases, supplier invoices ---------------------------------
    Sale = Model.get('sale.sale')
    Purchase = Model.get('purchase.purchase')
    Invoice = Model.get('account.invoice')

    def sale(party, lines, quote=False, description=None):
        sale = Sale(party=party, payment_term=payment_term,
            description=description)
        for product_, quantity in lines:
            # Set one by one: on_change needs the line attached to the sale
            line = sale.lines.new()
            line.product = product_
            line.quantity = quantity
        sale.save()
        if quote:
            sale.click('quote')
        return sale

    def purchase(party, lines, description=None):
        purchase = Purchase(party=party, payment_term=payment_term,
            description=description)
        for product_, quantity, unit_price in lines:
            line = purchase.lines.new()
            line.product = product_
            line.quantity = quantity
            line.unit_price = Decimal(unit_price)
        purchase.save()
        return purchase

    def supplier_invoice(party, reference, lines, invoice_date):
        invoice = Invoice(type='in', party=party, reference=reference,
            invoice_date=invoice_date, payment_term=payment_term)
        for product_, quantity, unit_price in lines:
            line = invoice.lines.new()
            line.product = product_
            line.quantity = quantity
            line.unit_price = Decimal(unit_price)
        invoice.save()
        return invoice

    sale_kone = sale(kone, [(valve, 4), (service, 6)], quote=True,
        description="Venttiilien vaihto, linja 2")
    sale_savon = sale(savon, [(service, 12)],
        description="Vuosihuolto 2026")
    sale_turku = sale(turku, [(valve, 10)],
        description="Varaosatilaus")
    purchase_nordic = purchase(nordic, [(valve, 20, '145.00')],
        description="Venttiilierä Q3")
    purchase_lappi = purchase(lappi, [(service, 8, '55.00')],
        description="Kuljetuspalvelu")
    invoice_nordic = supplier_invoice(nordic, "NT-2026-0142",
        [(valve, 10, '145.00')], day(-12))
    invoice_lappi = supplier_invoice(lappi, "LL-88321",
        [(service, 3, '55.00')], day(-5))

    # --- Events --------------------------------------------------------------
    EventType = Model.get('prm.event.type')

    def event_type(fs_id):
        return EventType(ref('prm_addon', fs_id))

    phone = event_type('event_type_phone_call')
    email = event_type('event_type_email')
    meeting = event_type('event_type_meeting')
    document = event_type('event_type_document')
    visit = event_type('event_type_visit')

    Event = Model.get('prm.event')
    events = []

    def event(title, party, type_, date, follow_up=None, contact=0,
            responsible=prm, document=None, url=None, visible_group=None,
            notes=None, close=False):
        event = Event(
            title=title, party=party, type=type_, date=day(date),
            company=company, responsible=responsible, url=url, notes=notes)
        if contact is not None and contacts[party.id]:
            event.contact = contacts[party.id][contact]
        if follow_up is not None:
            event.follow_up_date = day(follow_up)
        if document is not None:
            event.document = document
        if visible_group is not None:
            event.visible_group = visible_group
        event.save()
        if close:
            event.click('close')
        events.append(event)
        return event

    event("Tarjouspyyntö venttiileistä", kone, phone, -20, contact=0,
        notes="Matti pyysi tarjousta neljästä DN50-venttiilistä.",
        close=True)
    event("Tarjous lähetetty", kone, email, -14, follow_up=-3,
        document=sale_kone,
        url="mailto:matti.laine@konelaine.example",
        notes="Soita perään, jos ei kuulu.")
    event("Asennusaikataulun sopiminen", kone, meeting, -2, follow_up=7,
        contact=1, document=sale_kone)
    event("Esittelykäynti Vaasassa", nordic, visit, -30,
        responsible=prmadmin, notes="Tutustuttiin uuteen tuotesarjaan.",
        close=True)
    event("Ostotilauksen vahvistus", nordic, email, -6, follow_up=0,
        document=purchase_nordic,
        url="https://nordictools.example/orders/Q3")
    event("Laskun NT-2026-0142 tarkistus", nordic, document, -10,
        follow_up=2, document=invoice_nordic, responsible=prmadmin)
    event("Vuosihuollon kartoitus", savon, phone, -8, follow_up=-1,
        contact=1, document=sale_savon, url="tel:+358443336677")
    event("Huoltosopimuksen ehdot", savon, meeting, -1, follow_up=14,
        document=sale_savon,
        notes="Sanna haluaa kolmen vuoden sopimuksen.")
    event("Hinnoitteluneuvottelu (luottamuksellinen)", savon, meeting, -4,
        follow_up=5, responsible=prmadmin, visible_group=prm_admin_group,
        notes="Alennusraja 12 %. Ei jaeta myyjille.")
    event("Varaosatilauksen tiedustelu", turku, email, -3, follow_up=0,
        document=sale_turku,
        url="https://turunteollisuus.example/hankinnat")
    event("Reklamaatio toimitusviiveestä", turku, phone, -45,
        notes="Hyvitys sovittu, asia käsitelty.", close=True)
    event("Kuljetussopimuksen jatko", lappi, meeting, -7, follow_up=21,
        document=purchase_lappi, responsible=prmadmin)
    event("Laskun LL-88321 kysymys", lappi, phone, -4, follow_up=-2,
        contact=1, document=invoice_lappi)
    event("Yhteydenotto uuteen asiakkaaseen", pirkka, phone, -1,
        follow_up=3, url="https://pirkanpuu.example")
    event("Messutapaaminen Tampereella", pirkka, visit, -60,
        notes="Tavattiin Alihankinta-messuilla.", close=True)
    event("Muistutus: vuosikatsaus", kone, email, 0, follow_up=30,
        contact=None)

    # --- Document kinds: the story of an order, from the opportunity ---------
    # (README "Document kinds"). Pirkan Puu's opportunity became a sale;
    # its shipment, invoice and production order have their own events,
    # all listed on the sale's Events tab.
    Opportunity = Model.get('sale.opportunity')
    # An opportunity needs an employee: the company itself stands for one
    # (a person would show among the partners)
    Employee = Model.get('company.employee')
    employee = Employee(party=company.party, company=company)
    employee.save()
    opportunity = Opportunity(party=pirkka, amount=Decimal('2490.00'),
        description="Venttiilit kuivaamon uusintaan", employee=employee)
    opportunity.save()
    event("Kuivaamon venttiilitarpeen kartoitus", pirkka, phone, -9,
        contact=0, document=opportunity, close=True)
    sale_pirkka = sale(pirkka, [(valve, 10)],
        description="Kuivaamon venttiilit")
    sale_pirkka.origin = opportunity
    sale_pirkka.save()
    sale_pirkka.click('quote')
    sale_pirkka.click('confirm')
    sale_pirkka.reload()
    shipment_pirkka, = sale_pirkka.shipments
    invoice_pirkka, = sale_pirkka.invoices
    sale_line_pirkka, = sale_pirkka.lines
    valve_template = valve.template
    valve_template.producible = True
    valve_template.save()
    Production = Model.get('production')
    production_pirkka = Production(product=valve, quantity=10,
        origin=sale_line_pirkka)
    production_pirkka.save()
    event("Tilausvahvistus lähetetty", pirkka, email, -6,
        document=sale_pirkka, close=True)
    event("Valmistusaikataulu sovittu", pirkka, meeting, -5, follow_up=6,
        document=production_pirkka, responsible=prmadmin)
    event("Toimituspäivän vahvistus", pirkka, phone, -3, follow_up=1,
        document=shipment_pirkka, responsible=prmadmin)
    event("Laskun maksuehto", pirkka, email, -1, follow_up=10,
        document=invoice_pirkka, responsible=prmadmin)
    ShipmentIn = Model.get('stock.shipment.in')
    receipt_nordic = ShipmentIn(supplier=nordic)
    receipt_nordic.save()
    event("Venttiilierän saapuminen", nordic, phone, -2, follow_up=3,
        document=receipt_nordic, responsible=prmadmin)
    ComplaintType = Model.get('sale.complaint.type')
    complaint_type = ComplaintType(name="Toimitusviive",
        origin=Model.get('ir.model').find([('name', '=', 'sale.sale')])[0])
    complaint_type.save()
    Complaint = Model.get('sale.complaint')
    complaint = Complaint(customer=pirkka, type=complaint_type,
        origin=sale_pirkka, description="Toimitus myöhästyi kaksi päivää.")
    complaint.save()
    event("Reklamaation käsittely", pirkka, phone, 0, follow_up=2,
        document=complaint, responsible=prmadmin)
    Work = Model.get('project.work')
    project = Work(name="Varastoautomaation käyttöönotto", type='project',
        party=lappi)
    project.save()
    event("Projektin aloituspalaveri", lappi, meeting, -4, follow_up=20,
        document=project, responsible=prmadmin)

    # --- Contact groups (a telemarketing campaign in progress) ---------------
    ContactGroup = Model.get('prm.contact_group')
    everyone = partners + [p for ps in contacts.values() for p in ps]
    by_name = {p.name: p for p in everyone}
    groups = {}
    for name, name_fi, description, members in CONTACT_GROUPS:
        group = ContactGroup(name=name, description=description)
        group.parties.extend(Party(by_name[m].id) for m in members)
        group.save()
        with config.get_config().set_context(language='fi'):
            group_fi = ContactGroup(group.id)
            group_fi.name = name_fi
            group_fi.save()
        groups[name] = group
    do_not_contact, = ContactGroup.find([('do_not_contact', '=', True)])
    do_not_contact.parties.append(Party(by_name["Jussi Hyvönen"].id))
    do_not_contact.save()
    groups[do_not_contact.name] = do_not_contact

    # --- A mailing list ready to send (marketing_email) ----------------------
    # What "Send Mailing" on the segment "Postituslista" creates: the list
    # filled with the partners' addresses, and a draft message to send.
    Segment = Model.get('prm.contact_group.segment')
    segment = Segment(name="Postituslista")
    segment.include_groups.append(ContactGroup(groups["Mailing list"].id))
    segment.save()
    mailing = None
    if Model.get('ir.module').find([
                ('name', '=', 'marketing_email'),
                ('state', '=', 'activated')]):
        from proteus import Wizard
        send = Wizard('prm.contact_group.mailing', [segment])
        send.form.list_name = "Uutiskirje"
        send.form.language = finnish
        send.form.title = "Demo Oy:n uutiskirje"
        send.form.content = (
            '<html>\n<body>\n'
            '<p>Hei ${email.party.rec_name if email.party else email.email},'
            '</p>\n'
            '<p>Uusi puristinlinjamme on nyt esittelyssä Helsingissä.</p>\n'
            '<p><a href="${email.get_email_unsubscribe_url()}">'
            'Peru uutiskirjeen tilaus</a></p>\n'
            '</body>\n</html>\n')
        send.execute('create_')
        (mailing,), = send.actions

    # The prm user starts in English; a test may switch her to Finnish.
    prm = User(prm.id)
    prm.language = english
    prm.save()

    open_events = [e for e in events if e.state == 'open']
    print(f"Demo data loaded into {args.database}:")
    print(f"  company     {company.rec_name} ({eur.code}), chart of accounts, "
        f"fiscal year {fiscalyear.name}")
    print(f"  users       prm / {USERS['prm'][0]}, "
        f"prmadmin / {USERS['prmadmin'][0]}")
    print(f"  partners    {len(partners)} companies, "
        f"{sum(map(len, contacts.values()))} contact persons")
    sales = ', '.join(
        f'{s.party.name} ({s.state})'
        for s in (sale_kone, sale_savon, sale_turku))
    print(f"  documents   sales {sales};")
    print(f"              purchases {purchase_nordic.party.name}, "
        f"{purchase_lappi.party.name}; supplier invoices "
        f"{invoice_nordic.reference}, {invoice_lappi.reference} (draft)")
    print(f"  kinds       opportunity, shipment, invoice, production order "
        f"and complaint of {pirkka.name}'s order; a supplier shipment, "
        f"a project")
    print("  groups      " + ', '.join(
            f'{g.name} ({len(g.parties)})' for g in groups.values()))
    if mailing:
        print(f"  mailing     list {mailing.list_.name} "
            f"({len(mailing.list_.emails)} addresses), draft message "
            f"{mailing.title!r}")
    print(f"  events      {len(events)} ({len(open_events)} open, "
        f"{len(events) - len(open_events)} closed), numbers "
        f"{events[0].number}..{events[-1].number}")
    due = [e for e in open_events
        if e.follow_up_date and e.responsible.id == prm.id]
    print(f"  follow-ups  {follow_up.name} at login for prm: {len(due)} "
        f"events, {sum(e.follow_up_date < today for e in due)} overdue, "
        f"{sum(e.follow_up_date == today for e in due)} due today")
    return 0


if __name__ == '__main__':
    sys.exit(main())
