"""State in DynamoDB: jobs, cross-system links and cursors, each with optimistic versions.

Every write is conditional on the `revision` the writer read, so two workers racing on the
same record cannot silently overwrite each other: the loser gets `StaleWrite` (retryable) and
tries again from fresh state. The models they store are `shared.jobs`, `shared.links` and
`shared.cursors`; services depend on their ports, never on these classes.
"""
