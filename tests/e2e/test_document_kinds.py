# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Journey 11: the Events tab on the form of every document kind

The PRM administrator of the demo (who also has the opportunity, stock,
production and project groups) opens an opportunity, the customer and
supplier shipments, a production order, a complaint and a project: each
form has its Events tab listing the events of the record and the Create
New Event button. The sale made from the opportunity lists, below its own
events, those of its opportunity, shipment and invoice."""
from playwright.sync_api import expect

USER = 'prmadmin'
# The model of each kind; the demo links an event to one record of each
KINDS = [
    'sale.opportunity', 'stock.shipment.out', 'stock.shipment.in',
    'production', 'sale.complaint', 'project.work', 'account.invoice',
    'purchase.purchase',
    ]


def titles(rpc, domain):
    "The titles of the events, in the order of the lists"
    return [e['title'] for e in rpc(USER).search_read(
            'prm.event', domain, ['title'])]


def test_every_kind_has_its_events_tab(login, rpc):
    "11. Each document kind's form shows its events and the button"
    sao = login(USER).client
    for model in KINDS:
        # A record of the kind with events, as the server says
        events = rpc(USER).search_read('prm.event', [
                ('document', 'like', f'{model},%'),
                ], ['document'])
        assert events, model
        record = int(events[0]['document'].split(',')[1])
        expected = titles(rpc, [('document', '=', f'{model},{record}')])
        tabs = sao.tab_titles.count()
        sao.open(f'model/{model}/{record}')
        expect(sao.tab_titles).to_have_count(tabs + 1)
        tab = sao.tab
        sao.notebook_tab(tab, 'Events').click()
        tab_events = sao.one2many(tab, 'Events')
        expect(sao.rows(tab_events).locator(
                'td[data-title="Title: "]')).to_have_text(expected)
        expect(tab.locator('button[name="prm_new_event"]')).to_be_visible()


def test_sale_lists_the_events_of_its_order_story(login, rpc):
    "11. A sale's Events tab lists the events of its related documents"
    sale = rpc(USER).id_of('sale.sale', [
            ('origin', 'like', 'sale.opportunity,%')])
    sale_values, = rpc(USER).read('sale.sale', [sale],
        ['prm_events', 'prm_neighbour_events'])
    own = titles(rpc, [('id', 'in', sale_values['prm_events'])])
    neighbours = titles(rpc, [
            ('id', 'in', sale_values['prm_neighbour_events'])])
    # The opportunity's, the shipment's and the invoice's
    assert len(neighbours) >= 3, neighbours

    sao = login(USER).client
    sao.open(f'model/sale.sale/{sale}')
    tab = sao.tab
    sao.notebook_tab(tab, 'Events').click()
    own_list = sao.one2many(tab, 'Events')
    expect(sao.rows(own_list)).to_have_count(len(own))
    related = tab.locator('.form-many2many').filter(
        has=sao.page.locator('label.form-many2many-string',
            has_text='Events of Related Documents')).first
    expect(sao.rows(related).locator(
            'td[data-title="Title: "]')).to_have_text(neighbours)
