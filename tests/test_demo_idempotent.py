"""`load_demo` twice adds nothing: `make up` runs it at every start, and each start used to add
another Turkey-Palestinian Authority (the study's one FTA in neither DESTA nor ToTA), so Assign
counted 63 FTAs where the loader said 61. Rows of every model, history included, are counted
before and after; tests/test_demo_offline.py does the same for the whole offline demo (texts,
references, assignments, release, panel and run), which it loads twice anyway."""

from django.apps import apps

from coding.models import Agreement
from config import demo


def row_counts():
    """The number of rows of every installed model (historical records and jobs included)."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def changed_counts(before, after):
    return {label: (before.get(label, 0), n) for label, n in after.items() if n != before.get(label, 0)}


def test_study_agreements_and_users_loaded_twice_add_no_row(db):
    # Given the study's FTAs and the demo users, loaded once
    rows = demo.demo_agreements_create()
    demo.demo_users_create()
    before = row_counts()
    assert len(rows) == before["coding.Agreement"] == 61
    assert before["coding.HistoricalAgreement"] == 61  # one "created" entry each

    # When they are loaded again (the next `make up`)
    demo.demo_agreements_create()
    demo.demo_users_create()

    # Then no model has a row more: the FTA in neither DESTA nor ToTA is found by its name, and an
    # unchanged agreement is not saved again (no history entry either)
    assert changed_counts(before, row_counts()) == {}
    assert Agreement.objects.filter(name="Turkey-Palestinian Authority").count() == 1

    # And an agreement changed by hand since is set back (one history entry more), not duplicated
    Agreement.objects.filter(name="Turkey-Palestinian Authority").update(name_zh="x")
    demo.demo_agreements_create()
    agreement = Agreement.objects.get(name="Turkey-Palestinian Authority")
    assert agreement.name_zh == "土耳其-巴勒斯坦权力机构" and agreement.desta_number is None
    assert agreement.party_codes == ["PSE", "TUR"]
    # created as add_agreement would: with its signing year, and refused a second time by the service
    assert (agreement.year_signed, agreement.entry_into_force_year) == (2004, 2005)
    assert Agreement.objects.count() == 61 and agreement.history.count() == 2
