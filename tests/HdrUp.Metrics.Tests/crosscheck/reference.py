#!/usr/bin/env python3
"""Optional cross-check for HdrUp.Metrics; never run by the test suite.

Rebuilds the LCG test frames of TestFrames.cs bit for bit and prints reference values that were
pasted into the C# tests. Needs scikit-image 0.19.x (Debian: apt-get install python3-skimage),
because >= 0.20 refuses float input without data_range and so cannot reproduce the paper protocol.

    /usr/bin/python3 tests/HdrUp.Metrics.Tests/crosscheck/reference.py
"""
import numpy as np
import skimage
from skimage.metrics import structural_similarity


def lcg(width, height, seed):
    out = np.empty(3 * width * height, dtype=np.float32)
    state = seed
    for i in range(out.size):
        state = (1103515245 * state + 12345) & 0x7FFFFFFF
        out[i] = np.float32((state >> 7) / 16777216.0)
    return out.reshape(3, height, width)  # planar C, H, W as in RgbPlanarFrame


def noisy(gt, seed):
    n = lcg(gt.shape[2], gt.shape[1], seed)
    return np.clip(gt + np.float32(0.05) * (n - np.float32(0.5)), np.float32(0), np.float32(1)).astype(np.float32)


def hwc(planar):
    return np.ascontiguousarray(np.transpose(planar, (1, 2, 0)))


print("skimage", skimage.__version__, "numpy", np.__version__)
gt = lcg(32, 24, 7)
pred = noisy(gt, 99)
# skimage 0.19 filters float32 input in float32; HdrUp works in float64 like skimage <= 0.18.
# Feeding the same values as float64 gives the exact-arithmetic reference (float64 images also
# default to data range 2: dtype_range[float64] = (-1, 1)).
for label, other in (("noisy 99", pred), ("lcg 12345", lcg(32, 24, 12345))):
    for name, dtype in (("float32", np.float32), ("float64", np.float64)):
        g, q = hwc(gt).astype(dtype), hwc(other).astype(dtype)
        paper = structural_similarity(g, q, channel_axis=2)
        standard = structural_similarity(g, q, channel_axis=2, gaussian_weights=True,
                                         sigma=1.5, use_sample_covariance=False, data_range=1.0)
        print(f"SSIM paper    {name} 32x24 lcg 7 vs {label}: {float(paper)!r}")
        print(f"SSIM standard {name} 32x24 lcg 7 vs {label}: {float(standard)!r}")
mse = np.mean((pred.astype(np.float64) - gt.astype(np.float64)) ** 2)
print(f"MSE  {mse!r}  PSNR {10 * np.log10(1 / mse)!r}")

# ---- ΔE_ITP and PU21-PSNR, written from the published formulas (spec §13; BT.2100; BT.2124;
# gfxdisp/pu21 pu21_encoder.m + pu21_metric.m), independent of the C# code. colour-science is not
# installable here, so its RGB_to_ICtCp is re-derived from the BT.2100 matrices it uses.
M1, M2 = 2610 / 16384, 2523 / 4096 * 128
C1, C2, C3 = 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32


def pq_eotf(e):
    e = np.clip(e, 0, 1)
    ep = e ** (1 / M2)
    return 10000 * (np.maximum(ep - C1, 0) / (C2 - C3 * ep)) ** (1 / M1)


def pq_inverse(y):
    ym = (np.clip(y / 10000, 0, 1)) ** M1
    return ((C1 + C2 * ym) / (1 + C3 * ym)) ** M2


RGB_TO_LMS = np.array([[1688, 2146, 262], [683, 2951, 462], [99, 309, 3688]]) / 4096
LMS_TO_ICTCP = np.array([[2048, 2048, 0], [6610, -13613, 7003], [17933, -17390, -543]]) / 4096


def ictcp(planar):
    rgb = pq_eotf(planar.astype(np.float64)).reshape(3, -1)
    return LMS_TO_ICTCP @ pq_inverse(RGB_TO_LMS @ rgb)


def delta_e_itp(a, b):
    d = ictcp(a) - ictcp(b)
    return np.mean(720 * np.sqrt(d[0] ** 2 + 0.25 * d[1] ** 2 + d[2] ** 2))


PU = [0.353487901, 0.3734658629, 8.277049286e-05, 0.9062562627, 0.09150303166, 0.9099517204, 596.3148142]


def pu21(y):
    y = np.clip(y, 0.005, 10000)
    return PU[6] * (((PU[0] + PU[1] * y ** PU[3]) / (1 + PU[2] * y ** PU[3])) ** PU[4] - PU[5])


def pu21_psnr(a, b, peak=256):
    mse = np.mean((pu21(pq_eotf(a.astype(np.float64))) - pu21(pq_eotf(b.astype(np.float64)))) ** 2)
    return 10 * np.log10(peak ** 2 / mse)


g8 = lcg(8, 6, 7)
p8 = noisy(g8, 99)
print(f"DeltaE_ITP 8x6 lcg 7 vs noisy 99: {float(delta_e_itp(p8, g8))!r}")
print(f"PU21-PSNR(256) 8x6 lcg 7 vs noisy 99: {float(pu21_psnr(p8, g8))!r}")
print(f"PU21-PSNR(PU(10000)) 8x6 lcg 7 vs noisy 99: {float(pu21_psnr(p8, g8, pu21(10000.0)))!r}")
for y in (0.005, 0.1, 1.0, 100.0, 1000.0, 10000.0):
    print(f"PU21({y}) = {float(pu21(np.float64(y)))!r}")
