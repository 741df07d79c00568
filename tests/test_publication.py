"""Releases and the atomic warehouse, through the real nightly_load job (docs/publication.md).

One warehouse goes through four loads on the embargo date 2010-01-01, when 2008/09 values
are publishable (publication date 9 Dec 2009) and 2009/10 values are not (9 Dec 2010):
  1. NI 117 for four areas in 2008/09, Rotherham's only provisional; a 2009/10 value;
  2. Barnsley revised, Rotherham sent as final, Sheffield revised but only provisionally,
     while an analyst's read-only connection (another process) stays open throughout;
  3. a load whose quality check fails;
  4. a load whose release cannot be built.
Every expected figure is worked out here from the returns written.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import duckdb
import pytest
from browser import dump_dom, screenshot, screenshot_dir
from harness import NightlyLoad

import pipelines.release.release as release_module
from pipelines.cli import main as niw
from pipelines.release.fetch import fetch_release
from pipelines.release.release import stage_release, verify_release, write_table
from pipelines.release.serve import make_server
from pipelines.settings import REPO_ROOT
from pipelines.warehouse.build_file import list_generations

BARNSLEY, DONCASTER, ROTHERHAM, SHEFFIELD = "E08000016", "E08000017", "E08000018", "E08000019"
HEADER = "area_code,indicator,period,value,numerator,denominator,status\n"
AS_OF = "2010-01-01"
ROUND1 = HEADER + (
    f"{BARNSLEY},NI 117,2008/09,,75,1000,final\n"
    f"{DONCASTER},NI 117,2008/09,,90,1200,final\n"
    f"{ROTHERHAM},NI 117,2008/09,,50,1000,provisional\n"
    f"{SHEFFIELD},NI 117,2008/09,6.0,,,final\n"
    f"{BARNSLEY},NI 117,2009/10,,60,1000,final\n"  # embargoed until 9 Dec 2010
)
ROUND2 = HEADER + (
    f"{BARNSLEY},NI 117,2008/09,,70,1000,final\n"
    f"{ROTHERHAM},NI 117,2008/09,,50,1000,final\n"
    f"{SHEFFIELD},NI 117,2008/09,9.0,,,provisional\n"
)
READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
query = "select count(*), max(load_id) from audit.loads"
print(con.execute(query).fetchone(), flush=True)
for line in sys.stdin:
    print(con.execute(query).fetchone(), flush=True)
"""


def state(night: NightlyLoad) -> tuple[str, str, dict[str, str]]:
    """The warehouse's bytes, where latest points, and the bytes of that release."""
    release = night.latest()
    return night.sha256(), release.name, _files(release)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def released(release: Path, table: str, where: str = "true") -> list[tuple]:
    with duckdb.connect() as con:
        path = release / "data" / f"{table}.parquet"
        return con.execute(
            f"select * from read_parquet('{path}') where {where} "  # noqa: S608
            "order by all"
        ).fetchall()


