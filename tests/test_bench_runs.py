"""The benchmark (tests/bench/run.py) is run by hand, not in the suite: this only keeps
it from rotting, on its cheapest row in a real pseudo-terminal, one pair."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).parent / "bench" / "run.py"


def test_the_benchmark_runs_its_start_up_row(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    command = [sys.executable, str(RUN), "--only", "start/board", "--dry-run", "--quick"]
    command += ["--work", str(tmp_path / "work"), "--json", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    # 1 is a budget missed (a FAIL row), not a broken bench.
    assert done.returncode in (0, 1), done.stderr
    assert "start/board" in done.stdout
    rows = json.loads(out.read_text())["rows"]
    assert [row["name"] for row in rows] == ["start/board"]
    row = rows[0]
    assert row["result"] in ("PASS", "FAIL")
    # Both sides were measured in the terminal, the app slower than the bare floor.
    assert 0 < row["values"]["floor_s"] < row["values"]["ours_s"] < 30
    assert row["values"]["ratio"] > 1


def test_the_benchmark_runs_its_schedule_rows(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    command = [sys.executable, str(RUN), "--only", "schedule", "--dry-run", "--quick"]
    command += ["--work", str(tmp_path / "work"), "--json", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    rows = {row["name"]: row for row in json.loads(out.read_text())["rows"]}
    assert list(rows) == [
        "schedule/2000/first-frame",
        "schedule/2000/scroll",
        "schedule/2000/shift",
    ]
    for row in rows.values():
        assert row["result"] in ("PASS", "FAIL")
        # measured in the terminal, and the reads in-process: real figures
        assert 0 < row["values"]["s"] < 30
        assert 0 < row["values"]["schedule_read_s"] < 30
        assert 0 < row["values"]["workload_s"] < 30


def test_the_benchmark_runs_its_import_row(tmp_path: Path) -> None:
    """A dry run imports 1,000 rows of a Toggl report into a copy of the demo, and the row
    passes only when every row was stored."""
    out = tmp_path / "bench.json"
    command = [sys.executable, str(RUN), "--only", "import", "--dry-run", "--quick"]
    command += ["--work", str(tmp_path / "work"), "--json", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    (row,) = json.loads(out.read_text())["rows"]
    assert row["name"] == "import/100k" and row["result"] == "PASS", row
    assert row["values"]["rows"] == 1000 and 0 < row["values"]["s"] < 60
