import keras  # noqa: F401  (tells the framework)


def colourful():
    raise ValueError("\x1b[31mred\x1b[0m and a \x00 byte")
