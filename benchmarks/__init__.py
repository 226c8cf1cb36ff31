"""neuronet benchmarks: neuronet vs PyTorch (CPU, same threads) vs hand-written NumPy."""
