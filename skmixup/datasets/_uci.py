"""The six UCI datasets of the mixup paper's tabular experiment (Zhang et al., 2018, Table 4).

:func:`fetch_uci` reads the original UCI files from a local folder, checks
their sha256, and returns a scikit-learn ``Bunch``. When the files are absent it
can download the data for users: from OpenML through the ``openml`` package, or
from the UCI archive for HTRU2, which has no OpenML copy.

Adding a dataset is one entry in :data:`UCI_DATASETS`: its files and their
sha256, a parser, and where to download it.
"""

from __future__ import annotations

import io
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.io import arff

from ._base import (
    ChecksumError,
    check_sha256,
    download_failed,
    get_data_home,
    missing_files_message,
    open_bytes,
    to_bunch,
)

__all__ = ["UCI_DATASETS", "UCIDataset", "fetch_uci", "uci_dataset_path"]


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset, accepted as stored plain or gzipped.

    ``sha256`` is the hash of the plain file's bytes, ``gz_sha256`` that of the
    gzipped copy as stored in the reference layout (``gzip -9 -n``); either
    form is accepted and checked against its own hash.
    """

    name: str
    sha256: str | None = None
    gz_sha256: str | None = None

    def forms(self):
        if self.sha256:
            yield self.name, self.sha256
        if self.gz_sha256:
            yield self.name + ".gz", self.gz_sha256


@dataclass(frozen=True)
class UCIDataset:
    """How to find, check, parse and download one dataset.

    Attributes
    ----------
    name : str
        Registry key, also the folder name under the data home.
    files : tuple of DataFile
        The files the parser needs, with their sha256.
    parser : callable
        ``parser(paths) -> (X, y)`` with ``paths`` a dict from file name to
        path; ``X`` a DataFrame (categorical columns as ``category`` dtype,
        missing values as NaN), ``y`` a Series.
    description : str
        First paragraph of ``DESCR``.
    citation : str
        Who to cite.
    openml_id : int or None
        OpenML data_id used to download it.
    url : str or None
        Download address of a UCI zip archive, used when there is no OpenML copy.
    url_sha256 : str or None
        sha256 of the archive at ``url``.
    """

    name: str
    files: tuple
    parser: Callable
    description: str
    citation: str
    openml_id: int | None = None
    url: str | None = None
    url_sha256: str | None = None
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------------- parsers
def _read_csv(path, **kwargs):
    with open_bytes(path) as f:
        return pd.read_csv(f, header=None, **kwargs)


_ABALONE_COLUMNS = [
    "Sex",
    "Length",
    "Diameter",
    "Height",
    "Whole_weight",
    "Shucked_weight",
    "Viscera_weight",
    "Shell_weight",
]


def _parse_abalone(paths):
    frame = _read_csv(paths["abalone.data"], names=_ABALONE_COLUMNS + ["Rings"])
    frame["Sex"] = pd.Categorical(frame["Sex"], categories=["F", "I", "M"])
    return frame[_ABALONE_COLUMNS], frame["Rings"].astype(np.int64)


def _parse_arcene(paths):
    parts, labels = [], []
    for part in ("train", "valid"):
        # The stored train file begins with an empty line and its rows have no trailing
        # space, the valid file's rows end in " ": only a whitespace regex reads both.
        parts.append(_read_csv(paths[f"arcene_{part}.data"], sep=r"\s+", dtype=np.int64))
        labels.append(_read_csv(paths[f"arcene_{part}.labels"], sep=r"\s+")[0])
    X = pd.concat(parts, ignore_index=True)
    X.columns = [f"feature_{i}" for i in range(X.shape[1])]
    return X, pd.concat(labels, ignore_index=True).astype(np.int64).rename("label")


def _arrhythmia_columns():
    head = [
        "age",
        "sex",
        "height",
        "weight",
        "qrs_duration",
        "pr_interval",
        "qt_interval",
        "t_interval",
        "p_interval",
        "qrs_angle",
        "t_angle",
        "p_angle",
        "qrst_angle",
        "j_angle",
        "heart_rate",
    ]
    channels = ["DI", "DII", "DIII", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"]
    widths = [
        "q_width",
        "r_width",
        "s_width",
        "r_prime_width",
        "s_prime_width",
        "n_intrinsic_deflections",
        "ragged_r",
        "diphasic_r",
        "ragged_p",
        "diphasic_p",
        "ragged_t",
        "diphasic_t",
    ]
    amplitudes = [
        "jj_amp",
        "q_amp",
        "r_amp",
        "s_amp",
        "r_prime_amp",
        "s_prime_amp",
        "p_amp",
        "t_amp",
        "qrsa",
        "qrsta",
    ]
    return (
        head
        + [f"{c}_{w}" for c in channels for w in widths]
        + [f"{c}_{a}" for c in channels for a in amplitudes]
    )


def _parse_arrhythmia(paths):
    frame = _read_csv(paths["arrhythmia.data"], na_values="?")
    X = frame.iloc[:, :-1].astype(np.float64)
    X.columns = _arrhythmia_columns()
    return X, frame.iloc[:, -1].astype(np.int64).rename("class")


_HTRU2_COLUMNS = [
    "Profile_mean",
    "Profile_stdev",
    "Profile_skewness",
    "Profile_kurtosis",
    "DM_mean",
    "DM_stdev",
    "DM_skewness",
    "DM_kurtosis",
]


def _parse_htru2(paths):
    # CR-only line endings and no header: pandas' C parser takes "\r" as a line end.
    frame = _read_csv(paths["HTRU_2.csv"], names=_HTRU2_COLUMNS + ["class"])
    return frame[_HTRU2_COLUMNS].astype(np.float64), frame["class"].astype(np.int64)


_IRIS_COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def _parse_iris(paths):
    frame = _read_csv(paths["bezdekIris.data"], names=_IRIS_COLUMNS + ["class"])
    return frame[_IRIS_COLUMNS].astype(np.float64), frame["class"].astype(str)


def _parse_phishing(paths):
    records, meta = arff.loadarff(paths["Training Dataset.arff"])
    frame = pd.DataFrame(
        {name: records[name].astype(str).astype(np.int64) for name in meta.names()}
    )
    return frame.drop(columns="Result"), frame["Result"]


# --------------------------------------------------------------------- registry
_UCI_CITE = "Dua, D. and Graff, C. UCI Machine Learning Repository (CC BY 4.0)."

UCI_DATASETS: dict[str, UCIDataset] = {
    "abalone": UCIDataset(
        name="abalone",
        files=(
            DataFile(
                "abalone.data", "de37cdcdcaaa50c309d514f248f7c2302a5f1f88c168905eba23fe2fbc78449f"
            ),
        ),
        parser=_parse_abalone,
        description=(
            "Abalone: predict the number of rings (age) of 4177 abalones from 8 physical "
            "measurements, as a 28-class problem (rings 1-29; 28 never occurs). 'Sex' (F, I, M) "
            "is nominal: a categorical column with as_frame=True, three one-hot columns "
            "Sex_F, Sex_I, Sex_M otherwise."
        ),
        citation="Nash, Sellers, Talbot, Cawthorn & Ford (1994), The Population Biology of "
        "Abalone, Sea Fisheries Division Technical Report 48.",
        openml_id=183,
    ),
    "arcene": UCIDataset(
        name="arcene",
        files=(
            DataFile(
                "arcene_train.data",
                "580f314d09fd3d67aa8b58a8250efb59a28d69a7d23a612a78a0b0cefc4d0264",
                "27e8b6f1e9151872ec17bc33786d4a27df35f491c4f6d5d406ecd54a7255066b",
            ),
            DataFile(
                "arcene_train.labels",
                "434bb813ff7e69d182eeed347f77bd4981917d6233efedd01b5f6d916c282fbe",
            ),
            DataFile(
                "arcene_valid.data",
                "7f8792b3cfb083c3b722e31b37a0c40604506bdece1d2db621e00d862da1c549",
                "8e00612d2069b6924a442758401754a6902e02b6cf646683a030713effa06525",
            ),
            DataFile(
                "arcene_valid.labels",
                "b591228155de082dd39b2e85b12b75a55bd8ca057b7e1c0d7f54683d0a594fc3",
            ),
        ),
        parser=_parse_arcene,
        description=(
            "Arcene: cancer vs normal from 10000 mass-spectrometry features (integers), the NIPS "
            "2003 feature selection challenge. The labelled train and valid sets, 100 rows each, "
            "are concatenated (200 rows); the 700 test rows have no public labels."
        ),
        citation="Guyon, Gunn, Ben-Hur & Dror (2004), Result analysis of the NIPS 2003 feature "
        "selection challenge, NIPS 17.",
        openml_id=1458,
    ),
    "arrhythmia": UCIDataset(
        name="arrhythmia",
        files=(
            DataFile(
                "arrhythmia.data",
                "a7f0f4ca289a4c58b5ed85a9adb793189acd38425828ce3dfbb70adb45f30169",
            ),
        ),
        parser=_parse_arrhythmia,
        description=(
            "Arrhythmia: 16 classes of cardiac arrhythmia (13 occur) from 279 ECG features of 452 "
            "patients. Missing values ('?' in the file, 408 cells in 5 columns) are kept as NaN: "
            "impute them before fitting a model (e.g. sklearn.impute.SimpleImputer)."
        ),
        citation="Guvenir, Acar, Demiroz & Cekin (1997), A supervised machine learning algorithm "
        "for arrhythmia analysis, Computers in Cardiology.",
        openml_id=5,
    ),
    "htru2": UCIDataset(
        name="htru2",
        files=(
            DataFile(
                "HTRU_2.csv",
                "b13b4d8929e96ecd196e464c1c8a454c3ac2ffa631015f6388957531a9923f59",
                "f8e4e473711567ae79d0f54a86149d80e66bc5a7680e26f7f4ef5fcd76c3abfc",
            ),
        ),
        parser=_parse_htru2,
        description=(
            "HTRU2: pulsar candidates (class 1) vs noise (class 0) from the High Time Resolution "
            "Universe survey, 17898 candidates, 8 statistics of the integrated profile and of the "
            "DM-SNR curve."
        ),
        citation="Lyon, Stappers, Cooper, Brooke & Knowles (2016), MNRAS 459(1):1104, "
        "doi:10.1093/mnras/stw656.",
        url="https://archive.ics.uci.edu/static/public/372/htru2.zip",
        url_sha256="ba442c076dd22a8952700f26e38499fc1806037dcf7bea0e125e6bfba393f379",
    ),
    "iris": UCIDataset(
        name="iris",
        files=(
            DataFile(
                "bezdekIris.data",
                "0fed2a99db77ec533a62dc66894d3ec6df3b58b6a8f3cf4a6b47e4086b7f97dc",
            ),
        ),
        parser=_parse_iris,
        description=(
            "Iris: 3 species of iris, 50 flowers each, 4 measurements. Read from UCI's corrected "
            "file bezdekIris.data (the values of sklearn.datasets.load_iris), not the historical "
            "iris.data with its two errors in rows 35 and 38."
        ),
        citation="Fisher (1936), The use of multiple measurements in taxonomic problems, Annals "
        "of Eugenics 7(2):179-188.",
        openml_id=61,
    ),
    "phishing": UCIDataset(
        name="phishing",
        files=(
            DataFile(
                "Training Dataset.arff",
                "3bcf93b1612306537ee2737751f1bac185b2a77886ab376644c3bf0c7f7cb3e6",
            ),
        ),
        parser=_parse_phishing,
        description=(
            "Phishing websites: phishing (-1) vs legitimate (1) from 30 features of 11055 web "
            "sites, each coded -1, 0 or 1."
        ),
        citation="Mohammad, Thabtah & McCluskey (2012), An assessment of features related to "
        "phishing websites using an automated technique, ICITST.",
        openml_id=4534,
    ),
}


# ---------------------------------------------------------------------- finding
def uci_dataset_path(name, data_home=None) -> Path:
    """The folder where :func:`fetch_uci` looks for (and caches) dataset ``name``.

    ``<data_home>/uci/<name>``, with ``data_home`` the data root (see
    :func:`~skmixup.datasets.get_data_home`).
    """
    return get_data_home(data_home) / "uci" / name


def _find_files(spec, folder):
    """Map each needed file name to the path of its stored form, or None when missing."""
    found = {}
    for data_file in spec.files:
        found[data_file.name] = None
        for stored, _ in data_file.forms():
            if (folder / stored).is_file():
                found[data_file.name] = folder / stored
                break
    return found


def _check_files(spec, found):
    for data_file in spec.files:
        path = found[data_file.name]
        expected = dict(data_file.forms())[path.name]
        check_sha256(path, expected)


def _missing_message(spec, folder, missing, data_home, reason=""):
    return missing_files_message(
        f"fetch_uci({spec.name!r})",
        missing,
        folder,
        data_home,
        reason=reason
        or (
            f"Plain or gzipped files both work ('{missing[0]}.gz'). Nothing was downloaded "
            "(download_if_missing=False); with download_if_missing=True the data come from "
            "OpenML (needs network access and, except for HTRU2, the openml package)."
        ),
    )


# ---------------------------------------------------------------------- download
def _download_openml(spec, folder):
    """Download from OpenML into openml's cache under the data home; return (X, y)."""
    try:
        import openml
    except ImportError as exc:
        raise ImportError(
            f"Downloading {spec.name!r} needs the 'openml' package: pip install openml "
            "(or skmixup[openml])."
        ) from exc
    cache = folder.parent / "openml_cache"
    cache.mkdir(parents=True, exist_ok=True)
    openml.config.set_root_cache_directory(str(cache))
    dataset = openml.datasets.get_dataset(
        spec.openml_id,
        download_data=True,
        download_qualities=False,
        download_features_meta_data=False,
    )
    X, y, _, _ = dataset.get_data(
        target=dataset.default_target_attribute, dataset_format="dataframe"
    )
    return _from_openml(spec, X, y)


