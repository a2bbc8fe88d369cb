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
