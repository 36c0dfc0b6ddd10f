"""Streamlit's own floor for bench/bench_wait.py: a page with one Train button and nothing else."""

import streamlit as st

st.button("Train")
