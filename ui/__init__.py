"""Streamlit glue shared by the pages: widgets, session state and the live chart component."""
