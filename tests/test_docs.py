"""The documentation site: generated from the code, so every registry op has its section, and it builds strictly.

The pages come from reference/docs.py (the MkDocs hook); these tests read the generated Markdown
directly, then run ``mkdocs build --strict`` once and look at the HTML it wrote.
"""

from __future__ import annotations

import html
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import xml.dom.minidom

import pytest

from minitorch_nn.cli.check import draw_samples
from reference import docs
from reference.registry import FAMILIES, all_ops

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# how a docstring derives a backward: "dx = ...", "dL/dW", the words, or LaTeX
DERIVATION = re.compile(r"\bd\w*\s*=|\bd\w*/d\w+|grad|backward|derivative|Jacobian|adjoint|\\partial|\\frac", re.I)


@pytest.fixture(scope="module")
def pages():
    return docs.generated_pages()


def section(page: str, anchor: str) -> str:
    """The text of the ``### Name { #anchor }`` section, up to the next heading of the same level."""
    match = re.search(r"^### \S+ \{ #" + re.escape(anchor) + r" \}\n(.*?)(?=^### |\Z)", page, re.S | re.M)
    assert match, f"no section #{anchor}"
    return match.group(1)


def test_every_registry_op_has_a_row_and_a_section_with_its_derivation(pages):
    rows = {}
    for path, page in pages.items():
        if path.startswith("ops/"):
            for name, link in re.findall(r"^\| `([^`]+)` \| (\S*)", page, re.M):
                rows[name] = (path, link)
    for info in all_ops():
        assert info.name in rows, f"{info.name} is on no op-family page"
        path, link = rows[info.name]
        if link == "(none:":  # no Function behind it: the op's outputs are integer, bool or non-differentiable
            sample = draw_samples(info.sample(), 1, docs.SEED)[0]
            assert docs._output_function(info, sample) is None, info.name
            continue
        target, anchor = re.fullmatch(r"\[`\w+`\]\(([\w.]*)#([\w-]+)\)", link).groups()
        page = pages[os.path.join(os.path.dirname(path), target)] if target else pages[path]
        text = section(page, anchor) + page.split("## Checked against torch")[0]  # the Function's and module's notes
        assert DERIVATION.search(text), f"{info.name}: its Function's section derives no backward"


# LaTeX in a docstring, as docstring_markdown keeps it: a $$ ... $$ block or $...$ on one line
MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)


def test_every_derivation_is_written_as_math():
    """A Function whose docstring derives a backward states it in LaTeX, so its family page renders it.

    Written for a learner: ``$dy/dx = \\cos x$`` inline, ``$$ ... $$`` for a multi-line derivation. A new
    op whose docstring derives in plain text only (``dx = dy * cos(x)``) fails here.
    """
    plain = []
    for family in docs.families():
        for cls in docs.functions_of(family):
            doc = inspect.getdoc(cls) or ""
            if DERIVATION.search(doc) and not MATH.search(doc):
                plain.append(f"minitorch_nn/ops/{family}.py: {cls.__name__}")
    assert not plain, "derivations without math markup ($...$):\n" + "\n".join(plain)


def test_every_family_page_shows_every_function_with_its_code(pages):
    for family in docs.families():
        page = pages[f"ops/{family}.md"]
        for cls in docs.functions_of(family):
            body = section(page, docs.anchor(cls))
            first_line = (inspect.getdoc(cls) or "").splitlines()[0][:30].replace("\\", "")
            assert first_line in body.replace("\\", "")  # Markdown escapes aside, the docstring is there
            try:
                inspect.getsource(cls)
            except OSError:
                continue
            assert f"class {cls.__name__}(" in body


def test_the_learners_path_leads_from_backward_to_the_conv_kernels(pages):
    index = open(os.path.join(ROOT, "docs", "index.md")).read()
    assert "(engine.md)" in index and "(ops/conv.md)" in index and "(kernels/conv.md)" in index
    assert "Function's `backward`" in pages["engine.md"] or "backward" in pages["engine.md"]
    assert "(../kernels/conv.md)" in pages["ops/conv.md"] or any(
        f"(../{p})" in pages["ops/conv.md"] for p in pages if p.startswith("kernels/conv")
    )
    kernel_pages = [p for p in pages if p.startswith("kernels/conv")]
    assert kernel_pages and any("backward" in pages[p] for p in kernel_pages)


