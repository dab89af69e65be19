"""Helpers shared by the browser and audit suites: tools, a live server, a crawler, axe and vnu."""
