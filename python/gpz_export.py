"""Cuts a PyTorch classifier into ordered stages at named split points and writes one TorchScript archive that
GPZ loads with libtorch (the format is documented in python/ARCHIVE.md).

    python python/gpz_export.py (--torchvision NAME | --factory pkg.module:function [--kwargs JSON])
        --input C,H,W --classes K [--weights FILE] [--splits a,b,c | --splits blocks]
        [--mean m1,m2,..] [--std s1,..] [--class-names n1,n2,..] [--name NAME]
        [--reference-data FILE.npy] [--json] --out FILE

The model is traced with torch.fx and cut after the last graph node of each split point's module; a cut is valid
only when that node's output is the one value crossing it. Each stage is scripted (traced when scripting fails),
and the exporter checks, before and after saving, that running the stages in order reproduces the original
model's output on the reference input. User errors are reported as one `error: ...` line with exit status 2.

Runs with PyTorch 2.1 or newer. Importable: `export_stages(model, input_shape, classes, splits, out=FILE)` exports
an nn.Module you hold and returns the metadata written to the archive (user errors raise ExportError);
`export(argv)` does the same for command-line arguments.
"""
from __future__ import annotations

import argparse
import copy
import importlib
import importlib.util
import json
import math
import numbers
import operator
import os
import sys
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple, Union

import torch
import torch.fx
import torch.nn.functional as F
from torch import nn
from torch.fx.passes.shape_prop import ShapeProp

FORMAT = "gpz-torchscript-stages"
FORMAT_VERSION = 1
REFERENCE_BATCH = 4
RELATIVE_TOLERANCE = 1e-4
LOGITS = "logits"


class ExportError(Exception):
    """A user error (bad arguments, missing file, mismatched weights, uncuttable split): one line, exit status 2."""


