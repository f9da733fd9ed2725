"""Gamma-family and Bessel special functions, compiled loops in float64 (float32 inputs are computed
in float64 and rounded once).

- lgamma: libm's (Numba compiles ``math.lgamma``); +inf at the poles 0, -1, -2, ...
- digamma psi(x): for x < 0 the reflection psi(x) = psi(1 - x) - pi / tan(pi x); then the recurrence
  psi(x) = psi(x + 1) - 1/x up to x >= 10, where the asymptotic series
  psi(x) = ln x - 1/(2x) - sum_k B_2k / (2k x^2k) is below float64 rounding after 8 terms.
- trigamma psi'(x): reflection psi'(x) = pi^2 / sin^2(pi x) - psi'(1 - x), recurrence
  psi'(x) = psi'(x + 1) + 1/x^2, asymptotic 1/x + 1/(2x^2) + sum_k B_2k / x^(2k+1).
- Hurwitz zeta(s, q) = sum_k (q + k)^-s: the first terms summed until q + N >= 10, the tail by
  Euler-Maclaurin, integral (q+N)^(1-s)/(s-1) + (q+N)^-s / 2 + sum_j B_2j/(2j)! s(s+1)..(s+2j-2) (q+N)^(1-s-2j).
  polygamma(n, x) = (-1)^(n+1) n! zeta(n + 1, x) for n >= 2.
- I0, I1 (modified Bessel functions) and their exp(-|x|)-scaled forms: the power series
  I_v(x) = sum_k (x/2)^(2k+v) / (k! (k+v)!) (all terms positive: no cancellation) for |x| <= 30, and
  above it the asymptotic series e^x / sqrt(2 pi x) sum_k (-1)^k a_k(v) / x^k,
  a_k(v) = prod_{j<=k} (4v^2 - (2j-1)^2) / (k! 8^k), whose smallest term at x = 30 is far below rounding.
- erfcx(x) = e^(x^2) erfc(x): for x < 2, e^(x^2) erfc(x) with x^2 split exactly into hi + lo
  (e^(x^2) = e^hi (1 + lo)); for x >= 2 the continued fraction
  erfcx(x) = (1/sqrt pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / (x + ...))))), evaluated bottom up;
  for x < 0, erfcx(x) = 2 e^(x^2) - erfcx(-x).
- ndtri(p): the root x of ndtr(x) = p, from sqrt(2) erfinv(2p - 1) refined by Newton steps on the lower
  tail ndtr(-|x|) = erfc(|x| / sqrt 2) / 2, which keeps its relative accuracy where 2p - 1 rounds.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# B_2k, k = 1..12
_BERNOULLI = np.array(
    [
        1.0 / 6,
        -1.0 / 30,
        1.0 / 42,
        -1.0 / 30,
        5.0 / 66,
        -691.0 / 2730,
        7.0 / 6,
        -3617.0 / 510,
        43867.0 / 798,
        -174611.0 / 330,
        854513.0 / 138,
        -236364091.0 / 2730,
    ]
)


@njit(cache=True, nogil=True, error_model="numpy")
def _lgamma_loop(x, out):  # pragma: no cover - jitted
    for i in range(x.size):
        v = x[i]
        if v <= 0 and v == math.floor(v):
            out[i] = math.inf
        else:
            out[i] = math.lgamma(v)


@njit(cache=True, nogil=True, error_model="numpy")
def _digamma_scalar(x, bernoulli):  # pragma: no cover - jitted
    if math.isnan(x) or x == -math.inf:
        return math.nan
    if x == math.inf:
        return math.inf
    if x == 0:
        return -math.inf if math.copysign(1.0, x) > 0 else math.inf
    result = 0.0
    if x < 0:
        if x == math.floor(x):
            return math.nan
        # reflection: psi(x) = psi(1 - x) - pi / tan(pi x); tan has period 1, and x - round(x) is exact
        result = -math.pi / math.tan(math.pi * (x - round(x)))
        x = 1.0 - x
    while x < 10.0:
        result -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    series = 0.0
    power = inv2
    for k in range(8):
        series += bernoulli[k] / (2 * (k + 1)) * power
        power *= inv2
    return result + math.log(x) - 0.5 / x - series


@njit(cache=True, nogil=True, error_model="numpy")
def _digamma_loop(x, out, bernoulli):  # pragma: no cover - jitted
    for i in range(x.size):
        out[i] = _digamma_scalar(x[i], bernoulli)


@njit(cache=True, nogil=True, error_model="numpy")
def _trigamma_scalar(x, bernoulli):  # pragma: no cover - jitted
    if math.isnan(x) or x == -math.inf:
        return math.nan
    if x == math.inf:
        return 0.0
    sign = 1.0
    result = 0.0
    if x < 0.5:
        # psi'(x) = pi^2 / sin^2(pi x) - psi'(1 - x)
        s = math.sin(math.pi * x)
        result = math.pi * math.pi / (s * s)
        sign = -1.0
        x = 1.0 - x
    acc = 0.0
    while x < 10.0:
        acc += 1.0 / (x * x)
        x += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    series = 0.0
    power = inv2 * inv
    for k in range(8):
        series += bernoulli[k] * power
        power *= inv2
    return result + sign * (acc + inv + 0.5 * inv2 + series)


@njit(cache=True, nogil=True, error_model="numpy")
def _trigamma_loop(x, out, bernoulli):  # pragma: no cover - jitted
    for i in range(x.size):
        out[i] = _trigamma_scalar(x[i], bernoulli)


@njit(cache=True, nogil=True, error_model="numpy")
def _zeta_scalar(s, q, bernoulli):  # pragma: no cover - jitted
    if math.isnan(s) or math.isnan(q):
        return math.nan
    if s == 1.0:
        return math.inf
    if s < 1.0:
        return math.nan
    if q <= 0:
        if q == math.floor(q):
            return math.inf
        if s != math.floor(s):
            return math.nan  # (q + k)^-s is not real for q + k < 0
    if q == math.inf:
        return math.nan  # as torch (Cephes) gives
    total = 0.0
    a = q
    n = 0
    while a < 10.0 or n < 9:
        total += a**-s
        a += 1.0
        n += 1
    tail = a ** (1.0 - s) / (s - 1.0) + 0.5 * a**-s
    # Euler-Maclaurin: B_2j / (2j)! * s (s+1) ... (s+2j-2) * a^(-s-2j+1)
    rising = s
    factorial = 2.0
    power = a ** (-s - 1.0)
    for j in range(12):
        term = bernoulli[j] / factorial * rising * power
        tail += term
        if abs(term) < 1e-17 * abs(total + tail):
            break
        rising *= (s + 2 * j + 1) * (s + 2 * j + 2)
        factorial *= (2 * j + 3) * (2 * j + 4)
        power /= a * a
    return total + tail


@njit(cache=True, nogil=True, error_model="numpy")
def _zeta_loop(s, q, out, bernoulli):  # pragma: no cover - jitted
    for i in range(out.size):
        out[i] = _zeta_scalar(s[i], q[i], bernoulli)


@njit(cache=True, nogil=True, error_model="numpy")
def _bessel_scaled(x, order):  # pragma: no cover - jitted
    """exp(-|x|) I_order(|x|) for order 0 or 1 (the caller restores I1's odd sign)."""
    ax = abs(x)
    if math.isnan(ax):
        return math.nan
    if ax == math.inf:
        return 0.0
    if ax <= 30.0:
        quarter = 0.25 * ax * ax
        term = 1.0 if order == 0 else 0.5 * ax
        total = term
        k = 0
        while True:
            k += 1
            term *= quarter / (k * (k + order))
            total += term
            if term <= 1e-17 * total:
                break
        return total * math.exp(-ax)
    mu = 4.0 * order * order
    term = 1.0
    total = 1.0
    for k in range(1, 40):
        term *= -(mu - (2 * k - 1) ** 2) / (k * 8.0 * ax)
        total += term
        if abs(term) < 1e-17 * abs(total):
            break
    return total / math.sqrt(2.0 * math.pi * ax)


@njit(cache=True, nogil=True, error_model="numpy")
def _bessel_loop(x, out, order, scaled):  # pragma: no cover - jitted
    for i in range(x.size):
        v = x[i]
        r = _bessel_scaled(v, order)
        if not scaled:
            r = math.nan if abs(v) == math.inf else r * math.exp(abs(v))  # torch's i0(inf) is NaN
        if order == 1 and v < 0:
            r = -r
        out[i] = r


@njit(cache=True, nogil=True, error_model="numpy")
def _exp_square(x):  # pragma: no cover - jitted
    """e^(x^2) with x^2 = hi + lo exactly (Dekker's split of x into 26-bit halves), e^hi (1 + lo)."""
    hi = x * x
    c = 134217729.0 * x
    top = c - (c - x)
    bottom = x - top
    lo = ((top * top - hi) + 2.0 * top * bottom) + bottom * bottom
    return math.exp(hi) * (1.0 + lo)


@njit(cache=True, nogil=True, error_model="numpy")
def _erfcx_positive(x):  # pragma: no cover - jitted
    if x < 2.0:
        return _exp_square(x) * math.erfc(x)
    if x > 1e8:
        return 1.0 / (math.sqrt(math.pi) * x)
    fraction = x
    for k in range(80, 0, -1):
        fraction = x + (0.5 * k) / fraction
    return 1.0 / (math.sqrt(math.pi) * fraction)


@njit(cache=True, nogil=True, error_model="numpy")
def _erfcx_loop(x, out):  # pragma: no cover - jitted
    for i in range(x.size):
        v = x[i]
        if math.isnan(v):
            out[i] = v
        elif v >= 0:
            out[i] = _erfcx_positive(v)
        elif v < -26.7:
            out[i] = math.inf
        else:
            out[i] = 2.0 * _exp_square(v) - _erfcx_positive(-v)


@njit(cache=True, nogil=True, error_model="numpy")
def _ndtri_refine(p, x, out):  # pragma: no cover - jitted
    for i in range(p.size):
        pi, y = p[i], x[i]
        if not (0.0 < pi < 1.0):
            out[i] = y
            continue
        lower = pi if pi < 0.5 else 1.0 - pi  # exact for pi >= 1/2 (Sterbenz)
        # where 2p - 1 rounds to -1 the start is the tail's leading term, -sqrt(-2 ln p)
        t = -abs(y) if math.isfinite(y) else -math.sqrt(-2.0 * math.log(lower))
        for _ in range(8):
            f = 0.5 * math.erfc(-t / math.sqrt(2.0)) - lower
            density = math.exp(-0.5 * t * t) / math.sqrt(2.0 * math.pi)
            if density == 0.0:
                break
            step = f / density
            t -= step / (1.0 + 0.5 * t * step)  # Halley: f'' / f' = -t
            if abs(step) < 1e-16 * abs(t):
                break
        out[i] = t if pi < 0.5 else -t


def _as_float64(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=np.float64).reshape(-1)


def _unary(loop, x: np.ndarray, *extra) -> np.ndarray:
    out = np.empty(x.shape, dtype=np.float64)
    loop(_as_float64(x), out.reshape(-1), *extra)
    return out.astype(x.dtype, copy=False) if x.dtype.kind == "f" else out


def lgamma(x: np.ndarray) -> np.ndarray:
    return _unary(_lgamma_loop, x)


def digamma(x: np.ndarray) -> np.ndarray:
    return _unary(_digamma_loop, x, _BERNOULLI)


def trigamma(x: np.ndarray) -> np.ndarray:
    return _unary(_trigamma_loop, x, _BERNOULLI)


def zeta(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hurwitz zeta(s, q), broadcast, in the (float) dtype of the result."""
    dtype = np.result_type(s, q)
    s, q = np.broadcast_arrays(s, q)
    out = np.empty(s.shape, dtype=np.float64)
    _zeta_loop(_as_float64(s), _as_float64(q), out.reshape(-1), _BERNOULLI)
    return out.astype(dtype, copy=False) if dtype.kind == "f" else out


def bessel_i(x: np.ndarray, order: int, scaled: bool) -> np.ndarray:
    """I0 / I1 (order 0 / 1), exp(-|x|)-scaled when ``scaled``."""
    return _unary(_bessel_loop, x, order, scaled)


def erfcx(x: np.ndarray) -> np.ndarray:
    return _unary(_erfcx_loop, x)


def ndtri_refine(p: np.ndarray, start: np.ndarray) -> np.ndarray:
    out = np.empty(p.shape, dtype=np.float64)
    _ndtri_refine(_as_float64(p), _as_float64(start), out.reshape(-1))
    return out.astype(p.dtype, copy=False)


@njit(cache=True, nogil=True, error_model="numpy")
def _igamma_scalar(a, x, upper):  # pragma: no cover - jitted
    """Regularized incomplete gamma P(a, x) (or Q = 1 - P when ``upper``): the series
    P = x^a e^-x / Gamma(a + 1) sum_n x^n / ((a + 1) ... (a + n)) for x < a + 1, else the continued
    fraction Q = x^a e^-x / Gamma(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / (x + 5 - a - ...))),
    evaluated by the modified Lentz method."""
    if math.isnan(a) or math.isnan(x) or a < 0 or x < 0:
        return math.nan
    if a == 0:
        if x > 0:
            return 0.0 if upper else 1.0
        return math.nan
    if x == 0:
        return 1.0 if upper else 0.0
    if math.isinf(a):
        if math.isinf(x):
            return math.nan
        return 1.0 if upper else 0.0
    if math.isinf(x):
        return 0.0 if upper else 1.0
    log_prefactor = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = 1.0 / a
        total = term
        n = 1.0
        while n < 10000.0:
            term *= x / (a + n)
            total += term
            if abs(term) < abs(total) * 1e-17:
                break
            n += 1.0
        lower = total * math.exp(log_prefactor)
        return 1.0 - lower if upper else lower
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 10000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < tiny:
            d = tiny
        c = b + an / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    q = math.exp(log_prefactor) * h
    return q if upper else 1.0 - q


@njit(cache=True, nogil=True, error_model="numpy")
def _igamma_loop(a, x, out, upper):  # pragma: no cover - jitted
    for i in range(out.size):
        out[i] = _igamma_scalar(a[i], x[i], upper)


def igamma(a: np.ndarray, x: np.ndarray, upper: bool) -> np.ndarray:
    """P(a, x), or Q(a, x) = 1 - P when ``upper``, broadcast, in the result's float dtype."""
    dtype = np.result_type(a, x)
    a, x = np.broadcast_arrays(a, x)
    out = np.empty(a.shape, dtype=np.float64)
    _igamma_loop(_as_float64(a), _as_float64(x), out.reshape(-1), upper)
    return out.astype(dtype, copy=False) if dtype.kind == "f" else out
