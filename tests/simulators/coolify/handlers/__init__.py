"""Route handlers, one module per API family; each module exports ROUTES."""
