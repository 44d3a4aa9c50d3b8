import keras


def make():
    inputs = keras.Input((8,))
    return keras.Model(inputs, keras.layers.Dense(4)(inputs))
