"""Deep-learning layers, exactly: shape rules, exact (SymPy) layers, convolution as a
matrix, derivative and integral kernels, and the architecture catalogue.

* :mod:`~symconv.nn.shapes` -- output sizes and receptive fields (pure rules over ints
  and symbols);
* :mod:`~symconv.nn.layers` -- ``corr2d`` ... ``conv_layer`` on exact arrays;
* :mod:`~symconv.nn.matrix` -- ``conv_matrix``, ``conv_transpose_matrix``;
* :mod:`~symconv.nn.kernels` -- finite-difference and integral kernels;
* :mod:`~symconv.nn.architectures` -- layer specifications, tracing, shape tables and
  the LeNet/AlexNet/VGG/ResNet catalogue (public as :mod:`symconv.architectures`).
"""
