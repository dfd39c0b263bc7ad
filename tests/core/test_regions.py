import sqlalchemy as sa

from marketplace.core.regions import Region, reference_region
from marketplace.extensions import db
from tests.factories import create_cooperative


def test_the_reference_list_holds_what_the_regions_table_holds(app):
    rows = db.session.execute(sa.select(Region.code, Region.name, Region.kind, Region.parent_code,
                                        Region.time_zone)).all()
    assert rows
    for code, name, kind, parent_code, time_zone in rows:
        region = reference_region(code)
        assert (region.name, region.kind, region.parent_code, region.time_zone) == (name, kind, parent_code,
                                                                                      time_zone)


def test_a_cooperatives_province_and_regency_are_named_by_its_codes(app):
    cooperative = create_cooperative()
    assert cooperative.province.code == cooperative.province_code and cooperative.province.is_province
    assert cooperative.regency.code == cooperative.regency_code
    assert cooperative.regency.parent_code == cooperative.province_code
    cooperative.regency_code = None
    assert cooperative.regency is None
    assert reference_region("99.99") is None and reference_region(None) is None
