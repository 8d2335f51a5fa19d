"""Reads of adjacency-list trees (a ``parent`` foreign key to the same table) of any
depth, with PostgreSQL recursive queries. Used by organisation units, customers
and billing accounts."""

from django.db import connection


def subtree_ids(model, root_id: int) -> list[int]:
    """``root_id`` and the IDs of every row below it."""
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"""
        WITH RECURSIVE tree(id) AS (
            SELECT id FROM {table} WHERE id = %s
            UNION ALL
            SELECT child.id FROM {table} child JOIN tree ON child.parent_id = tree.id
        )
        SELECT id FROM tree
    """  # noqa: S608 - the table name comes from the model
    with connection.cursor() as cursor:
        cursor.execute(sql, [root_id])
        return [row[0] for row in cursor.fetchall()]


def ancestor_ids(model, node_id: int) -> list[int]:
    """IDs from the top of the tree down to the node's parent."""
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"""
        WITH RECURSIVE chain(id, parent_id, depth) AS (
            SELECT id, parent_id, 0 FROM {table} WHERE id = %s
            UNION ALL
            SELECT t.id, t.parent_id, chain.depth + 1 FROM {table} t
            JOIN chain ON t.id = chain.parent_id
        )
        SELECT id FROM chain WHERE depth > 0 ORDER BY depth DESC
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [node_id])
        return [row[0] for row in cursor.fetchall()]


def ancestors(model, node_id: int) -> list:
    """The rows from the top of the tree down to the node's parent."""
    ids = ancestor_ids(model, node_id)
    by_id = model._default_manager.in_bulk(ids)
    return [by_id[i] for i in ids]