def first_line(error: BaseException) -> str:
    """`ExceptionType: first line of the message`, for one-line error reports."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def say(text: str) -> None:
    print(text, file=sys.stderr)


# ---------------------------------------------------------------------------------------------------------------
# Options


@dataclass(frozen=True)
class ExportOptions:
    """Everything the export needs besides the model, already checked. export_stages builds it from its keyword
    arguments, parse_args from the command line; export_model takes it."""

    input_shape: Tuple[int, int, int]  # C, H, W of one sample, H == W
    classes: int  # number of logits, >= 1
    out: Path  # the archive to write
    name: str  # the model name recorded in the archive
    source: str  # where the model came from, recorded in the archive
    mean: Tuple[float, ...]  # per-channel normalisation, one value per channel
    std: Tuple[float, ...]
    # Module paths to cut after, or None for the default blocks. Entries are stripped and empty ones dropped when
    # the cut is made (the command line passes `--splits` split at its commas).
    splits: Optional[Tuple[str, ...]] = None
    class_names: Optional[Tuple[str, ...]] = None  # `classes` names, or None
    # The reference input: None (seeded normal images), a .npy file, or an array or tensor [R, C, H, W] / [C, H, W].
    reference_data: Union[Path, torch.Tensor, Any, None] = None
    cli: bool = False  # error messages name the command-line options (--mean) instead of keyword arguments (mean)

    def option(self, keyword: str) -> str:
        """How an error message names an option: `--reference-data` on the command line, `reference_data` in
        export_stages."""
        return "--" + keyword.replace("_", "-") if self.cli else keyword


@dataclass(frozen=True)
class ModelSpec:
    """The model the command line asks for: a torchvision name or a factory, its keyword arguments, weights."""

    torchvision: Optional[str]
    factory: Optional[str]
    kwargs: Dict[str, Any]
    weights: Optional[Path]

    @property
    def source(self) -> str:
        return f"torchvision:{self.torchvision}" if self.torchvision else f"factory:{self.factory}"

    @property
    def default_name(self) -> str:
        return self.torchvision or self.factory.rpartition(":")[2]


@dataclass(frozen=True)
class Command:
    """A parsed command line."""

    model: ModelSpec
    options: ExportOptions
    json: bool  # print the archive's metadata as JSON on stdout


# ---------------------------------------------------------------------------------------------------------------
# Arguments


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise ExportError(message)


def _parser():
    parser = _Parser(prog="gpz_export.py", description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--torchvision", metavar="NAME", help="a torchvision classification model, e.g. resnet18")
    source.add_argument("--factory", metavar="MODULE:FUNCTION",
                        help="pkg.module:function or path/to/file.py:function returning an nn.Module")
    parser.add_argument("--kwargs", default="{}", metavar="JSON",
                        help="keyword arguments (JSON object) of the factory or of torchvision's get_model")
    parser.add_argument("--input", required=True, metavar="C,H,W", help="one sample's shape; H must equal W")
    parser.add_argument("--classes", required=True, type=int, metavar="K", help="number of classes (logits)")
    parser.add_argument("--weights", metavar="FILE", help="state dict: .pt/.pth (torch.save) or .safetensors")
    parser.add_argument("--splits", default="blocks", metavar="a,b,c|blocks",
                        help="module paths to cut after (default: blocks, the top-level children with "
                             "Sequential/ModuleList children expanded into their items)")
    parser.add_argument("--mean", metavar="m1,m2,..", help="per-channel normalisation mean (default 0.5)")
    parser.add_argument("--std", metavar="s1,s2,..", help="per-channel normalisation std (default 0.5)")
    parser.add_argument("--class-names", metavar="n1,n2,..", help="K class names")
    parser.add_argument("--name", help="model name recorded in the archive (default: the model's name)")
    parser.add_argument("--reference-data", metavar="FILE.npy",
                        help="model inputs [R,C,H,W] (already normalised) used as the reference input")
    parser.add_argument("--json", action="store_true", help="print the archive's metadata as JSON on stdout")
    parser.add_argument("--out", required=True, metavar="FILE", help="the archive to write (.gpz.pt)")
    return parser


def parse_args(argv) -> Command:
    """The command line, checked in the order its errors are reported, as a Command."""
    args = _parser().parse_args(argv)
    shape = parse_input(args.input)
    if args.classes < 1:
        raise ExportError(f"--classes must be positive, got {args.classes}")
    channels = shape[0]
    mean = parse_channel_values("--mean", args.mean, channels, positive=False)
    std = parse_channel_values("--std", args.std, channels, positive=True)
    class_names = parse_class_names(args.class_names, args.classes)
    model = ModelSpec(torchvision=args.torchvision, factory=args.factory, kwargs=parse_kwargs(args.kwargs),
                      weights=Path(args.weights) if args.weights else None)
    options = ExportOptions(
        input_shape=shape, classes=args.classes, out=Path(args.out), name=args.name or model.default_name,
        source=model.source, mean=mean, std=std,
        splits=None if args.splits.strip() == "blocks" else tuple(args.splits.split(",")),
        class_names=class_names,
        reference_data=None if args.reference_data is None else Path(args.reference_data), cli=True)
    return Command(model=model, options=options, json=args.json)


def parse_input(text):
    try:
        shape = [int(part) for part in text.split(",")]
    except ValueError:
        shape = []
    if len(shape) != 3 or min(shape) < 1:
        raise ExportError(f"--input must be three positive integers C,H,W, got '{text}'")
    if shape[1] != shape[2]:
        raise ExportError(f"--input {text}: GPZ uses square inputs, H ({shape[1]}) must equal W ({shape[2]})")
    return tuple(shape)


def parse_channel_values(option, text, channels, positive):
    if text is None:
        return (0.5,) * channels
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise ExportError(f"{option} must be comma-separated numbers, got '{text}'") from None
    return check_channel_values(option, values, channels, positive, f"'{text}'")


def check_channel_values(option, values, channels, positive, given):
    """`values` (one value, or one per channel) as one per channel; `given` is how the error repeats them."""
    if len(values) == 1:
        values = values * channels
    if len(values) != channels:
        raise ExportError(f"{option} has {len(values)} values; the input has {channels} channels")
    if not all(math.isfinite(v) and (v > 0 or not positive) for v in values):
        raise ExportError(f"{option} values must be finite{' and positive' if positive else ''}, got {given}")
    return tuple(values)


def parse_class_names(text, classes):
    if text is None:
        return None
    names = [name.strip() for name in text.split(",")]
    if len(names) != classes:
        raise ExportError(f"--class-names has {len(names)} names; --classes is {classes}")
    return tuple(names)


def parse_kwargs(text):
    try:
        kwargs = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExportError(f"--kwargs is not valid JSON: {error}") from None
    if not isinstance(kwargs, dict):
        raise ExportError("--kwargs must be a JSON object")
    return kwargs


# ---------------------------------------------------------------------------------------------------------------
# Building the model


def import_torchvision():
    """Imports torchvision. A torchvision wheel built for another torch build (PyPI's CUDA wheel next to a CPU-only
    torch) cannot load its C++ ops, and its import then fails on the `torchvision::nms` registration; the schemas of
    the two ops it registers unconditionally are defined here so that the pure-Python models still import (the
    detection ops stay unavailable; classification models do not use them)."""
    try:
        import torchvision
        return torchvision
    except ImportError:
        raise ExportError("--torchvision needs the torchvision package (scripts/python-env.sh installs it)") from None
    except RuntimeError as error:
        if "torchvision::" not in str(error):
            raise
    for name in [name for name in sys.modules if name == "torchvision" or name.startswith("torchvision.")]:
        del sys.modules[name]
    _define_torchvision_op_schemas()
    import torchvision
    return torchvision


_TORCHVISION_LIBRARIES = []


def _define_torchvision_op_schemas():
    library = torch.library.Library("torchvision", "FRAGMENT")
    for op in ("nms", "qnms"):
        library.define(f"{op}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _TORCHVISION_LIBRARIES.append(library)  # a Library's definitions last as long as the object


def build_model(spec: ModelSpec, classes: int) -> nn.Module:
    """The model the command line names, in eval mode, float32 on the CPU. The seed makes the random initialisation
    of a model exported without --weights reproducible."""
    torch.manual_seed(0)
    if spec.torchvision:
        model = torchvision_model(spec.torchvision, classes, spec.kwargs)
    else:
        model, _ = factory_model(spec.factory, spec.kwargs)
    if spec.weights:
        load_weights(model, spec.weights)
    return model.to(device="cpu", dtype=torch.float32).eval()


def torchvision_model(name, classes, kwargs):
    models = import_torchvision().models
    try:
        return models.get_model(name, weights=None, num_classes=classes, **kwargs)
    except Exception as error:
        if name not in models.list_models():
            raise ExportError(f"torchvision has no model '{name}'") from None
        raise ExportError(f"torchvision model '{name}': {first_line(error)}") from None


def factory_model(spec, kwargs):
    module_part, _, function_name = spec.rpartition(":")
    if not module_part or not function_name:
        raise ExportError(f"--factory must be pkg.module:function or path/to/file.py:function, got '{spec}'")
    module = import_factory_module(module_part)
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ExportError(f"--factory {spec}: '{module_part}' has no function '{function_name}'")
    try:
        model = function(**kwargs)
    except Exception as error:
        raise ExportError(f"--factory {spec} failed: {first_line(error)}") from None
    if not isinstance(model, nn.Module):
        raise ExportError(f"--factory {spec} returned a {type(model).__name__}, not a torch.nn.Module")
    return model, function_name


def import_factory_module(module_part):
    """Imports pkg.module (the current directory on sys.path) or path/to/file.py (its directory on sys.path)."""
    sys.path.insert(0, os.getcwd())
    try:
        if not (module_part.endswith(".py") or "/" in module_part or os.sep in module_part):
            return importlib.import_module(module_part)
        path = Path(module_part).resolve()
        if not path.is_file():
            raise ExportError(f"--factory: no such file '{module_part}'")
        sys.path.insert(0, str(path.parent))
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
        return module
    except ExportError:
        raise
    except Exception as error:
        raise ExportError(f"--factory: cannot import '{module_part}': {first_line(error)}") from None


def load_weights(model, path):
    """Loads a state dict (.safetensors, or a torch.save file) strictly, with a one-line error on mismatch."""
    if not path.is_file():
        raise ExportError(f"--weights: no such file '{path}'")
    state = read_state_dict(path)
    if isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    check_state_dict(model.state_dict(), state, path)
    model.load_state_dict(state, strict=True)


def read_state_dict(path):
    try:
        if path.suffix == ".safetensors":
            state = _safetensors_reader(path)(str(path))
        else:
            state = torch.load(str(path), map_location="cpu", weights_only=True)
    except ExportError:
        raise
    except Exception as error:
        raise ExportError(f"{path}: cannot read weights: {first_line(error)}") from None
    if not isinstance(state, dict):
        raise ExportError(f"{path}: holds a {type(state).__name__}, not a state dict")
    return state


def _safetensors_reader(path):
    try:
        from safetensors.torch import load_file
    except ImportError:
        raise ExportError(f"reading {path} needs the safetensors package (pip install safetensors)") from None
    return load_file


def _describe(value):
    return list(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__


def check_state_dict(expected, state, path):
    def listing(keys):
        more = f" (and {len(keys) - 5} more)" if len(keys) > 5 else ""
        return ", ".join(keys[:5]) + more

    problems = []
    missing = [key for key in expected if key not in state]
    unexpected = [key for key in state if key not in expected]
    if missing:
        problems.append(f"missing keys {listing(missing)}")
    if unexpected:
        problems.append(f"unexpected keys {listing(unexpected)}")
    mismatched = [
        f"{key} (file {_describe(state[key])}, model {list(value.shape)})"
        for key, value in expected.items()
        if key in state and (not isinstance(state[key], torch.Tensor) or state[key].shape != value.shape)
    ]
    if mismatched:
        problems.append(f"shape mismatch for {listing(mismatched)}")
    if problems:
        raise ExportError(f"{path}: weights do not match the model: {'; '.join(problems)}")


# ---------------------------------------------------------------------------------------------------------------
# Reference input and output


def reference_input(options: ExportOptions):
    """The reference batch [R, C, H, W], R <= REFERENCE_BATCH: seeded normal images, or the first R of the data."""
    shape = list(options.input_shape)
    if options.reference_data is None:
        generator = torch.Generator().manual_seed(0)
        return torch.randn(REFERENCE_BATCH, *shape, generator=generator)
    data, what = options.reference_data, options.option("reference_data")
    if isinstance(data, Path):
        what = f"{what} {data}"
        try:
            import numpy as np
            data = np.load(data, allow_pickle=False)
        except ImportError:
            raise ExportError(f"{options.option('reference_data')} needs the numpy package") from None
        except (OSError, ValueError) as error:
            raise ExportError(f"{what}: {first_line(error)}") from None
    if list(data.shape) == shape:
        data = data[None]
    if data.ndim != 4 or list(data.shape[1:]) != shape or data.shape[0] < 1:
        expected = ", ".join(map(str, ["R"] + shape))
        raise ExportError(f"{what}: shape {list(data.shape)}, expected [{expected}]")
    if isinstance(data, torch.Tensor):
        return data[:REFERENCE_BATCH].detach().to(device="cpu", dtype=torch.float32).contiguous()
    import numpy as np
    return torch.from_numpy(np.ascontiguousarray(data[:REFERENCE_BATCH], dtype=np.float32))


def reference_output(model, x, options: ExportOptions):
    classes = options.classes
    try:
        out = model(x)
    except Exception as error:
        raise ExportError(f"the model fails on an input of shape {list(x.shape)}: {first_line(error)}") from None
    if not isinstance(out, torch.Tensor):
        raise ExportError(f"the model returns a {type(out).__name__}; GPZ needs one logits tensor")
    if list(out.shape) != [x.shape[0], classes]:
        raise ExportError(f"the model's output has shape {list(out.shape)} for a batch of {x.shape[0]}; "
                          f"expected [{x.shape[0]}, {classes}] ({options.option('classes')} {classes})")
    return out.detach().float().contiguous()


def tolerance(expected):
    return RELATIVE_TOLERANCE * max(1.0, expected.abs().max().item())


def max_difference(actual, expected):
    if actual.shape != expected.shape:
        return math.inf
    difference = (actual - expected).abs().max().item()
    return difference if math.isfinite(difference) else math.inf


def check_reproduces(what, run, x, expected):
    """Raises when run(x) differs from expected by more than the tolerance; returns the max abs difference."""
    try:
        actual = run(x)
    except Exception as error:
        raise ExportError(f"{what} fails on the reference input: {first_line(error)}") from None
    difference, limit = max_difference(actual, expected), tolerance(expected)
    if not difference <= limit:
        raise ExportError(f"{what} does not reproduce the model's output: max abs difference {difference:.3g} "
                          f"> tolerance {limit:.3g} (output shape {list(actual.shape)})")
    return difference


# ---------------------------------------------------------------------------------------------------------------
# Split points


def default_split_paths(model):
    """Top-level children, with an nn.Sequential or nn.ModuleList child expanded into its items."""
    paths = []
    for name, child in model.named_children():
        if isinstance(child, (nn.Sequential, nn.ModuleList)):
            paths.extend(f"{name}.{item}" for item, _ in child.named_children())
        else:
            paths.append(name)
    return paths


def requested_split_paths(model, options: ExportOptions):
    """(paths, explicit): the default blocks or the requested module paths, checked to exist."""
    if options.splits is None:
        return default_split_paths(model), False
    paths = [path.strip() for path in options.splits if path.strip()]
    if not paths:
        raise ExportError(f"{options.option('splits')} is empty")
    modules = dict(model.named_modules())
    for path in paths:
        if path not in modules:
            names = ", ".join(name for name, _ in model.named_children())
            nested = next((name for name in modules if "." in name), None)
            hint = f" (nested modules by dotted path, e.g. {nested})" if nested else ""
            raise ExportError(f"unknown split point '{path}'; the model's top-level modules are: {names}{hint}")
    if len(set(paths)) != len(paths):
        # The command line's splits are --splits cut at its commas: joining them repeats the option as given.
        given = ",".join(options.splits) if options.cli else list(options.splits)
        raise ExportError(f"{options.option('splits')} names a split point twice: {given}")
    if LOGITS in paths[:-1]:
        raise ExportError(f"'{LOGITS}' is the name of the last stage; it cannot name another split point")
    return paths, True


def belongs_to(node, path):
    """Whether an fx node is part of the module at `path`: a call of it or of a submodule, or a node created
    while tracing its forward."""
    prefix = path + "."
    if node.op == "call_module" and (node.target == path or node.target.startswith(prefix)):
        return True
    stack = node.meta.get("nn_module_stack") or {}
    for key in stack:
        scope = str(key).split("@")[0]
        if scope == path or scope.startswith(prefix):
            return True
    return False


# ---------------------------------------------------------------------------------------------------------------
# Cutting the fx graph


def trace(model):
    """(torch.fx GraphModule of the model without dead code and in-place operations, None), or (None, fx error)."""
    try:
        traced = torch.fx.symbolic_trace(model)
    except Exception as error:
        return None, error
    traced.graph.eliminate_dead_code()
    make_out_of_place(traced.graph)
    traced.recompile()
    return traced, None


_IN_PLACE_OPERATORS = {operator.iadd: operator.add, operator.isub: operator.sub, operator.imul: operator.mul,
                       operator.itruediv: operator.truediv, operator.ifloordiv: operator.floordiv,
                       operator.imod: operator.mod, operator.ipow: operator.pow, operator.imatmul: operator.matmul,
                       operator.iand: operator.and_, operator.ior: operator.or_, operator.ixor: operator.xor}


def disable_in_place_modules(model):
    """Turns off `inplace` on modules (nn.ReLU(inplace=True), ...): a stage's input is the previous split point's
    features, which GPZ keeps and differentiates through, so no stage may overwrite it."""
    for module in model.modules():
        if isinstance(getattr(module, "inplace", None), bool):
            module.inplace = False


def make_out_of_place(graph):
    """Replaces in-place operations whose result is used (x += y, x.relu_(), F.relu(x, inplace=True)) with their
    out-of-place forms, for the reason given in disable_in_place_modules. The export's verification checks that
    the output is unchanged."""
    for node in graph.nodes:
        if not node.users:
            continue
        if node.op == "call_function" and node.target in _IN_PLACE_OPERATORS:
            node.target = _IN_PLACE_OPERATORS[node.target]
        elif node.op == "call_function" and node.kwargs.get("inplace") is True:
            node.kwargs = {**node.kwargs, "inplace": False}
        elif node.op == "call_method" and _is_in_place_method(node.target):
            node.target = node.target[:-1]


def _is_in_place_method(name):
    return name.endswith("_") and not name.endswith("__") and callable(getattr(torch.Tensor, name[:-1], None))


def graph_io(graph):
    nodes = list(graph.nodes)
    placeholders = [node for node in nodes if node.op == "placeholder"]
    if len(placeholders) != 1:
        names = ", ".join(node.name for node in placeholders)
        raise ExportError(f"the model's forward takes {len(placeholders)} inputs ({names}); GPZ needs one image input")
    result = nodes[-1].args[0]
    if not isinstance(result, torch.fx.Node):
        raise ExportError("the model's forward must return one logits tensor")
    return nodes, placeholders[0], result


def locate_cuts(nodes, paths, explicit):
    """[(path, node)] in execution order: the last graph node of each split point's module."""
    position = {node: index for index, node in enumerate(nodes)}
    located = []
    for path in paths:
        members = [node for node in nodes
                   if node.op not in ("placeholder", "get_attr", "output") and belongs_to(node, path)]
        if members:
            located.append((path, members[-1]))
        elif explicit:
            raise ExportError(f"split point '{path}' is not called by the model's forward (torch.fx found no "
                              "operation inside it)")
    if not explicit:
        located.sort(key=lambda item: position[item[1]])
    for (before, node_before), (after, node_after) in zip(located, located[1:]):
        if position[node_after] == position[node_before]:
            raise ExportError(f"split points '{before}' and '{after}' end at the same operation; keep one of them")
        if position[node_after] < position[node_before]:
            raise ExportError(f"split points must be in execution order: '{after}' runs before '{before}'")
    return located


