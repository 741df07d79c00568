"""The docs name only files that exist: every repository path a doc mentions is there.

A path counts when it starts with one of the project's own folders (pipelines/, dbt_project/,
docs/, tests/, bench/, expectations/, data/seeds/, .ci/) or is a top-level file; paths the
pipeline creates at run time (data/raw, data/warehouse, data/published, data/quality) are not
the repository's and are skipped, as are patterns (`*`, `<id>`, `{name}`). The CHANGELOG is
history and may name files that have since moved.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.settings import REPO_ROOT

DOCS = sorted(
    [REPO_ROOT / "README.md", REPO_ROOT / "data" / "seeds" / "README.md"]
    + list((REPO_ROOT / "docs").glob("*.md"))
)
REPO_FOLDERS = (
    "pipelines/",
    "dbt_project/",
    "docs/",
    "tests/",
    "bench/",
    "expectations/",
    "data/seeds/",
    ".ci/",
)
TOP_LEVEL = ("Makefile", "pyproject.toml", "README.md", "CHANGELOG.md", ".gitignore")
# `code spans` and the targets of [markdown](links)
CANDIDATES = re.compile(r"`([^`\s]+)`|\]\(([^)\s#]+)")


# dbt's own folders, as docs name them inside the dbt project
DBT_FOLDERS = ("models/", "macros/", "seeds/")


def named_paths(text: str, folder: Path) -> set[str]:
    """Repository paths named in a doc's text; links are taken relative to the doc's folder."""
    found = set()
    for match in CANDIDATES.finditer(text):
        name = (match.group(1) or match.group(2)).strip().rstrip(".,:;")
        if match.group(2):
            if "://" in name or name.startswith("mailto:"):
                continue
            target = (folder / name).resolve()
            if not target.is_relative_to(REPO_ROOT):
                continue
            name = target.relative_to(REPO_ROOT).as_posix()
        if any(mark in name for mark in "*<>{}$"):
            continue
        if name.startswith(DBT_FOLDERS):
            name = f"dbt_project/{name}"
        if name.startswith(REPO_FOLDERS) or name in TOP_LEVEL:
            found.add(name.split("::")[0])
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_every_path_a_doc_names_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    missing = sorted(p for p in named_paths(text, doc.parent) if not (REPO_ROOT / p).exists())
    assert not missing, f"{doc.name} names paths that do not exist: {missing}"


def test_the_checker_finds_paths_in_code_spans_and_links() -> None:
    text = (
        "Rows are judged in `pipelines/ingest/validate.sql`, ranked in `models/marts/x.sql`; "
        "see [the contract](contract.md) and [dbt](https://docs.getdbt.com/x.md). "
        "Not `data/warehouse/ni.duckdb` (made at run time), nor `docs/<name>.md`."
    )
    assert named_paths(text, REPO_ROOT / "docs") == {
        "pipelines/ingest/validate.sql",
        "dbt_project/models/marts/x.sql",
        "docs/contract.md",
    }


def test_pyproject_points_only_to_docs_that_exist() -> None:
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for name in re.findall(r"docs/[\w.-]+\.md", text):
        assert (REPO_ROOT / name).exists(), name
