"""The compiled loops of the tabu search (``dispatch.scheduling.tabu``).

They are apart so that Numba loads only when a search starts, on the
search's own thread, while CP-SAT is already running.
"""

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def heads(
    durations, releases, job_before, job_after, machine_before, machine_after, starts
):
    """Earliest starts of the operations in their machine orders.

    Returns the makespan, or -1 when the orders hold a cycle.
    """
    count = durations.shape[0]
    order = np.empty(count, np.int64)
    waiting = np.empty(count, np.int64)
    return _time(
        durations,
        releases,
        job_before,
        job_after,
        machine_before,
        machine_after,
        starts,
        np.empty(count, np.int64),
        order,
        waiting,
    )


@njit(cache=True, nogil=True)
def _time(
    durations,
    releases,
    job_before,
    job_after,
    machine_before,
    machine_after,
    heads,
    tails,
    order,
    waiting,
):
    """Heads (earliest starts) and tails (longest path after the end).

    Returns the makespan, or -1 when the machine orders hold a cycle.
    """
    count = durations.shape[0]
    done = 0
    for op in range(count):
        waiting[op] = (job_before[op] >= 0) + (machine_before[op] >= 0)
        if waiting[op] == 0:
            order[done] = op
            done += 1
    read = 0
    while read < done:
        op = order[read]
        read += 1
        for after in (job_after[op], machine_after[op]):
            if after >= 0:
                waiting[after] -= 1
                if waiting[after] == 0:
                    order[done] = after
                    done += 1
    if done < count:
        return -1
    makespan = 0
    for k in range(count):
        op = order[k]
        head = releases[op]
        before = job_before[op]
        if before >= 0 and heads[before] + durations[before] > head:
            head = heads[before] + durations[before]
        before = machine_before[op]
        if before >= 0 and heads[before] + durations[before] > head:
            head = heads[before] + durations[before]
        heads[op] = head
        if head + durations[op] > makespan:
            makespan = head + durations[op]
    for k in range(count - 1, -1, -1):
        op = order[k]
        tail = 0
        after = job_after[op]
        if after >= 0:
            tail = tails[after] + durations[after]
        after = machine_after[op]
        if after >= 0 and tails[after] + durations[after] > tail:
            tail = tails[after] + durations[after]
        tails[op] = tail
    return makespan


