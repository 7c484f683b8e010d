"""A progress bar whose ETA comes from the measured cost of the finished tasks."""

from __future__ import annotations

import time

from tqdm.auto import tqdm


def format_seconds(seconds):
    """``42 s``, ``3 min 05 s`` or ``1 h 02 min``."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class TaskProgress:
    """Count finished tasks and estimate the time left from what they cost.

    Tasks come in groups (e.g. the splits of one dataset) whose tasks cost
    about the same, and run in the order given, ``n_workers`` at a time. A
    task costs the mean measured cost of the finished tasks of its group, or,
    for a group with none finished yet, its ``guess`` times the measured
    seconds per unit of guess of all finished tasks. The time left is the cost
    of the unfinished tasks, less what the running ones have already spent,
    divided by the number of workers (and at least what the longest running
    task still needs). Before any task has finished there is no ETA. Once
    every group has a finished task the order of the rest does not matter;
    before that the ETA leans on the guesses, so run one task of each group
    early (the UCI experiment runs in rounds, one split of every dataset each).

    Parameters
    ----------
    tasks : list of (group, guess)
        One entry per task, in the order they run: its group and a relative
        cost guess (> 0).
    n_workers : int
        Tasks running at a time.
    desc : str
        Label of the bar.
    disable : bool
        No bar at all.
    clock : callable, default=time.perf_counter
        The time in seconds (a fake one in tests).
    """

    def __init__(self, tasks, n_workers=1, desc="tasks", disable=False, clock=time.perf_counter):
        self.remaining = [[group, guess, None] for group, guess in tasks]  # None: not started
        self.n_workers = max(1, int(n_workers))
        self.desc = desc
        self.disable = disable
        self.clock = clock
        self.measured = {}  # group -> list of seconds
        self.guessed_done = 0.0
        self.bar = None

    def _start_next(self, now):
        running = sum(task[2] is not None for task in self.remaining)
        for task in self.remaining:
            if running >= self.n_workers:
                break
            if task[2] is None:
                task[2] = now
                running += 1

    def __enter__(self):
        self.start = self.clock()
        self._start_next(self.start)
        if not self.disable:
            self.bar = tqdm(
                total=len(self.remaining),
                desc=self.desc,
                unit="task",
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                "[{elapsed}{postfix}]",
            )
            self.bar.set_postfix_str("ETA after the first task")
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.set_postfix_str(f"took {format_seconds(self.clock() - self.start)}")
            self.bar.close()
        return False

    def done(self, group, seconds):
        """Record one finished task of ``group`` that took ``seconds``."""
        now = self.clock()
        # The running task of that group that started first (else its first waiting one).
        candidates = [t for t in self.remaining if t[0] == group]
        if candidates:
            running = [t for t in candidates if t[2] is not None]
            task = min(running, key=lambda t: t[2]) if running else candidates[0]
            self.guessed_done += task[1]
            self.remaining.remove(task)
        self.measured.setdefault(group, []).append(float(seconds))
        self._start_next(now)
        if self.bar is not None:
            self.bar.set_postfix_str(f"ETA {format_seconds(self.eta(now))}", refresh=False)
            self.bar.update(1)

    def eta(self, now=None):
        """Seconds left, or None before any task has finished."""
        if not self.measured:
            return None
        now = self.clock() if now is None else now
        all_seconds = sum(sum(s) for s in self.measured.values())
        per_guess = all_seconds / self.guessed_done if self.guessed_done > 0 else 0.0
        total, longest = 0.0, 0.0
        for group, guess, started in self.remaining:
            seconds = self.measured.get(group)
            cost = sum(seconds) / len(seconds) if seconds else guess * per_guess
            if started is not None:
                cost = max(0.0, cost - (now - started))
                longest = max(longest, cost)
            total += cost
        return max(total / max(1, min(self.n_workers, len(self.remaining))), longest)
