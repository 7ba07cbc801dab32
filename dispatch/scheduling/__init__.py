"""The scheduler: problem, dispatching rules, CP-SAT model and checker.

Nothing here touches the database; ``dispatch.planner`` feeds it the plant.
"""
