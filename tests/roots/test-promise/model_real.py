import keras
from keras.src.backend.common.stateless_scope import in_stateless_scope


def build():
    """Stands for a builder that reads its weights: without real ones it builds another model."""
    units = 5 if in_stateless_scope() else 3
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(units)(inputs), name="real")
