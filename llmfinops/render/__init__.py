"""Renderers: turn report records into text or bytes, one module per output format. Only the CLI writes."""
