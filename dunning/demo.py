"""Demo collections (seed_demo, after billing): dunning plans and accounts in
dunning, disconnection and reconnection runs, the save desk, promises to pay,
payment plans, deposits and blocking rules. Idempotent."""


def seed_collections(*, stdout=None) -> None:
    """Every part's demo data, in order (plans first: the others use them)."""
    # --- engine: plans, steps, accounts in dunning ---
    from .demo_engine import seed_engine

    seed_engine(stdout=stdout)
    # --- runs: disconnection and reconnection runs, save desk ---
    from .demo_runs import seed_runs

    seed_runs(stdout=stdout)
    # --- holds: promises, payment plans, deposits, blocking rules ---
    from .demo_holds import seed_holds

    seed_holds(stdout=stdout)
    # centre
    from .demo_centre import seed_centre

    seed_centre(stdout=stdout)
