"""Two small Keras models whose layers come from another module of the package."""
