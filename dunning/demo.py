"""Demo collections (seed_demo, after billing): dunning plans and accounts in
dunning, disconnection and reconnection runs, the save desk, promises to pay,
payment plans, deposits and blocking rules. Idempotent."""


def seed_collections(*, stdout=None) -> None:
    """Every part's demo data, in order (plans first: the others use them)."""
    # --- engine: plans, steps, accounts in dunning ---
    # --- runs: disconnection and reconnection runs, save desk ---
    # --- holds: promises, payment plans, deposits, blocking rules ---
