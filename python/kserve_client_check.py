"""Calls a running `gpz serve` with Triton's standard Python client (tritonclient.http, unchanged) and prints what it
got as one JSON object on stdout; GPZ's tests compare it with the in-process model.

    python python/kserve_client_check.py --url HOST:PORT --model NAME --token-file FILE --features FILE.json

FILE.json holds {"shape": [N, ...], "values": [...]}: the features Z the edge computed, row-major. The script sends
them six ways, each with `Authorization: Bearer <token>`:
  fp32_binary, fp32_json    FP32, in the binary tensor extension / as JSON numbers (binary_data=True / False);
  fp16_binary               Z.astype(float16), FP16;
  int8_binary, int8_json    symmetric INT8 quantisation, q = clip(rint(Z / s), -127, 127) with s = max|Z| / 127 in
                            float32, the scale sent as the request parameter gpz_int8_scale;
  no_outputs                FP32 without naming outputs (tritonclient then asks for all outputs in binary);
each with the outputs `logits` and `class`, and reports for each the logits and classes received and the response's
parameters, plus the Z the server was sent (as float32 values) for the quantised encodings. It also reports the liveness and readiness
probes, the model metadata, and the status and message of a request with a wrong token.
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException


def infer(client, model, headers, z, datatype, binary, parameters=None, outputs=True):
    inp = httpclient.InferInput("z", list(z.shape), datatype)
    inp.set_data_from_numpy(z, binary_data=binary)
    requested = None
    if outputs:
        requested = [httpclient.InferRequestedOutput("logits", binary_data=binary),
                     httpclient.InferRequestedOutput("class", binary_data=binary)]
    # A copy: tritonclient adds Inference-Header-Content-Length to the dict it is given, which would then go
    # with the next (JSON) request too.
    result = client.infer(model, [inp], outputs=requested, headers=dict(headers), parameters=parameters)
    logits = result.as_numpy("logits")
    classes = result.as_numpy("class")
    return {
        "logits": [float(v) for v in logits.astype(np.float32).ravel()],
        "logits_shape": list(logits.shape),
        "class": None if classes is None else [int(v) for v in classes.ravel()],
        # The response's parameters as tritonclient parsed them (gpz serve reports gpz_compute_seconds).
        "parameters": result.get_response().get("parameters"),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="HOST:PORT of the server")
    parser.add_argument("--model", required=True)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--features", required=True)
    args = parser.parse_args(argv)

    with open(args.token_file) as f:
        token = f.read().strip()
    with open(args.features) as f:
        spec = json.load(f)
    z = np.asarray(spec["values"], dtype=np.float32).reshape(spec["shape"])
    headers = {"Authorization": f"Bearer {token}"}

    client = httpclient.InferenceServerClient(url=args.url)
    report = {
        "live": client.is_server_live(),
        "ready": client.is_server_ready(),
        "model_ready": client.is_model_ready(args.model),
        "metadata": client.get_model_metadata(args.model, headers=headers),
    }
    report["fp32_binary"] = infer(client, args.model, headers, z, "FP32", True)
    report["fp32_json"] = infer(client, args.model, headers, z, "FP32", False)
    report["no_outputs"] = infer(client, args.model, headers, z, "FP32", True, outputs=False)

    z16 = z.astype(np.float16)
    report["fp16_binary"] = infer(client, args.model, headers, z16, "FP16", True)
    report["fp16_binary"]["sent"] = [float(v) for v in z16.astype(np.float32).ravel()]

    scale = np.max(np.abs(z)) / np.float32(127)
    q = np.clip(np.rint(z / scale), -127, 127).astype(np.int8)
    parameters = {"gpz_int8_scale": float(scale)}
    for name, binary in (("int8_binary", True), ("int8_json", False)):
        report[name] = infer(client, args.model, headers, q, "INT8", binary, parameters=parameters)
        report[name]["sent"] = [float(v) for v in (q.astype(np.float32) * scale).ravel()]

    try:
        infer(client, args.model, {"Authorization": "Bearer wrong"}, z, "FP32", True)
        report["wrong_token"] = {"status": None, "message": "accepted"}
    except InferenceServerException as error:
        report["wrong_token"] = {"status": error.status(), "message": error.message()}
    client.close()
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