def cut_problem(nodes, position, path, cut):
    """None when the output of `cut` is the only value computed before the cut and used after it, else why not."""
    end = position[cut]
    crossing = []
    for node in nodes[:end + 1]:
        if node is cut or node.op == "get_attr":
            continue
        later = [user for user in node.users if position[user] > end]
        if later:
            crossing.append(f"'{node.name}' (used by '{later[0].name}')")
    if not crossing:
        return None
    return (f"split point '{path}': the cut is crossed by {', '.join(crossing)} besides its output; "
            "choose a module boundary that every path goes through")


def valid_cuts(nodes, cuts, explicit):
    """The cuts that only their split point's output crosses. A requested split point that fails is an error; a
    default one is skipped with a note."""
    position = {node: index for index, node in enumerate(nodes)}
    valid = []
    for path, node in cuts:
        problem = cut_problem(nodes, position, path, node)
        if problem is None:
            valid.append((path, node))
        elif explicit:
            raise ExportError(problem)
        else:
            say(f"gpz_export: skipping the default {problem}")
    return valid


def extract_stage(root, nodes, start, end, index):
    """A GraphModule computing nodes[start+1 .. end] from nodes[start]'s value; parameters and buffers
    (get_attr) are copied into the stage that uses them."""
    graph = torch.fx.Graph()
    env = {nodes[start]: graph.placeholder("x")}

    def lookup(node):
        if node not in env:
            if node.op != "get_attr":
                raise AssertionError(f"{node.name} crosses the cut before stage {index}")
            env[node] = graph.node_copy(node)
        return env[node]

    for node in nodes[start + 1:end + 1]:
        if node.op != "get_attr":
            env[node] = graph.node_copy(node, lookup)
    graph.output(env[nodes[end]])
    return torch.fx.GraphModule(root, graph, class_name=f"GPZStage{index}")


