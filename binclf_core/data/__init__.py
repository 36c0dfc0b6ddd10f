"""Data: the generators' registry and the split, a user's CSV, drawn points, the input features.
"""