def _from_openml(spec, X, y):
    """Give an OpenML frame the columns and label types of the local parser's output."""
    X = X.reset_index(drop=True)
    y = pd.Series(np.asarray(y), name=str(y.name)).reset_index(drop=True)
    if spec.name == "abalone":
        X = X.set_axis(_ABALONE_COLUMNS, axis=1)
        X["Sex"] = pd.Categorical(X["Sex"].astype(str), categories=["F", "I", "M"])
        return X, y.astype(np.int64).rename("Rings")
    if spec.name == "arcene":
        X = X.set_axis([f"feature_{i}" for i in range(X.shape[1])], axis=1)
        # OpenML codes the labels 1/2 for -1/+1.
        codes = y.astype(str).map({"1": -1, "2": 1, "-1": -1})
        return X.astype(np.int64), codes.astype(np.int64).rename("label")
    if spec.name == "arrhythmia":
        X = X.set_axis(_arrhythmia_columns(), axis=1).astype(np.float64)
        return X, y.astype(np.int64).rename("class")
    if spec.name == "iris":
        return X.set_axis(_IRIS_COLUMNS, axis=1).astype(np.float64), y.astype(str).rename("class")
    if spec.name == "phishing":
        X = X.apply(lambda column: column.astype(str).astype(np.int64))
        return X, y.astype(str).astype(np.int64).rename("Result")
    return X, y


