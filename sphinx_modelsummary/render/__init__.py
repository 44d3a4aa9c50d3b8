"""Renderers: turn a ModelReport into tables, text or figures. They never run a builder."""
