"""Taking the database back to an earlier migration and forward again, for the tests of
data migrations."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets` ([(app, migration)]); the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    return migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