def test_every_registry_family_has_a_page(pages):
    # a registry family named after its ops module has that module's page; the others (linalg: the
    # decompositions and solvers modules) are covered op by op by the row test above
    for family in FAMILIES:
        if importlib.util.find_spec(f"minitorch_nn.ops.{family}") is not None:
            assert f"ops/{family}.md" in pages, family


def test_checks_are_within_tolerance_and_show_both_dtypes(pages):
    table_rows = [line for path, page in pages.items() if path.startswith("ops/") for line in page.splitlines()]
    table_rows = [line for line in table_rows if re.match(r"^\| `", line)]
    assert len(table_rows) == len(all_ops())
    for line in table_rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert re.fullmatch(r"\d\.\de[+-]\d\d", cells[2]) and re.fullmatch(r"\d\.\de[+-]\d\d", cells[3]), line
        assert cells[4] == "yes", line


def test_api_page_counts_the_core_aten_ops(pages):
    from reference.core_aten import missing, public_core_ops

    page = pages["api.md"]
    assert f"Of its {len(public_core_ops())} public ops" in page
    assert page.count("~~") == 2 * len(missing())
    assert f"holds **{len(all_ops())}** ops" in page


def test_docstring_markdown_keeps_math_and_code_and_escapes_emphasis():
    text = "if a < b: y = a*b * c, a *sum* of ``x_pad`` and $\\sum_k W_k$.\n\n    y[n] = sum_k W[k] * x[n + k]\n\n$$\n\\frac{a}{b}\n$$\nend"
    md = docs.docstring_markdown(text)
    assert "a\\*b * c, a *sum* of ``x_pad`` and $\\sum_k W_k$" in md  # a product escaped, emphasis and math kept
    assert "if a &lt; b:" in md  # not the start of an HTML tag, and no stray backslash on the page
    assert "\n    y[n] = sum_k W[k] * x[n + k]\n" in md  # an indented block stays a code block, unescaped
    assert "\n\n$$\n\\frac{a}{b}\n$$\n\nend" in md


