"""nn.MultiheadAttention and the Transformer layers against torch: twins with copied weights (dropout 0),
values and the gradients of every input and parameter under a random upstream gradient, over the
constructor and call arguments; reprs, state_dict keys, init equal to torch's after manual_seed, the
mask helpers, and the errors and warnings torch gives."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch_nn as mt
from reference import strategies as S
from reference.bridge import copy_weights_from_torch
from reference.compare import graph_signature


def _error(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


def _twins(name, *args, **kwargs):
    """torch's module and ours (weights copied from torch), float64, dropout 0 unless given."""
    theirs = getattr(torch.nn, name)(*args, dtype=torch.float64, **kwargs)
    ours = getattr(mt.nn, name)(*args, dtype=mt.float64, **kwargs)
    copy_weights_from_torch(ours, theirs)
    return ours, theirs


def _compare(ours, theirs, arrays, call, seed=0, rtol=1e-9, atol=1e-10):
    """call(lib, module, *leaves) -> output(s); compares outputs, input grads and parameter grads."""
    results = []
    for lib, module in ((mt, ours), (torch, theirs)):
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = call(lib, module, *leaves)
        outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if o is not None]
        rng = np.random.default_rng(seed)
        upstream = [lib.tensor(rng.standard_normal(tuple(o.shape))) for o in outs]
        lib.autograd.backward(outs, upstream)
        params = {n: p.grad for n, p in module.named_parameters()}
        results.append(([o.detach().numpy() for o in outs], [t.grad for t in leaves], params))
    (o_out, o_grads, o_params), (t_out, t_grads, t_params) = results
    assert len(o_out) == len(t_out)
    for a, b in zip(o_out, t_out):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    for a, b in zip(o_grads, t_grads):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol, atol=atol)
    assert list(o_params) == list(t_params)
    for name, grad in o_params.items():
        assert (grad is None) == (t_params[name] is None), name
        if grad is not None:
            np.testing.assert_allclose(grad.numpy(), t_params[name].numpy(), rtol=rtol, atol=atol, err_msg=name)


def _bool_mask(rng, shape):
    """True (not attended) at random, never in column 0, so no row is fully masked."""
    mask = rng.random(shape) < 0.4
    mask[..., 0] = False
    return mask


def _mask_tensor(lib, mask, dtype):
    if mask is None:
        return None
    if mask.dtype == np.bool_:
        return lib.tensor(mask)
    return lib.tensor(mask.astype(dtype))


@settings(deadline=None)
@given(data=st.data())
def test_multihead_attention_matches_torch(data):
    draw = data.draw
    heads = draw(st.integers(1, 2))
    embed = heads * draw(st.integers(1, 3))
    kdim, vdim = draw(st.sampled_from([None, 3])), draw(st.sampled_from([None, 2]))
    batch_first, batched = draw(st.booleans()), draw(st.booleans())
    options = {
        "bias": draw(st.booleans()),
        "add_bias_kv": draw(st.booleans()),
        "add_zero_attn": draw(st.booleans()),
        "kdim": kdim,
        "vdim": vdim,
        "batch_first": batch_first,
    }
    ours, theirs = _twins("MultiheadAttention", embed, heads, **options)
    # self-attention (q is k is v), shared key/value, or three inputs
    sharing = "three" if kdim or vdim else draw(st.sampled_from(["self", "kv", "three"]))
    tgt, src, n = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    if sharing == "self":
        src = tgt
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)

    def shaped(length, width):
        if not batched:
            return (length, width)
        return (n, length, width) if batch_first else (length, n, width)

    arrays = [S.array(rng, shaped(tgt, embed))]
    if sharing != "self":
        arrays.append(S.array(rng, shaped(src, kdim or embed)))
    if sharing == "three":
        arrays.append(S.array(rng, shaped(src, vdim or embed)))
    mask_kind = draw(st.sampled_from(["none", "bool2d", "float2d", "float3d", "causal"]))
    attn_mask = None
    if mask_kind == "bool2d":
        attn_mask = _bool_mask(rng, (tgt, src))
    elif mask_kind == "float2d":
        attn_mask = S.array(rng, (tgt, src))
    elif mask_kind == "float3d":
        attn_mask = S.array(rng, ((n if batched else 1) * heads, tgt, src))
    elif mask_kind == "causal":
        attn_mask = np.triu(np.full((tgt, src), -np.inf), 1)
    padding_kind = draw(st.sampled_from(["none", "bool", "float"]))
    padding = None
    if padding_kind != "none":
        padding = _bool_mask(rng, (n, src) if batched else (src,))
        if padding_kind == "float":
            padding = np.where(padding, -np.inf, 0.0)
    need_weights, average = draw(st.booleans()), draw(st.booleans())

    def call(lib, module, *leaves):
        q = leaves[0]
        k = q if sharing == "self" else leaves[1]
        v = k if sharing != "three" else leaves[2]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's mixed-mask-type deprecation warning
            return module(
                q,
                k,
                v,
                key_padding_mask=_mask_tensor(lib, padding, np.float64),
                need_weights=need_weights,
                attn_mask=_mask_tensor(lib, attn_mask, np.float64),
                average_attn_weights=average,
                is_causal=mask_kind == "causal",
            )

    _compare(ours, theirs, arrays, call, seed)
    out = call(mt, ours, *(mt.tensor(a) for a in arrays))
    assert (out[1] is None) == (not need_weights)


