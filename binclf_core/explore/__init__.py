"""Exploring runs: sweeps (and the batched engine), replay copies, kept runs and their comparison, the loss
landscape and the optimizer's path, who pulls, the network's insides.
"""
