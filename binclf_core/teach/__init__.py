"""Teaching: workshop presets, the standalone script export, take-home downloads, the loss curves.
"""
