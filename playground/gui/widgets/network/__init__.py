"""Views of the network's inside: the graph of neurons and links (graph.py), gradient
flow and distributions (flow.py), health banners (health_banner.py), reports
(reports.py), a clicked weight over time (trace_view.py) and the playground view that
puts data, network and output side by side with the curves (playground_view.py)."""
