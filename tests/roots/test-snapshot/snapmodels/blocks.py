import keras


def head(units):
    return keras.layers.Dense(units, name="hidden")
