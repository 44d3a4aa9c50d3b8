"""A model whose layer names are hostile markup: quotes, angle brackets, ampersands."""

import keras

NAMES = ("in<put>", 'say "hi" & <b>', "it's <script>alert(1)<script>&amp;")


def build():
    inputs = keras.Input((4,), name=NAMES[0])
    x = keras.layers.Dense(3, name=NAMES[1])(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, name=NAMES[2])(x))