def fx_stages(traced, paths, explicit):
    """[(name, GraphModule)] cut from the traced model; the last stage ends at the model output ("logits")."""
    nodes, placeholder, result = graph_io(traced.graph)
    position = {node: index for index, node in enumerate(nodes)}
    cuts = locate_cuts(nodes, paths, explicit)
    if cuts and cuts[-1][1] is result:
        cuts.pop()
    cuts = valid_cuts(nodes, cuts, explicit)
    bounds = [placeholder] + [node for _, node in cuts] + [result]
    names = [path for path, _ in cuts] + [LOGITS]
    return [(name, extract_stage(traced, nodes, position[bounds[i]], position[bounds[i + 1]], i))
            for i, name in enumerate(names)]


# ---------------------------------------------------------------------------------------------------------------
# Fallback for models torch.fx cannot trace: the top-level modules in sequence


def sequential_stages(model, paths, explicit, x, expected, fx_error):
    """[(name, nn.Sequential)] grouping the model's top-level modules (Sequential/ModuleList children expanded),
    accepted only when running them in sequence reproduces the model's output."""
    units = default_split_paths(model)
    reason = f"torch.fx cannot trace the model ({first_line(fx_error)})"
    modules = [model.get_submodule(path) for path in units]
    if not units or not sequence_reproduces(modules, x, expected):
        raise ExportError(f"{reason}, and running its top-level modules in sequence does not reproduce its output, "
                          "so it cannot be cut; make its forward traceable by torch.fx (no Python control flow on "
                          "tensor values)")
    say(f"gpz_export: {reason}; its top-level modules run in sequence reproduce its output, so the stages are "
        "groups of them")
    names, ends = [], []
    for path in paths:
        members = [index for index, unit in enumerate(units) if unit == path or unit.startswith(path + ".")]
        if not members:
            if explicit:
                raise ExportError(f"split point '{path}': {reason}, so split points must be among its top-level "
                                  f"modules: {', '.join(units)}")
            continue
        if ends and members[-1] <= ends[-1]:
            raise ExportError(f"split points must be in execution order: '{path}' does not run after "
                              f"'{names[-1]}'")
        names.append(path)
        ends.append(members[-1])
    if ends and ends[-1] == len(units) - 1:
        names[-1] = LOGITS
    else:
        names.append(LOGITS)
        ends.append(len(units) - 1)
    starts = [0] + [end + 1 for end in ends[:-1]]
    return [(name, nn.Sequential(OrderedDict((units[i].replace(".", "_"), modules[i]) for i in range(s, e + 1))))
            for name, s, e in zip(names, starts, ends)]


