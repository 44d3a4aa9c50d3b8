import keras


def build():
    return keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(2)], name="shaped")
