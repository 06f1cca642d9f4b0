"""The analysis app: dataset releases, panels, gravity model runs, comparisons. Layers as packages:
models/, pure/ (no Django), selectors/ (reads), services/ (writes), views/ and apis/ (thin),
tasks.py (thin). It may import the coding app; the coding app never imports it."""
