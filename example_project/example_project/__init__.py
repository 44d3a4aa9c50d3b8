"""Real Keras models from the stories sphinx-modelsummary was written for.

- :mod:`example_project.fire`: a FireModule, functional and subclassed (with and
  without the slip that costs 96,000 parameters).
- :mod:`example_project.shared`: a base network shared by six inputs, and the
  same base rebuilt for each input.
- :mod:`example_project.resnet`: the small CIFAR ResNet (197,418 parameters).
- :mod:`example_project.basics`: two single convolutions whose counts do not
  depend on the image size.
- :mod:`example_project.denoise`: a two-input denoising network whose count is
  the same at any input size.
"""
