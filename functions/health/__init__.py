"""GET /health: the one unauthenticated route, for load balancers and operators."""