def _download_url(spec, folder):
    """Download the UCI zip, check it, store its members (checked) in ``folder``."""
    with urllib.request.urlopen(spec.url, timeout=60) as response:  # noqa: S310 (fixed https address)
        payload = response.read()
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / Path(spec.url).name
    archive.write_bytes(payload)
    if spec.url_sha256:
        check_sha256(archive, spec.url_sha256)
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        members = {Path(m).name: m for m in zf.namelist()}
        for data_file in spec.files:
            target = folder / data_file.name
            target.write_bytes(zf.read(members[data_file.name]))
            check_sha256(target, data_file.sha256)
    archive.unlink()


# ------------------------------------------------------------------------ fetch
def fetch_uci(
    name,
    *,
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    as_frame=False,
    check_checksum=True,
):
    """Load one of the six UCI datasets of the mixup paper (abalone, arcene, ...).

    Reads the original UCI files from ``<data_home>/uci/<name>/`` (the layout
    of the project's ``shared/data`` folder) and checks their sha256. When they are
    missing and ``download_if_missing`` is true, downloads the data: from
    OpenML with the ``openml`` package (cached under ``<data_home>/uci``), or,
    for HTRU2, the UCI archive's zip, whose files are stored in the layout above.

    Parameters
    ----------
    name : {"abalone", "arcene", "arrhythmia", "htru2", "iris", "phishing"}
        Dataset name; any key of :data:`UCI_DATASETS`.
    data_home : str or path-like, default=None
        The data root, holding ``uci/<name>/``. ``None`` means the
        ``SKMIXUP_DATA`` environment variable, else ``~/skmixup_data`` (see
        :func:`~skmixup.datasets.get_data_home`).
    download_if_missing : bool, default=True
        Download the data when the local files are missing. When false, a
        missing file raises ``FileNotFoundError`` saying where to put it.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return a pandas DataFrame (categorical columns as ``category``) and
        Series. When false, ``data`` is a float64 array in which nominal
        columns (abalone's ``Sex``) are one-hot encoded.
    check_checksum : bool, default=True
        Verify the sha256 of the local files; a mismatch raises ``ValueError``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``data``, ``target``, ``frame`` (features and target as one
        DataFrame when ``as_frame=True``, else None), ``feature_names``,
        ``target_names`` (the class labels, sorted), ``categorical_features``,
        ``DESCR`` and ``source`` (the files read, or where it was downloaded from).
        Missing values (arrhythmia) are NaN.
    (data, target) : tuple
        When ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        When the files are missing and are not downloaded, or the download
        fails (no network, no ``openml`` package: the failure is the
        exception's ``__cause__``). The message names the files looked for,
        the folder, the data root and its layout.
    ValueError
        When a local file does not have the expected sha256, or ``name`` is unknown.

    Examples
    --------
    >>> from skmixup.datasets import fetch_uci
    >>> X, y = fetch_uci("iris", return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (150, 4)
    """
    if name not in UCI_DATASETS:
        raise ValueError(f"Unknown UCI dataset {name!r}; choose one of {sorted(UCI_DATASETS)}.")
    spec = UCI_DATASETS[name]
    folder = uci_dataset_path(name, data_home)
    found = _find_files(spec, folder)
    missing = [n for n, path in found.items() if path is None]
    if not missing:
        if check_checksum:
            _check_files(spec, found)
        X, y = spec.parser(found)
        source = "local files: " + ", ".join(str(p) for p in found.values())
    elif not download_if_missing:
        raise FileNotFoundError(_missing_message(spec, folder, missing, data_home))
    else:
        X, y, source = _download(spec, folder, missing, data_home)
    return _to_bunch(spec, X, y, source, return_X_y=return_X_y, as_frame=as_frame)


