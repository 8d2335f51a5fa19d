"""Settings modules: ``base`` (local defaults from the environment), ``production``, ``test``."""
