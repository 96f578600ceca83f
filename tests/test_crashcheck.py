"""The crash checker the README documents runs, and reports a clean directory as clean."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_crashcheck_runs_on_a_directory(tmp_path):
    (tmp_path / "app.py").write_text(
        "import os\nimport logging\nlogging.info(os.environ['API_KEY'])\nf = lambda t: print(t)\n"
    )
    (tmp_path / "broken.py").write_text("def (:\n")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "crashcheck.py"), str(tmp_path), "-j", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "files: 2" in done.stdout
    assert "internal errors: 0" in done.stdout
