"""CUDA kernels: plain numba.cuda kernels on device arrays, one algorithm per file.

Imported only when a 'cuda' tensor is first made (``kernels/backend.py``), never by
``import minitorch_nn``: a machine without a GPU loads no CUDA package. Each file opens with
what it computes and how its threads split the work; every kernel takes arrays and numbers
and knows nothing of Tensor or autograd.

- ``conv.py``: direct convolution (forward, grad input, grad weight, grad bias) on 5-d
  arrays, so conv1d/2d/3d share it, the filter taps staged in shared memory.
- ``pooling.py``: max and average pooling forward/backward on the CPU kernels' window tables.
- ``softmax_cross_entropy.py``: the fused log-softmax + NLL forward and its backward.
- ``optim.py``: the SGD, Adam/AdamW and RMSprop updates, each one fused elementwise pass.

Element-wise activations, reductions and GEMM need no kernel of ours: the array module of
the device (CuPy on a GPU, see ``device.py``) runs the ops' NumPy code, and GEMM is cuBLAS
through CuPy's matmul (a hand-written GEMM would not approach cuBLAS, and the engine's case
is made by the kernels above, not by GEMM).

Under Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) the same kernels run on the CPU,
one Python thread per CUDA thread, on NumPy arrays: that is how CI tests them.
"""
