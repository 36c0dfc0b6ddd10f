"""Figures as plain Plotly dicts: a run, a sweep, teaching, the network and the landscape, number formats, and
the live frames' wire format (FRAMES.md).
"""
