"""Renderers for the command line: text, JSON and SARIF views of findings and reports."""
