"""Tests of gpz_export's Python API, export_stages, and of the command line it shares its export with.

    .deps/python/bin/python python/tests/test_export_api.py      # exits 1 when a test fails

The tests are plain functions with asserts, so pytest also runs them where it is installed. Each exports small
models on the CPU (about half a minute in all on one core).
"""
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import numpy as np
import torch
from torch import nn

PYTHON_DIR = Path(__file__).resolve().parent.parent
REPOSITORY = PYTHON_DIR.parent
sys.path.insert(0, str(PYTHON_DIR))

import gpz_export  # noqa: E402
import gpz_models  # noqa: E402
from gpz_export import ExportError, export_stages  # noqa: E402


class Residual(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(width, width, 3, padding=1), nn.ReLU())

    def forward(self, x):
        return x + self.body(x)


class SmallCNN(nn.Module):
    """A custom classifier held in memory: a stem, a residual block and a head."""

    def __init__(self, channels=3, classes=4):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(channels, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True))
        self.block = Residual(8)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(8, classes)

    def forward(self, x):
        x = self.block(self.stem(x))
        return self.head(self.pool(x).flatten(1))


class Branchy(nn.Module):
    """A model torch.fx cannot trace (Python control flow on a tensor value); its top-level modules in sequence
    reproduce it, so it is cut between them."""

    def __init__(self):
        super().__init__()
        self.features = nn.Conv2d(1, 4, 3, stride=2)
        self.flat = nn.Flatten()
        self.head = nn.Linear(4 * 7 * 7, 3)

    def forward(self, x):
        x = self.features(x)
        if x.sum() > 1e9:
            x = x * 0
        return self.head(self.flat(x))


def made_model(seed=1, **kwargs):
    torch.manual_seed(seed)
    model = SmallCNN(**kwargs)
    with torch.no_grad():  # batch-norm statistics off their initial values
        model(torch.randn(8, kwargs.get("channels", 3), 16, 16) * 2 + 0.5)
    return model.eval()