def sequence_reproduces(modules, x, expected):
    try:
        for module in modules:
            x = module(x)
    except Exception:
        return False
    return max_difference(x, expected) <= tolerance(expected)


# ---------------------------------------------------------------------------------------------------------------
# Compiling and saving


# Warnings torch emits for every export and that say nothing about the model: GraphModule's own annotations, and
# TorchScript's deprecation in favour of torch.export (which has no autograd through the C++ API; see README.md).
_TORCHSCRIPT_NOISE = (r"The TorchScript type system doesn't support instance-level annotations",
                      r"`torch\.jit\.\w+` is deprecated")


def script(module):
    with warnings.catch_warnings():
        for message in _TORCHSCRIPT_NOISE:
            warnings.filterwarnings("ignore", message=message)
        return torch.jit.script(module)


def compile_stage(index, name, stage, example):
    """(TorchScript module, how): torch.jit.script, or torch.jit.trace on the stage's real input when scripting
    fails."""
    try:
        return script(stage), "script"
    except Exception as error:
        script_error = error
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            traced = torch.jit.trace(stage, example, check_trace=False)
    except Exception as error:
        raise ExportError(f"stage {index} ('{name}') can be neither scripted ({first_line(script_error)}) "
                          f"nor traced ({first_line(error)})") from None
    say(f"gpz_export: stage {index} ('{name}') is traced: torch.jit.script failed ({first_line(script_error)})")
    return traced, "trace"


def build_wrapper(compiled, x, expected):
    """The scripted module saved to the archive: stage0.. as attributes, forward running them in order, and the
    reference_input/reference_output buffers."""
    graph = torch.fx.Graph()
    value = graph.placeholder("x")
    for index in range(len(compiled)):
        value = graph.call_module(f"stage{index}", (value,))
    graph.output(value)
    root = {f"stage{index}": module for index, module in enumerate(compiled)}
    wrapper = torch.fx.GraphModule(root, graph, class_name="GPZStages")
    wrapper.register_buffer("reference_input", x.clone())
    wrapper.register_buffer("reference_output", expected.clone())
    return script(wrapper.eval())


def run_stages(module, count):
    def run(x):
        for index in range(count):
            x = getattr(module, f"stage{index}")(x)
        return x
    return run


