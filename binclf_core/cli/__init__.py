"""The command line: `python -m binclf_core train | export | sweep | landscape | pull`.
"""
