"""`minitorch-nn explain`: the graph page and picture carry the traced backward's shapes and norms; --op.

The numbers on the page are checked against the model's own ``.grad`` after the same backward,
so an edge that showed the wrong gradient (another input's, or one before un-broadcasting) fails.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import xml.dom.minidom

import numpy as np
import pytest

import minitorch_nn as mt
from minitorch_nn.cli import main
from minitorch_nn.cli.explain import graph_nodes, node_shape, svg_text, traced_backward
from minitorch_nn.models import build


@pytest.fixture(scope="module")
def lenet_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explain")
    page, svg = folder / "g.html", folder / "g.svg"
    assert main(["explain", "--html", str(page), "--svg", str(svg)]) == 0
    return page.read_text(), xml.dom.minidom.parse(str(svg))


def page_nodes(text):
    data = re.search(r'<script id="nodes" type="application/json">(.*?)</script>', text, re.S).group(1)
    return json.loads(data.replace("<\\/", "</"))


def lenet_grads():
    """The seed LeNet's loss and parameter gradients, built exactly as explain builds them."""
    mt.manual_seed(0)
    model = build("lenet", mt, in_channels=1)
    x = mt.randn(2, 1, 32, 32)
    target = mt.randint(0, 10, (2,))
    loss = mt.nn.CrossEntropyLoss()(model(x), target)
    loss.backward()
    return {k: p.grad.numpy() for k, p in model.named_parameters()}


def test_page_is_self_contained_and_names_every_node(lenet_page):
    text, _ = lenet_page
    assert "<svg" in text and "<script src" not in text and "<link" not in text and "http" not in text.split("<svg")[0]
    nodes = page_nodes(text)
    labels = [n["label"] for n in nodes]
    assert len(nodes) == 27 and labels[0] == "NllLossBackward0"
    assert "torch::autograd::AccumulateGrad (conv1.weight)" in labels
    assert labels.count("ConvolutionBackward0") == 2


def test_clicked_node_shows_derivation_and_the_gradients_through_it(lenet_page):
    text, _ = lenet_page
    nodes = page_nodes(text)
    conv = next(n for n in nodes if n["label"] == "ConvolutionBackward0")
    assert conv["function"] == "minitorch_nn.ops.conv.Convolution"
    assert "grad weight" in conv["family"] and conv["derivation"]
    grads = lenet_grads()
    sent = {s["to"]: s for s in conv["sent"] if s is not None}
    weight = sent["torch::autograd::AccumulateGrad (conv2.weight)"]
    assert weight["shape"] == list(grads["conv2.weight"].shape)
    np.testing.assert_allclose(weight["norm"], np.linalg.norm(grads["conv2.weight"]), rtol=1e-6)
    np.testing.assert_allclose(weight["first"], grads["conv2.weight"].reshape(-1)[:6], rtol=1e-6)
    assert conv["received"][0]["shape"] == [2, 16, 10, 10]
    for name, grad in grads.items():  # every leaf received exactly its parameter's .grad
        leaf = next(n for n in nodes if n["label"] == f"torch::autograd::AccumulateGrad ({name})")
        assert leaf["received"][0]["shape"] == list(grad.shape)
        np.testing.assert_allclose(leaf["received"][0]["norm"], np.linalg.norm(grad), rtol=1e-6)


def test_svg_shows_output_shapes_and_gradient_norms(lenet_page):
    text, svg = lenet_page
    grads = lenet_grads()
    node_texts = [t for t in svg.getElementsByTagName("text") if t.getAttribute("class") == "node"]
    shapes = {t.firstChild.data: t.getElementsByTagName("tspan")[0].firstChild.data for t in node_texts}
    assert shapes["AccumulateGrad (fc1.weight)"] == "[120, 400]" and shapes["NllLossBackward0"] == "[]"
    assert shapes["LogSoftmaxBackward0"] == "[2, 10]"
    edges = [t.firstChild.data for t in svg.getElementsByTagName("text") if t.getAttribute("class") == "edge"]
    assert len(edges) == len(svg.getElementsByTagName("line")) == 26
    expected = f"[84, 10] |g|={np.linalg.norm(grads['fc3.weight']):.3g}"  # TBackward0 -> fc3.weight, transposed
    assert expected in edges
    assert html.escape(expected) in text  # the page's inline picture carries the same labels


def test_node_shape_comes_from_the_traced_backward():
    x = mt.randn(3, 4, requires_grad=True)
    root = (x.exp() + 1).sum()
    flows = traced_backward(root)
    shapes = [node_shape(n, flows) for n in graph_nodes(root.grad_fn)[0]]
    assert shapes == ["[]", "[3, 4]", "[3, 4]", "[3, 4]"]
    assert "[3, 4] |g|=" in svg_text(root.grad_fn, {id(x): "x"}, flows)


def test_op_prints_derivation_and_checks_against_torch(capsys):
    assert main(["explain", "--op", "conv2d", "--samples", "2"]) == 0
    out = capsys.readouterr().out
    assert "ConvolutionBackward0" in out and "minitorch_nn/ops/conv.py" in out and "grad weight" in out
    rows = re.findall(r"^  (float64|float32) .* (ok|FAIL) ", out, re.M)
    assert rows == [("float64", "ok"), ("float32", "ok")]
    assert "grad[1] abs" in out  # the weight's gradient was compared


def test_op_without_gradient_says_so(capsys):
    assert main(["explain", "--op", "argmax", "--samples", "1"]) == 0
    assert "no differentiable output" in capsys.readouterr().out


def test_unknown_op_lists_the_known_ones():
    with pytest.raises(SystemExit, match="unknown op conv9d; known: .*conv2d"):
        main(["explain", "--op", "conv9d"])


CLICK_PROBE = """<!DOCTYPE html><html><body><pre id="result">pending</pre>
<iframe id="page" src="{src}" width="1400" height="900"></iframe>
<script>
const frame = document.getElementById("page");
frame.addEventListener("load", () => {{
  const result = document.getElementById("result");
  try {{
    const doc = frame.contentDocument;
    const nodes = [...doc.querySelectorAll("g.node")];
    const conv = nodes.find((g) => g.textContent.trim().startsWith("ConvolutionBackward0"));
    conv.dispatchEvent(new MouseEvent("click", {{ bubbles: true }}));
    result.textContent = doc.getElementById("details").innerText;
  }} catch (error) {{
    result.textContent = "error: " + error;
  }}
}});
</script></body></html>
"""


def test_clicking_a_node_in_a_browser_shows_its_derivation_and_gradients(lenet_page, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "this test needs Debian's chromium: apt-get install -y chromium (.ci/run installs it)"
    text, _ = lenet_page
    page = tmp_path / "graph.html"
    page.write_text(text)
    probe = tmp_path / "probe.html"
    probe.write_text(CLICK_PROBE.format(src=page.as_uri()))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"]
    result = subprocess.run(
        [chromium, *flags, "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    shown = html.unescape(re.search(r'<pre id="result">([^<]*)</pre>', result.stdout, re.S).group(1))
    assert shown.startswith("ConvolutionBackward0") and "minitorch_nn.ops.conv.Convolution" in shown
    assert "y = conv(x, W) + b" in shown and "gradients sent (one per input)" in shown
    assert "AccumulateGrad (conv2.weight)" in shown and "[16, 6, 5, 5]" in shown
