"""The torch side: conversions (bridge), side-by-side comparison (compare),
torch twins of the seed models (models) and the op/module registry (registry).

minitorch_nn itself never imports torch; this package does.
"""