@pytest.fixture(scope="module")
def nightly(make_nightly_load) -> NightlyLoad:
    night = make_nightly_load("publication", as_of=AS_OF)
    night.write("2008-09/round1.csv", ROUND1)
    first = night.run()
    assert first.success, first.all_events
    night.first_release = night.latest()  # type: ignore[attr-defined]

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(night.warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    before = reader.stdout.readline()
    night.write("2008-09/round2.csv", ROUND2)
    second = night.run()
    reader.stdin.write("again\n")
    reader.stdin.flush()
    during = reader.stdout.readline()
    reader.stdin.close()
    reader.wait(timeout=30)
    assert second.success, second.all_events
    night.reader = {  # type: ignore[attr-defined]
        "before": before,
        "after_load": during,
        "stderr": reader.stderr.read(),
        "returncode": reader.returncode,
    }
    night.second_release = night.latest()  # type: ignore[attr-defined]
    return night


# ---- the release holds only what may be published --------------------------------------


def test_a_release_holds_final_values_of_published_periods_only(nightly: NightlyLoad) -> None:
    first = nightly.first_release  # type: ignore[attr-defined]
    values = released(first, "fct_indicator_values")
    # Rotherham's provisional value and Barnsley's 2009/10 (embargoed) value are absent.
    assert [(a, n, p, v, num, den, s) for a, n, p, v, num, den, _, _, s, *_ in values] == [
        (BARNSLEY, "NI 117", "2008-09", 7.5, 75.0, 1000.0, "final"),
        (DONCASTER, "NI 117", "2008-09", 7.5, 90.0, 1200.0, "final"),
        (SHEFFIELD, "NI 117", "2008-09", 6.0, None, None, "final"),
    ]
    # England is the ratio of the released numerators and denominators: 165 / 2200 x 100,
    # not (165 + 50) / 3200 x 100 with Rotherham's provisional value.
    england = released(first, "fct_group_values", "group_type = 'england'")
    assert [(r[3], r[4], r[5], r[6], r[7], r[8]) for r in england] == [
        ("NI 117", "2008-09", 7.5, 165.0, 2200.0, 2)
    ]
    # Ranks among released values (lower is better): Sheffield first, the two 7.5s tie second.
    caa = {
        row[0]: row
        for row in released(first, "caa_area_performance")  # area_code first
    }
    assert set(caa) == {BARNSLEY, DONCASTER, SHEFFIELD}
    assert {a: (r[3], r[8], r[9], r[7]) for a, r in caa.items()} == {
        BARNSLEY: ("2008-09", 2, 3, 3),
        DONCASTER: ("2008-09", 2, 3, 3),
        SHEFFIELD: ("2008-09", 1, 3, 2),
    }


def test_a_release_of_real_returns_is_not_marked_demo(nightly: NightlyLoad) -> None:
    release = nightly.latest()
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["demo"] is False and "demo_note" not in manifest
    assert not (release / "DEMO-DATA.txt").exists()
    index = (release / "site" / "index.html").read_text(encoding="utf-8")
    assert "DEMO DATA" not in index and 'class="demo"' not in index


def test_no_release_file_holds_a_provisional_or_embargoed_value(nightly: NightlyLoad) -> None:
    for release in (nightly.first_release, nightly.second_release):  # type: ignore[attr-defined]
        manifest = json.loads((release / "manifest.json").read_text())
        assert manifest["as_of"] == AS_OF
        for name, table in manifest["tables"].items():
            if name in ("dim_period", "embargo"):  # the calendar itself, not values
                continue
            rows = read_csv(release / table["csv"])
            assert len(rows) == table["rows"]
            for row in rows:
                if name in ("fct_indicator_values", "caa_area_performance"):
                    assert row["status"] == "final", (name, row)
                assert not row.get("period_id", "").startswith("2009-10"), (name, row)
        site = "\n".join(p.read_text() for p in (release / "site").rglob("*.html"))
        assert "2009/10" not in site and "provisional" not in site.lower().replace(
            "provisional values", ""
        )


def test_formula_cells_are_neutralised_and_numbers_keep_their_sign(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("create table t (k integer, text varchar, number double)")
    cells = ["=1+2", "+44 20 7946", "-x", "@SUM(A1)", "\t=1", "Barnsley", "a=b", None]
    con.executemany("insert into t values (?, ?, ?)", [(i, c, -1.5) for i, c in enumerate(cells)])
    write_table(con, "t", "k", tmp_path / "t")
    rows = read_csv(tmp_path / "t.csv")
    assert [r["text"] for r in rows] == [
        "'=1+2", "'+44 20 7946", "'-x", "'@SUM(A1)", "'\t=1", "Barnsley", "a=b", "",
    ]  # fmt: skip
    assert {r["number"] for r in rows} == {"-1.5"}
    # The Parquet file keeps the text as it was: only spreadsheets need the guard.
    parquet = duckdb.connect().execute(f"select text from '{tmp_path / 't.parquet'}' order by k")  # noqa: S608
    assert [r[0] for r in parquet.fetchall()] == cells


def test_every_released_text_cell_is_safe_in_a_spreadsheet(nightly: NightlyLoad) -> None:
    release = nightly.second_release  # type: ignore[attr-defined]
    for path in (release / "data").glob("*.csv"):
        with duckdb.connect() as con:
            schema = con.execute(f"describe select * from '{path.with_suffix('.parquet')}'")  # noqa: S608
            types = {name: data_type for name, data_type, *_ in schema.fetchall()}
        for row in read_csv(path):
            for column, cell in row.items():
                if types[column] == "VARCHAR" and cell:
                    assert cell[0] not in "=+-@\t\r", (path.name, column, cell)


# ---- manifest, checksums, changes, byte-identical rebuilds -------------------------------


def test_the_latest_release_verifies_against_its_manifest(
    nightly: NightlyLoad, capsys, monkeypatch
) -> None:
    release = nightly.latest()
    assert verify_release(release) == []
    manifest = json.loads((release / "manifest.json").read_text())
    listed = {f["path"] for f in manifest["files"]}
    on_disk = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert on_disk - listed == {"manifest.json", "SHA256SUMS"}
    assert {"site/index.html", "changes.csv", "data/caa_area_performance.parquet"} <= listed
    for name in ("caa_area_performance", "fct_indicator_values", "fct_group_values"):
        assert manifest["tables"][name]["columns"][0]["name"] in ("area_code", "group_type")
    # SHA256SUMS is what `sha256sum -c` reads: check it the same way.
    for line in (release / "SHA256SUMS").read_text().splitlines():
        digest, relative = line.split("  ", 1)
        assert sha256(release / relative) == digest, relative
    monkeypatch.setenv("NIW_PUBLISH_DIR", str(nightly.published))
    assert niw(["verify"]) == 0
    assert "OK, release" in capsys.readouterr().out


def test_a_tampered_release_does_not_verify(nightly: NightlyLoad, tmp_path: Path, capsys) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(nightly.latest(), copy)
    with (copy / "data" / "fct_indicator_values.csv").open("a") as handle:
        handle.write(f"{ROTHERHAM},NI 117,2009-10,1.0,,,,,final,1,financial_year,2010-12-09\n")
    (copy / "site" / "extra.html").write_text("<p>not released</p>")
    problems = verify_release(copy)
    assert "data/fct_indicator_values.csv: SHA-256 differs from the manifest" in " ".join(
        problems
    ) or any("fct_indicator_values.csv" in p and "bytes" in p for p in problems)
    assert "site/extra.html: not in the manifest" in problems
    assert niw(["verify", str(copy)]) == 1
    assert "DOES NOT VERIFY" in capsys.readouterr().err


def test_changes_list_new_and_revised_values_with_old_and_new(nightly: NightlyLoad) -> None:
    second = nightly.second_release  # type: ignore[attr-defined]
    manifest = json.loads((second / "manifest.json").read_text())
    assert manifest["previous_release"] == nightly.first_release.name  # type: ignore[attr-defined]
    changes = read_csv(second / "changes.csv")
    assert [(c["area_code"], c["change"], c["old_value"], c["new_value"]) for c in changes] == [
        (BARNSLEY, "revised", "7.5", "7.0"),
        (ROTHERHAM, "new", "", "5.0"),
    ]  # Sheffield's provisional revision is not released: its final 6.0 stands
    assert (manifest["changes"]["new"], manifest["changes"]["revised"]) == (1, 1)
    assert released(second, "fct_indicator_values", f"area_code = '{SHEFFIELD}'")[0][3] == 6.0
    england = released(second, "fct_group_values", "group_type = 'england'")[0]
    assert england[5:9] == ((70 + 90 + 50) / 3200 * 100, 210.0, 3200.0, 3)


def test_rebuilding_a_release_from_the_same_load_gives_the_same_bytes(
    nightly: NightlyLoad, tmp_path: Path
) -> None:
    made_by_the_load = nightly.second_release  # type: ignore[attr-defined]
    rebuilt = []
    for name in ("a", "b"):
        publish_dir = tmp_path / name
        publish_dir.mkdir()
        first = nightly.first_release  # type: ignore[attr-defined]
        shutil.copytree(first, publish_dir / first.name)
        (publish_dir / "latest").symlink_to(first.name)
        staged = stage_release(nightly.warehouse, publish_dir)
        rebuilt.append(staged.commit())
    for release in rebuilt:
        assert release.name == made_by_the_load.name
        assert _files(release) == _files(made_by_the_load)


def test_a_load_with_nothing_new_to_publish_keeps_the_latest_release(nightly: NightlyLoad) -> None:
    before = state(nightly)
    staged = stage_release(nightly.warehouse, nightly.published)  # the same load again
    assert staged.unchanged_from == nightly.second_release.name  # type: ignore[attr-defined]
    assert not (staged.folder / "site").exists()  # no site drawn for nothing
    assert staged.commit() == nightly.second_release  # type: ignore[attr-defined]
    assert state(nightly) == before
    assert not list(nightly.published.glob(".staging-*"))


def _files(release: Path) -> dict[str, str]:
    return {p.relative_to(release).as_posix(): sha256(p) for p in release.rglob("*") if p.is_file()}


# ---- the atomic warehouse ------------------------------------------------------------------


def test_a_reader_holding_a_connection_through_a_load_keeps_the_old_state(
    nightly: NightlyLoad,
) -> None:
    reader = nightly.reader  # type: ignore[attr-defined]
    assert reader["returncode"] == 0, reader["stderr"]
    assert reader["stderr"] == ""
    assert reader["before"].startswith("(1, ")
    assert reader["after_load"] == reader["before"]  # the same snapshot, no error, no wait
    with duckdb.connect(str(nightly.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from audit.loads").fetchone()[0] >= 2


def test_a_load_whose_release_fails_leaves_warehouse_and_latest_release_alone(
    nightly: NightlyLoad, monkeypatch
) -> None:
    before = state(nightly)

    def broken_site(folder, manifest, say):
        (folder / "site").mkdir()
        raise RuntimeError("the site could not be drawn")

    monkeypatch.setattr(release_module, "build_release_site", broken_site)
    # Something publishable, so that a new release is due: Doncaster's 2008/09 revised.
    nightly.write("2008-09/round4.csv", HEADER + f"{DONCASTER},NI 117,2008/09,,80,1200,final\n")
    result = nightly.run()
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "the site could not be drawn" in failures[0].event_specific_data.error.to_string()
    assert state(nightly) == before
    assert not list(nightly.published.glob(".staging-*"))


def test_generations_are_kept_and_a_rollback_restores_one(
    nightly: NightlyLoad, tmp_path: Path, monkeypatch
) -> None:
    copy = nightly.copy(tmp_path / "copy")
    warehouse, published = copy.warehouse, copy.published
    kept = [g.load_id for g in list_generations(warehouse)]
    first_load = json.loads((nightly.first_release / "manifest.json").read_text())  # type: ignore[attr-defined]
    first_load_id = first_load["source_load"]["load_id"]
    assert kept and kept[0] == first_load_id
    monkeypatch.setenv("NIW_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("NIW_PUBLISH_DIR", str(published))
    assert niw(["rollback", first_load_id]) == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from audit.loads").fetchone()[0] == 1
        assert con.execute(
            "select value from marts.fct_indicator_values where area_code = ? "
            "and period_id = '2008-09'",
            [BARNSLEY],
        ).fetchone() == (7.5,)
    assert (published / "latest").resolve().name == nightly.first_release.name  # type: ignore[attr-defined]
    # The file it replaced is a generation too, so the rollback can be undone.
    assert len(list_generations(warehouse)) == len(kept) + 1


# ---- inspectorate pull -----------------------------------------------------------------------


@pytest.fixture
def server(nightly: NightlyLoad):
    httpd = make_server(nightly.published, port=0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def test_an_inspectorate_fetches_the_latest_release_and_checks_it(
    nightly: NightlyLoad, server: str, tmp_path: Path
) -> None:
    assert fetch_release(f"{server}/latest/", tmp_path / "pulled") == []
    assert _files(tmp_path / "pulled") == _files(nightly.latest())  # SHA256SUMS included
    assert verify_release(tmp_path / "pulled") == []
    # the documented check works on what was pulled
    check = subprocess.run(
        ["sha256sum", "--quiet", "-c", "SHA256SUMS"],
        cwd=tmp_path / "pulled",
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    with urllib.request.urlopen(f"{server}/") as response:  # redirected to the site
        assert response.url.endswith("/latest/site/index.html")
        assert nightly.latest().name in response.read().decode()


def test_a_corrupted_download_is_reported_not_kept(
    nightly: NightlyLoad, tmp_path: Path, server: str
) -> None:
    staging = nightly.published / ".staging-hidden"
    staging.mkdir(exist_ok=True)
    try:
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{server}/.staging-hidden/")
    finally:
        staging.rmdir()
    served = tmp_path / "served"
    shutil.copytree(nightly.latest(), served / "r")
    (served / "r" / "data" / "dim_area.csv").write_text("area_code\n=1+1\n")
    httpd = make_server(served, port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        problems = fetch_release(f"http://127.0.0.1:{httpd.server_port}/r/", tmp_path / "pulled")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert problems == ["data/dim_area.csv: size or SHA-256 differs from the manifest; not kept"]
    assert not (tmp_path / "pulled" / "data" / "dim_area.csv").exists()


def test_the_documented_duckdb_queries_run_on_a_release_folder(nightly: NightlyLoad) -> None:
    """The SQL docs/publication.md gives inspectorates, run as written on a pulled release."""
    docs = (REPO_ROOT / "docs" / "publication.md").read_text(encoding="utf-8")
    sql = docs.split("```sql\n", 1)[1].split("```", 1)[0]
    statements = [s for s in sql.split(";") if s.strip()]
    assert len(statements) == 3
    release = str(nightly.latest())
    with duckdb.connect() as con:
        results = [
            con.execute(statement.replace("'caa-release/", f"'{release}/")).fetchall()
            for statement in statements
        ]
    league, changes, quartiles = results
    assert [(name, value) for name, value, *_ in league] == [
        ("Rotherham", 5.0), ("Sheffield", 6.0), ("Barnsley", 7.0), ("Doncaster", 7.5),
    ]  # fmt: skip
    assert england_of(league) == {(70 + 90 + 50) / 3200 * 100}
    assert sorted(changes) == [("new", 1), ("revised", 1)]
    assert ("Rotherham", 1, 0) in quartiles


def england_of(league: list[tuple]) -> set[float]:
    return {row[2] for row in league}


# ---- the published site, in a real browser ---------------------------------------------------


def test_the_latest_release_site_opens_in_chromium_with_the_released_figures(
    nightly: NightlyLoad,
) -> None:
    site = nightly.published / "latest" / "site"
    shots = screenshot_dir()
    index = dump_dom(site / "index.html")
    assert nightly.latest().name in index.text
    assert {"areas/E08000016.html", "indicators/ni-117.html"} <= set(index.links)
    assert screenshot(site / "index.html", shots / "release-index.png").stat().st_size > 5_000

    # Barnsley: 70 / 1000 = 7 (revised from 7.5); England and Yorkshire and the Humber, the
    # same four areas: 210 / 3200 = 6.5625, shown to one decimal place; third of four.
    area = dump_dom(site / "areas" / f"{BARNSLEY}.html")
    rows = area.table("Children and young people: latest published values")["rows"]
    ni117 = [r for r in rows if r[0].startswith("NI 117 ")]
    # columns: indicator, period, value, interval, England, comparison, trend, region, quartile,
    # rank, ...; England's 6.5625 lies inside Barnsley's 95 % Wilson interval of 70 / 1000
    assert ni117 and [ni117[0][i] for i in (1, 2, 4, 7, 8, 9)] == [
        "2008/09", "7", "6.6", "6.6", "3", "3 of 4"
    ]  # fmt: skip
    assert ni117[0][5] == "Similar to England"
    assert "7.5" not in " ".join(ni117[0])  # the superseded value is not shown
    page = site / "areas" / f"{BARNSLEY}.html"
    assert screenshot(page, shots / "release-area.png").stat().st_size > 5_000

    indicator = dump_dom(site / "indicators" / "ni-117.html")
    assert "ni-117/2008-09.html" in indicator.links  # the period's league table
    page = site / "indicators" / "ni-117.html"
    assert screenshot(page, shots / "release-indicator.png").stat().st_size > 5_000
    page = site / "indicators" / "ni-117" / "2008-09.html"
    league = dump_dom(page).table("areas with a published value")["rows"][1:]
    assert [r[1] for r in league] == ["Rotherham", "Sheffield", "Barnsley", "Doncaster"]
    assert screenshot(page, shots / "release-league.png").stat().st_size > 5_000


# ---- disk growth: compaction and the retention rule ----------------------------------------


def test_the_live_warehouse_is_compacted_before_the_swap(nightly: NightlyLoad) -> None:
    # The second load rebuilt the dbt tables in a copy of the first file, which leaves the old
    # tables' blocks free: the file goes live at most half free (never over twice its data).
    (total, free) = nightly.query("select total_blocks, free_blocks from pragma_database_size()")[0]
    assert free / total <= 0.5, (total, free)


def test_the_retention_rule_prunes_superseded_sites_and_keeps_what_was_published(
    nightly: NightlyLoad, tmp_path: Path, monkeypatch, capsys
) -> None:
    copy = nightly.copy(tmp_path / "copy")
    first = copy.published / nightly.first_release.name  # type: ignore[attr-defined]
    latest = copy.latest()
    monkeypatch.setenv("NIW_PUBLISH_DIR", str(copy.published))
    assert niw(["prune", "--keep-sites", "1", "--dry-run"]) == 0
    assert f"would prune the site of {first.name}" in capsys.readouterr().out
    assert (first / "site" / "index.html").exists()

    assert niw(["prune", "--keep-sites", "1"]) == 0
    out = capsys.readouterr().out
    assert f"pruned the site of {first.name}" in out and latest.name not in out
    assert not (first / "site").exists() and (latest / "site" / "index.html").exists()
    assert "pruned" in (first / "SITE-PRUNED.txt").read_text()
    # what was published stays: data, changes, manifest; both releases still verify
    assert (first / "data" / "fct_indicator_values.parquet").exists()
    assert verify_release(first) == [] and verify_release(latest) == []
    check = subprocess.run(
        ["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=first, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    # the latest release keeps its site whatever the rule says
    assert niw(["prune", "--keep-sites", "0"]) == 2