def verify(what, module, count, x, expected):
    """Checks the stages of `module` on the reference batch and on a batch of one; returns the larger difference."""
    run = run_stages(module, count)
    return max(check_reproduces(what, run, x, expected),
               check_reproduces(f"{what} (batch 1)", run, x[:1], expected[:1]))


def save_archive(wrapper, metadata, out, count, x, expected):
    """Writes the archive through a temporary file, loads it back and checks its stages; returns the difference."""
    partial = out.with_name(out.name + ".partial")
    try:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            torch.jit.save(wrapper, str(partial), _extra_files={"gpz.json": json.dumps(metadata, indent=2)})
        except (OSError, RuntimeError) as error:
            raise ExportError(f"cannot write {out}: {first_line(error)}") from None
        try:
            loaded = torch.jit.load(str(partial), map_location="cpu")
        except Exception as error:
            raise ExportError(f"the written archive cannot be loaded back: {first_line(error)}") from None
        difference = verify(f"the saved archive {out}", loaded, count, x, expected)
        os.replace(partial, out)
    finally:
        if partial.exists():
            partial.unlink()
    return difference


# ---------------------------------------------------------------------------------------------------------------
# Stage statistics: output shape, parameters, MACs


def stage_statistics(stage, x):
    """(per-sample output shape, parameter count, MACs or None) of one stage for a batch-1 input x; returns the
    stage's output too."""
    parameters = sum(p.numel() for p in stage.parameters())
    graph_module = stage if isinstance(stage, torch.fx.GraphModule) else _try_trace(stage)
    if graph_module is None:
        return stage(x), parameters, None
    out = ShapeProp(graph_module).propagate(x)
    counts = [node_macs(graph_module, node) for node in graph_module.graph.nodes]
    macs = None if any(count is None for count in counts) else int(sum(counts))
    return out, parameters, macs


def _try_trace(module):
    try:
        return torch.fx.symbolic_trace(module)
    except Exception:
        return None


def _shape(value):
    meta = value.meta.get("tensor_meta") if isinstance(value, torch.fx.Node) else None
    shape = getattr(meta, "shape", None)
    return None if shape is None else list(shape)


def _numel(shape):
    return math.prod(shape)


def _argument(node, index, name):
    if len(node.args) > index:
        return node.args[index]
    return node.kwargs.get(name)


_ZERO_MAC_WITH_WEIGHTS = tuple(t for t in (
    nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm, getattr(nn, "RMSNorm", None), nn.PReLU,
    nn.Embedding, nn.EmbeddingBag) if t is not None)
_CONVOLUTIONS = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_TRANSPOSED_CONVOLUTIONS = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)


def node_macs(graph_module, node):
    """MACs of one node of a ShapeProp-ed graph run with batch 1 (so per sample); None when not derivable."""
    if node.op == "call_module":
        return module_macs(graph_module.get_submodule(node.target), node)
    if node.op in ("call_function", "call_method"):
        return function_macs(node)
    return 0


