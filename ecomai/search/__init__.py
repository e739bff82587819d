"""Product search: shopper words -> structured query (pure) -> a ProductIndex."""
