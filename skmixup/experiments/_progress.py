"""A progress bar whose ETA comes from the measured cost of the finished tasks."""

from __future__ import annotations

import time


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
    about the same. The time left is the cost of the unfinished tasks divided
    by the number of workers busy on them, where a task costs the mean
    measured cost of the finished tasks of its group, or, for a group with none
    finished yet, its ``guess`` times the measured seconds per unit of guess of
    all finished tasks. Before any task has finished there is no ETA. Once
    every group has a finished task the order of the rest does not matter;
    before that the ETA leans on the guesses, so run one task of each group
    early (the UCI experiment runs in rounds, one split of every dataset each).

    Parameters
    ----------
    tasks : list of (group, guess)
        One entry per task: its group and a relative cost guess (> 0).
    n_workers : int
        Tasks running at a time.
    desc : str
        Label of the bar.
    disable : bool
        No bar at all.
    """

    def __init__(self, tasks, n_workers=1, desc="tasks", disable=False):
        self.remaining = list(tasks)
        self.n_workers = max(1, int(n_workers))
        self.desc = desc
        self.disable = disable
        self.measured = {}  # group -> list of seconds
        self.guessed_done = 0.0
        self.bar = None

    def __enter__(self):
        self.start = time.perf_counter()
        if not self.disable:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=len(self.remaining), desc=self.desc, unit="task",
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                                       "[{elapsed}{postfix}]")
            self.bar.set_postfix_str("ETA after the first task")
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.set_postfix_str(f"took {format_seconds(time.perf_counter() - self.start)}")
            self.bar.close()
        return False

    def done(self, group, seconds):
        """Record one finished task of ``group`` that took ``seconds``."""
        for i, (g, guess) in enumerate(self.remaining):
            if g == group:
                self.guessed_done += guess
                del self.remaining[i]
                break
        self.measured.setdefault(group, []).append(float(seconds))
        if self.bar is not None:
            self.bar.set_postfix_str(f"ETA {format_seconds(self.eta())}", refresh=False)
            self.bar.update(1)

    def eta(self):
        """Seconds left, or None before any task has finished."""
        if not self.measured:
            return None
        all_seconds = sum(sum(s) for s in self.measured.values())
        per_guess = all_seconds / self.guessed_done if self.guessed_done > 0 else 0.0
        left = 0.0
        for group, guess in self.remaining:
            seconds = self.measured.get(group)
            left += sum(seconds) / len(seconds) if seconds else guess * per_guess
        return left / max(1, min(self.n_workers, len(self.remaining)))
