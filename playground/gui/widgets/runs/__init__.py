"""The runs of a session on screen: the runs table, the branch dialog, the plot overlays."""
