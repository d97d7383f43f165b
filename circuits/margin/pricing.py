"""Black-76 prices and greeks of European options on the forward F = S e^(rT).

Pricing needs exp, log and the normal CDF, so it runs in binary floating point; the risk
arrays add a relative slack before rounding so float error never rounds in the prover's favour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

_N = NormalDist()


@dataclass(frozen=True)
class Greeks:
    delta: float  # per unit of spot
    gamma: float  # change of delta per unit of spot
    vega: float  # change of price per 1.00 of volatility


def _d1_d2(forward: float, strike: float, years: float, vol: float) -> tuple[float, float]:
    spread = vol * math.sqrt(years)
    d1 = (math.log(forward / strike) + 0.5 * spread * spread) / spread
    return d1, d1 - spread


def black76(kind: str, spot: float, strike: float, years: float, vol: float, rate: float) -> float:
    """Price of a call or put with strike K, expiry in `years`, on spot S (F = S e^(rT))."""
    forward = spot * math.exp(rate * years)
    discount = math.exp(-rate * years)
    d1, d2 = _d1_d2(forward, strike, years, vol)
    if kind == "call":
        return discount * (forward * _N.cdf(d1) - strike * _N.cdf(d2))
    return discount * (strike * _N.cdf(-d2) - forward * _N.cdf(-d1))


def black76_greeks(kind: str, spot: float, strike: float, years: float, vol: float, rate: float) -> Greeks:
    forward = spot * math.exp(rate * years)
    d1, _ = _d1_d2(forward, strike, years, vol)
    density = _N.pdf(d1)
    delta = _N.cdf(d1) if kind == "call" else _N.cdf(d1) - 1.0  # dF/dS = e^(rT) cancels the discount
    gamma = density / (spot * vol * math.sqrt(years))
    vega = spot * density * math.sqrt(years)
    return Greeks(delta, gamma, vega)
