"""Objects and URL arguments of the collections pages (holds) for the access matrix
test (``tests/core/test_access_matrix.py`` calls ``objects`` in its world fixture and
merges ``URL_KWARGS``)."""

URL_KWARGS: dict = {}


def objects(account, subscription) -> dict:
    """The objects the URLs of URL_KWARGS need, by ctx key."""
    return {}