@settings(deadline=None)
@given(
    layer=st.sampled_from(["TransformerEncoderLayer", "TransformerDecoderLayer"]),
    norm_first=st.booleans(),
    activation=st.sampled_from(["relu", "gelu", "tanh_callable", "gelu_module"]),
    batch_first=st.booleans(),
    bias=st.booleans(),
    masks=st.sampled_from(["none", "causal", "bool", "padding", "is_causal"]),
    seed=S.seeds,
)
def test_transformer_layers_match_torch(layer, norm_first, activation, batch_first, bias, masks, seed):
    rng = np.random.default_rng(seed)
    d_model, heads, ff, n, tgt, src = 4, 2, 6, 2, 3, 2
    acts = {
        "relu": ("relu", "relu"),
        "gelu": ("gelu", "gelu"),
        "tanh_callable": (mt.tanh, torch.tanh),
        "gelu_module": (mt.nn.GELU(), torch.nn.GELU()),
    }[activation]
    common = {"dim_feedforward": ff, "dropout": 0.0, "batch_first": batch_first, "norm_first": norm_first, "bias": bias}
    theirs = getattr(torch.nn, layer)(d_model, heads, activation=acts[1], dtype=torch.float64, **common)
    ours = getattr(mt.nn, layer)(d_model, heads, activation=acts[0], dtype=mt.float64, **common)
    copy_weights_from_torch(ours, theirs)

    def shaped(length):
        return (n, length, d_model) if batch_first else (length, n, d_model)

    arrays = [S.array(rng, shaped(tgt))]
    if layer == "TransformerDecoderLayer":
        arrays.append(S.array(rng, shaped(src)))
    causal = np.triu(np.full((tgt, tgt), -np.inf), 1)
    attn_bool = _bool_mask(rng, (tgt, tgt))
    padding = _bool_mask(rng, (n, tgt))
    memory_padding = _bool_mask(rng, (n, src))

    def call(lib, module, *leaves):
        mask = {"causal": causal, "is_causal": causal, "bool": attn_bool}.get(masks)
        mask = _mask_tensor(lib, mask, np.float64)
        kpm = lib.tensor(padding) if masks == "padding" else None
        if layer == "TransformerEncoderLayer":
            return module(leaves[0], src_mask=mask, src_key_padding_mask=kpm, is_causal=masks == "is_causal")
        mem_kpm = lib.tensor(memory_padding) if masks == "padding" else None
        return module(
            leaves[0],
            leaves[1],
            tgt_mask=mask,
            tgt_key_padding_mask=kpm,
            memory_key_padding_mask=mem_kpm,
            tgt_is_causal=masks == "is_causal",
        )

    _compare(ours, theirs, arrays, call, seed)


