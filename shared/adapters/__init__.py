"""One package per outside system: all its wire detail, behind the ports of the flows."""
