def build():
    import inner_helper  # imported while the builder runs, not by the module

    return inner_helper.make()
