"""Links between layers: every plot in a known district and zone (zonegeo.io.integrity).

The bugs these tests pin down: a plot whose ``district`` was written in Kazakh
(``Сарыағаш``) or with another transliteration (``Turkistan`` where geokz says
``Turkestan``) was accepted and dropped out of the district table while the
zone table still counted it; a ``zone_id`` naming no zone vanished from the
zone table.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

import zonegeo
from tests._need import in_ci
from zonegeo import SchemaError, UnknownDistrictError, ValidationError
from zonegeo.io.integrity import check_links
from zonegeo.io.validate import validate_layer
from zonegeo.names import name_key, resolve_district, suggest_districts

if TYPE_CHECKING:
    from collections.abc import Callable

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
GEOKZ = SHARED / "geokz-hdx-codab-2024" / "turkistan_shymkent_adm2_2024.geojson"
AS_OF = "2025-02-01"

LAYER_FILES = {
    "districts": "boundaries/districts.gpkg",
    "zones": "plots/zones.gpkg",
    "plots": "plots/plots.gpkg",
    "infrastructure": "infrastructure/infrastructure.gpkg",
    "settlements": "boundaries/settlements.gpkg",
    "exclusions": "boundaries/exclusions.gpkg",
}


def write_folder(ds: zonegeo.Dataset, folder: Path) -> Path:
    """Write every layer as an office would hand them over (no checks on write)."""
    for layer, name in LAYER_FILES.items():
        frame = getattr(ds, layer)
        if len(frame):
            zonegeo.write_layer(frame, folder / name)
    return folder


def geokz_districts() -> gpd.GeoDataFrame:
    """The real geokz ADM2 units of Turkistan region and Shymkent (2024 vintage)."""
    if not GEOKZ.exists():
        msg = f"the shared real data are not beside the repo ({GEOKZ})"
        if in_ci():
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return zonegeo.read_districts(GEOKZ)


def relabel(
    ds: zonegeo.Dataset, layer: str, column: str, old: str, new: str | None
) -> zonegeo.Dataset:
    frame = getattr(ds, layer).copy()
    frame.loc[frame[column] == old, column] = new
    return dataclasses.replace(ds, **{layer: frame})


# --- names in three languages ---


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Сарыағаш ауданы", "Saryagash"),
        ("Сарыағаш", "Saryagash district"),
        ("Түркістан қаласы", "Turkistan"),
        ("город Туркестан", "Turkestan city"),
        ("Отырар", "Otyrar"),
        ("Бәйдібек", "Baidibek"),
        ("Бәйдібек", "Baydibek"),
        ("Созақ ауданы", "Sozak"),
        ("Түлкібас", "Tulkibas"),
        ("Qazyğurt", "Казығұрт"),
    ],
)
def test_name_key_matches_across_scripts(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Sauran", "Sayram"), ("Ordabassy", "Ordabasy"), ("Turkistan", "Turkestan")],
)
def test_name_key_keeps_different_names_apart(a: str, b: str) -> None:
    """Typos and other districts never resolve silently; they are only suggested."""
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("Сауран", "Sauran"),
        ("Сарыағаш", "Saryagash"),
        ("Сарыагашский район", "Saryagash"),
        ("Turkestan", "Turkestan"),
        ("Turkistan", "Turkestan"),  # the Kazakh name, Түркістан
        ("Түркістан", "Turkestan"),
        ("город Туркестан", "Turkestan"),
        ("SAURAN", "Sauran"),
        ("Sauran district", "Sauran"),
    ],
)
def test_demo_district_lookup_any_language(
    demo: zonegeo.Dataset, asked: str, expected: str
) -> None:
    sub = demo.district(asked)
    assert sub.districts["district"].tolist() == [expected]
    assert len(sub.plots) == int((demo.plots["district"] == expected).sum()) > 0


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("Turkistan", "Turkestan"),  # Kazakh Түркістан
        ("Туркестан", "Turkestan"),
        ("Сарыағаш", "Saryagash"),
        ("Otyrar", "Otrar"),  # Kazakh Отырар
        ("Baidibek", "Baydibek"),
        ("Tulkibas", "Tyulkubas"),  # Kazakh Түлкібас
        ("Sozak", "Suzak"),  # Kazakh Созақ
    ],
)
def test_geokz_district_lookup(asked: str, expected: str) -> None:
    districts = geokz_districts()
    assert resolve_district(asked, districts) == expected


def test_geokz_has_no_sauran() -> None:
    """geokz (2024) has no Sauran district: the lookup refuses and suggests."""
    districts = geokz_districts()
    with pytest.raises(UnknownDistrictError, match=r"unknown district 'Сауран'"):
        resolve_district("Сауран", districts)


def test_unknown_lookup_suggests_in_kazakh(demo: zonegeo.Dataset) -> None:
    with pytest.raises(
        UnknownDistrictError,
        match=r"unknown district 'Сарыаган'.*Did you mean 'Saryagash' "
        r"\(Kazakh name_kk 'Сарыағаш'\) or 'Sauran'",
    ):
        demo.district("Сарыаган")


def test_ambiguous_name_is_refused() -> None:
    districts = gpd.GeoDataFrame(
        {"district": ["Abay", "Abay-2"], "name_kk": ["Абай", "Абай ауданы"]},
        geometry=[box(68, 43, 68.1, 43.1), box(69, 43, 69.1, 43.1)],
        crs=4326,
    )
    with pytest.raises(UnknownDistrictError, match=r"'Абай' is ambiguous.*'Abay'"):
        resolve_district("Абай", districts)


def test_suggestions_prefer_the_spelling_asked_for(demo: zonegeo.Dataset) -> None:
    (match,) = suggest_districts("Сарыагашский", demo.districts)
    assert match.district == "Saryagash" and match.column == "name_ru"


# --- links refused on read ---


def test_kazakh_district_in_plots_refused_on_read(
    demo: zonegeo.Dataset, tmp_path: Path
) -> None:
    bad = relabel(demo, "plots", "district", "Saryagash", "Сарыағаш")
    folder = write_folder(bad, tmp_path / "kk")
    with pytest.raises(
        SchemaError,
        match=r"column 'district' names 1 district\(s\) that are not in the "
        r"districts layer: 'Сарыағаш' in 29 row\(s\) plot_id=SRG-RZ-001, .*"
        r"it is 'Saryagash' \(Kazakh name_kk 'Сарыағаш'\).*"
        r"replace\(\{'Сарыағаш': 'Saryagash'\}\)",
    ):
        zonegeo.read_dataset(folder)


def test_geokz_boundaries_with_office_names_refused(demo: zonegeo.Dataset) -> None:
    """Office plots say Turkistan/Sauran; geokz says Turkestan and has no Sauran."""
    office = relabel(demo, "plots", "district", "Turkestan", "Turkistan")
    ds = dataclasses.replace(office, districts=geokz_districts())
    with pytest.raises(SchemaError) as err:
        zonegeo.district_kpis(ds, as_of=AS_OF)
    text = str(err.value)
    assert "'Turkistan' in 189 row(s)" in text
    assert "it is 'Turkestan' (Kazakh name_kk 'Түркістан')" in text
    # Sauran matches no name, but the plots' geometry says where they lie.
    assert "'Sauran' in 130 row(s)" in text
    assert "by their geometry they lie in 'Kentau'" in text
    assert text.startswith("demo: 3 broken links")  # plots, zones, settlements


def test_unknown_zone_id_refused(demo: zonegeo.Dataset, tmp_path: Path) -> None:
    bad = relabel(demo, "plots", "zone_id", "SAU-SS-02", "SAU-SS-2")
    folder = write_folder(bad, tmp_path / "z")
    with pytest.raises(
        SchemaError,
        match=r"column 'zone_id' names 1 zone\(s\) that are not in the zones layer: "
        r"'SAU-SS-2' in \d+ row\(s\) plot_id=SAU-.*did you mean 'SAU-SS-02'",
    ):
        zonegeo.read_dataset(folder)


def test_zone_name_as_zone_id_is_named(demo: zonegeo.Dataset) -> None:
    name = str(demo.zones.loc[demo.zones["zone_id"] == "TRK-RZ-01", "name"].iloc[0])
    bad = relabel(demo, "plots", "zone_id", "TRK-RZ-01", name)
    with pytest.raises(SchemaError, match=r"it is the name of zone 'TRK-RZ-01'"):
        zonegeo.zone_kpis(bad, as_of=AS_OF)


def test_zone_district_and_settlement_links(demo: zonegeo.Dataset) -> None:
    bad = relabel(demo, "zones", "district", "Sauran", "Сауранский район")
    bad = relabel(bad, "settlements", "district", "Sayram", "Sairam")
    with pytest.raises(SchemaError) as err:
        check_links(bad)
    text = str(err.value)
    assert "zones: column 'district'" in text and "zone_id=SAU-SS-01" in text
    assert "it is 'Sauran' (Russian name_ru 'Сауранский район')" in text
    assert "settlements: column 'district'" in text and "it is 'Sayram'" in text


def test_plot_in_a_zone_of_another_district_refused(demo: zonegeo.Dataset) -> None:
    plots = demo.plots.copy()
    plots.loc[plots["plot_id"] == "SRG-RZ-001", "district"] = "Otrar"
    with pytest.raises(
        SchemaError,
        match=r"1 plot\(s\) name a different district than their zone, "
        r"plot_id=SRG-RZ-001 \(zone 'SRG-RZ-01' lies in 'Saryagash' but its plots "
        r"say 'Otrar'\)",
    ):
        check_links(dataclasses.replace(demo, plots=plots))


def test_duplicate_keys_refused(demo: zonegeo.Dataset) -> None:
    zones = pd.concat([demo.zones, demo.zones.iloc[[0]]])
    with pytest.raises(
        SchemaError,
        match=r"zones: zone_id values appear more than "
        r"once: 'TRK-RZ-01'",
    ):
        check_links(dataclasses.replace(demo, zones=zones))


def test_check_links_wants_a_dataset() -> None:
    with pytest.raises(TypeError, match="expected a zonegeo.Dataset, got dict"):
        check_links({})  # type: ignore[arg-type]


# --- every function that takes a whole dataset checks the links ---


def _whole_dataset_calls(tmp: Path) -> dict[str, Callable[[zonegeo.Dataset], object]]:
    return {
        "zone_kpis": lambda ds: zonegeo.zone_kpis(ds, as_of=AS_OF),
        "district_kpis": lambda ds: zonegeo.district_kpis(ds, as_of=AS_OF),
        "write_report": lambda ds: zonegeo.write_report(ds, tmp / "r.xlsx"),
        "write_atlas": lambda ds: zonegeo.write_atlas(ds, tmp / "atlas"),
        "district_map": lambda ds: zonegeo.district_map(ds, district="Sauran"),
        "region_map": lambda ds: zonegeo.maps.district.region_map(ds),
        "service_coverage": lambda ds: zonegeo.service_coverage(ds),
        "candidate_sites": lambda ds: zonegeo.candidate_sites(ds, "Sauran", area_ha=5),
        "write_dataset": lambda ds: zonegeo.write_dataset(ds, tmp / "copy"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "zone_kpis",
        "district_kpis",
        "write_report",
        "write_atlas",
        "district_map",
        "region_map",
        "service_coverage",
        "candidate_sites",
        "write_dataset",
    ],
)
def test_whole_dataset_functions_refuse_broken_links(
    demo: zonegeo.Dataset, tmp_path: Path, name: str
) -> None:
    bad = relabel(demo, "plots", "district", "Saryagash", "Сарыағаш")
    call = _whole_dataset_calls(tmp_path)[name]
    with pytest.raises(SchemaError, match=r"'Сарыағаш' in 29 row\(s\)"):
        call(bad)
    assert not any(tmp_path.iterdir()), "nothing is written from a broken dataset"


# --- the key figures account for every plot ---


def test_demo_kpis_account_for_every_plot(demo: zonegeo.Dataset) -> None:
    d = zonegeo.district_kpis(demo, as_of=AS_OF)
    z = zonegeo.zone_kpis(demo, as_of=AS_OF)
    n = len(demo.plots)
    assert d["plots"].iloc[:-1].sum() == n == d["plots"].iloc[-1]
    assert z["plots"].sum() == int(demo.plots["zone_id"].notna().sum())
    assert d["investment_kzt"].iloc[:-1].sum() == pytest.approx(
        demo.plots["investment_kzt"].sum()
    )


UTM = "EPSG:32642"
X0, Y0 = 600_000.0, 4_790_000.0
DISTRICTS = ("Sauran", "Ordabasy", "Arys")


def _tiny(rows: list[tuple[int, int | None, str, float]]) -> zonegeo.Dataset:
    """Three 10 km districts side by side, two 2 km zones each, plots as given.

    Each row is (district position, zone position within it or None, status,
    investment).
    """
    districts = gpd.GeoDataFrame(
        {"district": list(DISTRICTS)},
        geometry=[
            box(X0 + 10_000 * i, Y0, X0 + 10_000 * (i + 1), Y0 + 10_000)
            for i in range(3)
        ],
        crs=UTM,
    )
    zone_rows = [(d, k) for d in range(3) for k in range(2)]
    zones = gpd.GeoDataFrame(
        {
            "zone_id": [f"Z{d}{k}" for d, k in zone_rows],
            "name": [f"Zone {d}{k}" for d, k in zone_rows],
            "district": [DISTRICTS[d] for d, _ in zone_rows],
            "kind": ["small_site"] * len(zone_rows),
        },
        geometry=[
            box(
                X0 + 10_000 * d + 3000 * k + 500,
                Y0 + 500,
                X0 + 10_000 * d + 3000 * k + 2500,
                Y0 + 2500,
            )
            for d, k in zone_rows
        ],
        crs=UTM,
    )
    geoms, data = [], []
    for i, (d, k, status, inv) in enumerate(rows):
        x = (
            X0
            + 10_000 * d
            + (3000 * k + 600 + 20 * (i % 80) if k is not None else 7000)
        )
        y = Y0 + 600 + 20 * (i // 80) if k is not None else Y0 + 5000 + 20 * i
        geoms.append(box(x, y, x + 15, y + 15))
        data.append(
            {
                "plot_id": f"P{i}",
                "zone_id": f"Z{d}{k}" if k is not None else None,
                "district": DISTRICTS[d],
                "status": status,
                "investment_kzt": inv,
            }
        )
    columns = ["plot_id", "zone_id", "district", "status", "investment_kzt"]
    plots = gpd.GeoDataFrame(
        pd.DataFrame(data, columns=columns), geometry=geoms, crs=UTM
    )
    infra = gpd.GeoDataFrame(
        {"infra_id": ["G"], "kind": ["gas"]},
        geometry=[box(X0, Y0, X0 + 1, Y0 + 1).centroid],
        crs=UTM,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return zonegeo.Dataset(
            districts=validate_layer(districts, "districts", source="t"),
            zones=validate_layer(zones, "zones", source="t"),
            plots=validate_layer(plots, "plots", source="t", check_overlaps=False),
            infrastructure=validate_layer(infra, "infrastructure", source="t"),
            source="tiny",
        )


plot_rows = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.one_of(st.none(), st.integers(0, 1)),
        st.sampled_from(zonegeo.schema.PLOT_STATUSES),
        st.floats(0, 1e10),
    ),
    min_size=0,
    max_size=60,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=plot_rows)
def test_kpi_tables_account_for_every_plot(
    rows: list[tuple[int, int | None, str, float]],
) -> None:
    """District rows and the total sum to the plot count; zones to the zoned plots."""
    ds = _tiny(rows)
    d = zonegeo.district_kpis(ds, as_of=AS_OF)
    z = zonegeo.zone_kpis(ds, as_of=AS_OF)
    n = len(rows)
    zoned = sum(1 for _, k, _, _ in rows if k is not None)
    assert d["plots"].iloc[:-1].sum() == n == d["plots"].iloc[-1]
    assert z["plots"].sum() == zoned
    status_cols = [
        "plots_free",
        "plots_allocated",
        "plots_construction",
        "plots_operating",
    ]
    assert (d[status_cols].sum(axis=1) == d["plots"]).all()
    assert (z[status_cols].sum(axis=1) == z["plots"]).all()
    assert d["investment_kzt"].iloc[-1] == pytest.approx(sum(r[3] for r in rows))
    for pos, name in enumerate(DISTRICTS):
        want = sum(1 for r in rows if r[0] == pos)
        assert d.loc[d["district"] == name, "plots"].item() == want


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=plot_rows.filter(lambda r: len(r) > 0), data=st.data())
def test_a_broken_link_never_goes_uncounted(
    rows: list[tuple[int, int | None, str, float]], data: st.DataObject
) -> None:
    """Renaming any plot's district or zone to an unknown value is refused."""
    ds = _tiny(rows)
    i = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.sampled_from(["district", "zone_id"]))
    plots = ds.plots.copy()
    plots.loc[plots.index[i], column] = data.draw(
        st.sampled_from(["Сарыағаш", "Turkestan", "Z9", "sauran"])
    )
    with pytest.raises(ValidationError, match=rf"plot_id=P{i}\b"):
        zonegeo.district_kpis(dataclasses.replace(ds, plots=plots), as_of=AS_OF)
