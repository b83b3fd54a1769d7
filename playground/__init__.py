"""Gradient Playground: see how neural networks learn by gradient descent."""

__version__ = "0.1.0"