@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_decoder_stacks_and_transformer_match_torch(batch_first):
    rng = np.random.default_rng(0)
    kw = {"dim_feedforward": 6, "dropout": 0.0, "batch_first": batch_first, "dtype": None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # enable_nested_tensor's warning, checked below
        pairs = []
        for lib in (torch, mt):
            kw["dtype"] = lib.float64
            lib.manual_seed(0)
            enc = lib.nn.TransformerEncoder(
                lib.nn.TransformerEncoderLayer(4, 2, **kw), 2, norm=lib.nn.LayerNorm(4, dtype=lib.float64)
            )
            dec = lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(4, 2, **kw), 2)
            model = lib.nn.Transformer(4, 2, 1, 1, **kw)
            pairs.append((enc, dec, model))
    shape = lambda length: (2, length, 4) if batch_first else (length, 2, 4)  # noqa: E731
    src, tgt = S.array(rng, shape(3)), S.array(rng, shape(2))
    padding = _bool_mask(rng, (2, 3))
    for i, (theirs, ours) in enumerate(zip(*pairs)):
        copy_weights_from_torch(ours, theirs)
        if i == 0:

            def call(lib, module, x):
                mask = lib.nn.Transformer.generate_square_subsequent_mask(3, dtype=lib.float64)
                return module(x, mask=mask, src_key_padding_mask=lib.tensor(padding))

            _compare(ours, theirs, [src], call)
        elif i == 1:

            def call(lib, module, x, memory):
                mask = lib.nn.Transformer.generate_square_subsequent_mask(2, dtype=lib.float64)
                return module(x, memory, tgt_mask=mask, memory_key_padding_mask=lib.tensor(padding))

            _compare(ours, theirs, [tgt, src], call)
        else:

            def call(lib, module, s, t):
                mask = lib.nn.Transformer.generate_square_subsequent_mask(2, dtype=lib.float64)
                return module(s, t, tgt_mask=mask, src_key_padding_mask=lib.tensor(padding), tgt_is_causal=True)

            _compare(ours, theirs, [src, tgt], call)