def quietly(function, *args, **kwargs):
    """(function's result, what it wrote to stderr)."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        result = function(*args, **kwargs)
    return result, stderr.getvalue()


def load(path):
    files = {"gpz.json": ""}
    module = torch.jit.load(str(path), map_location="cpu", _extra_files=files)
    return module, json.loads(files["gpz.json"])


def stage_outputs(module, metadata, x):
    outputs = []
    for stage in metadata["stages"]:
        x = getattr(module, stage["module"])(x)
        outputs.append(x)
    return outputs


def expect_error(text, function, *args, **kwargs):
    try:
        quietly(function, *args, **kwargs)
    except ExportError as error:
        assert str(error) == text, f"error {str(error)!r}, expected {text!r}"
        return
    raise AssertionError(f"no ExportError; expected {text!r}")


def test_an_in_memory_model_exports_and_its_archive_reproduces_it(tmp_path):
    model = made_model()
    before = {key: value.clone() for key, value in model.state_dict().items()}
    model.train()
    out = tmp_path / "small.gpz.pt"
    metadata, log = quietly(export_stages, model, (3, 16, 16), 4, splits=["stem", "block"], out=out,
                            mean=[0.4914, 0.4822, 0.4465], std=0.25, class_names=["a", "b", "c", "d"])
    assert "the stages reproduce the model's output" in log, log
    module, stored = load(out)
    assert stored == metadata
    assert stored["format"] == gpz_export.FORMAT and stored["version"] == gpz_export.FORMAT_VERSION
    assert stored["name"] == "SmallCNN"
    assert stored["source"] == f"python:{SmallCNN.__module__}.SmallCNN"
    assert stored["input"] == [3, 16, 16] and stored["classes"] == 4
    assert stored["class_names"] == ["a", "b", "c", "d"]
    assert stored["preprocess"] == {"resize": 16, "mean": [0.4914, 0.4822, 0.4465], "std": [0.25, 0.25, 0.25]}
    assert [s["name"] for s in stored["stages"]] == ["stem", "block", "logits"]
    assert [s["output_shape"] for s in stored["stages"]] == [[8, 16, 16], [8, 16, 16], [4]]
    # The reference output is the model's own (in eval mode), and the loaded stages reproduce it.
    model.eval()
    with torch.no_grad():
        expected = model(module.reference_input)
        assert torch.allclose(module.reference_output, expected, atol=1e-6)
        logits = stage_outputs(module, stored, module.reference_input)[-1]
        assert (logits - module.reference_output).abs().max().item() <= gpz_export.tolerance(expected)
        assert torch.allclose(module(module.reference_input), logits)
    # The user's model is unchanged: same weights, inplace flags as they were.
    assert all(torch.equal(before[key], value) for key, value in model.state_dict().items())
    assert model.stem[2].inplace is True


def test_default_splits_and_reference_data_as_array_tensor_or_file(tmp_path):
    model = made_model(channels=1, classes=3)
    data = np.random.default_rng(0).normal(size=(6, 1, 16, 16)).astype(np.float32)
    np.save(tmp_path / "reference.npy", data)
    exported = []
    for index, reference in enumerate([data, torch.from_numpy(data), str(tmp_path / "reference.npy"), data[0]]):
        out = tmp_path / f"reference{index}.gpz.pt"
        metadata, _ = quietly(export_stages, model, [1, 16, 16], 3, out=out, reference_data=reference,
                              name="tiny", source="test")
        module, stored = load(out)
        assert stored["name"] == "tiny" and stored["source"] == "test"
        # The default blocks: the items of the top-level Sequentials, then the other top-level modules; the last
        # stage ends at the logits.
        assert [s["name"] for s in stored["stages"]] == ["stem.0", "stem.1", "stem.2", "block", "pool",
                                                         "logits"], stored["stages"]
        exported.append(module.reference_input)
    for reference in exported[:3]:
        assert torch.equal(reference, torch.from_numpy(data[:gpz_export.REFERENCE_BATCH]))
    assert torch.equal(exported[3], torch.from_numpy(data[:1]))


def test_the_python_api_writes_the_archive_the_command_line_writes(tmp_path):
    kwargs = {"nc": 1, "ndf": 4, "nz": 10, "img_size": 32}
    cli_out = tmp_path / "cli.gpz.pt"
    result = subprocess.run(
        [sys.executable, str(PYTHON_DIR / "gpz_export.py"), "--factory", "python/gpz_models.py:classifier4",
         "--kwargs", json.dumps(kwargs), "--input", "1,32,32", "--classes", "10",
         "--splits", "block1,block2,block3,block4", "--mean", "0.286", "--std", "0.353", "--out", str(cli_out)],
        cwd=REPOSITORY, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    torch.manual_seed(0)  # the command line seeds the random initialisation the same way
    model = gpz_models.classifier4(**kwargs)
    api_out = tmp_path / "api.gpz.pt"
    metadata, _ = quietly(export_stages, model, (1, 32, 32), 10, ["block1", "block2", "block3", "block4"],
                          out=api_out, mean=0.286, std=0.353, name="classifier4",
                          source="factory:python/gpz_models.py:classifier4")
    cli_module, cli_metadata = load(cli_out)
    api_module, api_metadata = load(api_out)
    assert api_metadata == cli_metadata == metadata
    assert torch.equal(api_module.reference_input, cli_module.reference_input)
    assert torch.equal(api_module.reference_output, cli_module.reference_output)
    with torch.no_grad():
        for a, b in zip(stage_outputs(api_module, api_metadata, api_module.reference_input),
                        stage_outputs(cli_module, cli_metadata, cli_module.reference_input)):
            assert torch.equal(a, b)


def test_a_model_fx_cannot_trace_is_cut_between_its_top_level_modules(tmp_path):
    torch.manual_seed(0)
    _, log = quietly(export_stages, Branchy(), (1, 16, 16), 3, ["features"], out=tmp_path / "branchy.gpz.pt")
    assert "torch.fx cannot trace the model" in log, log
    _, stored = load(tmp_path / "branchy.gpz.pt")
    assert [s["name"] for s in stored["stages"]] == ["features", "logits"]


def test_bad_arguments_are_one_line_errors_naming_the_keyword(tmp_path):
    model, out = made_model(), tmp_path / "never.gpz.pt"
    expect_error("mean has 2 values; the input has 3 channels",
                 export_stages, model, (3, 16, 16), 4, out=out, mean=[0.1, 0.2])
    expect_error("std values must be finite and positive, got [1.0, 0.0, 1.0]",
                 export_stages, model, (3, 16, 16), 4, out=out, std=[1.0, 0.0, 1.0])
    expect_error("mean must be a number or a sequence of numbers, got '0.5'",
                 export_stages, model, (3, 16, 16), 4, out=out, mean="0.5")
    expect_error("classes must be positive, got 0", export_stages, model, (3, 16, 16), 0, out=out)
    expect_error("input_shape must be three positive integers (C, H, W), got (3, 16)",
                 export_stages, model, (3, 16), 4, out=out)
    expect_error("input_shape (3, 16, 8): GPZ uses square inputs, H (16) must equal W (8)",
                 export_stages, model, (3, 16, 8), 4, out=out)
    expect_error("class_names has 2 names; classes is 4",
                 export_stages, model, (3, 16, 16), 4, out=out, class_names=["a", "b"])
    expect_error("splits must be a list of strings, got 'stem'", export_stages, model, (3, 16, 16), 4, "stem",
                 out=out)
    expect_error("splits is empty", export_stages, model, (3, 16, 16), 4, [], out=out)
    expect_error("splits names a split point twice: ['stem', 'stem']",
                 export_stages, model, (3, 16, 16), 4, ["stem", "stem"], out=out)
    expect_error("unknown split point 'nope'; the model's top-level modules are: stem, block, pool, head (nested "
                 "modules by dotted path, e.g. stem.0)", export_stages, model, (3, 16, 16), 4, ["nope"], out=out)
    expect_error("split point 'block.body.0': the cut is crossed by 'stem_2' (used by 'add') besides its output; "
                 "choose a module boundary that every path goes through",
                 export_stages, model, (3, 16, 16), 4, ["block.body.0"], out=out)
    expect_error("the model's output has shape [4, 4] for a batch of 4; expected [4, 5] (classes 5)",
                 export_stages, model, (3, 16, 16), 5, out=out)
    expect_error("reference_data: shape [2, 1, 16, 16], expected [R, 3, 16, 16]",
                 export_stages, model, (3, 16, 16), 4, out=out, reference_data=torch.zeros(2, 1, 16, 16))
    expect_error("reference_data must be a path to a .npy file, a numpy array or a tensor, got a list",
                 export_stages, model, (3, 16, 16), 4, out=out, reference_data=[[0.0]])
    expect_error("model must be a torch.nn.Module, got a function", export_stages, made_model, (3, 16, 16), 4,
                 out=out)
    assert not out.exists()


def test_command_line_errors_are_one_line_with_exit_status_2(tmp_path):
    cases = [
        (["--torchvision", "resnet18", "--input", "3,32,32", "--classes", "10", "--mean", "0.1,0.2"],
         "error: --mean has 2 values; the input has 3 channels\n"),
        (["--torchvision", "resnet18", "--input", "3,32,32", "--classes", "0"],
         "error: --classes must be positive, got 0\n"),
        (["--factory", "python/gpz_models.py:classifier4", "--kwargs", '{"ndf": 4}', "--input", "1,32,32",
          "--classes", "10", "--splits", "block1, block1"],
         "error: --splits names a split point twice: block1, block1\n"),
        (["--factory", "python/gpz_models.py:classifier4", "--kwargs", '{"ndf": 4}', "--input", "1,32,32",
          "--classes", "7"],
         "error: the model's output has shape [4, 10] for a batch of 4; expected [4, 7] (--classes 7)\n"),
    ]
    for arguments, expected in cases:
        command = [sys.executable, str(PYTHON_DIR / "gpz_export.py"), *arguments, "--out", str(tmp_path / "x.gpz.pt")]
        result = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", expected), (arguments, result)


def test_no_function_takes_an_argparse_namespace():
    """Only parse_args (through _parser) sees argparse; the rest of the exporter takes ExportOptions."""
    command = gpz_export.parse_args(["--torchvision", "resnet18", "--input", "3,32,32", "--classes", "10",
                                     "--splits", "layer1,layer2", "--out", "x.gpz.pt"])
    assert isinstance(command, gpz_export.Command)
    assert command.options == gpz_export.ExportOptions(
        input_shape=(3, 32, 32), classes=10, out=Path("x.gpz.pt"), name="resnet18", source="torchvision:resnet18",
        mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5), splits=("layer1", "layer2"), cli=True)


TESTS = [value for name, value in sorted(globals().items()) if name.startswith("test_")]


def main():
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    failed = 0
    for test in TESTS:
        with tempfile.TemporaryDirectory() as directory:
            try:
                test(Path(directory)) if test.__code__.co_argcount else test()
                print(f"PASS {test.__name__}")
            except Exception:
                failed += 1
                print(f"FAIL {test.__name__}\n{traceback.format_exc()}")
    print(f"{len(TESTS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
