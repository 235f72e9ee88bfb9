"""6.7's lesson, on the numbers its notebook computes in quick mode (as CI runs it).

The notebook's own cells run in a fresh quick-mode kernel: the setup cell, 프로그램 6-11 (one
epoch of fine-tuning the ImageNet MobileNetV2 with its batch norms in inference mode; the test
accuracy of the same seed varied from 0.853 to 0.923 between runs), the book's frozen run (one
epoch) and the scratch run (one epoch), on all 10 classes of the offline CUB sample at 224×224.
Transfer must be far above scratch: fine-tuned and frozen at least 0.75 on the sample's test split,
scratch at most 0.40.  The fast-feature and two-phase cells are left out here (they run under nbval
and in the section test); the frozen section stops after the book's frozen run.
"""

import json
import re

import nbformat
import pytest

from helpers._course import config

NOTEBOOK = config.REPO_ROOT / "notebooks" / "6.7-transfer-learning.ipynb"
SECTIONS = {"프로그램 6-11": None, "미세 조정 방식과 동결 방식": 'record("6-11-frozen"', "스크래치 학습": None}


def _cells_to_run(notebook) -> list[int]:
    """Indices of the setup cell and of the wanted sections' code cells (each up to its stop text)."""
    chosen, current, stopped = [1], None, False
    for index, cell in enumerate(notebook.cells):
        first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
        if cell.cell_type == "markdown" and re.match(r"##\s", first):
            current = next((name for name in SECTIONS if first[3:].strip().startswith(name)), None)
            stopped = False
        elif cell.cell_type == "code" and current and not stopped:
            chosen.append(index)
            stop = SECTIONS[current]
            stopped = bool(stop and stop in cell.source)
    return chosen


@pytest.fixture(scope="module")
def measured(tmp_path_factory, needs):
    needs("cub", "tf2_mobilenet_v2_1.0_224_ptq.tflite", "imagenet_labels.txt")
    from nbclient import NotebookClient
    from jupyter_core.utils import run_sync

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = _cells_to_run(notebook)
    assert len(cells) > 10, cells
    environment = config.child_environment(CH6_QUICK="1", CH6_CACHE_DIR=tmp_path_factory.mktemp("lesson-cache"),
                                           CH6_MODEL_DIR=None, CH6_RESULTS_DIR=None, CH6_CHECKPOINT_DIR=None,
                                           MPLBACKEND="Agg")
    client = NotebookClient(notebook, timeout=1800, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.km = client.create_kernel_manager()
    client.start_new_kernel(cwd=str(NOTEBOOK.parent), env=environment)
    client.start_new_kernel_client()
    try:
        for index in cells:
            client.execute_cell(notebook.cells[index], index)
        probe = nbformat.v4.new_code_cell("import json; from helpers._course.saved import THIS_RUN; "
                                          "print(json.dumps({'accuracy': THIS_RUN, 'base': base}))")
        notebook.cells.append(probe)  # nbclient writes outputs into the notebook's own cell list
        client.execute_cell(probe, len(notebook.cells) - 1)
    finally:
        client.kc.stop_channels()
        run_sync(client.km.shutdown_kernel)(now=True)
    return json.loads(probe.outputs[-1]["text"].strip().splitlines()[-1])


def test_the_notebook_uses_the_imagenet_mobilenet_in_quick_mode(measured):
    assert measured["base"] == "MobileNetV2"


def test_transfer_learning_is_far_above_scratch(measured):
    accuracy = measured["accuracy"]
    assert accuracy["6-11-fine-tune"] >= 0.75, accuracy
    assert accuracy["6-11-frozen"] >= 0.75, accuracy
    assert accuracy["6-11-scratch"] <= 0.40, accuracy


def test_only_the_chosen_sections_ran(measured):
    assert set(measured["accuracy"]) == {"6-11-fine-tune", "6-11-frozen", "6-11-scratch"}