@pytest.fixture(scope="module")
def site(tmp_path_factory, pages):
    """The site as ``mkdocs build --strict`` writes it (a warning, e.g. a broken link or anchor, fails it).

    Built in this process, so the hook reuses the pages the ``pages`` fixture generated.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site = tmp_path_factory.mktemp("docs") / "site"
    build(load_config(config_file=os.path.join(ROOT, "mkdocs.yml"), strict=True, site_dir=str(site)))
    return site


def test_site_builds_strictly_with_math_and_pictures(site):
    conv = (site / "ops" / "conv" / "index.html").read_text()
    assert 'class="arithmatex"' in conv and "ConvolutionBackward0" in conv and "katex.min.js" in conv
    assert (site / "assets" / "katex" / "fonts" / "KaTeX_Main-Regular.woff2").exists()  # renders offline
    assert (site / "benchmarks" / "bench-h100.png").stat().st_size > 1000
    assert 'src="bench-h100.png"' in (site / "benchmarks" / "index.html").read_text()
    graph = xml.dom.minidom.parse(str(site / "lenet-graph.svg"))
    assert len([t for t in graph.getElementsByTagName("text") if t.getAttribute("class") == "node"]) == 27
    for family in docs.families():
        assert (site / "ops" / family / "index.html").exists()


PROBE = """<!DOCTYPE html><html><body><pre id="result">pending</pre>
<iframe id="page" src="{src}" width="1200" height="900"></iframe>
<script>
const frame = document.getElementById("page");
frame.addEventListener("load", () => setTimeout(() => {{
  const doc = frame.contentDocument;
  const images = [...doc.querySelectorAll("article img")].map((i) => [i.getAttribute("src"), i.naturalWidth]);
  document.getElementById("result").textContent = JSON.stringify({{
    katex: doc.querySelectorAll(".katex").length, errors: doc.querySelectorAll(".katex-error").length, images }});
}}, 1500));
</script></body></html>
"""


def rendered(page, tmp_path):
    """What headless Chromium shows of a built page: KaTeX-rendered formulas, failed ones, images and their widths."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "the browser test needs Debian's chromium: apt-get install -y chromium (.ci/run installs it)"
    probe = tmp_path / f"probe-{page.parent.name}.html"
    probe.write_text(PROBE.format(src=page.as_uri()))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"]
    result = subprocess.run(
        [chromium, *flags, "--virtual-time-budget=15000", "--dump-dom", probe.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    match = re.search(r'<pre id="result">([^<]*)</pre>', result.stdout)
    assert match and match.group(1) != "pending", result.stderr[-2000:]
    return json.loads(match.group(1))


def test_browser_renders_the_math_and_loads_the_graph_picture(site, tmp_path):
    conv = rendered(site / "ops" / "conv" / "index.html", tmp_path)
    assert conv["katex"] >= 10 and conv["errors"] == 0  # every formula of conv's derivation went through KaTeX
    tensors = rendered(site / "tensors" / "index.html", tmp_path)
    widths = {src: width for src, width in tensors["images"]}
    assert widths.get("../lenet-graph.svg", 0) > 300  # the picture loaded (a broken image has width 0)


ALL_PAGES_PROBE = """<!DOCTYPE html><html><body><pre id="result">pending</pre>
<iframe id="page" width="1200" height="900"></iframe>
<script>
const pages = {pages};
const out = {{}};
const frame = document.getElementById("page");
let i = 0;
frame.addEventListener("load", () => setTimeout(() => {{
  const doc = frame.contentDocument;
  const walker = doc.createTreeWalker(doc.querySelector("article"), NodeFilter.SHOW_TEXT);
  const stray = [];
  for (let n; (n = walker.nextNode()); ) {{
    const raw = ["$", "\\\\(", "\\\\["].some((m) => n.textContent.includes(m));  // math KaTeX did not take
    if (raw && !n.parentElement.closest("pre, code, .katex, script")) {{
      stray.push(n.textContent.slice(0, 200));
    }}
  }}
  const errors = [...doc.querySelectorAll(".katex-error")].map((e) => e.getAttribute("title") || e.textContent);
  out[pages[i]] = {{ katex: doc.querySelectorAll(".katex").length, errors, stray }};
  i += 1;
  if (i < pages.length) frame.src = pages[i];
  else document.getElementById("result").textContent = JSON.stringify(out);
}}, 1000));
frame.src = pages[0];
</script></body></html>
"""


def test_browser_renders_every_formula_of_every_op_family_page(site, pages, tmp_path):
    """Headless Chromium loads each op-family page in turn: KaTeX renders every formula of its docstrings
    (no .katex-error: the TeX is valid for KaTeX), none is left as raw ``$...$`` text, and none was lost to
    a code block (at least as many rendered formulas as the page's Markdown holds outside its code)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "the browser test needs Debian's chromium: apt-get install -y chromium (.ci/run installs it)"
    families = docs.families()
    uris = [(site / "ops" / family / "index.html").as_uri() for family in families]
    probe = tmp_path / "probe-all.html"
    probe.write_text(ALL_PAGES_PROBE.format(pages=json.dumps(uris)))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"]
    result = subprocess.run(
        [chromium, *flags, "--virtual-time-budget=300000", "--dump-dom", probe.as_uri()],
        capture_output=True,
        text=True,
        timeout=300,
    )
    match = re.search(r'<pre id="result">([^<]*)</pre>', result.stdout)
    assert match and match.group(1) != "pending", result.stderr[-2000:]
    shown = json.loads(html.unescape(match.group(1)))
    for family, uri in zip(families, uris):
        markdown = re.sub(r"```.*?```", "", pages[f"ops/{family}.md"], flags=re.S)  # the folded source listings
        written = len(MATH.findall(markdown))
        page = shown[uri]
        assert page["errors"] == [] and page["stray"] == [], (family, page)
        assert page["katex"] >= written, (family, page["katex"], written)
