"""The coding app: treaty texts, codebooks as data, blind double coding, adjudication, reliability.
Layers run one way: pages and APIs -> services (writes) / selectors (reads) -> models and pure
modules. The coding app never imports the analysis app."""
