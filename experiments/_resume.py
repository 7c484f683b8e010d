"""Resuming a study: the settings of a run kept beside its records, and the check that a rerun
continues that same run.

A resumable job writes its records as it goes. Before it adds to records that are already
there, it compares the settings they were made with (kept in a JSON file beside them) with
its own: the job's options, the data root, the datasets found there and where each came
from, the skmixup version and every model's parameters. Any difference refuses the resume
with a :class:`ResumeError` that names it and says how to start again (``--fresh``), so
that one table never mixes two runs.

Typical use, in a job::

    settings = run_settings(
        {"n_splits": 3}, data_home=home, sources={"iris": "local files: ..."},
        models={"mixup": MixupClassifier()},
    )
    resuming = check_resume(records_path, settings)  # raises ResumeError on a difference
    save_settings(records_path, settings)
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from skmixup import __version__
from skmixup.datasets import get_data_home

__all__ = [
    "ResumeError",
    "check_resume",
    "describe_estimator",
    "differences",
    "discard",
    "extend_or_resume",
    "run_settings",
    "save_settings",
    "settings_path",
    "start_or_resume",
]


class ResumeError(ValueError):
    """Records found in the output folder were made with other settings than this run's."""


def _plain(value):
    """``value`` as JSON data that reads the same in every run (no memory addresses)."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # JSON has no NaN, and NaN != NaN would always differ
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "get_params") and not isinstance(value, type):
        return describe_estimator(value)
    if isinstance(value, type) or callable(value):
        name = getattr(value, "__qualname__", type(value).__qualname__)
        return f"{getattr(value, '__module__', '')}.{name}"
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:  # numpy scalars
        return _plain(value.item())
    text = repr(value)
    if " at 0x" in text:  # an object without a repr of its own: its type is all that is stable
        return f"<{type(value).__module__}.{type(value).__qualname__}>"
    return text


def describe_estimator(estimator):
    """A scikit-learn estimator as JSON data: its class and its parameters, nested estimators
    (a pipeline's steps, a search's ``estimator``) described the same way.

    Parameters
    ----------
    estimator : estimator
        Anything with ``get_params``.

    Returns
    -------
    description : dict
        ``{"class": "module.Class", <parameter>: <value>, ...}``, the parameters sorted.
    """
    cls = type(estimator)
    description = {"class": f"{cls.__module__}.{cls.__qualname__}"}
    for name, value in sorted(estimator.get_params(deep=False).items()):
        description[name] = _plain(value)
    return description


def run_settings(settings, *, data_home=None, sources=None, models=None):
    """The settings that decide a run's records, as JSON data, for :func:`check_resume`.

    Parameters
    ----------
    settings : dict
        The job's own settings (options that change the records; not ``n_jobs`` or the
        progress bar).
    data_home : str or path-like, default=None
        The data root as the job was given it (``None``: ``$SKMIXUP_DATA`` or the default);
        kept resolved to an absolute path.
    sources : dict, default=None
        Dataset name -> where its data came from (the loaders' ``source``), for the
        datasets found. Their names are kept as ``datasets found``.
    models : dict, default=None
        Model name -> estimator (unfitted), described by :func:`describe_estimator`.

    Returns
    -------
    settings : dict
        ``settings`` with ``skmixup`` (the version), ``data home``, ``datasets found``,
        ``sources`` and ``models`` added.
    """
    out = {str(k): _plain(v) for k, v in dict(settings).items()}
    out["skmixup"] = __version__
    out["data home"] = str(get_data_home(data_home).resolve())
    if sources is not None:
        out["datasets found"] = sorted(sources)
        out["sources"] = {name: _plain(sources[name]) for name in sorted(sources)}
    if models is not None:
        out["models"] = {name: _plain(model) for name, model in models.items()}
    return json.loads(json.dumps(out))


def settings_path(records_path):
    """The settings file kept beside ``records_path``: ``uci.csv`` -> ``uci.settings.json``."""
    records_path = Path(records_path)
    return records_path.with_name(records_path.stem + ".settings.json")


def _short(value, width=70):
    """``value`` as JSON, cut in the middle when long: a path's end is what tells two apart."""
    text = json.dumps(value)
    if len(text) <= width:
        return text
    head = (width - 3) // 3
    return text[:head] + "..." + text[-(width - 3 - head) :]


def _diff(old, new, path, out):
    if isinstance(old, dict) and isinstance(new, dict):
        # The models last: a changed option is what a reader looks for first.
        for key in sorted(set(old) | set(new), key=lambda k: (k == "models", k)):
            inner = f"{path}.{key}" if path else key
            if key not in old:
                out.append(f"{inner}: (not set) then, {_short(new[key])} now")
            elif key not in new:
                out.append(f"{inner}: {_short(old[key])} then, (not set) now")
            else:
                _diff(old[key], new[key], inner, out)
    elif old != new:
        out.append(f"{path}: {_short(old)} then, {_short(new)} now")


def differences(old, new, limit=8):
    """Lines naming the settings that differ between ``old`` and ``new`` (at most ``limit``).

    Nested settings are named by their path, e.g. ``models.ERM.alpha: 0.0 then, 0.4 now``;
    a model only one side has is one line.
    """
    lines = []
    _diff(old, new, "", lines)
    if len(lines) > limit:
        lines = lines[:limit] + [f"... and {len(lines) - limit} more"]
    return lines


def check_resume(records_path, settings, *, settings_file=None, fresh="--fresh"):
    """Whether the records at ``records_path`` may be resumed by a run with ``settings``.

    Parameters
    ----------
    records_path : path-like
        The records file of the run (CSV).
    settings : dict
        This run's settings, from :func:`run_settings`.
    settings_file : path-like, default=None
        Where the settings of the earlier run were saved; ``None`` means
        :func:`settings_path` of ``records_path``.
    fresh : str, default="--fresh"
        The option that discards the earlier records, named in the message.

    Returns
    -------
    resuming : bool
        True when records are there and were made with the same settings; False when
        there is nothing to resume (no records file, or an empty one).

    Raises
    ------
    ResumeError
        When records are there but their settings differ from ``settings`` (the message
        names each difference), or were not saved.
    """
    saved = _saved_settings(records_path, settings_file, fresh)
    if saved is None:
        return False
    _refuse_differences(records_path, saved, settings, fresh)
    return True


def _advice(records_path, fresh):
    return (
        f"Run again with the same settings to resume, or add {fresh} to discard "
        f"{records_path} and start again (or choose another --out)."
    )


def _saved_settings(records_path, settings_file=None, fresh="--fresh"):
    """The settings saved beside the records, or None when there are no records.

    Raises :class:`ResumeError` when records are there but their settings file is
    missing or not valid JSON.
    """
    records_path = Path(records_path)
    settings_file = Path(settings_file or settings_path(records_path))
    if not records_path.is_file() or records_path.stat().st_size == 0:
        return None
    try:
        return json.loads(settings_file.read_text())
    except FileNotFoundError:
        raise ResumeError(
            f"{records_path} holds results, but {settings_file}, the settings they were "
            f"made with, is missing: they cannot be resumed safely. "
            f"{_advice(records_path, fresh)}"
        ) from None
    except ValueError as exc:
        raise ResumeError(
            f"{settings_file} is not valid JSON ({exc}). {_advice(records_path, fresh)}"
        ) from None


def _refuse_differences(records_path, old, new, fresh="--fresh"):
    """Raise :class:`ResumeError` naming what differs between ``old`` and ``new``, if any."""
    found = differences(old, new)
    if found:
        raise ResumeError(
            f"{records_path} holds results of a run with other settings; resuming would mix "
            "the two runs in one table. What differs (earlier run, then this one):\n  "
            + "\n  ".join(found)
            + f"\n{_advice(records_path, fresh)}"
        )


def save_settings(records_path, settings, *, settings_file=None):
    """Write ``settings`` beside ``records_path`` (see :func:`settings_path`); return the file."""
    path = Path(settings_file) if settings_file is not None else settings_path(records_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=1, sort_keys=True) + "\n")
    return path


