"""6.7's lesson, on the numbers its notebook prints in the one quick-mode execution CI makes.

The notebook is not run again here: ``tools/notebooks.py`` reads the executed copy that the
section test wrote (``build/executed/6.7-transfer-learning.ipynb``; made now, section by section,
when it is missing or older than the notebook and helpers/).  In quick mode 프로그램 6-11
fine-tunes the ImageNet MobileNetV2 for one epoch, the frozen run and the scratch run train one
epoch each, on all 10 classes of the offline CUB sample at 224×224.  Transfer must be far above
scratch: fine-tuned and frozen at least 80 % on the sample's test split, scratch at most 40 %.

The lines read are the notebook's own printouts (the 6.7 notebook keeps them in this form):
``정확률은 <percent>`` (프로그램 6-11), ``동결 방식의 정확률은 <percent>`` and
``스크래치 학습의 정확률은 <percent>``.
"""

import re
import sys

import pytest

from helpers._course import config

sys.path.insert(0, str(config.REPO_ROOT / "tools"))
import notebooks as nbtools  # noqa: E402

NOTEBOOK = config.REPO_ROOT / "notebooks" / "6.7-transfer-learning.ipynb"
LINES = {  # what is measured: (the section that prints it, the printed line)
    "fine-tuned": ("프로그램 6-11", r"^정확률은 ([0-9.]+)"),
    "frozen": ("미세 조정 방식과 동결 방식", r"^동결 방식의 정확률은 ([0-9.]+)"),
    "scratch": ("스크래치 학습", r"^스크래치 학습의 정확률은 ([0-9.]+)"),
}


def _printed(notebook, section: str) -> str:
    """Everything the cells of the ``## `` section starting with ``section`` printed."""
    found = [cells for heading, cells in nbtools.sections(notebook) if heading.startswith(section)]
    assert len(found) == 1, f"6.7 should have one section starting with {section!r}"
    return "".join(o.get("text", "") for i in found[0] for o in notebook.cells[i].outputs
                   if o.output_type == "stream")


@pytest.fixture(scope="module")
def printed(needs):
    needs("cub", "tf2_mobilenet_v2_1.0_224_ptq.tflite", "imagenet_labels.txt")
    notebook = nbtools.executed(NOTEBOOK)
    return {section: _printed(notebook, section) for section, _ in LINES.values()}


@pytest.fixture(scope="module")
def measured(printed):
    values = {}
    for name, (section, pattern) in LINES.items():
        match = re.search(pattern, printed[section], flags=re.M)
        assert match, f"6.7, section {section!r} printed no line matching {pattern!r}:\n{printed[section][-800:]}"
        values[name] = float(match.group(1))
    return values


def test_the_notebook_uses_the_imagenet_mobilenet_in_quick_mode(printed):
    assert "ImageNet으로 학습된 MobileNetV2" in printed["프로그램 6-11"], printed["프로그램 6-11"][:500]


def test_transfer_learning_is_far_above_scratch(measured):
    assert measured["fine-tuned"] >= 80, measured
    assert measured["frozen"] >= 80, measured
    assert measured["scratch"] <= 40, measured

