"""A model whose width two checkouts of this project change apart."""
