"""One module per Coolify resource: its frozen Args, its ResourceProvider and its dynamic.Resource.

Import the public classes from `components.coolify`; provider classes are pickled into state by
their module path here, so these modules must not be moved or renamed without a migration.
"""
