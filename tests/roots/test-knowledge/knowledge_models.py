"""A layer of the project's own with a registered formula and MAC count, and a Lambda."""

import keras

from sphinx_modelsummary.formulas import make_formula, register, symbol, term


class Scale(keras.layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), name="scale")

    def call(self, inputs):
        return inputs * self.scale


def scale_macs(layer, call):
    return 100 + layer.output_shapes[call][0][-1]  # recognisable: 100 + channels


@register("Scale", macs=scale_macs, kind="norm")
def scale_formula(layer):
    c = symbol("c", layer.input_shapes[0][0][-1])
    return make_formula("scale", c, [term("scale", (c.value,))])


def scaled():
    inputs = keras.Input((6,))
    return keras.Model(inputs, Scale(name="scale")(keras.layers.Dense(6, name="dense")(inputs)))


def with_lambda():
    inputs = keras.Input((6,))
    doubled = keras.layers.Lambda(lambda x: x * 2, name="double")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, name="dense")(doubled))
