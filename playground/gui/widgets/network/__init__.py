"""Views of the network's inside: the graph of neurons and links (graph.py), gradient
flow and distributions (flow.py), health banners (health_banner.py) and the playground
view that puts data, network and output side by side (playground_view.py)."""