@pytest.mark.parametrize(
    ("name", "args", "call"),
    [
        ("TransformerEncoderLayer", (4, 2, 5), lambda lib, m, t: m(t)),
        (
            "TransformerDecoderLayer",
            (4, 2, 5),
            lambda lib, m, t: m(t, t[:2], memory_key_padding_mask=lib.tensor([False, True])),
        ),
        (
            "Transformer",
            (4, 2, 1, 1, 5),
            lambda lib, m, t: m(t, t[:2], src_key_padding_mask=lib.tensor([False, False, True])),
        ),
    ],
)
def test_unbatched_layers_match_torch(name, args, call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = _twins(name, *args, dropout=0.0)
    x = S.array(np.random.default_rng(1), (3, 4))
    _compare(ours, theirs, [x], call)


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("MultiheadAttention", (4, 2), {}),
        ("MultiheadAttention", (4, 2), {"kdim": 3, "vdim": 5, "add_bias_kv": True}),
        ("MultiheadAttention", (4, 1), {"bias": False, "add_zero_attn": True}),
        ("MultiheadAttention", (6, 3), {"add_bias_kv": True, "bias": False}),
        ("TransformerEncoderLayer", (4, 2, 8), {}),
        ("TransformerEncoderLayer", (4, 2, 8), {"bias": False, "norm_first": True}),
        ("TransformerDecoderLayer", (4, 2, 8), {"activation": "gelu"}),
        ("Transformer", (4, 2, 2, 1, 6), {}),
        ("Transformer", (4, 2, 1, 2, 6), {"bias": False, "layer_norm_eps": 1e-3}),
    ],
)
def test_init_reprs_and_state_dict_keys_as_torch(name, args, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(5)
        theirs = getattr(torch.nn, name)(*args, **kwargs)
        mt.manual_seed(5)
        ours = getattr(mt.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    t_state, o_state = theirs.state_dict(), ours.state_dict()
    assert list(o_state) == list(t_state)
    for key, value in t_state.items():
        np.testing.assert_array_equal(o_state[key].numpy(), value.numpy(), err_msg=key)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


def test_activation_module_appears_in_repr():
    reprs = [repr(lib.nn.TransformerEncoderLayer(4, 2, 8, activation=lib.nn.GELU())) for lib in (mt, torch)]
    assert reprs[0] == reprs[1]


def test_attributes_as_torch():
    for lib in (mt, torch):
        m = lib.nn.MultiheadAttention(6, 3, dropout=0.25, kdim=2, batch_first=True)
        assert (m.embed_dim, m.num_heads, m.head_dim, m.kdim, m.vdim, m.dropout) == (6, 3, 2, 2, 6, 0.25)
        assert m._qkv_same_embed_dim is False and m.in_proj_weight is None and m.batch_first
        t = lib.nn.Transformer(4, 2, 1, 1, 6)
        assert (t.d_model, t.nhead, t.batch_first) == (4, 2, False)
        assert t.encoder.num_layers == 1 and len(t.decoder.layers) == 1


@pytest.mark.parametrize("size", [1, 3])
def test_square_subsequent_mask_as_torch(size):
    ours = mt.nn.Transformer.generate_square_subsequent_mask(size)
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(size)
    assert ours.dtype == mt.float32
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    double = mt.nn.Transformer.generate_square_subsequent_mask(size, dtype=mt.float64)
    assert double.dtype == mt.float64


def test_training_mode_dropout_changes_the_output_and_eval_does_not():
    mt.manual_seed(0)
    m = mt.nn.MultiheadAttention(4, 2, dropout=0.5)
    x = mt.randn(3, 2, 4)
    m.eval()
    first, second = m(x, x, x)[0].detach(), m(x, x, x)[0].detach()
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    m.train()
    assert not np.array_equal(m(x, x, x, need_weights=False)[0].detach().numpy(), first.numpy())
    assert not np.array_equal(m(x, x, x)[0].detach().numpy(), first.numpy())


@pytest.mark.parametrize(
    "build",
    [
        lambda lib: lib.nn.MultiheadAttention(5, 2),
        lambda lib: lib.nn.MultiheadAttention(0, 2),
        lambda lib: lib.nn.MultiheadAttention(4, 0),
        lambda lib: lib.nn.TransformerEncoderLayer(4, 2, activation="tanh"),
    ],
)
def test_constructor_errors_as_torch(build):
    errors = [_error(build, lib) for lib in (mt, torch)]
    assert errors[0] is not None
    assert errors[0] == errors[1]


def _mha_call(lib, q_shape, k_shape=None, v_shape=None, **kwargs):
    lib.manual_seed(0)
    m = lib.nn.MultiheadAttention(4, 2, kdim=kwargs.pop("kdim", None))
    q = lib.zeros(q_shape)
    k = q if k_shape is None else lib.zeros(k_shape)
    v = k if v_shape is None else lib.zeros(v_shape)
    masks = {key: (lib.zeros(shape, dtype=dtype(lib)) if shape else None) for key, (shape, dtype) in kwargs.items()}
    return _error(m, q, k, v, **masks)


_bool = lambda lib: lib.bool  # noqa: E731
_float = lambda lib: lib.float32  # noqa: E731


@pytest.mark.parametrize(
    ("q", "k", "v", "masks"),
    [
        ((3, 2, 5), None, None, {}),
        ((3, 2, 4), (3, 2, 4), (2, 2, 4), {}),
        ((3, 2, 4), (3, 2), (3, 2), {}),
        ((3, 4), (3, 2, 4), (3, 2, 4), {}),
        ((2, 3, 2, 4), None, None, {}),
        ((3, 2, 4), None, None, {"attn_mask": ((3, 2), _bool)}),
        ((3, 2, 4), None, None, {"attn_mask": ((5, 3, 3), _float)}),
        ((3, 2, 4), None, None, {"attn_mask": ((1, 1, 3, 3), _float)}),
        ((3, 2, 4), None, None, {"attn_mask": ((3, 3), lambda lib: lib.int64)}),
        ((3, 2, 4), None, None, {"key_padding_mask": ((2, 4), _bool)}),
        ((3, 2, 4), None, None, {"key_padding_mask": ((2, 3, 1), _bool)}),
        ((3, 2, 4), None, None, {"key_padding_mask": ((3, 3), _bool)}),
        ((3, 4), None, None, {"key_padding_mask": ((1, 3), _bool)}),
        ((3, 4), None, None, {"attn_mask": ((3, 3, 3), _float)}),
    ],
)
def test_forward_errors_as_torch(q, k, v, masks):
    errors = [_mha_call(lib, q, k, v, **masks) for lib in (mt, torch)]
    assert errors[0] is not None
    assert errors[0] == errors[1]


def test_is_causal_needs_a_mask_as_torch():
    errors = []
    for lib in (mt, torch):
        m = lib.nn.MultiheadAttention(4, 2)
        x = lib.zeros(3, 2, 4)
        errors.append(_error(m, x, x, x, is_causal=True))
    assert errors[0] is not None
    assert errors[0] == errors[1]


def test_transformer_errors_as_torch():
    for src, tgt in [((3, 2, 4), (2, 3, 4)), ((3, 2, 4), (2, 2, 5))]:
        errors = []
        for lib in (mt, torch):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = lib.nn.Transformer(4, 2, 1, 1, 6)
            errors.append(_error(model, lib.zeros(src), lib.zeros(tgt)))
        assert errors[0] is not None
        assert errors[0] == errors[1]


@pytest.mark.parametrize(
    "layer_kwargs",
    [
        {},
        {"norm_first": True},
        {"batch_first": True},
        {"batch_first": True, "nhead": 1},
        {"batch_first": True, "bias": False},
    ],
)
def test_enable_nested_tensor_warning_as_torch(layer_kwargs):
    messages = []
    for lib in (mt, torch):
        kwargs = {"d_model": 4, "nhead": 2, "dim_feedforward": 6, **layer_kwargs}
        layer = lib.nn.TransformerEncoderLayer(**kwargs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.TransformerEncoder(layer, 1)
            lib.nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1]


def test_mismatched_mask_types_warn_as_torch():
    messages = []
    for lib in (mt, torch):
        m = lib.nn.MultiheadAttention(4, 2)
        x = lib.zeros(3, 2, 4)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m(x, x, x, key_padding_mask=lib.zeros(2, 3, dtype=lib.bool), attn_mask=lib.zeros(3, 3))
        messages.append(sorted({str(w.message) for w in caught}))
    assert messages[0] == messages[1]
    assert messages[0]


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("separate", [True, False])
def test_functional_multi_head_attention_with_static_keys_matches_torch(need_weights, separate):
    """F.multi_head_attention_forward called directly: separate projections and static_k / static_v."""
    rng = np.random.default_rng(3)
    embed, heads, tgt, src, n = 4, 2, 3, 2, 2
    arrays = [
        S.array(rng, (tgt, n, embed)),  # query
        S.array(rng, (src, n, embed)),  # key
        S.array(rng, (3 * embed, embed)),  # in_proj_weight (its chunks are the separate weights)
        S.array(rng, (3 * embed,)),  # in_proj_bias
        S.array(rng, (embed, embed)),  # out_proj_weight
        S.array(rng, (embed,)),  # out_proj_bias
        S.array(rng, (n * heads, 4, embed // heads)),  # static_k
        S.array(rng, (n * heads, 4, embed // heads)),  # static_v
    ]

    def call(lib, module, q, k, w, b, ow, ob, sk, sv):
        wq, wk, wv = w.chunk(3)
        return lib.nn.functional.multi_head_attention_forward(
            q, k, k, embed, heads, None if separate else w, b, None, None, False, 0.0, ow, ob,
            training=True, need_weights=need_weights, use_separate_proj_weight=separate,
            q_proj_weight=wq, k_proj_weight=wk, v_proj_weight=wv, static_k=sk, static_v=sv,
        )  # fmt: skip

    _compare(mt.nn.Module(), torch.nn.Module(), arrays, call)


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "call"),
    [
        ("MultiheadAttention", (4, 2), {}, lambda lib, m, x: m(x, x, x)[0]),
        ("MultiheadAttention", (4, 2), {"batch_first": True}, lambda lib, m, x: m(x, x, x, need_weights=False)[0]),
        ("MultiheadAttention", (4, 2), {}, lambda lib, m, x: m(x, x[:2], x[:2], average_attn_weights=False)[1]),
        (
            "MultiheadAttention",
            (4, 2),
            {"kdim": 3, "vdim": 5, "add_bias_kv": True, "add_zero_attn": True},
            lambda lib, m, x: m(
                x, lib.ones(2, 2, 3), lib.ones(2, 2, 5), key_padding_mask=lib.tensor([[0, 1], [0, 0]]).bool()
            )[0],
        ),
        ("MultiheadAttention", (4, 2), {}, lambda lib, m, x: m(x[:, 0], x[:, 0], x[:, 0], need_weights=False)[0]),
        (
            "TransformerEncoderLayer",
            (4, 2, 6),
            {"dropout": 0.0},
            lambda lib, m, x: m(x, src_mask=lib.nn.Transformer.generate_square_subsequent_mask(3), is_causal=True),
        ),
        ("TransformerDecoderLayer", (4, 2, 6), {"dropout": 0.0, "norm_first": True}, lambda lib, m, x: m(x, x[:2])),
    ],
)
def test_graphs_read_as_torchs(name, args, kwargs, call):
    """Node names and edges of the whole backward graph, from the output down to the leaves."""
    signatures = []
    for lib in (torch, mt):
        lib.manual_seed(0)
        module = getattr(lib.nn, name)(*args, **kwargs)
        x = lib.randn(3, 2, 4, requires_grad=True)
        signatures.append(graph_signature(call(lib, module, x).grad_fn))
    assert signatures[0] == signatures[1]


@pytest.mark.parametrize(
    ("name", "args", "call"),
    [
        ("MultiheadAttention", (4, 2), lambda m, t: m(t, t, t)[0]),
        ("MultiheadAttention", (4, 2), lambda m, t: m(t, t, t, need_weights=False)[0]),
        ("TransformerEncoderLayer", (4, 2, 6), lambda m, t: m(t)),
        ("TransformerDecoderLayer", (4, 2, 6), lambda m, t: m(t, t[:2])),
        ("Transformer", (4, 2, 1, 1, 6), lambda m, t: m(t, t[:2])),
    ],
)
def test_training_dropout_draws_torchs_masks(name, args, call):
    """In training mode every dropout (attention weights, residual branches, feed-forward) draws the same
    masks as torch for the same seed, in the same order: values and gradients agree."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = _twins(name, *args, dropout=0.3)
    x = S.array(np.random.default_rng(2), (3, 2, 4))

    def seeded(lib, module, t):
        lib.manual_seed(1)
        return call(module, t)

    _compare(ours, theirs, [x], seeded)


@pytest.mark.parametrize("name", ["MultiheadAttention", "TransformerEncoderLayer"])
def test_float32_matches_torch(name):
    args = (4, 2) if name == "MultiheadAttention" else (4, 2, 6)
    theirs = getattr(torch.nn, name)(*args, dropout=0.0)
    ours = getattr(mt.nn, name)(*args, dropout=0.0)
    copy_weights_from_torch(ours, theirs)
    x = S.array(np.random.default_rng(3), (3, 2, 4)).astype(np.float32)
    outputs = []
    for lib, module in ((mt, ours), (torch, theirs)):
        t = lib.tensor(x, requires_grad=True)
        out = module(t, t, t)[0] if name == "MultiheadAttention" else module(t)
        out.backward(lib.tensor(np.random.default_rng(4).standard_normal((3, 2, 4)).astype(np.float32)))
        assert out.dtype == lib.float32
        outputs.append((out.detach().numpy(), t.grad.numpy()))
    for a, b in zip(*outputs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
