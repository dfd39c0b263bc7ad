"""Provinces and regencies/cities of Indonesia with their Kemendagri codes (see data/REGIONS_SOURCE.md)."""

import csv
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db

REGIONS_FILE = Path(__file__).parent / "data" / "regions.csv"


class RegionKind(StrEnum):
    PROVINCE = "provinsi"
    REGENCY = "kabupaten"
    CITY = "kota"


class Region(db.Model):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(sa.String(13), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(12))
    parent_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    time_zone: Mapped[str] = mapped_column(sa.String(32))

    __table_args__ = (sa.CheckConstraint("kind in ('provinsi', 'kabupaten', 'kota')", name="known_kind"),)

    @property
    def is_province(self) -> bool:
        return self.kind == RegionKind.PROVINCE

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


@cache
def region_rows() -> tuple[dict[str, str | None], ...]:
    with REGIONS_FILE.open(newline="", encoding="utf-8") as file:
        return tuple(
            {**row, "parent_code": row["parent_code"] or None} for row in csv.DictReader(file)
        )


def load_regions(connection: sa.Connection | None = None) -> int:
    """Insert missing regions and refresh names; returns how many rows were written."""
    connection = connection or db.session.connection()
    table = Region.__table__
    existing = dict(connection.execute(sa.select(table.c.code, table.c.name)).all())
    new_rows = [row for row in region_rows() if row["code"] not in existing]
    renamed = [row for row in region_rows() if row["code"] in existing and existing[row["code"]] != row["name"]]
    # Provinces sort before their regencies ("33" < "33.14"), so parents exist before children.
    if new_rows:
        connection.execute(table.insert(), new_rows)
    for row in renamed:
        connection.execute(table.update().where(table.c.code == row["code"]).values(name=row["name"]))
    return len(new_rows) + len(renamed)


@dataclass(frozen=True)
class ReferenceRegion:
    """A region as the shipped reference list gives it (the `regions` table holds the same rows): for pickers,
    filters and a model's province and regency (`RegionOf`), read once per process instead of per request."""

    code: str
    name: str
    kind: str
    parent_code: str | None
    time_zone: str

    @property
    def is_province(self) -> bool:
        return self.kind == RegionKind.PROVINCE


@cache
def _reference_regions() -> tuple[tuple[ReferenceRegion, ...], dict[str, tuple[ReferenceRegion, ...]]]:
    regions = sorted((ReferenceRegion(code=str(row["code"]), name=str(row["name"]), kind=str(row["kind"]),
                                      parent_code=row["parent_code"], time_zone=str(row["time_zone"]))
                      for row in region_rows()), key=lambda region: region.name)
    children: dict[str, list[ReferenceRegion]] = {}
    for region in regions:
        if region.parent_code:
            children.setdefault(region.parent_code, []).append(region)
    return (tuple(region for region in regions if region.is_province),
            {code: tuple(regencies) for code, regencies in children.items()})


def provinces() -> tuple[ReferenceRegion, ...]:
    """Every province, by name."""
    return _reference_regions()[0]


@cache
def _reference_by_code() -> dict[str, ReferenceRegion]:
    provinces, regencies_by_province = _reference_regions()
    every_region = [*provinces, *(regency for regencies in regencies_by_province.values() for regency in regencies)]
    return {region.code: region for region in every_region}


def reference_region(code: str | None) -> ReferenceRegion | None:
    """A region by its code, from the reference list (what the `regions` table holds)."""
    return _reference_by_code().get(code) if code else None


def region_name(code: str) -> str | None:
    """A region's name by its code, from the reference list (what the `regions` table holds)."""
    region = reference_region(code)
    return region.name if region else None


class RegionOf:
    """A model's province or regency, read by its code column from the reference list.

    As a joined relationship every cooperative, checkout or agency loaded brought two joins of `regions`, and
    PostgreSQL's planner then compared the statistics of the region codes on every statement: 2.0 of the 2.3 ms
    that planning a product page's statement took, for rows that change only with a release (and the foreign key
    still holds the code to a row of the table)."""

    def __init__(self, code_attribute: str) -> None:
        self.code_attribute = code_attribute

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return reference_region(getattr(instance, self.code_attribute))


def regencies_of(province_code: str | None) -> tuple[ReferenceRegion, ...]:
    """The regencies and cities of a province, by name (none for no or an unknown province)."""
    return _reference_regions()[1].get(province_code or "", ())


def all_regencies() -> list[Region]:
    """Regencies and cities, grouped by province then sorted by name, in one query."""
    return list(db.session.scalars(
        sa.select(Region).where(Region.kind != RegionKind.PROVINCE).order_by(Region.parent_code, Region.name)))


def is_regency_of(regency_code: str | None, province_code: str | None) -> bool:
    if not regency_code or not province_code:
        return False
    region = db.session.get(Region, regency_code)
    return region is not None and region.parent_code == province_code
