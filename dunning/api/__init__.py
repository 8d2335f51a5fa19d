"""The collections API (dunning accounts, disconnection runs, promises to pay),
one module per part."""
