import keras


def build():
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(2)(inputs), name="model_b")


def hangs():
    import time

    time.sleep(3600)
