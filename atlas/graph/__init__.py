"""Stage 3: the graph. The networkx graph of challenges, papers and references, its layout, its exports."""
