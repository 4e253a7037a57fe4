"""The language server: pygls handlers (server.py) over the analysis core, with the LSP
conversions (documents.py: text and positions; convert.py: findings and fixes)."""
