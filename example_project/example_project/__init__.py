"""Real Keras and PyTorch models from the stories sphinx-modelsummary was written for.

- :mod:`example_project.fire`: a FireModule, functional and subclassed (with and
  without the slip that costs 96,000 parameters).
- :mod:`example_project.shared`: a base network shared by six inputs, and the
  same base rebuilt for each input.
- :mod:`example_project.resnet`: the small CIFAR ResNet (197,418 parameters).
- :mod:`example_project.basics`: two single convolutions whose counts do not
  depend on the image size.
- :mod:`example_project.denoise`: a two-input denoising network whose count is
  the same at any input size.
- :mod:`example_project.torch_resnet`: the same CIFAR ResNet in PyTorch (195,738).
- :mod:`example_project.torch_shared`: PyTorch modules whose parameters are shared
  (a PReLU held by three blocks, a head tied to its embedding, a Siamese branch).
- :mod:`example_project.torch_llama`: a Llama-2-7B-sized decoder in plain PyTorch.

The ``torch_*`` modules need PyTorch (the ``torch`` extra); nothing imports them
with the Keras ones, so a Keras process never imports torch.
"""
