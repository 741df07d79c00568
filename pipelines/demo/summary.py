"""What the demo generator wrote, and what the pipeline should make of it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..feeds.generate import FeedSummary


@dataclass(frozen=True)
class WrittenFile:
    """One file the generator wrote (path relative to the raw folder, POSIX)."""

    path: str
    file_format: str  # csv, xlsx, xls, txt, or "" for a name without an extension
    encoding: str | None  # CSV: utf-8, utf-8-sig or cp1252; None otherwise
    rows: int  # data rows under the header (0 for files that are not returns)
    expected_outcome: str  # LOADED, REJECTED, ALREADY_LOADED or IGNORED


@dataclass(frozen=True)
class DeliberateFault:
    """A fault planted on purpose, and the reason code the pipeline should give it.

    Row faults have a line number (counted as the contract says: the header's line is where
    counting starts) and expected_outcome REJECTED_ROW. File faults have line None, an
    expected_outcome of REJECTED, ALREADY_LOADED or IGNORED, and as reason_code the file
    reason (EMPTY, MISSING_COLUMNS, UNSUPPORTED_FORMAT, UNREADABLE) or the outcome itself.
    """

    path: str
    line: int | None
    reason_code: str
    expected_outcome: str
    description: str


@dataclass
class DemoSummary:
    """The result of one generator run."""

    raw_dir: Path
    seed: int
    scale: float
    areas: int
    indicators: int
    files: list[WrittenFile] = field(default_factory=list)
    faults: list[DeliberateFault] = field(default_factory=list)
    # indicators given a departmental back series (pipelines/demo/back_series.py)
    back_series: list[str] = field(default_factory=list)
    feed: FeedSummary | None = None  # the WPLS neighbourhood feed, when written

    @property
    def files_by_format(self) -> dict[str, int]:
        return dict(sorted(Counter(f.file_format for f in self.files).items()))

    @property
    def rows_written(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def row_faults(self) -> list[DeliberateFault]:
        return [f for f in self.faults if f.line is not None]

    @property
    def file_faults(self) -> list[DeliberateFault]:
        return [f for f in self.faults if f.line is None]

    def describe(self) -> str:
        """A few lines for a person: what was written and which faults were planted."""
        formats = ", ".join(f"{n} {fmt or '(none)'}" for fmt, n in self.files_by_format.items())
        lines = [
            f"wrote {len(self.files)} files ({formats}), {self.rows_written} data rows, "
            f"{self.areas} areas x {self.indicators} live indicators, to {self.raw_dir}",
            f"deliberate faults: {len(self.row_faults)} rows, {len(self.file_faults)} files",
        ]
        lines += [
            f"  {f.path}{'' if f.line is None else f':{f.line}'}  {f.reason_code}  "
            f"({f.description})"
            for f in self.faults
        ]
        if self.back_series:
            lines.append(
                f"back series 2003/04-2006/07 for {len(self.back_series)} indicators "
                f"({', '.join(self.back_series)}); recalled: collected before the NIS, unverified"
            )
        if self.feed is not None:
            lines.append(
                f"WPLS neighbourhood feed: {self.feed.files} files, {self.feed.claimant_rows:,} "
                f"claimant rows over {self.feed.lsoas:,} LSOAs (illustrative; NI 152 and NI 153 "
                "are derived from it, not typed into the returns)"
            )
        return "\n".join(lines)
