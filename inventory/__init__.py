"""Inventory: warehouses, serialised items, movements, stock taking, repairs, installations."""
