import keras

WIDTH = 4


def net():
    inputs = keras.Input((3,), name="features")
    outputs = keras.layers.Dense(WIDTH, name="out")(inputs)
    return keras.Model(inputs, outputs, name="net")