def _download(spec, folder, missing, data_home):
    """Download the data; any failure (no network, no openml, a bad file) raises
    ``FileNotFoundError`` saying where the files were looked for, from the failure."""
    where = "OpenML" if spec.openml_id is not None else spec.url
    message = _missing_message(
        spec, folder, missing, data_home, reason=f"So they were downloaded from {where}."
    )
    try:
        if spec.openml_id is not None:
            X, y = _download_openml(spec, folder)
            return X, y, f"OpenML data_id {spec.openml_id}"
        _download_url(spec, folder)
        found = _find_files(spec, folder)
        return (*spec.parser(found), f"{spec.url} (stored in {folder})")
    except ChecksumError:  # a download that is not the original file: says so itself
        raise
    except Exception as exc:  # openml and urllib raise many types; the cause is kept
        raise download_failed(message, exc) from exc


def _to_bunch(spec, X, y, source, *, return_X_y, as_frame):
    descr = "\n\n".join(
        [
            f"{spec.name}\n{'=' * len(spec.name)}",
            spec.description,
            f"{X.shape[0]} samples, {X.shape[1]} features, {y.nunique()} classes.",
            f"Source: {source}.",
            f"Cite: {spec.citation} {_UCI_CITE}",
        ]
    )
    return to_bunch(X, y, descr=descr, source=source, return_X_y=return_X_y, as_frame=as_frame)