@njit(cache=True, nogil=True)
def search(
    durations,
    releases,
    job_before,
    job_after,
    machine_before,
    machine_after,
    best_before,
    best_after,
    tabu,
    state,
    moves,
):
    """Make ``moves`` tabu moves, keeping the best orders in ``best_*``.

    ``state`` holds: moves made, best makespan, moves since the best, random
    seed, moves of a stall, random moves left, random moves after a stall.
    """
    np.random.seed(state[3] + state[0])
    count = durations.shape[0]
    heads = np.empty(count, np.int64)
    tails = np.empty(count, np.int64)
    order = np.empty(count, np.int64)
    waiting = np.empty(count, np.int64)
    path = np.empty(count, np.int64)
    first = np.empty(2 * count, np.int64)
    second = np.empty(2 * count, np.int64)
    tenure = 10 + count // 60
    for _ in range(moves):
        # Each pass times the orders the last move left (or the first ones).
        if state[2] > state[4]:
            # A long stall: back to the best orders, then a few random moves.
            machine_before[:] = best_before
            machine_after[:] = best_after
            state[2] = 0
            state[5] = state[6]
        makespan = _time(
            durations,
            releases,
            job_before,
            job_after,
            machine_before,
            machine_after,
            heads,
            tails,
            order,
            waiting,
        )
        if makespan < state[1]:
            state[1] = makespan
            state[2] = 0
            best_before[:] = machine_before
            best_after[:] = machine_after
        else:
            state[2] += 1

        move_number = state[0] + 1
        state[0] = move_number

        # A critical path, from a random last operation back to time zero.
        op = -1
        seen = 0
        for candidate in range(count):
            if heads[candidate] + durations[candidate] == makespan:
                seen += 1
                if np.random.randint(seen) == 0:
                    op = candidate
        length = 0
        path[length] = op
        length += 1
        while True:
            by_job = job_before[op]
            by_machine = machine_before[op]
            job_tight = by_job >= 0 and heads[by_job] + durations[by_job] == heads[op]
            machine_tight = (
                by_machine >= 0
                and heads[by_machine] + durations[by_machine] == heads[op]
            )
            if job_tight and machine_tight:
                op = by_machine if np.random.random() < 0.5 else by_job
            elif machine_tight:
                op = by_machine
            elif job_tight:
                op = by_job
            else:
                break
            path[length] = op
            length += 1

        # The N5 moves of its blocks; path runs backwards from the end.
        candidates = 0
        k = length - 1
        block = 0
        while k >= 0:
            block_start = k
            while k >= 1 and machine_before[path[k - 1]] == path[k]:
                k -= 1
            size = block_start - k + 1
            is_last = k == 0
            # Two steps of one job in a row on one machine never swap: that
            # would run the later step first.
            if size >= 2:
                if block > 0 and job_after[path[block_start]] != path[block_start - 1]:
                    first[candidates] = path[block_start]
                    second[candidates] = path[block_start - 1]
                    candidates += 1
                if (
                    not is_last
                    and (size > 2 or block == 0)
                    and job_after[path[k + 1]] != path[k]
                ):
                    first[candidates] = path[k + 1]
                    second[candidates] = path[k]
                    candidates += 1
            block += 1
            k -= 1
        if candidates == 0:
            # No move shortens this path (one block on one machine, or
            # steps of one job): the best schedule stays.
            break

        chosen = -1
        chosen_value = 1 << 62
        ties = 0
        oldest = -1
        oldest_until = 1 << 62
        for m in range(candidates):
            u = first[m]
            v = second[m]
            # u runs just before v; rate v before u.
            head_v = releases[v]
            before = job_before[v]
            if before >= 0 and heads[before] + durations[before] > head_v:
                head_v = heads[before] + durations[before]
            before = machine_before[u]
            if before >= 0 and heads[before] + durations[before] > head_v:
                head_v = heads[before] + durations[before]
            head_u = head_v + durations[v]
            before = job_before[u]
            if before >= 0 and heads[before] + durations[before] > head_u:
                head_u = heads[before] + durations[before]
            head_u = max(head_u, releases[u])
            tail_u = 0
            after = job_after[u]
            if after >= 0:
                tail_u = tails[after] + durations[after]
            after = machine_after[v]
            if after >= 0 and tails[after] + durations[after] > tail_u:
                tail_u = tails[after] + durations[after]
            tail_v = tail_u + durations[u]
            after = job_after[v]
            if after >= 0 and tails[after] + durations[after] > tail_v:
                tail_v = tails[after] + durations[after]
            value = max(head_v + durations[v] + tail_v, head_u + durations[u] + tail_u)
            if tabu[v, u] > move_number and value >= state[1]:
                if tabu[v, u] < oldest_until:
                    oldest = m
                    oldest_until = tabu[v, u]
                continue
            if value < chosen_value:
                chosen = m
                chosen_value = value
                ties = 1
            elif value == chosen_value:
                ties += 1
                if np.random.randint(ties) == 0:
                    chosen = m
        if chosen < 0:
            chosen = oldest
        if state[5] > 0:
            # Kicked off a stall: a random move, whatever its rating.
            state[5] -= 1
            chosen = np.random.randint(candidates)

        u = first[chosen]
        v = second[chosen]
        before = machine_before[u]
        after = machine_after[v]
        machine_before[v] = before
        machine_after[v] = u
        machine_before[u] = v
        machine_after[u] = after
        if before >= 0:
            machine_after[before] = v
        if after >= 0:
            machine_before[after] = u
        tabu[u, v] = move_number + tenure + np.random.randint(tenure // 2 + 1)
    return state[1]
