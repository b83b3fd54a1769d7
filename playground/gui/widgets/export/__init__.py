"""The export feature's views: the Predict view (type feature values or draw a digit)."""
from .predict_view import DigitCanvas, PredictView

__all__ = ["DigitCanvas", "PredictView"]
