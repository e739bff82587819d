from __future__ import annotations

from pathlib import Path

import ecomai
from ecomai.sources import imported_sources


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_follows_absolute_relative_and_function_level_imports_within_the_package(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    write(root, {
        "__init__.py": "",
        "nlu/__init__.py": "",
        "nlu/train.py": "import os\nfrom pkg.nlu import data\nfrom .model import Model\nimport torch\n",
        "nlu/data.py": "def read():\n    from pkg import errors\n",
        "nlu/model.py": "from ..device import pick\nfrom pkg.nlu.data import read\n",
        "device.py": "",
        "errors.py": "",
        "nlu/serving.py": "from pkg.nlu.model import Model\n",
        "unrelated.py": "",
    })
    files = imported_sources("pkg.nlu.train", root)
    assert [str(file.relative_to(root)) for file in files] == [
        "__init__.py", "device.py", "errors.py", "nlu/__init__.py", "nlu/data.py", "nlu/model.py", "nlu/train.py"]


def test_our_training_code_includes_shared_code_it_runs_and_not_serving_code() -> None:
    root = Path(ecomai.__file__).resolve().parent
    files = {str(file.relative_to(root)) for file in imported_sources("ecomai.nlu.train", root)}
    assert {"nlu/train.py", "nlu/model.py", "nlu/distill.py", "device.py", "processes.py"} <= files
    assert not files & {"nlu/serving.py", "nlu/escalation.py", "batching.py", "search/__init__.py"}