def discard(records_path, *, settings_file=None):
    """Remove a run's records and settings (what ``--fresh`` does)."""
    Path(records_path).unlink(missing_ok=True)
    path = Path(settings_file) if settings_file is not None else settings_path(records_path)
    path.unlink(missing_ok=True)


def start_or_resume(records_path, settings, *, fresh=False, settings_file=None):
    """What a resumable job does before its first fit.

    ``fresh`` discards the earlier records (``--fresh``); otherwise
    :func:`check_resume` refuses records of other settings. Then this run's
    ``settings`` are saved beside ``records_path``.

    Returns
    -------
    resuming : bool
        True when the records already there are continued.
    """
    if fresh:
        discard(records_path, settings_file=settings_file)
    resuming = check_resume(records_path, settings, settings_file=settings_file)
    save_settings(records_path, settings, settings_file=settings_file)
    return resuming


#: The parts of the settings that a rerun may extend: new models and datasets are added to
#: the same records, while those already there must be exactly as they were.
_EXTENSIBLE = ("models", "sources", "datasets found")


def extend_or_resume(path, settings, fresh=False):
    """Refuse to add to ``path`` records made with other settings; save the merged settings.

    The options, the data root and the skmixup version must be those of the earlier run,
    and so must the parameters of every model and the source of every dataset the two runs
    share. A model or dataset the earlier run did not have is added. Label-noise levels are
    kept apart in the records themselves (their ``label_noise`` column).
    """
    if fresh:
        discard(path)
    saved = _saved_settings(path)
    if saved is None:
        save_settings(path, settings)
        return False
    old = {k: v for k, v in saved.items() if k not in _EXTENSIBLE}
    new = {k: v for k, v in settings.items() if k not in _EXTENSIBLE}
    for key in ("models", "sources"):
        common = set(saved.get(key, {})) & set(settings.get(key, {}))
        old[key] = {k: saved[key][k] for k in common}
        new[key] = {k: settings[key][k] for k in common}
    _refuse_differences(path, old, new)
    merged = dict(settings)
    for key in ("models", "sources"):
        merged[key] = {**saved.get(key, {}), **settings.get(key, {})}
    merged["datasets found"] = sorted(merged["sources"])
    save_settings(path, merged)
    return True
