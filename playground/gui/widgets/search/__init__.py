"""The search's views: the space editor, the search window (curves of trials, results,
importances, a scatter of value against a parameter) and the LR-finder dialog."""
