"""A model whose layer names look like mathtext and TeX: they must be drawn as plain text."""

import keras

NAMES = ("in_$x$", "price_$5_to_$6", r"tex_\frac{a}{b}_%_#_&_~", "cost_$^{2}$")


def build():
    inputs = keras.Input((4,), name=NAMES[0])
    x = keras.layers.Dense(3, name=NAMES[1])(inputs)
    x = keras.layers.Dense(3, name=NAMES[2])(x)
    return keras.Model(inputs, keras.layers.Dense(2, name=NAMES[3])(x), name="dollars_$")
