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
from minitorch_nn.cli import explain, main
from minitorch_nn.cli.explain import graph_nodes, html_page, node_shape, svg_text, traced_backward
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
    assert "<svg" in text and "<script src" not in text and "<link" not in text
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


def test_page_inlines_katex_with_its_fonts_and_points_nowhere_else(lenet_page):
    text, _ = lenet_page
    folder = explain.importlib.resources.files("minitorch_nn.cli").joinpath("assets").joinpath("katex")
    assert folder.joinpath("katex.min.js").read_text() in text  # the script itself, inline
    assert folder.joinpath("auto-render.min.js").read_text() in text
    assert ".katex{" in text and text.count("url(data:font/woff2;base64,") == 20  # every vendored font, inline
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "<script></script>", text, flags=re.S)  # KaTeX's own strings
    links = re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]*)""", markup)
    urls = re.findall(r"url\(\s*['\"]?([^)'\"]*)", markup)
    assert [u for u in links + urls if not u.startswith(("data:", "#"))] == []  # no http(s), no relative path
    assert "woff)" not in text and ".ttf" not in text  # the sources it does not ship are dropped, not left relative
    assert len(text.encode()) < 1.5e6


def test_page_without_katex_shows_the_latex_source_and_says_why(monkeypatch):
    x = mt.randn(3, 4, requires_grad=True)
    root = (x.exp() + 1).sum()
    flows = traced_backward(root)
    with_katex = html_page(root.grad_fn, {id(x): "x"}, flows, "t", "loss")
    monkeypatch.setattr(explain, "KATEX_FILES", ("katex.missing.js", "auto-render.min.js", "katex.min.css"))
    plain = html_page(root.grad_fn, {id(x): "x"}, flows, "t", "loss")
    assert "renderMathInElement(" in with_katex and ".katex{" in with_katex
    assert ".katex{" not in plain and "data:font" not in plain and len(plain) < len(with_katex) - 500_000
    assert "math is shown as its " in plain  # the note the page then shows, beside a plain <pre>


CLICK_PROBE = """<!DOCTYPE html><html><body><pre id="result">pending</pre>
<iframe id="page" src="{src}" width="1400" height="900"></iframe>
<iframe id="plain" src="{plain}" width="1400" height="900"></iframe>
<script>
const out = {{}};
function click(id, label) {{
  const doc = document.getElementById(id).contentDocument;
  const g = [...doc.querySelectorAll("g.node")].find((g) => g.textContent.trim().startsWith(label));
  g.dispatchEvent(new MouseEvent("click", {{ bubbles: true }}));
  const details = doc.getElementById("details");
  const math = [...details.querySelectorAll(".math")];
  return {{
    shown: details.innerText,
    katex: math.map((m) => m.querySelectorAll(".katex").length),
    errors: details.querySelectorAll(".katex-error").length,
    pre: details.querySelectorAll("pre").length,
  }};
}}
let loaded = 0;
for (const id of ["page", "plain"]) document.getElementById(id).addEventListener("load", () => {{
  if (++loaded < 2) return;
  try {{
    out.addmm = click("page", "AddmmBackward0");
    out.conv = click("page", "ConvolutionBackward0");
    out.plain = click("plain", "AddmmBackward0");
  }} catch (error) {{
    out.error = String(error);
  }}
  document.getElementById("result").textContent = JSON.stringify(out);
}});
</script></body></html>
"""


def test_clicking_a_node_in_a_browser_shows_its_rendered_derivation_and_gradients(lenet_page, tmp_path, monkeypatch):
    """The page as Chromium shows it: a click renders the node's derivation with KaTeX (and without it, the source)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "this test needs Debian's chromium: apt-get install -y chromium (.ci/run installs it)"
    text, _ = lenet_page
    page, plain = tmp_path / "graph.html", tmp_path / "plain.html"
    page.write_text(text)
    monkeypatch.setattr(explain, "KATEX_FILES", ("katex.missing.js", "auto-render.min.js", "katex.min.css"))
    assert main(["explain", "--html", str(plain), "--svg", str(tmp_path / "plain.svg")]) == 0  # the page sans KaTeX
    probe = tmp_path / "probe.html"
    probe.write_text(CLICK_PROBE.format(src=page.as_uri(), plain=plain.as_uri()))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"]
    result = subprocess.run(
        [chromium, *flags, "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    match = re.search(r'<pre id="result">([^<]*)</pre>', result.stdout, re.S)
    assert match and match.group(1) != "pending", result.stderr[-2000:]
    out = json.loads(html.unescape(match.group(1)))
    assert "error" not in out, out.get("error")
    conv, addmm, fallback = out["conv"], out["addmm"], out["plain"]
    shown = conv["shown"]
    assert shown.startswith("ConvolutionBackward0") and "minitorch_nn.ops.conv.Convolution" in shown
    assert "y = conv(x, W) + b" in shown and "gradients sent (one per input)" in shown
    assert "AccumulateGrad (conv2.weight)" in shown and "[16, 6, 5, 5]" in shown
    # Addmm's own docstring has 4 formulas and conv's family notes 15: all rendered, none failed, no <pre> left
    assert addmm["katex"][0] >= 4 and conv["katex"][1] >= 10, (addmm, conv)
    assert addmm["errors"] == conv["errors"] == 0 and addmm["pre"] == conv["pre"] == 0
    assert "$" not in addmm["shown"].split("gradients received")[0]  # no formula left as raw source
    assert fallback["katex"] == [] and fallback["pre"] == 2 and "LaTeX source" in fallback["shown"]
    assert "$" in fallback["shown"].split("gradients received")[0]  # Addmm's derivation, as its source