def module_macs(module, node):
    output, inputs = _shape(node), _shape(_argument(node, 0, "input"))
    if isinstance(module, _CONVOLUTIONS):
        kernel = math.prod(module.kernel_size) * (module.in_channels // module.groups)
        return None if output is None else _numel(output) * kernel
    if isinstance(module, _TRANSPOSED_CONVOLUTIONS):
        kernel = math.prod(module.kernel_size) * (module.out_channels // module.groups)
        return None if inputs is None else _numel(inputs) * kernel
    if isinstance(module, nn.Linear):
        return None if inputs is None else _numel(inputs) * module.out_features
    if isinstance(module, nn.MultiheadAttention):
        return attention_module_macs(module, node)
    if isinstance(module, _ZERO_MAC_WITH_WEIGHTS) or next(module.parameters(), None) is None:
        return 0
    return None


def attention_module_macs(module, node):
    """nn.MultiheadAttention: the q, k, v and output projections plus the two attention products
    (4·T·E² + 2·T²·E for self-attention)."""
    query, key = _shape(_argument(node, 0, "query")), _shape(_argument(node, 1, "key"))
    if query is None or key is None:
        return None
    time_axis = 1 if module.batch_first and len(query) == 3 else 0
    batch = query[1 - time_axis] if len(query) == 3 else 1
    t_q, t_k, e = query[time_axis], key[time_axis], module.embed_dim
    projections = t_q * e * e + t_k * module.kdim * e + t_k * module.vdim * e + t_q * e * e
    return batch * (projections + 2 * t_q * t_k * e)


_PRODUCTS = {torch.matmul: 0, operator.matmul: 0, torch.mm: 0, torch.bmm: 0, torch.mv: 0, torch.dot: 0,
             torch.addmm: 1, torch.baddbmm: 1}
_PRODUCT_METHODS = {"matmul": 0, "__matmul__": 0, "mm": 0, "bmm": 0, "mv": 0, "dot": 0, "addmm": 1, "baddbmm": 1}
_CONVOLUTION_FUNCTIONS = {F.conv1d, F.conv2d, F.conv3d}
_TRANSPOSED_CONVOLUTION_FUNCTIONS = {F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d}
_UNKNOWN_FUNCTIONS = {torch.einsum, torch.tensordot, torch.addbmm, torch.chain_matmul, F.bilinear,
                      F.multi_head_attention_forward}
_UNKNOWN_METHODS = {"addbmm", "tensordot"}


def function_macs(node):
    target, output = node.target, _shape(node)
    if node.op == "call_method":
        if target in _UNKNOWN_METHODS:
            return None
        first = _PRODUCT_METHODS.get(target)
        return 0 if first is None else product_macs(node, first)
    if target in _PRODUCTS:
        return product_macs(node, _PRODUCTS[target])
    if target is F.linear or target in _CONVOLUTION_FUNCTIONS:
        weight = _shape(_argument(node, 1, "weight"))
        return None if weight is None or output is None else _numel(output) * math.prod(weight[1:])
    if target in _TRANSPOSED_CONVOLUTION_FUNCTIONS:
        inputs, weight = _shape(_argument(node, 0, "input")), _shape(_argument(node, 1, "weight"))
        return None if weight is None or inputs is None else _numel(inputs) * math.prod(weight[1:])
    if target is F.scaled_dot_product_attention:
        return attention_function_macs(node)
    return None if target in _UNKNOWN_FUNCTIONS else 0


def product_macs(node, first):
    """Matrix products: output elements × the contracted dimension."""
    left = _shape(node.args[first]) if len(node.args) > first else None
    output = _shape(node)
    return None if left is None or output is None else _numel(output) * left[-1]


def attention_function_macs(node):
    """F.scaled_dot_product_attention: T_q·T_k·(E + E_v) per head-batch, i.e. 2·T_q·T_k·E."""
    query, key, value = (_shape(_argument(node, i, name)) for i, name in enumerate(("query", "key", "value")))
    if query is None or key is None or value is None:
        return None
    return math.prod(query[:-2]) * query[-2] * key[-2] * (query[-1] + value[-1])


# ---------------------------------------------------------------------------------------------------------------
# Export


def metadata_for(options: ExportOptions, names, statistics):
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "name": options.name,
        "source": options.source,
        "torch_version": torch.__version__,
        "input": list(options.input_shape),
        "classes": options.classes,
        "class_names": None if options.class_names is None else list(options.class_names),
        "preprocess": {"resize": options.input_shape[1], "mean": list(options.mean), "std": list(options.std)},
        "stages": [
            {"name": stage_name, "module": f"stage{index}", "output_shape": shape, "parameters": parameters,
             "macs": macs}
            for index, (stage_name, (shape, parameters, macs)) in enumerate(zip(names, statistics))
        ],
    }


def cut_model(model, options: ExportOptions, x, expected):
    """[(name, stage module)]: fx cuts, or the top-level modules in sequence when fx cannot trace the model."""
    paths, explicit = requested_split_paths(model, options)
    disable_in_place_modules(model)
    traced, fx_error = trace(model)
    if traced is None:
        return sequential_stages(model, paths, explicit, x, expected, fx_error)
    return fx_stages(traced, paths, explicit)


def collect_statistics(stages, sample):
    statistics = []
    for _, stage in stages:
        sample, parameters, macs = stage_statistics(stage, sample)
        statistics.append((list(sample.shape[1:]), parameters, macs))
    return statistics


def compile_stages(stages, x):
    compiled, how = [], []
    for index, (name, stage) in enumerate(stages):
        module, method = compile_stage(index, name, stage, x)
        compiled.append(module)
        how.append(method)
        x = stage(x)
    return compiled, how


def export_model(model: nn.Module, options: ExportOptions) -> dict:
    """Cuts `model` as `options` say, writes the archive and returns the metadata written to it. The model is put
    in eval mode, float32 on the CPU, and its modules' `inplace` flags are turned off (export_stages hands it a
    copy)."""
    with torch.no_grad():
        model = model.to(device="cpu", dtype=torch.float32).eval()
        x = reference_input(options)
        expected = reference_output(model, x, options)
        stages = cut_model(model, options, x, expected)
        statistics = collect_statistics(stages, x[:1])
        compiled, how = compile_stages(stages, x)
        before = verify("the stages", nn.ModuleDict({f"stage{i}": m for i, m in enumerate(compiled)}),
                        len(compiled), x, expected)
        names = [name for name, _ in stages]
        metadata = metadata_for(options, names, statistics)
        wrapper = build_wrapper(compiled, x, expected)
        after = save_archive(wrapper, metadata, options.out, len(compiled), x, expected)
    print_summary(metadata, how, options.out, max(before, after), tolerance(expected))
    return metadata


def export_stages(model: nn.Module, input_shape: Sequence[int], classes: int,
                  splits: Optional[Sequence[str]] = None, *, out: Union[str, os.PathLike],
                  mean: Union[float, Sequence[float], None] = None, std: Union[float, Sequence[float], None] = None,
                  class_names: Optional[Sequence[str]] = None, reference_data: Any = None,
                  name: Optional[str] = None, source: Optional[str] = None) -> dict:
    """Cuts a classifier after the modules `splits` names and writes the stage archive GPZ loads (`out`); returns
    the metadata written to it (the archive's gpz.json). The Python form of the command line: the same checks,
    the same archive, the same stage table on stderr.

        import torchvision
        from gpz_export import export_stages

        export_stages(torchvision.models.resnet18(num_classes=10), (3, 32, 32), 10,
                      splits=["layer1", "layer2"], out="r18.gpz.pt")

    - model: an nn.Module taking a batch [N, C, H, W] and returning the logits [N, classes]. It is exported as it
      is (load your weights first), in eval mode, float32, on the CPU; the exporter works on a copy, so `model`
      itself is not changed.
    - input_shape: (C, H, W) of one sample, H == W (--input).
    - classes: the number of logits (--classes).
    - splits: module paths as in `model.named_modules()` ("layer1", "features.13", "blocks.3"), in execution order,
      like torchvision's `create_feature_extractor(model, return_nodes=[...])`; None cuts after every top-level
      block, an nn.Sequential or nn.ModuleList counting as its items (--splits, default `blocks`). The last stage
      always ends at the logits and is named "logits".
    - out: the archive to write, e.g. "model.gpz.pt" (--out); required, by keyword.
    - mean, std: the per-channel normalisation the model was trained with, one number or one per channel
      (default 0.5) (--mean, --std).
    - class_names: `classes` names, or None (--class-names).
    - reference_data: model inputs (already normalised) whose first 4 images become the reference input: a path to
      a .npy file, a numpy array or a tensor, [R, C, H, W] or [C, H, W]; None draws 4 seeded normal images
      (--reference-data).
    - name, source: recorded in the archive; by default the model's class name and "python:module.Class" (--name).

    Raises ExportError, with a one-line message, for a user error: a bad argument, a model whose output is not
    [N, classes], a split point that does not exist or cannot be cut, stages that do not reproduce the model.
    """
    options = export_options(model, input_shape, classes, splits, out=out, mean=mean, std=std,
                             class_names=class_names, reference_data=reference_data, name=name, source=source)
    return export_model(_private_copy(model), options)


def export_options(model, input_shape, classes, splits=None, *, out, mean=None, std=None, class_names=None,
                   reference_data=None, name=None, source=None) -> ExportOptions:
    """export_stages's arguments, checked, as ExportOptions; errors name the keyword arguments."""
    if not isinstance(model, nn.Module):
        raise ExportError(f"model must be a torch.nn.Module, got a {type(model).__name__}")
    shape = _checked_input_shape(input_shape)
    try:
        classes = operator.index(classes)
    except TypeError:
        raise ExportError(f"classes must be an integer, got {classes!r}") from None
    if classes < 1:
        raise ExportError(f"classes must be positive, got {classes}")
    channels = shape[0]
    mean = _checked_channel_values("mean", mean, channels, positive=False)
    std = _checked_channel_values("std", std, channels, positive=True)
    if class_names is not None:
        class_names = _checked_strings("class_names", class_names)
        if len(class_names) != classes:
            raise ExportError(f"class_names has {len(class_names)} names; classes is {classes}")
    if splits is not None:
        splits = _checked_strings("splits", splits)
    if reference_data is not None:
        reference_data = _checked_reference_data(reference_data)
    for keyword, value in (("name", name), ("source", source)):
        if value is not None and not isinstance(value, str):
            raise ExportError(f"{keyword} must be a string, got a {type(value).__name__}")
    try:
        out = Path(os.fspath(out))
    except TypeError:
        raise ExportError(f"out must be a path, got a {type(out).__name__}") from None
    kind = type(model)
    return ExportOptions(input_shape=shape, classes=classes, out=out, name=name or kind.__name__,
                         source=source or f"python:{kind.__module__}.{kind.__qualname__}", mean=mean, std=std,
                         splits=splits, class_names=class_names, reference_data=reference_data)


def _checked_input_shape(input_shape):
    try:
        shape = tuple(operator.index(size) for size in input_shape)
    except TypeError:
        shape = ()
    if len(shape) != 3 or min(shape) < 1:
        raise ExportError(f"input_shape must be three positive integers (C, H, W), got {input_shape!r}")
    if shape[1] != shape[2]:
        raise ExportError(f"input_shape {shape}: GPZ uses square inputs, H ({shape[1]}) must equal W ({shape[2]})")
    return shape


def _checked_channel_values(keyword, value, channels, positive):
    if value is None:
        return (0.5,) * channels
    try:
        if isinstance(value, str):
            raise TypeError
        values = [float(value)] if isinstance(value, numbers.Real) else [float(v) for v in value]
    except (TypeError, ValueError):
        raise ExportError(f"{keyword} must be a number or a sequence of numbers, got {value!r}") from None
    return check_channel_values(keyword, values, channels, positive, repr(value))


def _checked_strings(keyword, value):
    if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise ExportError(f"{keyword} must be a list of strings, got {value!r}")
    return tuple(value)


def _checked_reference_data(data):
    if isinstance(data, (str, os.PathLike)):
        return Path(os.fspath(data))
    if isinstance(data, torch.Tensor):
        return data
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(data, numpy.ndarray):
        return data
    raise ExportError(f"reference_data must be a path to a .npy file, a numpy array or a tensor, got a "
                      f"{type(data).__name__}")


def _private_copy(model):
    """A deep copy of the user's model for export_model to change; the model itself where it cannot be copied."""
    try:
        return copy.deepcopy(model)
    except Exception as error:
        say(f"gpz_export: the model cannot be copied ({first_line(error)}); it is exported in place, left in eval "
            "mode, float32 on the CPU, with its modules' inplace flags off")
        return model


def export(argv):
    """Runs the exporter on command-line arguments; returns the metadata written to the archive."""
    return run_command(parse_args(argv))


def run_command(command: Command) -> dict:
    """Builds the model a parsed command line names and exports it; returns the metadata written to the archive."""
    with torch.no_grad():
        model = build_model(command.model, command.options.classes)
        return export_model(model, command.options)


def _grouped(value):
    return "-" if value is None else f"{value:,}"


def print_summary(metadata, how, out, difference, limit):
    c, h, w = metadata["input"]
    say(f"gpz_export: {metadata['name']} ({metadata['source']}), input {c}x{h}x{w}, {metadata['classes']} classes, "
        f"{len(metadata['stages'])} stage{'s' if len(metadata['stages']) > 1 else ''}")
    rows = [("#", "stage", "output", "params", "MACs", "via")]
    for index, (stage, method) in enumerate(zip(metadata["stages"], how)):
        shape = "x".join(map(str, stage["output_shape"]))
        rows.append((str(index), stage["name"], shape, _grouped(stage["parameters"]), _grouped(stage["macs"]),
                     method))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].rjust(widths[0]), row[1].ljust(widths[1]), row[2].ljust(widths[2]),
                 row[3].rjust(widths[3]), row[4].rjust(widths[4]), row[5]]
        say("  " + "  ".join(cells))
    size = out.stat().st_size / 1e6
    say(f"gpz_export: wrote {out} ({size:.1f} MB); the stages reproduce the model's output "
        f"(max abs difference {difference:.2g}, tolerance {limit:.2g})")


def main(argv=None):
    try:
        command = parse_args(sys.argv[1:] if argv is None else argv)
        metadata = run_command(command)
    except ExportError as error:
        say(f"error: {error}")
        return 2
    if command.json:
        print(json.dumps(metadata, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
